#!/bin/sh
# test-acme-more.sh - the remaining ACME cases, end to end THROUGH ssl-mgr:
# pebble (ACME), the BIND primary + NSD secondary bed, nginx on pebble's
# http-01 port and (as root) a real sshd in its own mount namespace.
#
#  main pebble (PEBBLE_ALTERNATE_ROOTS=1, 50% badNonce):
#   8  one run, several services (http-01, dns-01, alt chain, certbot
#      account) while half the nonces are rejected
#   1  an IP-address SAN over http-01
#   6  ca_preferred_chain = the alternate root's CN; default root without
#  11  a certbot account (accounts/<host:port>/<path>/<id>/...) imported
#   2  http-01 through ssh: the web root only exists in sshd's namespace
#   3  a frozen secondary (SIGSTOP): bounded failure, nothing touched;
#      SIGCONT and the next run succeeds
#   7  pebble restarted: the account is registered again, new roots
#  12  a run SIGKILLed while its http-01 token is out: the token must be
#      recorded in <cb>/web-tokens and removed by the next run
#  EAB pebble (--eab):
#   5  without ca_eab_kid/ca_eab_hmac_key a clear failure; with them issued
#  ARI pebble (--ari, pebble >= 2.6 from trixie):
#  10  a fresh cert is not renewed: "ARI window" logged, cb/ari-window kept
#  offline:
#   9  ca_type letsencrypt without a directory: -t names the staging host,
#      without -t the production host; exit 1, bounded
#  the bed restarted with --lag (and a fresh pebble on it):
#   4  a dns-01 renew waits for the lagging secondary, then succeeds
#
# Env: SSLM_BIN, SSLM_SOURCE_ROOT (lib.sh), PEBBLEBED_CACHE, ACME_PROBE (the
# acme-probe binary, for the certbot account's registration), CI=true makes
# a missing tool a failure instead of a skip (exit 77).  KEEP=1 keeps $T.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dnsbed.sh"
. "$(dirname "$0")/pebblebed.sh"
. "$(dirname "$0")/nginxbed.sh"

for c in pebble named nsd nginx drill; do
	if ! command -v $c >/dev/null 2>&1 && [ ! -x /usr/sbin/$c ]; then
		if [ "${CI:-}" = true ]; then
			nok "$c is needed"
			finish
			exit
		fi
		echo "SKIP: $c missing"
		exit 77
	fi
done
PROBE=${ACME_PROBE:-$SRC/build/tests/acme-probe}

skip_or_fail() {	# a case that cannot run here
	if [ "${CI:-}" = true ]; then
		nok "$*"
	else
		echo "skip - $*"
	fi
}

