#!/bin/sh
# Hostile or broken name servers (hostile-dns.py on loopback, UDP and TCP):
# one that never answers, SERVFAIL, REFUSED, truncated UDP answers that
# must be retried over TCP (and a TCP side that then sends garbage or
# nothing), garbage and short packets, a wrong query ID, an answer to
# another question, and a lying secondary (another SOA serial, TXT and
# TLSA).  Driven through dns-probe (core/dns as the challenge wait and the
# DANE gate use it) and through `ssl-mgr -roll`, whose DANE gate must
# name the lying server and keep next and curr as they are.
# The servers' ports are set by srv() through eval:
# shellcheck disable=SC2154
. "$(dirname "$0")/lib.sh"
PROBE=${DNS_PROBE:?DNS_PROBE must name the dns-probe binary}

if ! command -v python3 >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		nok "python3 is needed"
		finish
		exit
	fi
	echo "SKIP: python3 missing"
	exit 77
fi

PIDS=
stop_all() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap stop_all EXIT INT TERM

# srv NAME ADDR MODE ZONE: starts one server; $NAME_PORT is its port.
srv() {
	python3 "$SRC/tests/integration/hostile-dns.py" "$2" "$T/$1.port" \
	    "$3" "$4" 2>>"$T/servers.log" &
	PIDS="$PIDS $!"
	_i=0
	while [ ! -s "$T/$1.port" ] && [ "$_i" -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	eval "$1_PORT=$(cat "$T/$1.port" 2>/dev/null || echo 0)"
}

TLSA_GOOD=$(printf 'a%.0s' $(seq 64))
TLSA_OLD=$(printf 'b%.0s' $(seq 64))
cat >"$T/good.zone" <<Z
example.com SOA 2026120602
example.com NS ns1.example.com
_acme-challenge.example.com TXT the-right-token
_25._tcp.mail.example.com TLSA 3 1 1 $TLSA_GOOD
Z
cat >"$T/liar.zone" <<Z
example.com SOA 2026120601
example.com NS ns1.example.com
_acme-challenge.example.com TXT yesterdays-token
_25._tcp.mail.example.com TLSA 3 1 1 $TLSA_OLD
Z

for m in ok silent servfail refused tc tcgarbage tcsilent garbage short \
    wrongid wrongq; do
	srv "$m" 127.0.0.1 "$m" "$T/good.zone"
done
srv liar 127.0.0.1 ok "$T/liar.zone"

# q NAME TYPE QNAME [TIMEOUT RETRIES]: one server asked through dns-probe;
# its line in $T/q, the wall time in $MS.
q() {
	_s=$(date +%s%N)
	eval "_p=\$$1_PORT"
	"$PROBE" query "$2" "$3" "${4:-400}" "${5:-1}" "127.0.0.1:$_p" \
	    >"$T/q" 2>"$T/q.err"
	RC=$?
	MS=$(( ($(date +%s%N) - _s) / 1000000 ))
}
has() { grep -q -- "$1" "$T/q"; }
[ -n "${HOSTILE_DEBUG:-}" ] && has() { cat "$T/q" "$T/q.err" >&2; grep -q -- "$1" "$T/q"; }
hasnt() { ! grep -q -- "$1" "$T/q"; }

q ok SOA example.com
check "control: ANSWER with the serial" has " ANSWER 2026120602 "
q ok TXT _acme-challenge.example.com
check "control: TXT" has '"the-right-token"'

q silent SOA example.com 300 1
check "silent: TIMEOUT" has " TIMEOUT "
check "silent: 2 tries of 300 ms bound the wait (${MS} ms)" \
    test "$MS" -ge 550 -a "$MS" -le 3000
q silent SOA example.com 300 0
check "silent, no retry: one try (${MS} ms)" test "$MS" -le 2000

q servfail SOA example.com
check "SERVFAIL reported as such" has " SERVFAIL "
check "SERVFAIL: no serial taken from it" eq "$(awk '{ print NF }' "$T/q")" 3
q refused TXT _acme-challenge.example.com
check "REFUSED reported as such" has " REFUSED "
check "REFUSED: no TXT taken from it" hasnt '"'

q tc TXT _acme-challenge.example.com
check "TC=1 over UDP: retried over TCP, ANSWER" has " ANSWER "
check "TC=1 over UDP: the TCP answer's TXT" has '"the-right-token"'
q tc SOA example.com
check "TC=1 over UDP: SOA serial over TCP" has " ANSWER 2026120602 "
q tcgarbage SOA example.com
check "TC then garbage over TCP: an ERROR, not an answer" has " ERROR "
check "TC then garbage over TCP: says the tcp reply is wrong" \
    grep -q '"tcp reply: ' "$T/q"
q tcsilent SOA example.com 300 1
check "TC then a silent TCP side: TIMEOUT" has " TIMEOUT "
check "TC then a silent TCP side: bounded (${MS} ms)" test "$MS" -le 3000

q garbage SOA example.com 300 1
check "garbage over UDP: not an answer" hasnt " ANSWER "
check "garbage over UDP: ignored as not ours, TIMEOUT" has " TIMEOUT "
check "garbage over UDP: bounded (${MS} ms)" test "$MS" -le 3000
q short SOA example.com 300 1
check "5-byte reply: not an answer" hasnt " ANSWER "
check "5-byte reply: ignored as not ours, TIMEOUT" has " TIMEOUT "
check "5-byte reply: bounded (${MS} ms)" test "$MS" -le 3000
q wrongid SOA example.com 300 1
check "wrong query ID: ignored, TIMEOUT" has " TIMEOUT "
q wrongq SOA example.com 300 1
check "answer to another question: not taken" hasnt " ANSWER "
check "answer to another question: TIMEOUT or ERROR" grep -Eq " (TIMEOUT|ERROR) " "$T/q"
check "answer to another question: bounded (${MS} ms)" test "$MS" -le 3000

# All at once, as the challenge wait asks them: one lying secondary among
# honest ones must stand out by name with its own values.
"$PROBE" query SOA example.com 300 0 "127.0.0.1:$ok_PORT" \
    "127.0.0.1:$liar_PORT" "127.0.0.1:$tc_PORT" "127.0.0.1:$silent_PORT" \
    "127.0.0.1:$servfail_PORT" >"$T/all" 2>"$T/all.err"
check "parallel SOA: the honest ones agree" eq \
    "$(grep -c ' ANSWER 2026120602 ' "$T/all")" 2
check "parallel SOA: the liar's older serial is its own" \
    grep -q "^127.0.0.1:$liar_PORT ANSWER 2026120601 " "$T/all"
check "parallel SOA: the silent one times out" \
    grep -q "^127.0.0.1:$silent_PORT TIMEOUT" "$T/all"
check "parallel SOA: SERVFAIL by name" \
    grep -q "^127.0.0.1:$servfail_PORT SERVFAIL" "$T/all"
"$PROBE" query TLSA _25._tcp.mail.example.com 300 0 "127.0.0.1:$ok_PORT" \
    "127.0.0.1:$liar_PORT" >"$T/all" 2>"$T/all.err"
check "parallel TLSA: the liar serves the old record" \
    grep -q "^127.0.0.1:$liar_PORT ANSWER \"3 1 1 $TLSA_OLD\"" "$T/all"
check "parallel TLSA: the honest one the new" \
    grep -q "^127.0.0.1:$ok_PORT ANSWER \"3 1 1 $TLSA_GOOD\"" "$T/all"

# --- ssl-mgr's DANE roll gate: ns1 (127.0.0.1) honest, ns2 (127.0.0.2) on
# the same port lying, silent or failing.  The roll must be refused with
# ns2 named, and curr, next and production must not change.
PORT=$(python3 -c 'import socket
for _ in range(100):
    ss = []
    try:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0)); ss.append(u)
        p = u.getsockname()[1]
        for a, k in (("127.0.0.1", socket.SOCK_STREAM),
                     ("127.0.0.2", socket.SOCK_DGRAM),
                     ("127.0.0.2", socket.SOCK_STREAM)):
            s = socket.socket(socket.AF_INET, k); s.bind((a, p)); ss.append(s)
        print(p); break
    except OSError:
        pass
    finally:
        for s in ss: s.close()')
