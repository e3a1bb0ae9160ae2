# acme.sh - benchmarks 2 (dns-01) and 3 (http-01), sourced by bench/run.
#
# Server side (tests/integration beds): pebble (no VA sleep, no nonce
# rejection, no authz reuse), BIND primary + NSD secondary (dns01: --lag,
# the software-default ~5 s secondary lag), nginx serving the http-01 root.
# Clients: ssl-mgr, certbot 2.1 (manual mode, hooks, --csr), lego 4.9 (exec
# DNS provider / --http.webroot), uacme 1.7.4 (hook script).  Every peer's
# dns-01 hook waits until BOTH name servers serve the token (bench/hooks/
# wait-ns), the equivalent of ssl-mgr's all-name-servers check.

HOOKS=$HERE/hooks

beds_start() {	# beds_start [--lag]
	W=$TMPW/acme
	mkdir -p "$W/include" "$W/www/example.com"
	chmod 755 "$TMPW" "$W" "$W/www" "$W/www/example.com"
	DNSBED_INCLUDE_DIR=$W/include
	export DNSBED_INCLUDE_DIR
	# host names for the benchmark (h1.., d1..); ssl-mgr does not own
	# tlsa.<zone> here (no tlsa_dirs), so the bed's include carries them.
	local i
	for i in $(seq 1 12); do
		echo "h$i IN A 127.0.0.1"
		echo "d$i IN A 127.0.0.1"
	done >"$W/include/tlsa.example.com"
	: >"$W/include/tlsa.example.net"
	. "$ROOT/tests/integration/dnsbed.sh"
	. "$ROOT/tests/integration/pebblebed.sh"
	. "$ROOT/tests/integration/nginxbed.sh"
	BEDS_UP=1
	dnsbed_start "$W/bed" "$@" >"$W/bed.log" 2>&1 || { cat "$W/bed.log" >&2; return 1; }
	PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0
	export PEBBLE_VA_NOSLEEP PEBBLE_WFE_NONCEREJECT PEBBLE_AUTHZREUSE
	# dns-01: pebble resolves through Go's stub resolver (EDNS, TCP on
	# truncation) via a relay to the primary, not with -dnsserver: pebble
	# 2.4's -dnsserver client reads 512 bytes over UDP and ignores TC, so
	# ten challenge values at _acme-challenge.<apex> (ten orders that all
	# carry the apex, ssl-mgr's one batch) lose two: "Correct value not
	# found" (bench/results/2026-12-06-dns01.md has the capture).
	# BENCH_PEBBLE_DNS=server keeps -dnsserver.
	local pdns="--dns 127.0.0.1:$DNSBED_PORT"
	[ "${BENCH_PEBBLE_RESOLVER:-0}" = 1 ] && [ "${BENCH_PEBBLE_DNS:-resolver}" = resolver ] &&
	    pdns="--resolver 127.0.0.1:$DNSBED_PORT"
	# shellcheck disable=SC2086
	pebblebed_start "$W/pebble" $pdns >"$W/pebble.log" 2>&1 ||
	    { cat "$W/pebble.log" >&2; return 1; }
	PEBBLE_DNS_MODE=${pdns%% *}
	nginxbed_start "$W/ng" "$PEBBLE_HTTP_PORT" "$W/www/example.com"
	# a CA bundle = system roots + pebble's HTTPS CA (for certbot/lego/uacme)
	cat /etc/ssl/certs/ca-certificates.crt "$PEBBLE_CA" >"$W/bundle.pem"
	# the hooks' environment
	BENCH_INCLUDE=$W/include BENCH_WEBROOT=$W/www/example.com
	BENCH_NS="127.0.0.1#$DNSBED_PORT ${DNSBED_SECONDARY}#$DNSBED_SECONDARY_PORT"
	export BENCH_INCLUDE BENCH_WEBROOT BENCH_NS DNSBED_RESTART DNSBED_DIR W HOOKS PEBBLE_URL PEBBLE_CA
	export -f peer_certbot peer_lego peer_uacme csr_for uacme_env
}
beds_stop() {
	nginxbed_stop
	command -v pebblebed_stop >/dev/null && pebblebed_stop
	command -v dnsbed_stop >/dev/null && dnsbed_stop "$W/bed" >/dev/null 2>&1
	BEDS_UP=0
}

