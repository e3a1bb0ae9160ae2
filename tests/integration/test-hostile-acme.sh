#!/bin/sh
# A hostile or broken ACME server (hostile-acme.py on 127.0.0.1, TLS with
# a CA made here and trusted only through ca_acme_ca_file): 5xx, problem
# documents, garbage JSON, 50 MB bodies, a 1 byte/s drip, redirect loops,
# wrong content types, bad certificate chains, an order that stays
# "processing", no Replay-Nonce, badNonce forever.  For every case
# `ssl-mgr -renew -f` must exit 1 within a time bound, with bounded memory,
# naming the server's step in its message, and leave curr, next and the
# production copy exactly as they were.
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		nok "python3 is needed"
		finish
		exit
	fi
	echo "SKIP: python3 missing"
	exit 77
fi

H=$T/hostile
mkdir -p "$H"
SRV_PID=
stop_srv() {
	if [ -n "$SRV_PID" ]; then
		kill "$SRV_PID" 2>/dev/null
		wait "$SRV_PID" 2>/dev/null
	fi
	SRV_PID=
}
trap 'stop_srv; rm -rf "$T"' EXIT INT TERM

# The server's HTTPS CA and certificate, its issuing CA, another key.
mk() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$H/tls-ca.key" -out "$H/tls-ca.pem" -days 2 \
	    -subj "/CN=hostile test TLS CA" &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$H/tls.key" -out "$H/tls.csr" -subj "/CN=127.0.0.1" &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$H/ext" &&
	openssl x509 -req -in "$H/tls.csr" -CA "$H/tls-ca.pem" \
	    -CAkey "$H/tls-ca.key" -CAcreateserial -days 2 \
	    -extfile "$H/ext" -out "$H/tls.pem" &&
	printf 'basicConstraints=critical,CA:true\nkeyUsage=keyCertSign\n' \
	    >"$H/caext" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$H/issuer.key" -out "$H/issuer.pem" -days 2 \
	    -subj "/CN=hostile test issuer" -addext \
	    "basicConstraints=critical,CA:true" &&
	openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$H/other.key" &&
	openssl pkey -in "$H/other.key" -pubout -out "$H/other.pub" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$H/wrong-ca.key" -out "$H/wrong-ca.pem" -days 2 \
	    -subj "/CN=not the server's CA"
}
mk >"$T/mk.log" 2>&1 || { cat "$T/mk.log"; nok "test CAs"; finish; exit; }

# One server for every case; start MODE switches what it does (it reads
# $H/mode at each request).  URL is its directory.
echo ok >"$H/mode"
python3 "$SRC/tests/integration/hostile-acme.py" "$H" 2>>"$T/server.log" &
SRV_PID=$!
i=0
while [ ! -s "$H/port" ] && [ "$i" -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
URL="https://127.0.0.1:$(cat "$H/port" 2>/dev/null)/dir"
start() {
	echo "$1" >"$H/mode.tmp" && mv "$H/mode.tmp" "$H/mode"
}

top=$(new_topdir hostile)
P=$top/prod-certs
conf=$top/conf.d/ssl-mgr.conf
cat >>"$top/conf.d/ca-info.conf" <<CA

[hostile]
    ca_desc = 'a hostile ACME server'
    ca_type = 'acme'
    ca_validation = 'http-01'
    ca_acme_directory = '$URL'
    ca_acme_ca_file = '$H/tls-ca.pem'
    ca_acme_timeout = 5
CA
mkdir -p "$top/www"
cat >"$top/conf.d/example.com/acme-web" <<SVC
name = 'acme-web'
group = 'example.com'
service = 'acme-web'
signing_ca = 'hostile'

[KeyOpts]
    ktype = 'ec'
    ec_algo = 'secp256r1'

[X509]
    CN = 'example.com'
    O = 'Example Org'
    C = 'US'
    sans = ['www.example.com']
SVC
sed -i "s|services = \['web-self', 'mail-self', 'wild-self'\]|services = ['acme-web']|" "$conf"
sed -i "s|^    skip_prod_copy = true|    skip_prod_copy = false\n    server_dir = '$top/www'|" "$conf"
sed -i "s|^    svc_depends = .*|    svc_depends = [['any', ['acme-web']]]|" "$conf"

# A checksum of everything a failed run must not touch.
S=$top/certs/example.com/acme-web
state() {
	for d in "$S/curr" "$S/next" "$P"; do
		if [ ! -e "$d" ]; then
			echo "$d absent"
			continue
		fi
		[ -L "$d" ] && echo "$d -> $(readlink "$d")"
		find -L "$d" -type f | LC_ALL=C sort | while read -r f; do
			echo "$f $(stat -L -c %a "$f") $(sha256sum <"$f")"
		done
	done | sha256sum | cut -c1-64
}

# renew [args]: ssl-mgr -renew -f [args] example.com:acme-web (the private
# CA is left alone) under /usr/bin/time when there is one, with $SECS
# (wall) and $RSS (KB) set.
if [ -x /usr/bin/time ]; then TIMEV=/usr/bin/time; else TIMEV=; fi
renew() {
	_s=$(date +%s%N)
	if [ -n "$TIMEV" ]; then
		SSL_MGR_TOPDIR="$top" $TIMEV -f '%M' -o "$T/rss" "$BIN" \
		    -renew -f "$@" example.com:acme-web >"$T/out" 2>"$T/err"
		RC=$?
		RSS=$(tail -1 "$T/rss")
	else
		sslm "$top" -renew -f "$@" example.com:acme-web
		RSS=0
	fi
	SECS=$(( ($(date +%s%N) - _s) / 1000000000 ))
}

sslm "$top" check-config
check "config with the hostile CA is valid" eq "$RC" 0
[ "$RC" -eq 0 ] || cat "$T/err"

# Positive control: the same server behaving issues a certificate.
start ok
renew -roll
check "a well-behaved server: -renew -roll exits 0" eq "$RC" 0
[ "$RC" -eq 0 ] || cat "$T/out" "$T/err"
check "a well-behaved server: curr issued by its CA" sh -c \
    "openssl verify -CAfile '$H/issuer.pem' '$S/curr/cert.pem' | grep -q OK"
check "a well-behaved server: production copy made" \
    test -n "$(find "$P" -name 'fullchain.pem' 2>/dev/null)"

# Trust comes from ca_acme_ca_file only: another CA fails the handshake.
sed -i "s|^    ca_acme_ca_file = .*|    ca_acme_ca_file = '$H/wrong-ca.pem'|" \
    "$top/conf.d/ca-info.conf"
before=$(state)
renew
check "untrusted server certificate: exit 1" eq "$RC" 1
check "untrusted server certificate: the directory step is named" \
    contains "$T/err" "directory: $URL"
check "untrusted server certificate: state unchanged" eq "$(state)" "$before"
sed -i "s|^    ca_acme_ca_file = .*|    ca_acme_ca_file = '$H/tls-ca.pem'|" \
    "$top/conf.d/ca-info.conf"

# case MODE MAXSECS WHAT...: one hostile run; every WHAT must be in stderr.
case_() {
	_m=$1
	_max=$2
	shift 2
	start "$_m"
	_before=$(state)
	renew
	check "$_m: exit 1" eq "$RC" 1
	check "$_m: done in ${SECS}s <= ${_max}s" test "$SECS" -le "$_max"
	check "$_m: peak RSS ${RSS} KB <= 65536 KB" test "$RSS" -le 65536
	for _w in "$@"; do
		# @URL@: this server's directory URL
		_w=$(echo "$_w" | sed "s|@URL@|$URL|")
		check "$_m: says '$_w'" contains "$T/err" "$_w"
	done
	check "$_m: curr, next and production unchanged" \
	    eq "$(state)" "$_before"
	if [ "$RC" -ne 1 ] || ! contains "$T/err" "$(echo "$1" |
	    sed "s|@URL@|$URL|")"; then
		sed 's/^/    /' "$T/err" | tail -15
	fi
}

