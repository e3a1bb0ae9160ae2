#!/bin/sh
# test-acme.sh - the native ACME client against pebble (RFC 8555, ARI).
#
# pebble-challtestsrv serves the answers (http-01 on pebble's httpPort,
# dns-01 as pebble's -dnsserver); tests/acme-probe drives core/acme.
# Environment: ACME_PROBE (the acme-probe binary), SSLM_SOURCE_ROOT,
# PEBBLEBED_CACHE (where the trixie pebble for ARI is kept), CI=true makes
# a missing pebble or an unfetchable ARI pebble a failure, not a skip.
set -u
SRC=${SSLM_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
PROBE=${ACME_PROBE:?ACME_PROBE must name the acme-probe binary}
. "$SRC/tests/integration/pebblebed.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/sslm-acme.XXXXXX")
PASS=0
FAIL=0
CTS_PID=
PIDS_SAVED=

cleanup() {
	pebblebed_stop
	[ -n "$CTS_PID" ] && kill "$CTS_PID" 2>/dev/null
	for _p in $PIDS_SAVED; do kill "$_p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
nok() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
check() {
	_d=$1
	shift
	if "$@"; then ok "$_d"; else nok "$_d"; fi
}
skip() { echo "skip - $*"; }
finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}

if ! command -v pebble >/dev/null || ! command -v pebble-challtestsrv >/dev/null
then
	echo "pebble is not installed"
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi

# start_cts: pebble-challtestsrv for the current pebble's httpPort.
start_cts() {
	[ -n "$CTS_PID" ] && kill "$CTS_PID" 2>/dev/null && wait "$CTS_PID" 2>/dev/null
	pebble-challtestsrv -management "127.0.0.1:$CTS_MPORT" \
	    -http01 "127.0.0.1:$PEBBLE_HTTP_PORT" -dns01 "127.0.0.1:$CTS_DPORT" \
	    -https01 "" -tlsalpn01 "" -defaultIPv4 127.0.0.1 -defaultIPv6 "" \
	    >>"$T/cts.log" 2>&1 &
	CTS_PID=$!
	_i=0
	while [ $_i -lt 50 ]; do
		curl -sf -d '{"host":"probe.invalid."}' \
		    "http://127.0.0.1:$CTS_MPORT/clear-txt" >/dev/null 2>&1 &&
		    return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# csr <name> <san-list> [rsa]: key <name>.key and CSR <name>.csr in $T.
csr() {
	if [ "${3:-}" = rsa ]; then
		_kopt="-newkey rsa:2048"
	else
		_kopt="-newkey ec -pkeyopt ec_paramgen_curve:P-384"
	fi
	openssl req $_kopt -nodes -keyout "$T/$1.key" -out "$T/$1.csr" \
	    -subj "/CN=${2%%,*}" -addext "subjectAltName=$(echo "$2" |
	    sed 's/\([^,]*\)/DNS:\1/g; s/DNS:\([0-9][0-9.]*\)\(,\|$\)/IP:\1\2/g')" \
	    >/dev/null 2>&1
}

# probe <cmd> <log> args...: acme-probe against the current pebble.
probe() {
	_cmd=$1
	_log=$2
	shift 2
	ACME_PROBE_DEBUG=1 "$PROBE" "$_cmd" --dir "$PEBBLE_URL" \
	    --ca "$PEBBLE_CA" --challtestsrv "http://127.0.0.1:$CTS_MPORT" \
	    --timeout 60 "$@" >"$T/$_log.out" 2>"$T/$_log.err"
}

issue() {
	_n=$1
	_chal=$2
	_acct=$3
	shift 3
	probe issue "$_n" --account-dir "$T/$_acct" --email "admin@example.com" \
	    --who "example.com:$_n" --challenge "$_chal" --csr "$T/$_n.csr" \
	    --out "$T/$_n.cert" --chain-out "$T/$_n.chain" "$@"
}

verifies() {	# <name> <roots.pem>
	openssl verify -CAfile "$2" -untrusted "$T/$1.chain" "$T/$1.cert" \
	    >/dev/null 2>&1
}

same_key() {	# <name>: the cert carries the CSR's key
	[ "$(openssl x509 -in "$T/$1.cert" -pubkey -noout)" = \
	    "$(openssl pkey -in "$T/$1.key" -pubout)" ]
}

