#!/bin/sh
# verify --live against real servers on loopback: nginx serving TLS and a
# STARTTLS SMTP server (tests/integration/starttls-server; openssl s_server
# has no -starttls), for a DANE service whose TLSA records BIND and NSD
# serve from our include file.  Matching and mismatching certificates,
# correct and wrong TLSA records, next served before its roll, a dead
# port, and verify_ports errors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dnsbed.sh"
. "$(dirname "$0")/nginxbed.sh"

need_fail() {
	if [ "${CI:-}" = true ]; then
		nok "$1 is needed"
		finish
		exit
	fi
	echo "SKIP: $1 missing"
	exit 77
}
if ! command -v named >/dev/null 2>&1 && [ ! -x /usr/sbin/named ] ||
    [ ! -x /usr/sbin/nsd ]; then
	need_fail "bind9 and nsd"
fi
PATH=$PATH:/usr/sbin
command -v nginx >/dev/null 2>&1 || need_fail nginx
command -v python3 >/dev/null 2>&1 || need_fail python3

bed=$T/bed
DNSBED_INCLUDE_DIR=$T/include
export DNSBED_INCLUDE_DIR
mkdir -p "$DNSBED_INCLUDE_DIR"
SMTP_PID=
stop_smtp() {
	if [ -n "$SMTP_PID" ]; then
		kill "$SMTP_PID" 2>/dev/null
		wait "$SMTP_PID" 2>/dev/null
	fi
	SMTP_PID=
}
MX_PID=
stop_all() {
	[ -n "$MX_PID" ] && kill "$MX_PID" 2>/dev/null
	stop_smtp
	nginxbed_stop
	dnsbed_stop "$bed"
	rm -rf "$T"
}
trap stop_all EXIT INT TERM
if ! dnsbed_start "$bed" >"$T/bed.log" 2>&1; then
	cat "$T/bed.log"
	nok "dns bed starts"
	finish
	exit
fi
ok "dns bed started (port $DNSBED_PORT)"

WEB=$(free_port)
SMTP=$(free_port)
DEAD=$(free_port)
chmod 755 "$T"
top=$(new_topdir live)
P=$top/prod-certs
C=$top/certs/example.com/mail-live

cat >"$top/conf.d/example.com/mail-live" <<SVC
name = 'live mail and web'
group = 'example.com'
service = 'mail-live'
signing_ca = 'my-int'
dane_tls = [[$SMTP, 'tcp', 3, 1, 1], [$WEB, 'tcp', 3, 1, 1]]
dane_tls_ttl = 2
verify_ports = [$WEB, [$SMTP, 'smtp']]

[KeyOpts]
    ktype = 'ec'
    ec_algo = 'secp256r1'

[X509]
    CN = 'mail.example.com'
    O = 'Example Org'
    C = 'US'
    sans = ['mail.example.com']
SVC
# A service without DANE on a port nothing listens on.
cat >"$top/conf.d/example.com/web-dead" <<SVC
name = 'dead'
group = 'example.com'
service = 'web-dead'
signing_ca = 'my-int'
verify_ports = [$DEAD]

[KeyOpts]
    ktype = 'ec'

[X509]
    CN = 'www.example.com'
    O = 'Example Org'
    C = 'US'
    sans = ['www.example.com']
SVC
conf=$top/conf.d/ssl-mgr.conf
sed -i "s|services = \['web-self', 'mail-self', 'wild-self'\]|services = ['mail-live', 'web-dead']|" "$conf"
sed -i "s|^    prod_cert_dir = .*|    prod_cert_dir = '$P'\n    dns_ns_port = $DNSBED_PORT\n    dns_xtra_ns = []|" "$conf"
cat >>"$conf" <<CONF

[[dns_primary]]
    domain = 'default'
    server = '127.0.0.1'
    port = $DNSBED_PORT

[dns]
    restart_cmd = '$DNSBED_RESTART'
    acme_dir = '$DNSBED_INCLUDE_DIR'
    tlsa_dirs = ['$DNSBED_INCLUDE_DIR']
    depends = ['dns']
CONF

