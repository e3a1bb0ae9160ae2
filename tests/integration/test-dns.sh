#!/bin/sh
# test-dns.sh - core/dns (through tests/dns-probe) against a real DNS bed on
# loopback: BIND primary on 127.0.0.1 (and ::1), NSD secondary on 127.0.0.2
# (tests/integration/dnsbed.sh).  Covers:
#  - discovery: both NS names with every address, BOTH equal-preference MX
#    hosts, xtra servers appended, duplicate addresses dropped;
#  - discovery failures: dead primary (bounded time), REFUSED, no [[...]];
#  - dns-restart: serial bump + reload, SOA equal on every server (fast);
#  - TXT at _acme-challenge after writing the include file: both servers,
#    several strings of one record joined;
#  - TLSA 3 1 1 written upper case and split: returned lower case, one line;
#  - a reply too big for UDP (TC) is fetched over TCP;
#  - dead servers time out while the others answer, all in parallel: the
#    wall time is about one timeout per try, not one per server;
#  - REFUSED for a zone nobody serves, NXDOMAIN, NODATA;
#  - --lag: the secondary serves the old serial for seconds, then the new;
#  - every daemon is gone after dnsbed_stop.
# Env: SSLM_SOURCE_ROOT, SSLM_BIN (lib.sh; any file will do), DNS_PROBE (the
# dns-probe binary).  Exit 77 (skip) when bind9/nsd are missing, unless CI.
: "${SSLM_SOURCE_ROOT:?SSLM_SOURCE_ROOT must name the source tree}"
# shellcheck source=lib.sh
. "$SSLM_SOURCE_ROOT/tests/integration/lib.sh"
# shellcheck source=dnsbed.sh
. "$SRC/tests/integration/dnsbed.sh"
PROBE=${DNS_PROBE:?DNS_PROBE must name the dns-probe binary}