# ours_top VALIDATION: a topdir with services named by $NAMES_<svc>.
ours_top() {
	local v=$1 top=$W/ours-$1 conf
	rm -rf "$top"; mkdir -p "$top"
	cp -R "$ROOT/conf-examples/ca-self/conf.d" "$top/"
	rm -rf "$top/conf.d/example.com"; mkdir -p "$top/conf.d/example.com"
	conf=$top/conf.d/ssl-mgr.conf
	cat >>"$top/conf.d/ca-info.conf" <<CA

[pebble]
    ca_desc = 'pebble'
    ca_type = 'acme'
    ca_validation = '$v'
    ca_acme_directory = '$PEBBLE_URL'
    ca_acme_ca_file = '$PEBBLE_CA'
CA
	sed -i "s|^    prod_cert_dir = .*|    prod_cert_dir = '$top/prod-certs'\n    dns_ns_port = $DNSBED_PORT\n    dns_xtra_ns = []\n    dns_check_delay = 30|" "$conf"
	sed -i "s|^\[web\]|[web]\n    server_dir = '$W/www'|" "$conf"
	cat >>"$conf" <<CONF

[[dns_primary]]
    domain = 'default'
    server = '127.0.0.1'
    port = $DNSBED_PORT

[dns]
    restart_cmd = '$DNSBED_RESTART'
    acme_dir = '$DNSBED_INCLUDE_DIR'
    depends = ['dns']
CONF
	echo "$top"
}
# ours_case TOP CASE-NAME "svc:san1,san2 svc2:san ...": sets the services
# of group example.com (the CA group stays: it is issued once, untimed).
ours_services() {
	local top=$1 list= s svc sans
	shift
	rm -f "$top/conf.d/example.com/"*
	for s in $1; do
		svc=${s%%:*} sans=${s#*:}
		list="$list${list:+, }'$svc'"
		printf "name = '%s'\ngroup = 'example.com'\nservice = '%s'\nsigning_ca = 'pebble'\n\n[KeyOpts]\n    ktype = 'ec'\n    ec_algo = 'secp256r1'\n\n[X509]\n    CN = '%s'\n    O = 'Bench'\n    C = 'US'\n    sans = [%s]\n" \
		    "$svc" "$svc" "example.com" "$(echo "$sans" | sed "s/[^,]*/'&'/g; s/,/, /g")" >"$top/conf.d/example.com/$svc"
	done
	sed -i "/my-root/!s|^    services = \[.*|    services = [$list]|" "$top/conf.d/ssl-mgr.conf"
}

# the cases: "label|svc:names ..." ; names one per cert unless the 3-SAN case
# ssl-mgr requires an ACME service's CN to be its group (the zone apex) and
# orders the CN too, so each of its certificates carries example.com; the
# peers get the same identifier set (apex first) so that all do equal work.
# Set BENCH_NO_APEX=1 for the peers' one-name variant (the 2026-11-22
# http01 result was measured that way: peers 1 name, ssl-mgr apex + 1).
cases_for() {	# cases_for d|h
	local p=$1 i l10= a=example.com,
	[ "${BENCH_NO_APEX:-0}" = 1 ] && a=
	for i in $(seq 1 10); do l10="$l10 c$i:$a$p$i.example.com"; done
	echo "1 cert, 1 name|c1:$a${p}1.example.com"
	echo "10 certs, 1 name each|$l10"
	echo "1 cert, 3 SANs|c1:$a${p}1.example.com,${p}2.example.com,${p}3.example.com"
}

# A peer run for one case = one client process per certificate, run one
# after the other (how cron would drive them).  Each function takes the
# case's cert list and its own state dir.
csr_for() {	# csr_for DIR NAMES(comma) -> DIR/csr.der, DIR/key.pem
	local d=$1 n=$2 san
	mkdir -p "$d"
	san=$(echo "$n" | sed 's/[^,]*/DNS:&/g')
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/key.pem" \
	    -subj "/CN=${n%%,*}" -addext "subjectAltName=$san" -outform DER -out "$d/csr.der" 2>/dev/null
}
peer_certbot() {	# VALIDATION STATE "svc:names ..."
	local v=$1 st=$2 s n rc=0 hooks
	if [ "$v" = dns-01 ]; then
		hooks="--preferred-challenges dns --manual-auth-hook $HOOKS/certbot-dns-auth --manual-cleanup-hook $HOOKS/certbot-dns-cleanup"
	else
		hooks="--preferred-challenges http --manual-auth-hook $HOOKS/certbot-http-auth --manual-cleanup-hook $HOOKS/certbot-http-cleanup"
	fi
	for s in $3; do
		n=${s#*:}
		csr_for "$st/${s%%:*}" "$n"
		# shellcheck disable=SC2086
		REQUESTS_CA_BUNDLE=$W/bundle.pem certbot certonly --manual $hooks --non-interactive --agree-tos \
		    --register-unsafely-without-email --server "$PEBBLE_URL" \
		    --config-dir "$st/etc" --work-dir "$st/work" --logs-dir "$st/logs" \
		    --csr "$st/${s%%:*}/csr.der" --cert-path "$st/${s%%:*}/cert.pem" \
		    --fullchain-path "$st/${s%%:*}/fullchain.pem" --chain-path "$st/${s%%:*}/chain.pem" \
		    >>"$st/out" 2>&1 || rc=1
	done
	return $rc
}
peer_lego() {
	local v=$1 st=$2 s n rc=0 d
	for s in $3; do
		n=${s#*:}
		d=
		for x in $(echo "$n" | tr ',' ' '); do d="$d --domains $x"; done
		if [ "$v" = dns-01 ]; then
			# shellcheck disable=SC2086
			# EXEC_SEQUENCE_INTERVAL: the exec provider solves a cert's
			# names one after the other with 60 s between them by
			# default (for hooks that replace the record); ours
			# appends and removes only its own value: 1 s.
			LEGO_CA_CERTIFICATES=$PEBBLE_CA EXEC_PATH=$HOOKS/lego-exec EXEC_PROPAGATION_TIMEOUT=120 \
			    EXEC_POLLING_INTERVAL=1 EXEC_SEQUENCE_INTERVAL=1 lego --server "$PEBBLE_URL" --accept-tos --email bench@example.com \
			    --path "$st/lego" --key-type ec256 --dns exec --dns.disable-cp $d run >>"$st/out" 2>&1 || rc=1
		else
			# shellcheck disable=SC2086
			LEGO_CA_CERTIFICATES=$PEBBLE_CA lego --server "$PEBBLE_URL" --accept-tos --email bench@example.com \
			    --path "$st/lego" --key-type ec256 --http --http.webroot "$BENCH_WEBROOT" $d run >>"$st/out" 2>&1 || rc=1
		fi
	done
	return $rc
}
peer_uacme() {
	local v=$1 st=$2 s n rc=0
	mkdir -p "$st/uacme"
	[ -e "$st/uacme/private/key.pem" ] || uacme_env uacme -y -c "$st/uacme" -a "$PEBBLE_URL" new >>"$st/out" 2>&1
	for s in $3; do
		n=${s#*:}
		# shellcheck disable=SC2046
		BENCH_TYPE=$v uacme_env uacme -y -c "$st/uacme" -a "$PEBBLE_URL" -t EC -h "$HOOKS/uacme-hook" \
		    issue $(echo "$n" | tr ',' ' ') >>"$st/out" 2>&1 || rc=1
	done
	return $rc
}
# uacme (libcurl-gnutls) has no CA-file option: run it in a private mount
# namespace where the system bundle is our bundle (system untouched).
uacme_env() {
	unshare -m sh -c 'mount --bind "$0" /etc/ssl/certs/ca-certificates.crt && exec "$@"' "$W/bundle.pem" "$@"
}

# dns-01: every measured run starts right after a zone change has reached
# the secondary (untimed: a serial bump, then a wait for the secondary), so
# that each client's first change meets BIND's notify-delay 5 rate limit
# the same way (a NOTIFY at most every 5 s per zone): the "~5 s lag" of a
# zone that is being edited.  Without it the lag of a run depended on how
# long ago the previous run's cleanup was (0.1-5 s, measured).
prime_lag() {
	local s0 s1 i=0
	s0=$(dnsbed_serial example.com primary)
	"$DNSBED_RESTART" --serial_bump example.com >/dev/null 2>&1
	while [ "$i" -lt 100 ]; do
		s1=$(dnsbed_serial example.com primary)
		[ -n "$s1" ] && [ "$s1" != "$s0" ] && break
		sleep 0.05; i=$((i + 1))
	done
	dnsbed_wait_serial example.com secondary "$s1" 15 >/dev/null 2>&1
}

# acme_bench VALIDATION LABEL-PREFIX(d|h) WHAT
acme_bench() {
	local v=$1 p=$2 what=$3 runs=${RUNS:-3} rep=$TMPW/$3.md
	local clients=${BENCH_CLIENTS:-ssl-mgr certbot lego uacme}
	local c line label certs i top st w k
	declare -A MED
	{
		echo "# Benchmark: $v issuance, ssl-mgr and peers in the same run"
		echo
		echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		machine_line
		echo "- versions: $(certbot --version 2>&1 | head -1); lego $(dpkg-query -W -f '${Version}' lego 2>/dev/null); uacme $(dpkg-query -W -f '${Version}' uacme 2>/dev/null); pebble $(dpkg-query -W -f '${Version}' pebble 2>/dev/null)"
		echo "- server: pebble (PEBBLE_VA_NOSLEEP=1, no nonce rejection, no authz reuse; DNS: $([ "$PEBBLE_DNS_MODE" = --resolver ] && echo "Go's stub resolver through a relay to the primary (EDNS + TCP): with -dnsserver, pebble 2.4 reads 512 bytes over UDP and ignores TC, and fails 2 of 10 values at one name (bench/README.md, Identifiers)" || echo "-dnsserver = the primary")), BIND primary + NSD secondary$([ "$v" = dns-01 ] && echo ' with the software-default lag (notify-delay 5, xfrd-reload-timeout 1)'), nginx."
		echo "- method: $runs run(s) per client and case; wall of the whole case (ssl-mgr: one \`-renew -f\` run for all certs; peers: one process per cert, one after the other); peak RSS = largest process."
		[ "$v" = dns-01 ] && echo "- lag: before every measured run an untimed serial bump is made and waited for on the secondary, so every client's first change meets the notify-delay rate limit alike (bench/acme.sh prime_lag)."
		[ "$v" = dns-01 ] && echo "- all name servers: ssl-mgr checks both servers itself; each peer's dns-01 hook publishes the token (include file + serial bump + rndc reload) and waits until both servers serve it (bench/hooks/wait-ns)."
		echo
		echo "- load average (1/5/15 min) at the start: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores shared with other work: compare inside one run)"
		echo
		echo "| case | client | wall median (min–max) | s/cert | peak RSS | ok runs |"
		echo "|---|---|---|---:|---|---:|"
	} >"$rep"
	while IFS='|' read -r label certs; do
		local ncert; ncert=$(echo "$certs" | wc -w)
		for c in $clients; do
			w= k=; local okr=0
			for i in $(seq "$runs"); do
				st=$W/state-$c-$i
				rm -rf "$st"; mkdir -p "$st"
				local w0=$w k0=$k
				[ "$v" = dns-01 ] && prime_lag
				if [ "$c" = ssl-mgr ]; then
					top=$OURS_TOP
					ours_services "$top" "$certs"
					: >"$W/mark"; sleep 0.01
					SSL_MGR_TOPDIR=$top timed w k "$BIN" -renew -f example.com
					# BENCH_KEEP_LOGS=1: ssl-mgr's log of each run, for profiling
					[ "${BENCH_KEEP_LOGS:-0}" = 1 ] && cp "$top/logs/sslm" "$CACHE/ssl-mgr-$v-${ncert}c-$i.log"
					# count only runs that really issued every cert
					local got; got=$(find -L "$top/certs/example.com" -path '*/next/cert.pem' -newer "$W/mark" | wc -l)
					[ "$LAST_RC" -eq 0 ] && [ "$got" -ne "$ncert" ] && { LAST_RC=99; echo "bench: ssl-mgr issued $got of $ncert" >"$st/out"; }
				else
					timed w k peer_"$c" "$v" "$st" "$certs"
				fi
				if [ "$LAST_RC" -eq 0 ]; then okr=$((okr + 1)); else
					echo "bench: $c ($label) run $i failed (rc $LAST_RC): its time is not counted" >&2
					w=$w0 k=$k0
					{ tail -15 "$TMPW/err"; tail -5 "$st/out" 2>/dev/null; } >&2
					[ "$c" = ssl-mgr ] && cp "$TMPW/err" "$CACHE/last-ssl-mgr-$v.err"
				fi
			done
			local m lo hi km kl kh
			read -r m lo hi <<<"$(stats "$w")"
			read -r km kl kh <<<"$(stats "$k")"
			MED[$label/$c]=$m
			printf '| %s | %s | %s | %s | %s MB | %s/%s |\n' "$label" "$c" "$(fmt_s "$m" "$lo" "$hi")" \
			    "$(awk -v m="$m" -v n="$ncert" 'BEGIN { printf "%.2f", m / n }')" \
			    "$(awk -v k="$km" 'BEGIN { printf "%.1f", k / 1024 }')" "$okr" "$runs" | tee -a "$rep" >&2
		done
	done <<<"$(cases_for "$p")"
	{
		echo
		echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
		echo
		echo "Ratios (medians):"
		local one="1 cert, 1 name" ten="10 certs, 1 name each" best= bestc=
		for c in $clients; do
			[ "$c" = ssl-mgr ] && continue
			local x=${MED[$ten/$c]:-}
			[ -n "$x" ] && [ "$x" != - ] || continue
			if [ -z "$best" ] || awk -v a="$x" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$x bestc=$c; fi
			echo "- 10 certs: $c / ssl-mgr = $(ratio "$x" "${MED[$ten/ssl-mgr]:--}"); 1 cert: $c / ssl-mgr = $(ratio "${MED[$one/$c]:--}" "${MED[$one/ssl-mgr]:--}")"
		done
		echo "- ssl-mgr 10 certs / 1 cert = $(ratio "${MED[$ten/ssl-mgr]:--}" "${MED[$one/ssl-mgr]:--}")"
		if [ "$v" = dns-01 ]; then
			echo
			echo "Goals: ours(10) ≤ 1.5 × ours(1): **$(awk -v a="${MED[$ten/ssl-mgr]:-0}" -v b="${MED[$one/ssl-mgr]:-0}" 'BEGIN { if (a + 0 <= 0 || b + 0 <= 0) print "NOT MEASURED"; else print (a <= 1.5 * b) ? "MET" : "NOT MET" }')** ($(ratio "${MED[$ten/ssl-mgr]:--}" "${MED[$one/ssl-mgr]:--}")×);" \
			    "≥ 5× faster than the best peer (${bestc:-none}) for 10: **$(awk -v a="${MED[$ten/ssl-mgr]:-0}" -v b="${best:-0}" 'BEGIN { if (a + 0 <= 0 || b + 0 <= 0) print "NOT MEASURED"; else print (b >= 5 * a) ? "MET" : "NOT MET" }')** ($(ratio "${best:--}" "${MED[$ten/ssl-mgr]:--}")×)"
		else
			local u1=${MED[$one/uacme]:-0} o1=${MED[$one/ssl-mgr]:-0} u10=${MED[$ten/uacme]:-0} o10=${MED[$ten/ssl-mgr]:-0}
			echo
			echo "Goal: per certificate ≤ 0.5 × uacme's median: 1 cert: **$(awk -v a="$o1" -v b="$u1" 'BEGIN { if (a + 0 <= 0 || b + 0 <= 0) print "NOT MEASURED"; else print (a <= 0.5 * b) ? "MET" : "NOT MET" }')** ($(ratio "$o1" "$u1")×);" \
			    "10 certs: **$(awk -v a="$o10" -v b="$u10" 'BEGIN { if (a + 0 <= 0 || b + 0 <= 0) print "NOT MEASURED"; else print (a <= 0.5 * b) ? "MET" : "NOT MET" }')** ($(ratio "$o10" "$u10")×)"
		fi
	} >>"$rep"
	cat "$rep"
	save "$what" "$rep"
}

bench_dns01() {
	BENCH_PEBBLE_RESOLVER=1 beds_start --lag || return 1
	OURS_TOP=$(ours_top dns-01)
	# the private CA group is issued once (untimed); only example.com runs
	ours_services "$OURS_TOP" "c1:d1.example.com"
	SSL_MGR_TOPDIR=$OURS_TOP "$BIN" -renew -roll >"$W/ours-init.log" 2>&1 || { cat "$W/ours-init.log" >&2; }
	acme_bench dns-01 d dns01
	beds_stop
}
bench_http01() {
	beds_start || return 1
	OURS_TOP=$(ours_top http-01)
	ours_services "$OURS_TOP" "c1:h1.example.com"
	SSL_MGR_TOPDIR=$OURS_TOP "$BIN" -renew -roll >"$W/ours-init.log" 2>&1 || { cat "$W/ours-init.log" >&2; }
	acme_bench http-01 h http01
	beds_stop
}