bed=$T/bed
bed2=$T/bed-lag
DNSBED_INCLUDE_DIR=$T/include
export DNSBED_INCLUDE_DIR
mkdir -p "$DNSBED_INCLUDE_DIR"
NGINX_PID=
SSHD_PID=
NSD_STOPPED=
stop_all() {
	# A frozen daemon must be thawed before it can be stopped.
	for _p in $NSD_STOPPED; do kill -CONT "$_p" 2>/dev/null; done
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
	[ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null
	[ -n "$NGINX_PID" ] && wait "$NGINX_PID" 2>/dev/null
	[ -n "$SSHD_PID" ] && wait "$SSHD_PID" 2>/dev/null
	pebblebed_stop
	dnsbed_stop "$bed"
	dnsbed_stop "$bed2"
	if [ -n "${KEEP:-}" ]; then
		echo "# kept $T"
	else
		rm -rf "$T"
	fi
}
trap stop_all EXIT
trap 'exit 1' INT TERM
T0=$(date +%s)

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# keep <name>: the last run's stdout and stderr, for the evidence
# (-v progress goes to stdout, errors to stderr; $T/<name>.log has both)
keep() {
	cp "$T/out" "$T/$1.out"
	cp "$T/err" "$T/$1.err"
	cat "$T/out" "$T/err" >"$T/$1.log"
}
cn_of() {	# <pem> subject|issuer: the CN
	openssl x509 -in "$1" -noout -"$2" -nameopt multiline |
	    sed -n 's/^ *commonName *= *//p'
}
verifies() {	# <roots> <dir>: dir's cert + chain verify against roots only
	openssl verify -CAfile "$1" -untrusted "$2/chain.pem" \
	    "$2/cert.pem" 2>/dev/null | grep -q ': OK$'
}
tree_sum() {	# <dir>: a digest of every file under dir (names and bytes)
	(cd "$1" 2>/dev/null && find . -type f -o -type l | sort |
	    while read -r _f; do
		printf '%s ' "$_f"
		if [ -L "$_f" ]; then readlink "$_f"; else md5sum <"$_f"; fi
	    done) | md5sum
}

#
# The DNS bed, the main pebble, nginx for http-01
#
dnsbed_start "$bed" >"$T/bed.log" 2>&1 ||
    { cat "$T/bed.log"; nok "dns bed"; finish; exit; }
# restart_cmd finds the bed by DNSBED_DIR: pin it in a wrapper.
printf '#!/bin/sh\nDNSBED_DIR=%s exec %s "$@"\n' "$bed" "$DNSBED_RESTART" \
    >"$T/dns-restart"
chmod +x "$T/dns-restart"

PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=50 PEBBLE_AUTHZREUSE=0
PEBBLE_ALTERNATE_ROOTS=1
export PEBBLE_VA_NOSLEEP PEBBLE_WFE_NONCEREJECT PEBBLE_AUTHZREUSE \
    PEBBLE_ALTERNATE_ROOTS
pebblebed_start "$T/pebble" --dns "127.0.0.1:$DNSBED_PORT" \
    >"$T/pebble.log" 2>&1 || { cat "$T/pebble.log"; nok "pebble"; finish; exit; }
ok "pebble (alternate roots, 50% badNonce) and the DNS bed are up"
pebblebed_root 0 "$T/root0.pem"
pebblebed_root 1 "$T/root1.pem"
ALT_CN=$(cn_of "$T/root1.pem" subject)
DEF_CN=$(cn_of "$T/root0.pem" subject)
check "two distinct pebble roots ($DEF_CN / $ALT_CN)" \
    sh -c "[ -n '$ALT_CN' ] && [ '$ALT_CN' != '$DEF_CN' ]"

chmod 755 "$T"
W=$T/www		# what nginx serves (root $W/example.com)
WR=$T/webroot-remote	# the web root as only sshd sees it (bind of $W)
mkdir -p "$W/example.com" "$WR"
chmod 755 "$W" "$W/example.com" "$WR"
nginxbed_start "$T/ng" "$PEBBLE_HTTP_PORT" "$W/example.com"

#
# The configuration: conf-examples/ca-self plus ACME CAs and services
#
top=$(new_topdir acme)
P=$top/prod-certs
C=$top/certs
conf=$top/conf.d/ssl-mgr.conf
cainfo=$top/conf.d/ca-info.conf
SSHPORT=$(free_port)
SSH_OPTS="['-p', '$SSHPORT', '-i', '$T/id', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5']"
# acme_ca NAME VALIDATION [extra lines...]: a CA on the current pebble
acme_ca() {
	_n=$1 _v=$2
	shift 2
	{
		printf "\n[%s]\n    ca_desc = 'pebble %s'\n" "$_n" "$_n"
		printf "    ca_type = 'acme'\n    ca_validation = '%s'\n" "$_v"
		printf "    ca_acme_directory = '%s'\n" "$PEBBLE_URL"
		printf "    ca_acme_ca_file = '%s'\n" "$PEBBLE_CA"
		for _l in "$@"; do printf '    %s\n' "$_l"; done
	} >>"$cainfo"
}
svc() {	# svc GROUP NAME CA CN SANS
	mkdir -p "$top/conf.d/$1"
	{
		printf "name = '%s'\ngroup = '%s'\nservice = '%s'\nsigning_ca = '%s'\n" "$2" "$1" "$2" "$3"
		printf "\n[KeyOpts]\n    ktype = 'ec'\n    ec_algo = 'secp256r1'\n"
		printf "\n[X509]\n    CN = '%s'\n    O = 'Example Org'\n    C = 'US'\n    email = 'hostmaster@%s'\n    sans = %s\n" "$4" "$1" "$5"
	} >"$top/conf.d/$1/$2"
}
acme_ca pebble-http http-01
acme_ca pebble-dns dns-01
acme_ca pebble-alt dns-01 "ca_preferred_chain = '$ALT_CN'"
svc example.com ipsan pebble-http example.com "['www.example.com', '127.0.0.1']"
svc example.com dns1 pebble-dns example.com "['mail.example.com']"
svc example.com alt pebble-alt example.com "['mx2.example.com']"
svc example.com cbimp pebble-dns example.com "['test.example.com']"
svc example.com sshweb pebble-http example.com "['www.example.com']"
sed -i "s|services = \['web-self', 'mail-self', 'wild-self'\]|services = ['ipsan', 'dns1', 'alt', 'cbimp']|" "$conf"
sed -i "s|^    prod_cert_dir = .*|    prod_cert_dir = '$P'\n    dns_ns_port = $DNSBED_PORT\n    dns_xtra_ns = []\n    dns_check_delay = 30\n    ssh_opts = $SSH_OPTS|" "$conf"
sed -i "s|^\[web\]|[web]\n    server_dir = '$W'|" "$conf"
cat >>"$conf" <<CONF

[[dns_primary]]
    domain = 'default'
    server = '127.0.0.1'
    port = $DNSBED_PORT

[dns]
    restart_cmd = '$T/dns-restart'
    acme_dir = '$DNSBED_INCLUDE_DIR'
    tlsa_dirs = ['$DNSBED_INCLUDE_DIR']
    depends = ['dns']
CONF
sslm "$top" check-config -v
check "the config is valid" eq "$RC" 0
[ "$RC" -eq 0 ] || cat "$T/out" "$T/err"

#
# 11 (set-up): a certbot account for this pebble, registered beforehand
#
SRV=${PEBBLE_URL#https://}	# 127.0.0.1:<port>/dir, as certbot names it
CB_URL=
if [ -x "$PROBE" ]; then
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$T/cbkey.pem" 2>/dev/null
	mkdir -p "$T/seed/acme/$SRV" && chmod 700 "$T/seed/acme/$SRV"
	cp "$T/cbkey.pem" "$T/seed/acme/$SRV/account.pem"
	chmod 600 "$T/seed/acme/$SRV/account.pem"
	"$PROBE" account --dir "$PEBBLE_URL" --ca "$PEBBLE_CA" \
	    --account-dir "$T/seed" >"$T/seed.out" 2>"$T/seed.err"
	CB_URL=$(cat "$T/seed.out")
fi
CBD=$C/example.com/cbimp/cb/accounts/$SRV/0123456789abcdef0123456789abcdef
if [ -n "$CB_URL" ]; then
	mkdir -p "$CBD"
	# certbot's private_key.json: the RSA key as a JWK (hex -> base64url)
	openssl rsa -in "$T/cbkey.pem" -noout -text 2>/dev/null | awk '
	function flush() {
		if (name == "") return
		gsub(/[: ]/, "", hex); sub(/^(00)+/, "", hex)
		if (length(hex) % 2) hex = "0" hex
		printf "%s %s\n", name, hex
		name = ""; hex = ""
	}
	/^modulus:/ { flush(); name = "n"; next }
	/^publicExponent:/ { flush(); printf "e %x\n", $2; next }
	/^privateExponent:/ { flush(); name = "d"; next }
	/^prime1:/ { flush(); name = "p"; next }
	/^prime2:/ { flush(); name = "q"; next }
	/^exponent1:/ { flush(); name = "dp"; next }
	/^exponent2:/ { flush(); name = "dq"; next }
	/^coefficient:/ { flush(); name = "qi"; next }
	/^ / { hex = hex $0; next }
	END { flush() }' >"$T/cbkey.hex"
	{
		printf '{"kty": "RSA"'
		while read -r _k _h; do
			[ $((${#_h} % 2)) -eq 1 ] && _h=0$_h
			printf ', "%s": "%s"' "$_k" "$(printf '%s' "$_h" |
			    xxd -r -p | openssl base64 -A | tr '+/' '-_' |
			    tr -d '=')"
		done <"$T/cbkey.hex"
		printf '}\n'
	} >"$CBD/private_key.json"
	printf '{"body": {}, "uri": "%s"}\n' "$CB_URL" >"$CBD/regr.json"
	printf '{"creation_host": "test"}\n' >"$CBD/meta.json"
	chmod 600 "$CBD/private_key.json"
	ok "certbot account registered at pebble beforehand ($CB_URL)"
else
	skip_or_fail "certbot account: acme-probe ($PROBE) could not register one"
fi

#
# 8, 1, 6, 11: the first run, four ACME services, half the nonces bad
#
s=$(now_ms)
sslm "$top" -renew -roll -v
e=$(now_ms)
keep runA
check "8: first run (4 ACME services, 50% badNonce): exit 0" eq "$RC" 0
[ "$RC" -eq 0 ] || cat "$T/err"
echo "   (first run: $(( (e - s) / 1000 )).$(( (e - s) % 1000 / 100 )) s)"
check "8: pebble really rejects 50% of the nonces" \
    grep -q 'reject 50% of good nonces' "$PEBBLE_DIR/pebble.log"
nretry=$(grep -c 'badNonce, retrying' "$top/logs/sslm" 2>/dev/null)
check "8: the rejected nonces were retried transparently (${nretry:-0} retries logged)" \
    test "${nretry:-0}" -gt 0
pebblebed_roots "$T/roots.pem"
for sv in ipsan dns1 alt cbimp; do
	d=$C/example.com/$sv/curr
	check "8: $sv: curr issued" test -s "$d/cert.pem"
	check "8: $sv: chain verifies against pebble's roots" \
	    verifies "$T/roots.pem" "$d"
	check "8: $sv: in production" cmp -s "$d/cert.pem" "$P/example.com/$sv/curr/cert.pem"
done
# 1
d=$C/example.com/ipsan/curr
check "1: the cert carries IP Address:127.0.0.1" sh -c \
    "openssl x509 -in '$d/cert.pem' -noout -ext subjectAltName | grep -q 'IP Address:127.0.0.1'"
check "1: and DNS:www.example.com" sh -c \
    "openssl x509 -in '$d/cert.pem' -noout -ext subjectAltName | grep -q 'DNS:www.example.com'"
check "1: the IP identifier went by http-01 on the local web root" \
    grep -q 'http-01: token at local:' "$T/runA.log"
check "1: tokens removed from the web root" \
    eq "$(find "$W" -type f | wc -l)" 0
# 6
d=$C/example.com/alt/curr
check "6: preferred chain: chain.pem ends at a cert issued by '$ALT_CN'" \
    eq "$(awk '/BEGIN CERT/ { n++ } { c[n] = c[n] $0 "\n" } END { printf "%s", c[n] }' \
    "$d/chain.pem" | openssl x509 -noout -issuer -nameopt multiline |
    sed -n 's/^ *commonName *= *//p')" "$ALT_CN"
check "6: preferred chain: verifies against the alternate root alone" \
    verifies "$T/root1.pem" "$d"
check "6: preferred chain: not against the default root" \
    sh -c "! openssl verify -CAfile '$T/root0.pem' -untrusted '$d/chain.pem' '$d/cert.pem' >/dev/null 2>&1"
d=$C/example.com/dns1/curr
check "6: no preferred chain: the default root ($DEF_CN)" \
    verifies "$T/root0.pem" "$d"
check "6: no preferred chain: not the alternate root" \
    sh -c "! openssl verify -CAfile '$T/root1.pem' -untrusted '$d/chain.pem' '$d/cert.pem' >/dev/null 2>&1"
# 11
if [ -n "$CB_URL" ]; then
	AJ=$C/example.com/cbimp/cb/acme/$SRV/account.json
	check "11: import reported" grep -q 'example.com:cbimp: account: imported certbot account' "$T/runA.log"
	check "11: no new account registered for cbimp" \
	    sh -c "! grep -q 'example.com:cbimp: new account: registered' '$T/runA.log'"
	check "11: account.json holds certbot's account URL" \
	    eq "$(sed -n 's/.*"url": *"\([^"]*\)".*/\1/p' "$AJ")" "$CB_URL"
	check "11: the imported key saved 0600" \
	    eq "$(mode_of "$(dirname "$AJ")/account.pem")" 600
	check "11: the imported key is certbot's" sh -c \
	    "[ \"\$(openssl pkey -in '$(dirname "$AJ")/account.pem' -pubout)\" = \"\$(openssl pkey -in '$T/cbkey.pem' -pubout)\" ]"
fi

#
# 2: http-01 through a real sshd.  sshd runs in a mount namespace where
# $WR is a bind mount of $W (what nginx serves); here $WR is an empty
# directory, so the token can only reach nginx through ssh.
#
if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null ||
    [ ! -x /usr/sbin/sshd ] || ! command -v ssh >/dev/null 2>&1; then
	skip_or_fail "2: http-01 over ssh needs root, unshare -m and sshd"
else
	mkdir -p /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
	ssh-keygen -q -t ed25519 -N '' -f "$T/id"
	cp "$T/id.pub" "$T/authorized_keys"
	chmod 600 "$T/authorized_keys"
	cat >"$T/sshd_config" <<SSHD
Port $SSHPORT
ListenAddress 127.0.0.1
HostKey $T/hostkey
AuthorizedKeysFile $T/authorized_keys
PidFile none
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
SSHD
	unshare -m sh -c 'mount --bind "$1" "$2" && exec /usr/sbin/sshd -D -e -f "$3"' \
	    _ "$W" "$WR" "$T/sshd_config" 2>"$T/sshd.log" &
	SSHD_PID=$!
	i=0
	while ! ssh -p "$SSHPORT" -i "$T/id" -o StrictHostKeyChecking=no \
	    -o UserKnownHostsFile=/dev/null -o BatchMode=yes 127.0.0.1 \
	    test -d "$WR/example.com" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 50 ] && break
		sleep 0.1
	done
	check "2: sshd up; over ssh $WR is the web root nginx serves" test $i -le 50
	check "2: here $WR is an empty directory" \
	    eq "$(find "$WR" -mindepth 1 | wc -l)" 0
	sed -i "s|^    server_dir = '$W'|    server_dir = '$WR'|; s|^    servers = \[\]|    servers = ['127.0.0.1']|" "$conf"
	: >"$T/ng/logs/access.log"
	s=$(now_ms)
	sslm "$top" -renew -roll -v example.com:sshweb
	e=$(now_ms)
	keep ssh
	echo "   (http-01 over ssh: $(( (e - s) / 1000 )).$(( (e - s) % 1000 / 100 )) s, sshd up after $i polls)"
	check "2: http-01 over ssh: exit 0" eq "$RC" 0
	[ "$RC" -eq 0 ] || cat "$T/ssh.log"
	check "2: curr issued" test -s "$C/example.com/sshweb/curr/cert.pem"
	check "2: chain verifies" verifies "$T/roots.pem" "$C/example.com/sshweb/curr"
	check "2: the token went to 127.0.0.1 (ssh), not local" sh -c \
	    "grep -q 'http-01: token at 127.0.0.1:$WR/example.com/.well-known/acme-challenge/' '$T/ssh.log' &&
	    ! grep -q 'http-01: token at local:' '$T/ssh.log'"
	check "2: nginx served the token (200)" \
	    grep -q 'GET /.well-known/acme-challenge/[^ ]* HTTP/1.1" 200' "$T/ng/logs/access.log"
	check "2: the token is gone from the served directory afterwards" \
	    eq "$(find "$W" -type f | wc -l)" 0
	check "2: nothing was written to the local $WR" \
	    eq "$(find "$WR" -type f | wc -l)" 0
fi

#
# 12 (beyond the brief): a run killed while its http-01 token is out.
# challenge-http.c promises a record in <cb>/web-tokens, made before the
# copy, so that the next run removes a crashed run's tokens.  The token
# goes to this host first, then to a host whose ssh hangs (ProxyCommand
# sleep): the run is SIGKILLed during that hang.
#
cp "$conf" "$T/conf.saved"
sed -i "s|^    server_dir = .*|    server_dir = '$W'|; s|^    servers = \[.*\]|    servers = ['localhost', 'hang.invalid']|; s|^    ssh_opts = .*|    ssh_opts = ['-o', 'ProxyCommand=sleep 30', '-o', 'BatchMode=yes']|" "$conf"
svc example.com crash pebble-http example.com "['www.example.com']"
SSL_MGR_TOPDIR=$top "$BIN" -renew -v example.com:crash >"$T/crash.out" 2>&1 &
cpid=$!
i=0
orphan=
while [ $i -lt 100 ] && [ -z "$orphan" ]; do
	orphan=$(find "$W/example.com/.well-known/acme-challenge" -type f 2>/dev/null | head -1)
	[ -n "$orphan" ] || sleep 0.1
	i=$((i + 1))
done
# (the first name seen may be the temporary file of the atomic write)
sleep 0.5
kids=$(_dnsbed_kids "$cpid")
kill -KILL "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null
for k in $kids; do kill -KILL "$k" 2>/dev/null; done
orphan=$(find "$W/example.com/.well-known/acme-challenge" -type f 2>/dev/null | head -1)
check "12: the token was out when the run was killed" test -n "$orphan"
check "12: the token was recorded in <cb>/web-tokens before it was written" \
    grep -qsF "$orphan" "$C/example.com/crash/cb/web-tokens"
cp "$T/conf.saved" "$conf"
sed -i "s|^    server_dir = .*|    server_dir = '$W'|; s|^    servers = \[.*\]|    servers = []|" "$conf"
sslm "$top" -renew -roll -v example.com:crash
keep crash2
check "12: the run after the crash: exit 0" eq "$RC" 0
[ "$RC" -eq 0 ] || cat "$T/crash2.err"
check "12: the run after the crash removed the crashed run's token" \
    test ! -e "$orphan"
# the environment for the cases below, whatever happened
rm -f "$orphan"
cp "$T/conf.saved" "$conf"

#
# 3: the secondary frozen (SIGSTOP on NSD): dns_wait_limit = 6 bounds the
# run, the failure names ns2 and the missing TXT, nothing is touched
#
D3=$C/example.com/dns1
cp "$D3/curr/cert.pem" "$T/dns1-curr.pem"
curr_link=$(readlink "$D3/curr")
prod_before=$(tree_sum "$P/example.com/dns1")
sed -i "s|^    dns_check_delay = 30|    dns_check_delay = 2\n    dns_wait_limit = 6|" "$conf"
NSD_PID=$(cat "$bed/nsd.pid")
NSD_STOPPED=$NSD_PID
kill -STOP "$NSD_PID"
s=$(now_ms)
sslm "$top" -renew -f -v example.com:dns1
e=$(now_ms)
keep frozen
kill -CONT "$NSD_PID"
NSD_STOPPED=
echo "   (frozen secondary: failed after $(( (e - s) / 1000 )).$(( (e - s) % 1000 / 100 )) s)"
check "3: frozen secondary: exit 1" eq "$RC" 1
check "3: within 15 s" test $((e - s)) -lt 15000
check "3: the error names ns2 (127.0.0.2)" sh -c \
    "grep -q 'ns2.example.com' '$T/frozen.err' && grep -q '127.0.0.2' '$T/frozen.err'"
check "3: the error names the missing _acme-challenge TXT" \
    grep -q '_acme-challenge\.[a-z.]*example\.com.*TXT\|TXT.*_acme-challenge' "$T/frozen.err"
check "3: the error names the service" grep -q 'example.com:dns1' "$T/frozen.err"
check "3: each missing record is reported once (not twice)" sh -c \
    "[ \$(grep -c 'ns2.example.com \[127.0.0.2\]: _acme-challenge.mail.example.com TXT' '$T/frozen.err') -eq 1 ]"
check "3: curr unchanged (same link, same bytes)" sh -c \
    "[ \"\$(readlink '$D3/curr')\" = '$curr_link' ] && cmp -s '$D3/curr/cert.pem' '$T/dns1-curr.pem'"
check "3: no next left" test ! -e "$D3/next"
check "3: production unchanged" eq "$(tree_sum "$P/example.com/dns1")" "$prod_before"
check "3: the challenge records were cleaned up" \
    sh -c "! grep -q TXT '$DNSBED_INCLUDE_DIR/acme-challenge.example.com'"
dnsbed_wait_serial example.com secondary "$(dnsbed_serial example.com primary)" 10 2>/dev/null
sslm "$top" -renew -f -v example.com:dns1
keep thawed
check "3: secondary thawed: the next run succeeds" eq "$RC" 0
[ "$RC" -eq 0 ] || cat "$T/thawed.err"
check "3: next issued" test -s "$D3/next/cert.pem"
check "3: curr still the old one" cmp -s "$D3/curr/cert.pem" "$T/dns1-curr.pem"

#
# 7: pebble restarted: every account forgotten, a new issuing CA
#
AP=$(find "$D3/cb/acme" -name account.pem | head -1)
cp "$AP" "$T/dns1-account.pem"
pebblebed_restart >>"$T/pebble.log" 2>&1
check "7: pebble restarted" test -n "$PEBBLE_PID"
pebblebed_roots "$T/roots-new.pem"
check "7: pebble has new roots" sh -c "! cmp -s '$T/roots.pem' '$T/roots-new.pem'"
sslm "$top" -renew -f -v example.com:dns1
keep restarted
check "7: forced renew after the restart: exit 0" eq "$RC" 0
[ "$RC" -eq 0 ] || cat "$T/restarted.err"
check "7: the unknown account is reported and registered again" sh -c \
    "grep -q 'example.com:dns1: account: the server does not know' '$T/restarted.log' &&
    grep -q 'example.com:dns1: new account: registered' '$T/restarted.log'"
check "7: the account dir was reused (same key)" cmp -s "$AP" "$T/dns1-account.pem"
NEWURL=$(sed -n 's/.*example.com:dns1: new account: registered \([^ ]*\).*/\1/p' "$T/restarted.log")
check "7: account.json holds the new account URL" \
    grep -qF "\"$NEWURL\"" "$(dirname "$AP")/account.json"
check "7: the new cert verifies against the NEW roots" \
    verifies "$T/roots-new.pem" "$D3/next"
check "7: and not against the old ones" sh -c \
    "! openssl verify -CAfile '$T/roots.pem' -untrusted '$D3/next/chain.pem' '$D3/next/cert.pem' >/dev/null 2>&1"

#
# 5: external account binding required
#
pebblebed_stop
unset PEBBLE_ALTERNATE_ROOTS
PEBBLE_WFE_NONCEREJECT=5
if ! pebblebed_start "$T/pebble-eab" --dns "127.0.0.1:$DNSBED_PORT" --eab \
    >>"$T/pebble.log" 2>&1; then
	nok "5: the EAB pebble did not start"
else
	acme_ca eab-none dns-01
	acme_ca eab-key dns-01 "ca_eab_kid = '$PEBBLE_EAB_KID'" \
	    "ca_eab_hmac_key = '$PEBBLE_EAB_KEY'"
	svc example.com eab eab-none example.com "['www.example.com']"
	sslm "$top" -renew -roll -v example.com:eab
	keep eab0
	check "5: EAB required, none configured: exit 1" eq "$RC" 1
	check "5: the error names the service" grep -q 'example.com:eab' "$T/eab0.err"
	check "5: the error names externalAccountRequired / EAB and the keys to set" sh -c \
	    "grep -q 'externalAccountRequired\|requires external account binding' '$T/eab0.err' &&
	    grep -q 'ca_eab_kid' '$T/eab0.err'"
	check "5: no cert, no next" sh -c \
	    "[ ! -e '$C/example.com/eab/curr' ] && [ ! -e '$C/example.com/eab/next' ]"
	sed -i "s|^signing_ca = 'eab-none'|signing_ca = 'eab-key'|" "$top/conf.d/example.com/eab"
	sslm "$top" -renew -roll -v example.com:eab
	keep eab1
	check "5: with ca_eab_kid/ca_eab_hmac_key: exit 0" eq "$RC" 0
	[ "$RC" -eq 0 ] || cat "$T/eab1.err"
	pebblebed_roots "$T/roots-eab.pem"
	check "5: issued; chain verifies" verifies "$T/roots-eab.pem" "$C/example.com/eab/curr"
	check "5: a new account was registered (with EAB)" \
	    grep -q 'example.com:eab: new account: registered' "$T/eab1.log"
	check "5: the EAB key is never logged" sh -c \
	    "! grep -rqF '$PEBBLE_EAB_KEY' '$T/eab0.log' '$T/eab1.log' '$top/logs'"
fi

#
# 10: ARI (pebble >= 2.6): a fresh cert is not due; the window is cached
#
pebblebed_stop
unset PEBBLE_WFE_NONCEREJECT
pebblebed_start "$T/pebble-ari" --dns "127.0.0.1:$DNSBED_PORT" --ari \
    >>"$T/pebble.log" 2>&1
rc=$?
if [ $rc -eq 3 ]; then
	skip_or_fail "10: ARI: a pebble >= 2.6 could not be fetched"
elif [ $rc -ne 0 ]; then
	nok "10: ARI: pebble did not start"
else
	acme_ca pebble-ari dns-01
	svc example.com ari pebble-ari example.com "['www.example.com']"
	sslm "$top" -renew -roll -v example.com:ari
	keep ari0
	check "10: ARI pebble: first cert issued" sh -c \
	    "[ $RC -eq 0 ] && [ -s '$C/example.com/ari/curr/cert.pem' ]"
	cp "$C/example.com/ari/curr/cert.pem" "$T/ari-curr.pem"
	sslm "$top" -renew -v example.com:ari
	keep ari1
	check "10: -renew: exit 0" eq "$RC" 0
	check "10: an ARI window line for the service" \
	    grep -q 'example.com:ari: ARI window' "$T/ari1.log"
	check "10: not renewed (no next, same curr)" sh -c \
	    "[ ! -e '$C/example.com/ari/next' ] && cmp -s '$C/example.com/ari/curr/cert.pem' '$T/ari-curr.pem' &&
	    ! grep -q 'queued for' '$T/ari1.log'"
	check "10: the window is cached in cb/ari-window" \
	    test -s "$C/example.com/ari/cb/ari-window"
	check "10: the cached window is in the future" sh -c \
	    "read a b f r <'$C/example.com/ari/cb/ari-window' && [ \"\$a\" -gt \$(date +%s) ] && [ \"\$b\" -gt \"\$a\" ]"
fi
pebblebed_stop

#
# 9: Let's Encrypt by default (no ca_acme_directory); offline here
#
cat >>"$cainfo" <<CA

[le]
    ca_desc = "Let's Encrypt"
    ca_type = 'letsencrypt'
    ca_validation = 'http-01'
CA
svc example.com le le example.com "['www.example.com']"
s=$(now_ms)
SSL_MGR_TOPDIR=$top timeout 60 "$BIN" -t -renew example.com:le >"$T/out" 2>"$T/err"
RC=$?
e=$(now_ms)
keep le-t
check "9: -t, letsencrypt, offline: exit 1" eq "$RC" 1
check "9: -t: bounded (< 60 s; took $(( (e - s) / 1000 )) s)" test $((e - s)) -lt 60000
check "9: -t: names the STAGING directory host" \
    grep -q 'acme-staging-v02.api.letsencrypt.org' "$T/le-t.err"
check "9: -t: names the service" grep -q 'example.com:le' "$T/le-t.err"
SSL_MGR_TOPDIR=$top timeout 60 "$BIN" -renew example.com:le >"$T/out" 2>"$T/err"
RC=$?
keep le
check "9: without -t: exit 1" eq "$RC" 1
check "9: without -t: names acme-v02.api.letsencrypt.org, not staging" sh -c \
    "grep -q 'acme-v02.api.letsencrypt.org' '$T/le.err' &&
    ! grep -q 'acme-staging' '$T/le.err'"
check "9: no next left behind" test ! -e "$C/example.com/le/next"

#
# 4: the secondary lags (the bed restarted with --lag: BIND's notify-delay
# 5, NSD's xfrd-reload-timeout 1): the run waits, then succeeds
#
# A second bed (a restarted one would trip over its own BIND journals),
# serving the same include files; the first one is stopped.
old_port=$DNSBED_PORT
dnsbed_stop "$bed"
if ! dnsbed_start "$bed2" --lag >"$T/bed2.log" 2>&1; then
	tail -20 "$T/bed2.log"
	nok "4: the bed did not restart with --lag"
elif ! pebblebed_start "$T/pebble-lag" --dns "127.0.0.1:$DNSBED_PORT" \
    >>"$T/pebble.log" 2>&1; then
	nok "4: pebble did not start on the lagging bed"
else
	printf '#!/bin/sh\nDNSBED_DIR=%s exec %s "$@"\n' "$bed2" \
	    "$DNSBED_RESTART" >"$T/dns-restart2"
	chmod +x "$T/dns-restart2"
	sed -i "s|^    dns_ns_port = $old_port|    dns_ns_port = $DNSBED_PORT|; s|^    port = $old_port|    port = $DNSBED_PORT|; s|^    dns_wait_limit = 6|    dns_wait_limit = 30|; s|dns-restart'|dns-restart2'|" "$conf"
	acme_ca pebble-lag dns-01
	svc example.com lag pebble-lag example.com "['mail.example.com']"
	# A zone change just before the run: BIND's NOTIFY rate limit holds
	# the run's change back for seconds.
	"$T/dns-restart2" --serial_bump example.com >/dev/null 2>&1
	sslm "$top" -renew -roll -v example.com:lag
	keep lag
	check "4: lagging secondary: exit 0" eq "$RC" 0
	[ "$RC" -eq 0 ] || cat "$T/lag.err"
	check "4: issued" test -s "$C/example.com/lag/curr/cert.pem"
	waited=$(sed -n 's/.*dns-01: all [0-9]* server(s) serve every challenge after \([0-9.]*\) s.*/\1/p' "$T/lag.log" | head -1)
	echo "   (lagging secondary: served after ${waited:-?} s)"
	check "4: ns2 was pending at first" grep -q 'pending: ns2.example.com' "$T/lag.log"
	check "4: the wait took > 0.5 s" awk -v w="${waited:-0}" 'BEGIN { exit !(w > 0.5) }'
fi
T1=$(date +%s)
echo "   (whole file: $((T1 - T0)) s)"
finish