cleanup() {
	dnsbed_stop "$T/bed"
	dnsbed_stop "$T/lag"
	# Keep the evidence (logs, probe outputs) of a failed run.
	if [ "$FAIL" -gt 0 ] &&
	    _keep=$(mktemp -d "${TMPDIR:-/tmp}/test-dns-fail.XXXXXX"); then
		cp -R "$T"/. "$_keep"/ 2>/dev/null
		echo "# failed run kept in $_keep"
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

for c in named nsd rndc drill flock; do
	if ! command -v "$c" >/dev/null 2>&1; then
		echo "$c not installed"
		[ "${CI:-}" = true ] && exit 1
		exit 77
	fi
done

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# field <file> <line-pattern> <n>: the n-th field of the first match
field() { awk -v p="$2" -v n="$3" '$0 ~ p { print $n; exit }' "$1"; }
zone_serial() {
	awk '/; serial/ { print $1; exit }' "$DNSBED_DIR/named/$1.zone"
}
# between <n> <lo> <hi>: lo <= n < hi
between() { [ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]; }
# pids_gone <pid>...: none of them runs (a zombie counts as gone)
pids_gone() {
	for _p in "$@"; do
		_dnsbed_alive "$_p" && return 1
	done
	return 0
}

#
# Fast bed
#
if ! dnsbed_start "$T/bed"; then
	nok "dns bed starts"
	finish
	exit 1
fi
ok "dns bed starts (port $DNSBED_PORT, ipv6 $DNSBED_IPV6)"
P=$DNSBED_PORT
NS1_ADDRS="127.0.0.1"
[ "$DNSBED_IPV6" = 1 ] && NS1_ADDRS="127.0.0.1 ::1"
BED_PIDS="$(cat "$DNSBED_DIR/named.pid") $(cat "$DNSBED_DIR/nsd.pid")"
BED_PIDS="$BED_PIDS $(_dnsbed_kids "$(cat "$DNSBED_DIR/nsd.pid")")"

# Discovery.
"$PROBE" discover example.com 127.0.0.1 "$P" "$P" 127.0.0.9 localhost \
    >"$T/disc" 2>"$T/disc.err"
check "discover example.com succeeds" eq $? 0
check "discover: primary" contains "$T/disc" "primary 127.0.0.1 127.0.0.1 $P"
check "discover: NS ns1" contains "$T/disc" "ns ns1.example.com"
check "discover: NS ns2" contains "$T/disc" "ns ns2.example.com"
check "discover: equal-preference MX mail kept" \
    contains "$T/disc" "mx mail.example.com"
check "discover: equal-preference MX mx2 kept" \
    contains "$T/disc" "mx mx2.example.com"
for a in $NS1_ADDRS; do
	check "discover: ns1 address $a" \
	    contains "$T/disc" "server ns ns1.example.com $a $P"
done
check "discover: ns2 address 127.0.0.2" \
    contains "$T/disc" "server ns ns2.example.com 127.0.0.2 $P"
check "discover: xtra IP appended" \
    contains "$T/disc" "server xtra 127.0.0.9 127.0.0.9 $P"
check "discover: xtra name resolving to an NS address is dropped" \
    not_contains "$T/disc" "server xtra localhost"
exp=
for a in $NS1_ADDRS; do
	exp="${exp}ns1.example.com/$a "
done
exp="${exp}ns2.example.com/127.0.0.2 127.0.0.9/127.0.0.9 "
check "discover: servers in order (NS by name, then xtra)" eq \
    "$(awk '/^server/ { printf "%s/%s ", $3, $4 }' "$T/disc")" "$exp"
"$PROBE" discover example.net 127.0.0.1 "$P" "$P" >"$T/disc2" 2>"$T/disc2.err"
check "discover example.net: MX 10 and MX 20 both listed" eq \
    "$(grep -c '^mx ' "$T/disc2")" 2

t0=$(now_ms)
DNS_PROBE_TIMEOUT_MS=400 "$PROBE" discover example.com 127.0.0.9 \
    "$((P + 7))" "$P" >"$T/dead" 2>"$T/dead.err"
rc=$?
t1=$(now_ms)
check "discover at a dead primary fails" eq "$rc" 1
check "discover at a dead primary says why" contains "$T/dead.err" \
    "example.com: primary 127.0.0.9#$((P + 7)): no NS records (TIMEOUT)"
check "discover at a dead primary gives up within 2 tries ($((t1 - t0)) ms)" \
    [ $((t1 - t0)) -lt 1400 ]
"$PROBE" discover example.org 127.0.0.1 "$P" "$P" >"$T/ref" 2>"$T/ref.err"
check "discover of a zone the primary lacks fails" eq $? 1
check "discover of a zone the primary lacks: REFUSED" contains "$T/ref.err" \
    "example.org: primary 127.0.0.1#$P: no NS records (REFUSED)"

# dns-restart: serial bump, reload, every server follows.
SERVERS="127.0.0.1:$P 127.0.0.2:$P"
[ "$DNSBED_IPV6" = 1 ] && SERVERS="$SERVERS [::1]:$P"
NSRV=$(echo "$SERVERS" | wc -w)
old=$(dnsbed_serial example.com primary)
"$DNSBED_RESTART" --serial_bump example.com
check "dns-restart succeeds" eq $? 0
new=$(zone_serial example.com)
check "dns-restart: serial grew ($old -> $new)" [ "$new" -gt "$old" ]
check "dns-restart: one line in restarts.log" eq \
    "$(wc -l <"$DNSBED_DIR/restarts.log")" 1
dnsbed_wait_serial example.com secondary "$new" 10
check "secondary follows the restart (fast mode)" eq $? 0
# shellcheck disable=SC2086
"$PROBE" query SOA example.com 1000 1 $SERVERS >"$T/soa" 2>>"$T/probe.err"
check "SOA: every server answers" eq "$(grep -c ' ANSWER ' "$T/soa")" \
    "$NSRV"
check "SOA: every server has the new serial" eq \
    "$(awk '{ print $3 }' "$T/soa" | sort -u)" "$new"

# TXT at _acme-challenge through the include file.
cat >"$DNSBED_INCLUDE_DIR/acme-challenge.example.com" <<'EOF'
_acme-challenge 60 IN TXT "tok-part1-" "tok-part2"
_acme-challenge 60 IN TXT "Other_Token"
EOF
"$DNSBED_RESTART" --serial_bump example.com
new=$(zone_serial example.com)
dnsbed_wait_serial example.com secondary "$new" 10
# shellcheck disable=SC2086
"$PROBE" query TXT _acme-challenge.example.com 1000 1 $SERVERS \
    >"$T/txt" 2>>"$T/probe.err"
check "TXT: every server answers" eq "$(grep -c ' ANSWER ' "$T/txt")" \
    "$NSRV"
check "TXT: strings of one record joined, records sorted" eq \
    "$(grep -c ' ANSWER "Other_Token" "tok-part1-tok-part2" ' "$T/txt")" \
    "$NSRV"
"$PROBE" query TXT _ACME-Challenge.Example.COM. 1000 0 "127.0.0.2:$P" \
    >"$T/txt2" 2>>"$T/probe.err"
check "TXT: name case and trailing dot do not matter" \
    contains "$T/txt2" ' ANSWER "Other_Token" "tok-part1-tok-part2" '
check "restarts.log counts the calls" eq \
    "$(wc -l <"$DNSBED_DIR/restarts.log")" 2

# TLSA 3 1 1 of a real key, written upper case over two lines.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/k.pem" 2>/dev/null
hex=$(openssl pkey -in "$T/k.pem" -pubout -outform DER 2>/dev/null |
    openssl dgst -sha256 -r | cut -d' ' -f1)
HEX=$(echo "$hex" | tr 'a-f' 'A-F')
{
	echo "_25._tcp.mail 60 IN TLSA ( 3 1 1"
	echo "    $(echo "$HEX" | cut -c1-32)"
	echo "    $(echo "$HEX" | cut -c33-64) )"
	echo "_25._tcp.mx2 60 IN TLSA 3 1 1 $HEX"
} >"$DNSBED_INCLUDE_DIR/tlsa.example.com"
# Many records at one name: the reply does not fit 1232 bytes (TC).
i=0
while [ $i -lt 40 ]; do
	echo "big 60 IN TXT \"record-$i-$(printf '%080d' $i)\""
	i=$((i + 1))
done >>"$DNSBED_INCLUDE_DIR/acme-challenge.example.com"
"$DNSBED_RESTART" --serial_bump example.com
new=$(zone_serial example.com)
dnsbed_wait_serial example.com secondary "$new" 10
# shellcheck disable=SC2086
"$PROBE" query TLSA _25._tcp.mail.example.com 1000 1 $SERVERS \
    >"$T/tlsa" 2>>"$T/probe.err"
check "TLSA: 3 1 1 in lower case, one string, on every server" eq \
    "$(grep -c " ANSWER \"3 1 1 $hex\" " "$T/tlsa")" \
    "$NSRV"
