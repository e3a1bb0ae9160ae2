# propagation.sh - benchmark 5, the all-name-servers check against slow
# servers, sourced by bench/run.
#
# One zone (prop.test) with 8 name servers, each 50 ms away; the time of
# one full check of ssl-mgr's dns-01 wait (core/challenge.c through
# tests/challenge-probe dns-wait, every record already served), against
# the round trip to one server.  Goal: one check <= 2 x RTT, i.e. the
# servers are asked in parallel.
#
# The delay: `tc qdisc ... netem` in a network namespace is tried first;
# where the kernel lacks netem (CONFIG_NET_SCH_NETEM unset here: "Error:
# Specified qdisc kind is unknown."), each name server is a relay
# (tests/integration/dns-relay) on its own 127.x.y.z that holds every
# reply back DELAY ms (a 50 ms RTT), in front of one NSD with the zone.
# Either way the delay is on the wire, not in the product.
#
#   BENCH_PROP_DELAY_MS	reply delay per server (default 50)
#   BENCH_PROP_NS		number of name servers (default 8)
#   RUNS			measured checks (default 15)

prop_netem_probe() {	# prints "available" or the error of the attempt
	local ns=sslm-bench-netem-$$ out
	if ! out=$(ip netns add "$ns" 2>&1); then
		echo "ip netns add: $out"
		return 1
	fi
	ip netns exec "$ns" ip link set lo up 2>/dev/null
	if out=$(ip netns exec "$ns" tc qdisc add dev lo root netem delay 50ms 2>&1); then
		ip netns del "$ns"
		echo available
		return 0
	fi
	ip netns del "$ns"
	echo "tc qdisc add dev lo root netem delay 50ms: $out"
	return 1
}

PROP_PIDS=
prop_stop() {
	local p
	for p in $PROP_PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	PROP_PIDS=
}