b64url_hex() { xxd -r -p | openssl base64 -A | tr '+/' '-_' | tr -d '='; }
# certid <cert>: RFC 9773 id computed with openssl(1) for comparison
certid() {
	_aki=$(openssl x509 -in "$1" -noout -ext authorityKeyIdentifier |
	    sed -n 's/^ *\(keyid:\)\{0,1\}\([0-9A-Fa-f:]\{8,\}\) *$/\2/p' | tr -d ':')
	_ser=$(openssl x509 -in "$1" -noout -serial | sed 's/serial=//')
	[ $((${#_ser} % 2)) -eq 1 ] && _ser=0$_ser
	case $_ser in [89A-Fa-f]*) _ser=00$_ser ;; esac
	printf '%s.%s\n' "$(printf %s "$_aki" | b64url_hex)" \
	    "$(printf %s "$_ser" | b64url_hex)"
}
has() { grep -qF -- "$2" "$T/$1"; }
mode_is() { [ "$(stat -c %a "$1")" = "$2" ]; }

CTS_MPORT=$(free_port)
CTS_DPORT=$(free_port)

# --- the main pebble: 50% of good nonces rejected, alternate roots ---
export PEBBLE_WFE_NONCEREJECT=50 PEBBLE_ALTERNATE_ROOTS=1
if ! pebblebed_start "$T/pebble" --dns "127.0.0.1:$CTS_DPORT" --nosleep; then
	echo "cannot start pebble"
	exit 1
fi
start_cts || { echo "cannot start pebble-challtestsrv"; exit 1; }
pebblebed_root 0 "$T/root0.pem"
pebblebed_root 1 "$T/root1.pem"

csr http a.example.com,www.example.com
check "http-01: two names issued (50% badNonce)" issue http http-01 acct
check "http-01: chain verifies against pebble's root" verifies http "$T/root0.pem"
check "http-01: the cert carries our CSR's key" same_key http
check "badNonce was retried transparently" has http.err "badNonce, retrying"
check "progress: order, challenge, authorization, finalize, download" \
    sh -c "grep -q 'example.com:http: new order:' '$T/http.err' &&
    grep -q 'challenge: .*http-01 answered' '$T/http.err' &&
    grep -q 'authorization: .*: valid' '$T/http.err' &&
    grep -q 'finalize: CSR sent' '$T/http.err' &&
    grep -q 'download: certificate' '$T/http.err'"
ADIR=$(dirname "$(find "$T/acct/acme" -name account.pem)")
check "account key 0600, account dir 0700" \
    sh -c "[ \$(stat -c %a '$ADIR/account.pem') = 600 ] &&
    [ \$(stat -c %a '$ADIR') = 700 ] && [ -s '$ADIR/account.json' ]"
check "no secret in the log" sh -c "! grep -q 'PRIVATE KEY\|\"protected\"' '$T/http.err'"

csr dns b.example.com
check "dns-01: issued" issue dns dns-01 acct
check "dns-01: account reused (no new registration)" \
    sh -c "! grep -q 'new account: registered' '$T/dns.err'"
check "dns-01: chain verifies" verifies dns "$T/root0.pem"

csr wild 'example.net,*.example.net'
check "dns-01: wildcard and apex issued" issue wild dns-01 acct
check "wildcard: SAN *.example.net present" \
    sh -c "openssl x509 -in '$T/wild.cert' -noout -ext subjectAltName | grep -q '\*.example.net'"

csr ip 127.0.0.1
check "http-01: IP identifier issued" issue ip http-01 acct
check "IP identifier: SAN IP 127.0.0.1" \
    sh -c "openssl x509 -in '$T/ip.cert' -noout -ext subjectAltName | grep -q 'IP Address:127.0.0.1'"

csr rsa c.example.com rsa
check "RSA CSR issued (http-01)" issue rsa http-01 acct
check "RSA: the cert carries our CSR's key" same_key rsa

csr bad nothere.example.com
issue bad http-01 acct --no-publish
check "failed validation: exit 1" [ $? -eq 1 ]
check "failed validation: problem type and identifier reported" \
    sh -c "grep -q 'example.com:bad: authorization: nothere.example.com: http-01: urn:ietf:params:acme:error:' '$T/bad.err'"

# preferred chain: the alternate root's CN
ALT_CN=$(openssl x509 -in "$T/root1.pem" -noout -subject -nameopt multiline |
    sed -n 's/^ *commonName *= *//p')
csr alt d.example.com
check "preferred chain: issued with --chain '$ALT_CN'" \
    issue alt http-01 acct --chain "$ALT_CN"
check "preferred chain: verifies against the alternate root" \
    verifies alt "$T/root1.pem"
check "preferred chain: not against the default root" \
    sh -c "! openssl verify -CAfile '$T/root0.pem' -untrusted '$T/alt.chain' '$T/alt.cert' >/dev/null 2>&1"
csr nopref e.example.com
issue nopref http-01 acct --chain "No Such Root"
check "unknown preferred chain: issued, default chain" verifies nopref "$T/root0.pem"

# pebble 2.4 has no renewalInfo: the caller is told (exit 3 = NOTFOUND)
probe ari noari --account-dir "$T/acct" --cert "$T/http.cert"
check "ARI: a CA without renewalInfo is reported as such" [ $? -eq 3 ]

# revoke
SERIAL=$(openssl x509 -in "$T/dns.cert" -noout -serial | sed 's/serial=//')
check "revoke: accepted" probe revoke rev --account-dir "$T/acct" \
    --cert "$T/dns.cert" --reason 4
check "revoke: pebble shows the cert revoked" \
    sh -c "curl -sf --cacert '$PEBBLE_CA' '$PEBBLE_MGMT/cert-status-by-serial/$(echo "$SERIAL" | tr 'A-F' 'a-f' | sed 's/^0*//')' | grep -qi revoked"
probe revoke rev2 --account-dir "$T/acct" --cert "$T/dns.cert"
check "revoke twice: alreadyRevoked reported" has rev2.err "alreadyRevoked"

# certbot account import: register an RSA key, then present it as certbot's
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$T/cbkey.pem" 2>/dev/null
SRV=${PEBBLE_URL#https://}
mkdir -p "$T/seed/acme/$SRV" && chmod 700 "$T/seed/acme/$SRV"
cp "$T/cbkey.pem" "$T/seed/acme/$SRV/account.pem"
chmod 600 "$T/seed/acme/$SRV/account.pem"
probe account seed --account-dir "$T/seed"
CB_URL=$(cat "$T/seed.out")
CBD="$T/cbimp/accounts/$SRV/0123456789abcdef0123456789abcdef"
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
		printf ', "%s": "%s"' "$_k" "$(printf '%s' "$_h" | xxd -r -p |
		    openssl base64 -A | tr '+/' '-_' | tr -d '=')"
	done <"$T/cbkey.hex"
	printf '}\n'
} >"$CBD/private_key.json"
printf '{"body": {}, "uri": "%s"}\n' "$CB_URL" >"$CBD/regr.json"
printf '{"creation_host": "test"}\n' >"$CBD/meta.json"
chmod 600 "$CBD/private_key.json"
csr cbimp f.example.com
check "certbot account: imported and used to issue" issue cbimp http-01 cbimp
check "certbot account: import reported" has cbimp.err "imported certbot account"
check "certbot account: same account URL (no new registration)" \
    sh -c "grep -qF 'account: $CB_URL' '$T/cbimp.err' &&
    ! grep -q 'new account: registered' '$T/cbimp.err'"
check "certbot account: saved in our form (0600)" \
    mode_is "$T/cbimp/acme/$SRV/account.pem" 600

# wrong permissions on our account key are refused
chmod 644 "$T/cbimp/acme/$SRV/account.pem"
probe account perm --account-dir "$T/cbimp"
check "account key readable by others: refused" has perm.err "must not be accessible"
chmod 600 "$T/cbimp/acme/$SRV/account.pem"

# pebble restarted: every account is gone; the client registers again
pebblebed_restart && start_cts
pebblebed_root 0 "$T/root0b.pem"
csr restart g.example.com
check "after a pebble restart: issued" issue restart http-01 acct
check "after a pebble restart: account registered again" \
    sh -c "grep -q 'does not know' '$T/restart.err' &&
    grep -q 'new account: registered' '$T/restart.err'"
check "after a pebble restart: chain verifies against the new root" \
    verifies restart "$T/root0b.pem"
pebblebed_stop

# --- external account binding ---
unset PEBBLE_ALTERNATE_ROOTS
PEBBLE_WFE_NONCEREJECT=5
if pebblebed_start "$T/pebble-eab" --dns "127.0.0.1:$CTS_DPORT" --eab --nosleep &&
    start_cts; then
	csr eab h.example.com
	issue eab0 http-01 eab0 --csr "$T/eab.csr"
	check "EAB required, none configured: clean error" \
	    has eab0.err "requires external account binding"
	issue eab1 http-01 eab1 --csr "$T/eab.csr" \
	    --eab "$PEBBLE_EAB_KID:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	check "EAB with a wrong key: problem reported" \
	    has eab1.err "new account: urn:ietf:params:acme:error:"
	check "EAB with a wrong key: no account saved" \
	    sh -c "! find '$T/eab1' -name account.json | grep -q ."
	check "EAB with the right key: issued" issue eab http-01 eab \
	    --eab "$PEBBLE_EAB_KID:$PEBBLE_EAB_KEY"
	check "EAB key never logged" sh -c "! grep -qF '$PEBBLE_EAB_KEY' '$T'/eab*.err"
	pebblebed_stop
else
	nok "EAB: pebble did not start"
fi

# --- ARI (pebble >= 2.6 from trixie) ---
unset PEBBLE_WFE_NONCEREJECT
pebblebed_start "$T/pebble-ari" --dns "127.0.0.1:$CTS_DPORT" --ari --nosleep
rc=$?
if [ $rc -eq 3 ]; then
	if [ "${CI:-}" = true ]; then
		nok "ARI: a pebble >= 2.6 could not be fetched"
	else
		skip "ARI: a pebble >= 2.6 could not be fetched"
	fi
elif [ $rc -ne 0 ] || ! start_cts; then
	nok "ARI: pebble did not start"
else
	csr ari i.example.com
	check "ARI pebble: issued" issue ari http-01 ari
	check "ARI: renewalInfo window fetched" \
	    probe ari arii --account-dir "$T/ari" --cert "$T/ari.cert"
	check "ARI: window start < end" \
	    sh -c "read s e r <'$T/arii.out' && [ \"\$s\" -lt \"\$e\" ]"
	check "ARI: cert id matches openssl's AKI and serial" \
	    [ "$("$PROBE" certid --cert "$T/ari.cert")" = "$(certid "$T/ari.cert")" ]
	# Pebble indexes a finished order by its serial in a goroutine after
	# the certificate is already served (wfe.go: CompleteOrder, then
	# AddOrderByIssuedSerial), so a renewal right after issuance can be
	# told "could not find order": its race, not ours (the client then
	# orders without replaces, as it should).  Only that message is
	# retried, a few times.
	_try=1
	while :; do
		issue ari http-01 ari --replaces "$T/ari.cert" --out "$T/ari2.cert"
		_rc=$?
		grep -q 'could not find order resulting in the given certificate serial' \
		    "$T/ari.err" && [ "$_try" -lt 5 ] || break
		echo "# pebble had not indexed the order yet (try $_try)"
		_try=$((_try + 1))
		sleep 0.2
	done
	check "ARI: renewal order with replaces" [ "$_rc" -eq 0 ]
	if grep -q 'replaces the current cert' "$T/ari.err" &&
	    ! grep -q 'trying without replaces' "$T/ari.err"; then
		ok "ARI: replaces was accepted"
	else
		nok "ARI: replaces was accepted"
		sed 's/^/   /' "$T/ari.err"
		echo "   replaced: $(openssl x509 -in "$T/ari.cert" -noout -serial)"
	fi
	pebblebed_stop
fi
# --- a hostile "ACME server": openssl s_server -WWW serving files ---
HP=$(free_port)
mkdir -p "$T/www"
head -c 2200000 /dev/zero | tr '\0' ' ' >"$T/www/big.json"
printf '{"newNonce": "x"}' >"$T/www/dir.html"
(cd "$T/www" && exec openssl s_server -quiet -WWW -accept "127.0.0.1:$HP" \
    -cert "$T/pebble/cert.pem" -key "$T/pebble/key.pem") >/dev/null 2>&1 &
SRV_PID=$!
PIDS_SAVED="$PIDS_SAVED $SRV_PID"
_i=0
while [ $_i -lt 50 ] && ! curl -sf --cacert "$T/pebble/ca.pem" \
    "https://127.0.0.1:$HP/dir.html" >/dev/null 2>&1; do
	sleep 0.1
	_i=$((_i + 1))
done
hostile() {	# <log> <path> [ca]
	"$PROBE" account --dir "https://127.0.0.1:$HP/$2" \
	    --ca "${3:-$T/pebble/ca.pem}" --account-dir "$T/hostile" \
	    --who "h:$1" >"$T/$1.out" 2>"$T/$1.err"
	[ $? -eq 1 ]
}
check "oversized body: refused" hostile big big.json
check "oversized body: reported" has big.err "h:big: directory: https://127.0.0.1:$HP/big.json: response body larger than 1048576 bytes"
check "wrong content type: refused" hostile ctype dir.html
check "wrong content type: reported" has ctype.err "h:ctype: directory: expected application/json, got text/html"
check "untrusted HTTPS certificate: refused" hostile tls dir.html /etc/ssl/certs/ca-certificates.crt
check "untrusted HTTPS certificate: reported" has tls.err "h:tls: directory: https://127.0.0.1:$HP/dir.html: SSL certificate problem"
kill "$SRV_PID" 2>/dev/null
check "plain http directory: refused" sh -c "! '$PROBE' account --dir http://127.0.0.1:1/dir --account-dir '$T/h2' 2>'$T/http.err2' && grep -q 'not an https URL' '$T/http.err2'"
finish