top=$(new_topdir hdane)
P=$top/prod-certs
conf=$top/conf.d/ssl-mgr.conf
mkdir -p "$T/include"
cat >"$top/conf.d/example.com/mail-dane" <<SVC
name = 'DANE mail'
group = 'example.com'
service = 'mail-dane'
signing_ca = 'my-int'
dane_tls = [[25, 'tcp', 3, 1, 1]]
dane_tls_ttl = 1

[KeyOpts]
    ktype = 'ec'
    ec_algo = 'secp256r1'

[X509]
    CN = 'mail.example.com'
    O = 'Example Org'
    C = 'US'
    sans = ['mail.example.com']
SVC
printf '#!/bin/sh\necho "$@" >>"%s/restarts"\n' "$T" >"$T/restart"
chmod +x "$T/restart"
sed -i "s|services = \['web-self', 'mail-self', 'wild-self'\]|services = ['mail-dane']|" "$conf"
sed -i "s|^    prod_cert_dir = .*|    prod_cert_dir = '$P'\n    dns_ns_port = $PORT\n    dns_xtra_ns = []|" "$conf"
cat >>"$conf" <<CONF

[[dns_primary]]
    domain = 'default'
    server = '127.0.0.1'
    port = $PORT

[dns]
    restart_cmd = '$T/restart'
    acme_dir = '$T/include'
    tlsa_dirs = ['$T/include']
    depends = ['dns']