check "TLSA: hex is 64 lower-case digits" eq "${#hex}" 64
"$PROBE" query TXT big.example.com 2000 0 "127.0.0.1:$P" "127.0.0.2:$P" \
    >"$T/big" 2>>"$T/probe.err"
check "TC: 40 records over TCP from the primary" eq \
    "$(awk '$1 == "127.0.0.1:'"$P"'" { print NF - 3 }' "$T/big")" 40
check "TC: 40 records over TCP from the secondary" eq \
    "$(awk '$1 == "127.0.0.2:'"$P"'" { print NF - 3 }' "$T/big")" 40

# Status mapping against real servers.
"$PROBE" query SOA example.org 1000 0 "127.0.0.1:$P" "127.0.0.2:$P" \
    >"$T/refused" 2>>"$T/probe.err"
check "REFUSED from both for a zone they do not serve" eq \
    "$(grep -c ' REFUSED ' "$T/refused")" 2
"$PROBE" query TXT _acme-challenge.nowhere.example.com 1000 0 \
    "127.0.0.1:$P" "127.0.0.2:$P" >"$T/nx" 2>>"$T/probe.err"
check "NXDOMAIN from both" eq "$(grep -c ' NXDOMAIN ' "$T/nx")" 2
"$PROBE" query TLSA www.example.com 1000 0 "127.0.0.1:$P" \
    "127.0.0.2:$P" >"$T/nodata" 2>>"$T/probe.err"
check "NODATA from both" eq "$(grep -c ' NODATA ' "$T/nodata")" 2

# Dead servers in parallel: three dead, the live ones answer at once.
D1="127.0.0.9:$((P + 7))"
D2="127.0.0.10:$((P + 7))"
D3="127.0.0.11:$((P + 7))"
t0=$(now_ms)
# shellcheck disable=SC2086
"$PROBE" query SOA example.com 800 0 $SERVERS $D1 $D2 $D3 >"$T/par" \
    2>>"$T/probe.err"