bench_propagation() {
	local runs=${RUNS:-15} delay=${BENCH_PROP_DELAY_MS:-50} nns=${BENCH_PROP_NS:-8}
	local probe d rep port net i a netem val=LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0
	probe=$(dirname "$BIN")/tests/challenge-probe
	[ -x "$probe" ] || { echo "bench: $probe missing (ninja -C build)" >&2; return 1; }
	command -v nsd >/dev/null || PATH=$PATH:/usr/sbin
	d=$TMPW/prop
	rep=$TMPW/propagation.md
	mkdir -p "$d/nsd" "$d/top/conf.d" "$d/acme"
	netem=$(prop_netem_probe)
	. "$ROOT/tests/integration/dnsbed.sh"
	port=$(free_port)
	# a private 127.R.S.0/24 for the name servers (parallel runs differ)
	net=$(od -An -N2 -tu1 /dev/urandom | awk '{ printf "127.%d.%d", $1 % 200 + 20, $2 }')
	{
		echo "\$ORIGIN prop.test."
		echo "\$TTL 60"
		echo "@ IN SOA ns1.prop.test. hostmaster.prop.test. ( 1 60 10 3600 30 )"
		for i in $(seq 1 "$nns"); do echo "@ IN NS ns$i.prop.test."; done
		for i in $(seq 1 "$nns"); do echo "ns$i IN A $net.$i"; done
		echo "@ IN A 127.0.0.1"
		echo "_acme-challenge IN TXT \"$val\""
		for i in $(seq 1 10); do echo "_acme-challenge.s$i IN TXT \"$val\""; done
	} >"$d/nsd/prop.test.zone"
	cat >"$d/nsd.conf" <<NSD
server:
	ip-address: 127.0.0.1@$port
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "$d/nsd"
	zonelistfile: "$d/nsd/zone.list"
	xfrdfile: "$d/nsd/xfrd.state"
	xfrdir: "$d/nsd"
	pidfile: "$d/nsd/nsd.pid"
	database: ""
	logfile: "$d/nsd.log"
	server-count: 1
remote-control:
	control-enable: no
zone:
	name: prop.test
	zonefile: "prop.test.zone"
NSD
	nsd -d -c "$d/nsd.conf" >"$d/nsd.out" 2>&1 &
	PROP_PIDS=$!
	# one relay process for all the servers' addresses
	python3 "$ROOT/tests/integration/dns-relay" "$(seq -s, -f "$net.%g" 1 "$nns")" "$port" 127.0.0.1 "$port" "$delay" \
	    >"$d/relay.out" 2>"$d/relay.log" &
	PROP_PIDS="$PROP_PIDS $!"
	# everything answers (the relays through NSD)
	for a in 127.0.0.1 $(seq -f "$net.%g" 1 "$nns"); do
		i=0
		until drill -Q -p "$port" @"$a" TXT _acme-challenge.prop.test 2>/dev/null | grep -qF "$val"; do
			i=$((i + 1))
			[ "$i" -lt 100 ] || { echo "bench: $a#$port does not answer ($d)" >&2; prop_stop; return 1; }
			sleep 0.05
		done
	done
	cat >"$d/top/conf.d/ssl-mgr.conf" <<CONF
[globals]
    prod_cert_dir = '$d/prod'
    logdir = '$d/logs'
    dns_check_delay = 30
    dns_ns_port = $port
    dns_xtra_ns = []

[[groups]]
    domain = 'prop.test'
    services = ['web']
    active = true

[[dns_primary]]
    domain = 'default'
    server = '127.0.0.1'
    port = $port

[dns]
    restart_cmd = 'true'
    acme_dir = ['$d/acme']

[web]
    servers = []
    server_dir = '$d/www'
CONF
	: >"$d/top/conf.d/ca-info.conf"
	# RTT: one TXT query to one slow server (drill's own query time)
	local rtt= el= wall= k= passes= views=
	for i in $(seq 1 "$runs"); do
		rtt="$rtt $(drill -p "$port" @"$net.$(( (i - 1) % nns + 1 ))" TXT _acme-challenge.prop.test 2>/dev/null |
		    awk '/Query time/ { printf "%.4f", $4 / 1000 }')"
	done
	# the sequential way (the peers' wait-ns hook): one query per server in turn
	local seq_w= seq_k=
	local bns=
	for i in $(seq 1 "$nns"); do bns="$bns $net.$i#$port"; done
	for i in $(seq 1 "$runs"); do
		BENCH_NS=$bns timed seq_w seq_k "$HOOKS/wait-ns" _acme-challenge.prop.test "$val"
	done
	# ssl-mgr's check: discovery (from the primary) + one full check pass
	SSL_MGR_TOPDIR=$d/top "$probe" dns-wait -p 0 prop.test:prop.test:"$val" >/dev/null 2>&1	# warm-up
	for i in $(seq 1 "$runs"); do
		SSL_MGR_TOPDIR=$d/top timed wall k "$probe" dns-wait -p 0 prop.test:prop.test:"$val"
		[ "$LAST_RC" -eq 0 ] || { echo "bench: dns-wait failed (rc $LAST_RC)" >&2; cat "$TMPW/out" "$TMPW/err" >&2; }
		el="$el $(awk '/^elapsed / { print $2 }' "$TMPW/out")"
		passes=$(awk '/^elapsed / { print $4 }' "$TMPW/out")
		views=$(grep -c '^view ' "$TMPW/out")
	done
	cp "$TMPW/out" "$CACHE/propagation-last-check.txt"
	# a batch: the apex and 10 more names (10 services' records) in one check
	local batch="prop.test:prop.test:$val" el11= w11= k11=
	for i in $(seq 1 10); do batch="$batch prop.test:s$i.prop.test:$val"; done
	for i in $(seq 1 "$runs"); do
		# shellcheck disable=SC2086
		SSL_MGR_TOPDIR=$d/top timed w11 k11 "$probe" dns-wait -p 0 $batch
		[ "$LAST_RC" -eq 0 ] || { echo "bench: dns-wait (11 names) failed (rc $LAST_RC)" >&2; cat "$TMPW/out" "$TMPW/err" >&2; }
		el11="$el11 $(awk '/^elapsed / { print $2 }' "$TMPW/out")"
	done
	# BENCH_PROP_DEBUG=1: the 11-name check's own log (every query's ms)
	[ "${BENCH_PROP_DEBUG:-0}" = 1 ] && CHAL_PROBE_DEBUG=1 SSL_MGR_TOPDIR=$d/top \
	    "$probe" dns-wait -p 0 $batch >"$CACHE/propagation-debug.txt" 2>&1
	prop_stop
	local rm_ rl rh em el_ eh wm wl wh sm sl sh
	read -r rm_ rl rh <<<"$(stats "$rtt")"
	read -r em el_ eh <<<"$(stats "$el")"
	read -r wm wl wh <<<"$(stats "$wall")"
	read -r sm sl sh <<<"$(stats "$seq_w")"
	local bm bl bh
	read -r bm bl bh <<<"$(stats "$el11")"
	{
		echo "# Benchmark 5: one all-name-servers check, $nns name servers each ${delay} ms away"
		echo
		echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		machine_line
		echo "- load average (1/5/15 min) at the end: $(cut -d' ' -f1-3 /proc/loadavg) (2 shared cores)"
		echo "- netem: $netem"
		echo "- delay: $( [ "$netem" = available ] && echo "netem is available here, but" ) each name server is an address ($net.1-$nns:$port) of one tests/integration/dns-relay process holding every reply back $delay ms, in front of one NSD (prop.test: $nns NS, TXT at _acme-challenge); the primary (NSD itself, 127.0.0.1) is not delayed."
		echo "- check: \`tests/challenge-probe dns-wait -p 0 prop.test:prop.test:<value>\` = ssl-mgr's dns-01 wait (core/challenge.c) with the record already on every server: discovery from the primary, then one pass over $views view(s) (the primary + $nns servers) that finds the value everywhere ($passes pass)."
		echo "- method: $runs runs each after one warm-up; median (min–max). RTT = drill's query time to one server. wait-ns = the peers' hook (bench/hooks/wait-ns), one drill per server in turn."
		echo
		echo "| what | median (min–max) | × RTT |"
		echo "|---|---|---:|"
		echo "| RTT to one server (drill) | $(fmt_s "$rm_" "$rl" "$rh") | 1.00 |"
		echo "| ssl-mgr: one full check (the wait's own elapsed) | $(fmt_s "$em" "$el_" "$eh") | $(ratio "$em" "$rm_") |"
		echo "| ssl-mgr: process wall (config, discovery, check) | $(fmt_s "$wm" "$wl" "$wh") | $(ratio "$wm" "$rm_") |"
		echo "| ssl-mgr: one full check of 11 names (apex + 10 services' records) | $(fmt_s "$bm" "$bl" "$bh") | $(ratio "$bm" "$rm_") |"
		echo "| peers' wait-ns hook: one pass, servers in turn | $(fmt_s "$sm" "$sl" "$sh") | $(ratio "$sm" "$rm_") |"
		echo
		echo "Goal: one full check ≤ 2 × RTT: **$(awk -v a="$em" -v b="$rm_" 'BEGIN { if (a + 0 <= 0 || b + 0 <= 0) print "NOT MEASURED"; else print (a <= 2 * b) ? "MET" : "NOT MET" }')** ($(ratio "$em" "$rm_")× RTT; process wall $(ratio "$wm" "$rm_")×)."
	} >"$rep"
	cat "$rep"
	save propagation "$rep"
}
