#!/bin/sh
# "ssl-mgr dns-status" against the BIND primary + NSD secondary bed with
# the software-default lag: one row per server (primary, every NS address)
# with serial, TXT and TLSA counts; a secondary that lags shows its serial
# behind and the new _acme-challenge value missing, then catches up.  And
# "ssl-mgr plan" on the DANE service: the roll waits for the gate.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dnsbed.sh"
. "$(dirname "$0")/dnsstatbed.sh"

for c in named nsd rndc drill flock; do
	if ! command -v "$c" >/dev/null 2>&1; then
		echo "$c not installed"
		[ "${CI:-}" = true ] && exit 1
		exit 77
	fi
done
bed=$T/bed
DNSBED_INCLUDE_DIR=$T/include
export DNSBED_INCLUDE_DIR
mkdir -p "$DNSBED_INCLUDE_DIR"
trap 'dnsbed_stop "$bed"; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
if ! dnsbed_start "$bed" --lag >"$T/bed.log" 2>&1; then
	cat "$T/bed.log"
	nok "dns bed starts"
	finish
	exit
fi
ok "dns bed started (port $DNSBED_PORT)"
P=$DNSBED_PORT
top=$T/top
dnsstat_topdir "$top"
sslm "$top" -renew -roll
check "first -renew -roll exits 0" eq "$RC" 0
[ "$RC" = 0 ] || cat "$T/err"
dnsstat_both
check "the secondary follows" eq $? 0

# field FILE ADDR JQ-ish: the value of a key in the server row of ADDR
row() { grep '"type":"server"' "$1" | grep "\"addr\":\"$2\""; }

sslm "$top" dns-status --json
check "dns-status exits 0" eq "$RC" 0
cp "$T/out" "$T/s1"
check "a zone line names the primary" contains "$T/s1" \
    "\"type\":\"zone\",\"apex\":\"example.com\",\"primary\":\"127.0.0.1\""
# port 25 of mail-dane: its SAN and both MX hosts
N=$(sed -n 's/.*"type":"zone".*"tlsa_curr":\([0-9]*\),"tlsa_next":0}.*/\1/p' "$T/s1")
check "the zone expects curr's TLSA records (${N:-none})" [ "${N:-0}" -ge 1 ]
check "a row for the primary" contains "$T/s1" \
    '"role":"primary","name":"127.0.0.1","addr":"127.0.0.1"'
check "a row for ns1" contains "$T/s1" '"role":"ns","name":"ns1.example.com"'
check "a row for ns2 (the secondary)" contains "$T/s1" \
    '"role":"ns","name":"ns2.example.com","addr":"127.0.0.2"'
check "every server serves curr's TLSA record" eq \
    "$(grep -c "\"tlsa_curr\":{\"expected\":$N,\"served\":$N}" "$T/s1")" \
    "$(grep -c '"type":"server"' "$T/s1")"
check "nobody is behind" not_contains "$T/s1" '"behind":true'
check "a done line last" eq "$(tail -n 1 "$T/s1" | cut -c1-15)" \
    '{"type":"done",'

# A first change primes BIND's notify-delay; the second one lags 3-5 s.
dnsbed_restart example.com >/dev/null
dnsstat_both
cat >"$DNSBED_INCLUDE_DIR/acme-challenge.example.com" <<'EOF'
;; acme-challenge for : example.com
;; acme-challenge : example.com
_acme-challenge.example.com. 60 IN TXT "pending-value-1"
EOF
dnsbed_restart example.com >/dev/null
new=$(awk '/; serial/ { print $1; exit }' "$DNSBED_DIR/named/example.com.zone")
dnsbed_wait_serial example.com primary "$new" 10
sslm "$top" dns-status --json
cp "$T/out" "$T/s2"
check "the zone lists the pending TXT value" contains "$T/s2" \
    '"txt":["_acme-challenge.example.com pending-value-1"]'
check "the primary serves the value" eq "$(row "$T/s2" 127.0.0.1 |
    grep '"role":"primary"' | grep -c '"txt":{"expected":1,"served":1}')" 1
check "the lagging secondary is behind" eq "$(row "$T/s2" 127.0.0.2 |
    grep -c '"behind":true')" 1
check "the lagging secondary lacks the value" eq "$(row "$T/s2" 127.0.0.2 |
    grep -c '"txt":{"expected":1,"served":0}')" 1
check "and names what it misses" eq "$(row "$T/s2" 127.0.0.2 |
    grep -c 'TXT _acme-challenge _acme-challenge.example.com pending-value-1')" 1
dnsbed_wait_serial example.com secondary "$new" 20
check "the secondary catches up" eq $? 0
sslm "$top" dns-status --json
cp "$T/out" "$T/s3"
check "then it serves the value" eq "$(row "$T/s3" 127.0.0.2 |
    grep -c '"txt":{"expected":1,"served":1}')" 1
check "and is no longer behind" not_contains "$T/s3" '"behind":true'
sslm "$top" dns-status example.com
check "text form: a line per server" contains "$T/out" \
    "ns      ns2.example.com [127.0.0.2#$P]  serial $new  txt 1/1  tlsa-curr $N/$N"
check "text form: the zone line" contains "$T/out" \
    "example.com: primary 127.0.0.1#$P"

# A dead primary: an error line, exit 1, bounded time.
sed -i "s|^    server = '127.0.0.1'|    server = '127.0.0.9'|" \
    "$top/conf.d/ssl-mgr.conf"
sslm "$top" dns-status --json --timeout 200
check "dead primary: exit 1" eq "$RC" 1
check "dead primary: an error line" contains "$T/out" \
    '{"type":"error","apex":"example.com"'
check "dead primary: core says why on stderr" contains "$T/err" \
    "example.com"
sed -i "s|^    server = '127.0.0.9'|    server = '127.0.0.1'|" \
    "$top/conf.d/ssl-mgr.conf"

# A dead dns_xtra_ns: its own row times out, the others answer.
sed -i "s|^    dns_xtra_ns = \[\]|    dns_xtra_ns = ['127.0.0.9']|" \
    "$top/conf.d/ssl-mgr.conf"
sslm "$top" dns-status --json --timeout 200
check "dead xtra: exit 0 (the zone was looked at)" eq "$RC" 0
check "dead xtra: its row" eq "$(row "$T/out" 127.0.0.9 |
    grep -c '"role":"xtra".*"soa":"TIMEOUT","serial":null')" 1
check "dead xtra: its error" eq "$(row "$T/out" 127.0.0.9 |
    grep -c '"error":"SOA TIMEOUT')" 1
check "dead xtra: ns2 still answers" eq "$(row "$T/out" 127.0.0.2 |
    grep -c '"soa":"ANSWER"')" 1
sed -i "s|^    dns_xtra_ns = .*|    dns_xtra_ns = []|" "$top/conf.d/ssl-mgr.conf"

# The plan of the DANE service: a renewed next waits for the gate.
sslm "$top" -renew -f example.com:mail-dane
check "forced renew exits 0" eq "$RC" 0
sslm "$top" plan -roll-mins 0 example.com:mail-dane
check "plan exits 0" eq "$RC" 0
check "plan: the roll waits for the gate" contains "$T/out" \
    "roll:  gate: waiting until every name server serves next's TLSA"
sslm "$top" plan -roll-mins 90 example.com:mail-dane
check "plan: min_roll_mins comes first" contains "$T/out" \
    "roll:  next present, roll in"
check "plan wrote nothing (no dane-visible)" eq \
    "$(find "$top/certs" -name dane-visible | wc -l)" 0
finish