W=example.com:acme-web
case_ 5xx@dir 30 "$W: directory: HTTP 503 without a problem document"
case_ garbage@dir 30 "$W: directory: bad JSON"
case_ notobj@dir 30 "$W: directory: JSON is not an object"
case_ big@dir 30 "$W: directory: @URL@: response body larger than"
case_ drip@dir 30 "$W: directory: @URL@: " "timed out"
case_ redirect@dir 30 "$W: directory: HTTP 302"
case_ ctype@dir 30 "$W: directory: expected application/json, got text/html"
case_ 5xx@nonce 30 "$W: account lookup: new nonce: HTTP 503"
case_ nonce@nonce 30 "$W: account lookup: new nonce: HTTP 200 without Replay-Nonce"
case_ drip@nonce 30 "$W: account lookup: new nonce: " "timed out"
case_ badnonce@post 60 "$W: account lookup: urn:ietf:params:acme:error:badNonce"
case_ 5xx@account 30 "$W: account lookup: HTTP 503"
case_ problem@account 30 "$W: account lookup: urn:ietf:params:acme:error:serverInternal hostile test server (HTTP 500)"
case_ big@account 30 "$W: account lookup: " "response body larger than"
case_ 5xx@order 30 "$W: new order: HTTP 503"
case_ garbage@order 30 "$W: new order: bad JSON"
case_ redirect@order 30 "$W: new order: HTTP 302"
case_ ctype@order 30 "$W: new order: expected application/json, got text/html"
case_ drip@order 30 "$W: new order: " "timed out"
case_ 5xx@authz 30 "$W: authorization: HTTP 503"
case_ garbage@authz 30 "$W: authorization: bad JSON"
case_ big@authz 30 "$W: authorization: " "response body larger than"
case_ 5xx@poll 30 "$W: order: HTTP 503"
case_ notobj@poll 30 "$W: order: JSON is not an object"
case_ 5xx@finalize 30 "$W: finalize: HTTP 503"
case_ garbage@finalize 30 "$W: finalize: bad JSON"
case_ ctype@finalize 30 "$W: finalize: expected application/json, got text/html"
case_ processing@finalize 40 "$W: finalize: " "time limit"
case_ 5xx@cert 30 "$W: download: HTTP 503"
case_ big@cert 30 "$W: download: " "response body larger than"
case_ drip@cert 30 "$W: download: " "timed out"
case_ redirect@cert 30 "$W: download: HTTP 302"
case_ ctype@cert 30 "$W: download: content type application/json"
case_ wrongkey@cert 30 "$W: download: the certificate is not for the key of our CSR"
case_ garbagepem@cert 30 "$W: download: no certificate in the response"
case_ empty@cert 30 "$W: download: no certificate in the response"
case_ mismatch@cert 30 "$W: download: " "not issued by"

stop_srv
finish