CONF
sslm "$top" check-config
check "DANE config is valid" eq "$RC" 0
[ "$RC" -eq 0 ] || cat "$T/err"

# zone FILE LINK...: the example.com zone with the TLSA records of LINKs.
S=$top/certs/example.com/mail-dane
zone() {
	_f=$1
	shift
	{
		echo "example.com SOA 2026120603"
		echo "example.com NS ns1.example.com"
		echo "example.com NS ns2.example.com"
		echo "ns1.example.com A 127.0.0.1"
		echo "ns2.example.com A 127.0.0.2"
		echo "mail.example.com A 127.0.0.1"
		for _l in "$@"; do
			awk '$4 == "TLSA" { sub(/\.$/, "", $1);
			    print tolower($1), "TLSA", $5, $6, $7, tolower($8) }' \
			    "$S/$_l/tlsa.rr"
		done
	} >"$_f.tmp" && mv "$_f.tmp" "$_f"
}
HOSTILE_DNS_PORT=$PORT
export HOSTILE_DNS_PORT
zone "$T/ns1.zone"
srv ns1 127.0.0.1 ok "$T/ns1.zone"

sslm "$top" -renew -roll
check "DANE: first issue exits 0" eq "$RC" 0
[ "$RC" -eq 0 ] || cat "$T/err"
sslm "$top" -renew -f example.com:mail-dane
check "DANE: renew makes next" test -s "$S/next/tlsa.rr"
zone "$T/ns1.zone" curr next

dstate() {
	for d in "$S/curr" "$S/next" "$P"; do
		[ -L "$d" ] && echo "$d -> $(readlink "$d")"
		[ -e "$d" ] || { echo "$d absent"; continue; }
		find -L "$d" -type f | LC_ALL=C sort | while read -r f; do
			echo "$f $(sha256sum <"$f")"
		done
	done | sha256sum | cut -c1-64
}