sslm "$top" check-config
check "config is valid" eq "$RC" 0
sslm "$top" check-config -v
check "check-config -v shows verify_ports" contains "$T/out" \
    "verify_ports = [$WEB, [$SMTP, \"smtp\"]]"
sslm "$top" -renew -roll
check "first -renew -roll exits 0" eq "$RC" 0
check "TLSA file published" test -s "$DNSBED_INCLUDE_DIR/tlsa.example.com"

wait_both() {
	s=$(dnsbed_serial example.com primary)
	dnsbed_wait_serial example.com secondary "$s" 15
}
wait_both

# start_servers <fullchain> <key>: nginx (TLS) and the STARTTLS server.
start_servers() {
	nginxbed_stop
	stop_smtp
	cp "$1" "$T/web-chain.pem"
	cp "$2" "$T/web-key.pem"
	nginxbed_start "$T/nginx" "$WEB" "$T" "$T/web-chain.pem" \
	    "$T/web-key.pem"
	rm -f "$T/smtp.ready"
	"$SRC/tests/integration/starttls-server" smtp "$SMTP" "$1" "$2" \
	    "$T/smtp.ready" </dev/null >"$T/smtp.log" 2>&1 &
	SMTP_PID=$!
	_i=0
	while [ "$_i" -lt 150 ]; do
		if [ -f "$T/smtp.ready" ] && curl -sk -o /dev/null \
		    "https://127.0.0.1:$WEB/"; then
			return 0
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
live() {
	sslm "$top" verify --live "$@"
}
line_of() {	# line_of PORT: the mail.example.com line for the port
	grep "^  mail.example.com \[127.0.0.1\]:$1" "$T/out"
}

# 1. Both servers on curr, the records published: everything is ok.
check "servers start on curr" start_servers "$P/example.com/mail-live/curr/fullchain.pem" \
    "$P/example.com/mail-live/curr/privkey.pem"
live example.com:mail-live
check "curr everywhere: exit 0" eq "$RC" 0
check "web port: ok, curr" sh -c "grep '^  mail.example.com \[127.0.0.1\]:$WEB: ok, curr, ' '$T/out'"
check "smtp port: STARTTLS, ok, curr" sh -c "grep '^  mail.example.com \[127.0.0.1\]:$SMTP/smtp: ok, curr, ' '$T/out'"
check "days left shown" sh -c "line_of() { grep \"^  mail.example.com \[127.0.0.1\]:\$1\" '$T/out'; }; line_of $WEB | grep -q '9[0-9].[0-9] days left'"
check "TLSA matches on both name servers" sh -c "grep ':$SMTP/smtp: ok' '$T/out' | grep -q 'TLSA matches on [2-9] NS'"
check "summary: 2 checks, 0 failed" contains "$T/out" "verify --live: 2 checks, 0 failed"

# 1a. Port 25 adds the zone's MX hosts (mail and mx2, both 127.0.0.1 in
# the bed): a STARTTLS server on 127.0.0.1:25 (root only; CI runs as root).
if [ "$(id -u)" -eq 0 ] && ! ss -Hltn "( sport = :25 )" 2>/dev/null | grep -q .; then
	rm -f "$T/mx.ready"
	"$SRC/tests/integration/starttls-server" smtp 25 \
	    "$P/example.com/mail-live/curr/fullchain.pem" \
	    "$P/example.com/mail-live/curr/privkey.pem" "$T/mx.ready" \
	    </dev/null >"$T/mx.log" 2>&1 &
	MX_PID=$!
	_i=0
	while [ ! -f "$T/mx.ready" ] && [ "$_i" -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	cp "$top/conf.d/example.com/mail-live" "$T/mail-live.saved"
	sed -i "s|^verify_ports = .*|verify_ports = [[25, 'smtp']]|" \
	    "$top/conf.d/example.com/mail-live"
	live example.com:mail-live
	check "port 25: exit 0" eq "$RC" 0
	check "port 25: the SAN host" sh -c "grep -q '^  mail.example.com \[127.0.0.1\]:25/smtp: ok, curr' '$T/out'"
	check "port 25: the second MX host is checked too" sh -c "grep -q '^  mx2.example.com \[127.0.0.1\]:25/smtp: ok, curr' '$T/out'"
	kill "$MX_PID" 2>/dev/null
	wait "$MX_PID" 2>/dev/null
	live example.com:mail-live
	check "port 25 down: exit 1" eq "$RC" 1
	check "port 25 down: each MX host fails with its reason" eq \
	    "$(grep -c '^  m[a-z0-9]*.example.com \[127.0.0.1\]:25/smtp: FAIL, connect' "$T/out")" 2
	cp "$T/mail-live.saved" "$top/conf.d/example.com/mail-live"
else
	echo "# port 25 needs root and a free port: the MX host checks skipped"
fi

# 1b. 95 days on (faked clock): the same leaf has expired.
if command -v faketime >/dev/null 2>&1; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    SSL_MGR_TOPDIR=$top faketime -f +95d "$BIN" verify --live \
	    example.com:mail-live >"$T/out" 2>"$T/err"
	check "95 days on: exit 1" eq "$?" 1
	check "95 days on: expired, said how long ago" sh -c "grep -q ':$WEB: FAIL, curr, expired [45].[0-9] days ago' '$T/out'"
else
	nok "faketime is missing (scripts/install-deps --test installs it)"
fi

# 2. The whole config: the dead port is a failure with its reason.
live
check "dead port: exit 1" eq "$RC" 1
check "dead port: connect refused named" sh -c "grep 'www.example.com \[127.0.0.1\]:$DEAD: FAIL, connect: Connection refused' '$T/out'"

# 3. A certificate that is neither curr nor next, on both servers.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/other.key" -out "$T/other.pem" -days 30 \
    -subj "/CN=mail.example.com/O=Other" >/dev/null 2>&1
check "servers start on another cert" start_servers "$T/other.pem" "$T/other.key"
live example.com:mail-live
check "wrong cert: exit 1" eq "$RC" 1
check "wrong cert on the web port: not curr, named" sh -c "grep ':$WEB: FAIL, not curr: serves .*O *= *Other' '$T/out' || grep ':$WEB: FAIL, not curr: serves .*O=Other' '$T/out'"
check "wrong cert on the smtp port: not curr" sh -c "grep -q ':$SMTP/smtp: FAIL, not curr' '$T/out'"
check "wrong cert: TLSA mismatch on ns1 named" sh -c "grep ':$SMTP/smtp: FAIL' '$T/out' | grep -q 'TLSA mismatch on ns1.example.com (127.0.0.1)'"
check "wrong cert: 29+ days left shown" sh -c "grep ':$SMTP/smtp: FAIL' '$T/out' | grep -q ', 29.[0-9] days left\|, 30.0 days left'"

# 4. next served before its roll: its records are published beside curr's.
sslm "$top" -renew -f example.com:mail-live
check "renew into next exits 0" eq "$RC" 0
wait_both
check "servers start on next" start_servers "$C/next/fullchain.pem" "$C/next/privkey.pem"
live example.com:mail-live
check "next served: exit 0" eq "$RC" 0
check "next served: said so" sh -c "grep -q ':$WEB: ok, next (not yet rolled to curr)' '$T/out'"
check "next served: TLSA matches (next's records)" sh -c "grep ':$SMTP/smtp: ok, next' '$T/out' | grep -q 'TLSA matches'"

# 5. Back on curr, with a wrong TLSA record in DNS in place of ours.
check "servers back on curr" start_servers "$P/example.com/mail-live/curr/fullchain.pem" \
    "$P/example.com/mail-live/curr/privkey.pem"
cp "$DNSBED_INCLUDE_DIR/tlsa.example.com" "$T/tlsa.good"
printf '_%s._tcp.mail.example.com. 2 IN TLSA 3 1 1 %064d\n' "$SMTP" 0 \
    >"$DNSBED_INCLUDE_DIR/tlsa.example.com"
"$DNSBED_RESTART" --serial_bump example.com >/dev/null 2>&1
wait_both
live example.com:mail-live
check "wrong TLSA: exit 1" eq "$RC" 1
check "wrong TLSA: smtp leaf is still curr" sh -c "grep -q ':$SMTP/smtp: FAIL, curr, ' '$T/out'"
check "wrong TLSA: mismatch on ns1" sh -c "grep ':$SMTP/smtp: FAIL' '$T/out' | grep -q 'TLSA mismatch on ns1.example.com (127.0.0.1)'"
check "wrong TLSA: mismatch on ns2" sh -c "grep ':$SMTP/smtp: FAIL' '$T/out' | grep -q 'TLSA mismatch on ns2.example.com'"
check "DANE port without records on any NS: a failure" sh -c "grep -q ':$WEB: FAIL, curr, .*no TLSA records' '$T/out'"
cp "$T/tlsa.good" "$DNSBED_INCLUDE_DIR/tlsa.example.com"
"$DNSBED_RESTART" --serial_bump example.com >/dev/null 2>&1
wait_both
live example.com:mail-live
check "good TLSA again: exit 0" eq "$RC" 0

# 6. Server down: each port named with its reason.
nginxbed_stop
stop_smtp
live example.com:mail-live
check "servers down: exit 1" eq "$RC" 1
check "servers down: web connect refused" sh -c "grep -q ':$WEB: FAIL, connect: Connection refused' '$T/out'"
check "servers down: smtp connect refused" sh -c "grep -q ':$SMTP/smtp: FAIL, connect: Connection refused' '$T/out'"

# 6b. Servers that accept and then say nothing: each connection gives up
# after its I/O limit, and they wait in parallel, not one after another.
cat >"$T/silent.py" <<'PY'
import socket, sys, time
socks = []
for p in sys.argv[2:]:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', int(p)))
    s.listen(16)
    socks.append(s)
open(sys.argv[1], 'w').write('ready\n')
time.sleep(600)
PY
S1=$(free_port) S2=$(free_port) S3=$(free_port) S4=$(free_port)
python3 "$T/silent.py" "$T/silent.ready" $S1 $S2 $S3 $S4 </dev/null >/dev/null 2>&1 &
SILENT_PID=$!
_i=0
while [ ! -f "$T/silent.ready" ] && [ "$_i" -lt 150 ]; do sleep 0.1; _i=$((_i + 1)); done
sed -i "s/^verify_ports = .*/verify_ports = [$S1, [$S2, 'smtp'], [$S3, 'imap'], [$S4, 'pop3']]/" \
    "$top/conf.d/example.com/mail-live"
t0=$(date +%s)
live example.com:mail-live
t1=$(date +%s)
kill "$SILENT_PID" 2>/dev/null
wait "$SILENT_PID" 2>/dev/null
check "silent servers: exit 1" eq "$RC" 1
check "silent TLS port: handshake timed out" sh -c "grep -q ':$S1: FAIL, TLS handshake: no answer in time' '$T/out'"
check "silent smtp port: greeting timed out" sh -c "grep -q ':$S2/smtp: FAIL, smtp greeting: no answer in time' '$T/out'"
check "silent imap port: named" sh -c "grep -q ':$S3/imap: FAIL, imap: no answer in time' '$T/out'"
check "silent pop3 port: named" sh -c "grep -q ':$S4/pop3: FAIL, pop3: no answer in time' '$T/out'"
check "4 silent ports waited in parallel ($((t1 - t0)) s < 25 s)" test $((t1 - t0)) -lt 25

# 7. verify_ports mistakes are file:line errors; nothing is checked.
sed -i "s/^verify_ports = .*/verify_ports = [0, [25, 'ftp'], [1, 2, 3]]/" \
    "$top/conf.d/example.com/mail-live"
live example.com:mail-live
check "bad verify_ports: exit 2" eq "$RC" 2
check "bad port: file:line" contains "$T/err" "conf.d/example.com/mail-live:7: verify_ports[0]: the port must be an integer 1-65535"
check "bad STARTTLS name" contains "$T/err" "verify_ports[1]: the STARTTLS protocol must be one of smtp, imap, pop3"
check "bad entry shape" contains "$T/err" "verify_ports[2] must be a port or [port]"
check "nothing checked" not_contains "$T/out" "verify --live:"
finish