t1=$(now_ms)
w0=$((t1 - t0))
check "parallel: 3 dead servers time out" eq \
    "$(grep -c ' TIMEOUT ' "$T/par")" 3
check "parallel: the live ones answer" eq "$(grep -c ' ANSWER ' "$T/par")" \
    "$NSRV"
check "parallel: live servers answer fast (< 400 ms)" eq \
    "$(awk '/ ANSWER / && $NF >= 400' "$T/par" | wc -l)" 0
check "parallel: wall time ~ one timeout ($w0 ms for 800 ms)" \
    between "$w0" 790 1300
t0=$(now_ms)
# shellcheck disable=SC2086
"$PROBE" query SOA example.com 500 2 $SERVERS $D1 $D2 $D3 >"$T/par2" \
    2>>"$T/probe.err"
t1=$(now_ms)
w1=$((t1 - t0))
check "parallel with 2 retries: 3 tries of 500 ms ($w1 ms)" \
    between "$w1" 1490 2100
check "parallel with retries: dead ones TIMEOUT after 3 tries" eq \
    "$(awk '/ TIMEOUT / && $NF >= 1490' "$T/par2" | wc -l)" 3
echo "# parallel SOA to $((NSRV + 3)) servers (3 dead):" \
    "$w0 ms with timeout 800 ms; $w1 ms with 500 ms x 3 tries"

dnsbed_stop "$T/bed"
# shellcheck disable=SC2086
check "fast bed: every daemon stopped" pids_gone $BED_PIDS

#
# Lagging bed: software-default delays.
#
if ! dnsbed_start "$T/lag" --lag; then
	nok "lagging dns bed starts"
	finish
	exit 1
fi
ok "lagging dns bed starts (port $DNSBED_PORT)"
P=$DNSBED_PORT
LAG_PIDS="$(cat "$DNSBED_DIR/named.pid") $(cat "$DNSBED_DIR/nsd.pid")"
LAG_PIDS="$LAG_PIDS $(_dnsbed_kids "$(cat "$DNSBED_DIR/nsd.pid")")"
# BIND's notify-delay is a rate limit: a NOTIFY goes out at once unless
# one went out less than 5 s ago, then it waits for the rest of the 5 s.
# So a first change (which primes that timer) propagates in about a
# second, and a second change right after it lags some 3-5 s.
"$DNSBED_RESTART" --serial_bump example.com
first=$(zone_serial example.com)
t0=$(now_ms)
dnsbed_wait_serial example.com secondary "$first" 20
check "lag: a first change reaches the secondary" eq $? 0
lag0=$(($(now_ms) - t0))
old=$(dnsbed_serial example.com secondary)
t0=$(now_ms)
"$DNSBED_RESTART" --serial_bump example.com
new=$(zone_serial example.com)
dnsbed_wait_serial example.com primary "$new" 10
check "lag: primary serves the new serial" eq $? 0
"$PROBE" query SOA example.com 1000 0 "127.0.0.1:$P" "127.0.0.2:$P" \
    >"$T/lag1" 2>>"$T/probe.err"
check "lag: the secondary still serves the old serial" eq \
    "$(awk '$1 == "127.0.0.2:'"$P"'" { print $3 }' "$T/lag1")" "$old"
check "lag: the primary already serves the new one" eq \
    "$(awk '$1 == "127.0.0.1:'"$P"'" { print $3 }' "$T/lag1")" "$new"
sleep 1
"$PROBE" query SOA example.com 1000 0 "127.0.0.2:$P" >"$T/lag2" \
    2>>"$T/probe.err"
check "lag: ... and still does a second later" eq \
    "$(awk '{ print $3 }' "$T/lag2")" "$old"
dnsbed_wait_serial example.com secondary "$new" 20
check "lag: the secondary catches up" eq $? 0
t1=$(now_ms)
lag=$((t1 - t0))
check "lag: it took seconds ($lag ms)" between "$lag" 2000 15000
echo "# secondary lag with --lag: first change $lag0 ms, the next $lag ms"
dnsbed_stop "$T/lag"
# shellcheck disable=SC2086
check "lagging bed: every daemon stopped" pids_gone $LAG_PIDS

finish