# gate_case MODE WHAT ZONE-LINKS: ns2 behaves as MODE serving ZONE-LINKS.
NS2_PID=
gate_case() {
	_m=$1
	_what=$2
	shift 2
	zone "$T/ns2.zone" "$@"
	rm -f "$T/ns2.port"
	srv ns2 127.0.0.2 "$_m" "$T/ns2.zone"
	NS2_PID=${PIDS##* }
	_before=$(dstate)
	_s=$(date +%s)
	sslm "$top" -roll -v example.com:mail-dane
	_secs=$(($(date +%s) - _s))
	check "gate, ns2 $_what: roll refused" contains "$T/out" "Too soon to roll"
	check "gate, ns2 $_what: not rolled" not_contains "$T/out" \
	    "rolled next to curr"
	grep -h "dane gate: ns2.example.com \[127.0.0.2\]:$PORT: " "$T/out" \
	    "$T/err" >"$T/ns2line"
	check "gate, ns2 $_what: ns2 named with what is wrong" \
	    sh -c "[ -s '$T/ns2line' ] && ! grep -q 'serves all' '$T/ns2line'"
	sed 's/^/    /' "$T/ns2line"
	check "gate, ns2 $_what: bounded (${_secs}s <= 30s)" test "$_secs" -le 30
	check "gate, ns2 $_what: curr, next and production unchanged" \
	    eq "$(dstate)" "$_before"
	if ! grep -q "Too soon to roll" "$T/out"; then
		cat "$T/out" "$T/err" | tail -20
	fi
	kill "$NS2_PID" 2>/dev/null
	wait "$NS2_PID" 2>/dev/null
}
gate_case ok "lies (serves only curr's TLSA)" curr
gate_case silent "never answers" curr next
gate_case servfail "answers SERVFAIL" curr next
gate_case tcsilent "truncates and then stays silent on TCP" curr next

# Control: an honest ns2 opens the gate after the wait, so the refusals
# above were the liar's doing.
zone "$T/ns2.zone" curr next
rm -f "$T/ns2.port"
srv ns2 127.0.0.2 ok "$T/ns2.zone"
sslm "$top" -roll -v example.com:mail-dane
i=0
while ! grep -q "rolled next to curr" "$T/out" && [ "$i" -lt 20 ]; do
	sleep 1
	sslm "$top" -roll -v example.com:mail-dane
	i=$((i + 1))
done
check "gate, honest ns2: rolls once both serve next" \
    contains "$T/out" "rolled next to curr"

# --- ssl-mgr's dns-01 wait: an ACME server (hostile-acme.py) hands out a
# dns-01 challenge; ssl-mgr publishes the TXT through [dns] acme_dir and
# restart_cmd (which feeds ns1 only); ns2 keeps serving yesterday's TXT
# and an older serial.  The run must fail within dns_wait_limit, naming
# ns2, without answering the challenge or writing a certificate.
H=$T/acme
mkdir -p "$H"
{
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$H/tls-ca.key" -out "$H/tls-ca.pem" -days 2 \
	    -subj "/CN=hostile test TLS CA" &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$H/tls.key" -out "$H/tls.csr" -subj "/CN=127.0.0.1" &&
	printf 'subjectAltName=IP:127.0.0.1\n' >"$H/ext" &&
	openssl x509 -req -in "$H/tls.csr" -CA "$H/tls-ca.pem" \
	    -CAkey "$H/tls-ca.key" -CAcreateserial -days 2 \
	    -extfile "$H/ext" -out "$H/tls.pem"
} >"$T/mk.log" 2>&1 || { cat "$T/mk.log"; nok "ACME test CA"; }
echo dns01@authz >"$H/mode"
unset HOSTILE_DNS_PORT
python3 "$SRC/tests/integration/hostile-acme.py" "$H" 2>>"$T/servers.log" &
PIDS="$PIDS $!"
i=0
while [ ! -s "$H/port" ] && [ "$i" -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
cat >>"$top/conf.d/ca-info.conf" <<CA

[hostile-dns]
    ca_desc = 'hands out dns-01 challenges'
    ca_type = 'acme'
    ca_validation = 'dns-01'
    ca_acme_directory = 'https://127.0.0.1:$(cat "$H/port")/dir'
    ca_acme_ca_file = '$H/tls-ca.pem'
    ca_acme_timeout = 5
CA
cat >"$top/conf.d/example.com/acme-dns" <<SVC
name = 'acme-dns'
group = 'example.com'
service = 'acme-dns'
signing_ca = 'hostile-dns'

[KeyOpts]
    ktype = 'ec'

[X509]
    CN = 'example.com'
    O = 'Example Org'
    C = 'US'
SVC
sed -i "s|services = \['mail-dane'\]|services = ['mail-dane', 'acme-dns']|" "$conf"
sed -i "s|^    dns_xtra_ns = \[\]|    dns_xtra_ns = []\n    dns_wait_limit = 6\n    dns_check_delay = 0|" "$conf"
# restart_cmd: ns1 gets the zone plus every TXT of the include files.
cat >"$T/restart" <<R
#!/bin/sh
echo "\$@" >>"$T/restarts"
cat "$T/include"/acme-challenge.* >>"$T/published" 2>/dev/null
{
	cat "$T/ns1.base"
	cat "$T/include"/acme-challenge.* 2>/dev/null | awk '\$4 == "TXT" {
	    sub(/\\.\$/, "", \$1); gsub(/"/, "", \$5); print tolower(\$1), "TXT", \$5 }'
} >"$T/ns1.zone.tmp" && mv "$T/ns1.zone.tmp" "$T/ns1.zone"
R
cp "$T/ns1.zone" "$T/ns1.base"
sed 's/^example.com SOA .*/example.com SOA 2026120501/' "$T/ns1.zone" \
    >"$T/ns2.zone"
echo "_acme-challenge.example.com TXT yesterdays-token" >>"$T/ns2.zone"
rm -f "$T/ns2.port"
HOSTILE_DNS_PORT=$PORT
export HOSTILE_DNS_PORT
srv ns2 127.0.0.2 ok "$T/ns2.zone"
sslm "$top" check-config
check "dns-01 config is valid" eq "$RC" 0
[ "$RC" -eq 0 ] || cat "$T/err"
A=$top/certs/example.com/acme-dns
_s=$(date +%s)
sslm "$top" -renew example.com:acme-dns
secs=$(($(date +%s) - _s))
check "dns-01, lying ns2: exit 1" eq "$RC" 1
check "dns-01, lying ns2: bounded by dns_wait_limit (${secs}s <= 40s)" \
    test "$secs" -le 40
check "dns-01, lying ns2: the TXT was published (restart_cmd saw it)" \
    grep -q "_acme-challenge.example.com. .* TXT" "$T/published"
check "dns-01, lying ns2: ns1, which had it, is not blamed" sh -c \
    "! grep -h 'ns1.example.com' '$T/out' '$T/err' | grep -q missing"
check "dns-01, lying ns2: the TXT is withdrawn afterwards" \
    not_contains "$T/include/acme-challenge.example.com" " TXT "
check "dns-01, lying ns2: ns2 named with the stale TXT" sh -c \
    "grep -h 'ns2.example.com' '$T/out' '$T/err' | grep -q 'TXT'"
check "dns-01, lying ns2: the propagation step named" \
    contains "$T/err" "dns-01 propagation"
check "dns-01, lying ns2: the challenge was not answered" \
    not_contains "$H/requests" "/chal/1"
check "dns-01, lying ns2: no certificate, no curr" \
    sh -c "[ ! -e '$A/curr' ] && [ -z \"\$(find '$A' -name cert.pem)\" ]"
if [ "$RC" -ne 1 ] || ! contains "$T/err" "dns-01 propagation"; then
	cat "$T/out" "$T/err" | tail -20
fi
grep -h "ns2.example.com" "$T/out" "$T/err" | sed 's/^/    /' | head -3
finish
