#!/bin/sh
# test-challenge.sh - core/challenge (through tests/challenge-probe) on real
# servers: BIND primary + NSD secondary (tests/integration/dnsbed.sh) whose
# zones $INCLUDE our acme-challenge files, and nginx serving a web root.
#  - dns-01 batch over example.com and example.net with a wildcard and its
#    base: the include files (every acme_dir), ONE DNS restart for both
#    zones, the wait ends as soon as every server serves every value, far
#    before dns_check_delay (60 s);
#  - a secondary whose transfers are stopped (SIGSTOP of NSD's xfrd): the
#    wait gives up at the test's limit naming that server, exit 1;
#  - cleanup: header-only files, one restart, the TXT gone from both;
#  - --lag bed: the secondary lags seconds behind, the wait waits, then
#    succeeds;
#  - http-01 on this host: the token served by nginx on loopback with the
#    exact key authorization, mode 0644, removed by the cleanup (a new
#    process, from the web-tokens record).
# Env: SSLM_SOURCE_ROOT, SSLM_BIN (lib.sh; any file will do),
# CHALLENGE_PROBE (the challenge-probe binary).  Exit 77 (skip) when
# bind9/nsd/nginx are missing, unless CI.
: "${SSLM_SOURCE_ROOT:?SSLM_SOURCE_ROOT must name the source tree}"
# shellcheck source=lib.sh
. "$SSLM_SOURCE_ROOT/tests/integration/lib.sh"
# shellcheck source=dnsbed.sh
. "$SRC/tests/integration/dnsbed.sh"
PROBE=${CHALLENGE_PROBE:?CHALLENGE_PROBE must name the challenge-probe binary}

NGINX_PID=
XFRD_STOPPED=
cleanup() {
	[ -n "$XFRD_STOPPED" ] && kill -CONT "$XFRD_STOPPED" 2>/dev/null
	if [ -n "$NGINX_PID" ]; then
		kill "$NGINX_PID" 2>/dev/null
		wait "$NGINX_PID" 2>/dev/null
	fi
	dnsbed_stop "$T/bed"
	dnsbed_stop "$T/lag"
	if [ "$FAIL" -gt 0 ] &&
	    _keep=$(mktemp -d "${TMPDIR:-/tmp}/test-challenge-fail.XXXXXX"); then
		cp -R "$T"/. "$_keep"/ 2>/dev/null
		echo "# failed run kept in $_keep"
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

for c in named nsd rndc drill flock nginx curl; do
	if ! command -v "$c" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$c" ]; then
		echo "$c not installed"
		[ "${CI:-}" = true ] && exit 1
		exit 77
	fi
done
PATH=$PATH:/usr/sbin

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# Base64url values like real ones (43 characters).
V1=LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0
V2=gfj9Xq-Rg0zHl4Kx2vJ7cM1nB6sP_aE3dW5tY8uI0oQ
V3=Zm9vYmFyYmF6cXV4LXF1dXhfY29yZ2VncmF1bHRnYXJw
V4=bmV0LWFwZXgtdmFsdWUtZm9yLXRoZS10ZXN0LXJ1bjE
V5=d2lsZGNhcmQtbmV0LXZhbHVlLWZvci10aGUtdGVzdDI

# write_config <include dir> <check delay> [<xtra list>]: the probe's topdir.
top=$T/top
write_config() {
	mkdir -p "$top/conf.d" "$T/acme2"
	: >"$top/conf.d/ca-info.conf"
	cat >"$top/conf.d/ssl-mgr.conf" <<CONF
[globals]
    prod_cert_dir = '$T/prod'
    logdir = '$T/logs'
    dns_check_delay = $2
    dns_ns_port = $DNSBED_PORT
    dns_xtra_ns = ${3:-[]}

[[groups]]
    domain = 'example.com'
    services = ['web']
    active = true

[[dns_primary]]
    domain = 'default'
    server = '127.0.0.1'
    port = $DNSBED_PORT

[dns]
    restart_cmd = '$DNSBED_RESTART'
    acme_dir = ['$1', '$T/acme2']

[web]
    servers = []
    server_dir = '$T/www'
CONF
}
probe() {
	SSL_MGR_TOPDIR=$top "$PROBE" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}
restarts() { wc -l <"$DNSBED_DIR/restarts.log" | tr -d ' '; }
# serves <server> <name> <value>...: every value is in the TXT answer.
serves() {
	_s=$1 _n=$2
	shift 2
	dnsbed_dig "$_s" TXT "$_n" >"$T/dig"
	for _v; do grep -qF "\"$_v\"" "$T/dig" || return 1; done
}
no_txt() { dnsbed_dig "$1" TXT "$2" >"$T/dig"; ! grep -q . "$T/dig"; }
# until_true <secs> cmd...: polls every 0.1 s.
until_true() {
	_w=$(($1 * 10))
	shift
	while [ "$_w" -gt 0 ]; do
		"$@" && return 0
		_w=$((_w - 1))
		sleep 0.1
	done
	return 1
}
elapsed_of() { awk '/^elapsed / { print $2 }' "$T/out"; }
# lt <a> <b>: a < b for decimals.
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }

# --- 1. dns-01 on the fast bed, dns_check_delay 60 ---------------------------
DNSBED_INCLUDE_DIR=$T/include
export DNSBED_INCLUDE_DIR
if ! dnsbed_start "$T/bed" >"$T/bed.log" 2>&1; then
	cat "$T/bed.log"
	nok "dns bed starts"
	finish
	exit
fi
ok "dns bed started (port $DNSBED_PORT, secondary $DNSBED_SECONDARY)"
if [ "$DNSBED_SECONDARY_PORT" != "$DNSBED_PORT" ]; then
	echo "SKIP: the secondary is not on 127.0.0.2 here"
	exit 77
fi
write_config "$DNSBED_INCLUDE_DIR" 60

r0=$(restarts)
t0=$(now_ms)
probe dns-run example.com:example.com:$V1 'example.com:*.example.com:'$V2 \
    example.com:www.example.com:$V3 example.net:example.net:$V4 \
    'example.net:*.example.net:'$V5
t1=$(now_ms)
check "batch: put + wait exits 0" eq "$RC" 0
echo "# batch wait: $(elapsed_of) s inside the wait, $((t1 - t0)) ms in all"
check "batch: ended early (well before dns_check_delay 60 s)" \
    test $((t1 - t0)) -lt 15000
check "batch: exactly one DNS restart" eq "$(restarts)" $((r0 + 1))
check "batch: the restart named both zones" sh -c \
    "tail -n 1 '$DNSBED_DIR/restarts.log' | grep -q 'example.com=.* example.net='"
cat >"$T/want.com" <<EOF
;; acme-challenge for : example.com
;; acme-challenge : example.com
_acme-challenge.example.com. 60 IN TXT "$V1"
_acme-challenge.example.com. 60 IN TXT "$V2"
_acme-challenge.www.example.com. 60 IN TXT "$V3"
EOF
check "include file: exact text (wildcard + base at one name)" \
    cmp -s "$T/want.com" "$DNSBED_INCLUDE_DIR/acme-challenge.example.com"
check "include file: mode 0644" \
    eq "$(mode_of "$DNSBED_INCLUDE_DIR/acme-challenge.example.com")" 644
check "second acme_dir: same files" cmp -s "$T/want.com" \
    "$T/acme2/acme-challenge.example.com"
check "second acme_dir: example.net too" cmp -s \
    "$DNSBED_INCLUDE_DIR/acme-challenge.example.net" \
    "$T/acme2/acme-challenge.example.net"
check "report: ns2.example.com served" grep -q \
    '^view example.com ns ns2.example.com 127.0.0.2 served' "$T/out"
check "report: ns2.example.net served" grep -q \
    '^view example.net ns ns2.example.net 127.0.0.2 served' "$T/out"
for s in primary secondary; do
	check "$s serves both values at _acme-challenge.example.com" \
	    serves $s _acme-challenge.example.com "$V1" "$V2"
	check "$s serves _acme-challenge.www.example.com" \
	    serves $s _acme-challenge.www.example.com "$V3"
	check "$s serves both example.net values" \
	    serves $s _acme-challenge.example.net "$V4" "$V5"
done

# --- 2. a secondary that never updates: give up at the limit ----------------
# NSD's pid file names its xfrd: stopped, it serves the old zone forever.
# The xtra server 127.0.0.3 has no server at all.
write_config "$DNSBED_INCLUDE_DIR" 60 "['127.0.0.3']"
XFRD_STOPPED=$(cat "$DNSBED_DIR/nsd.pid")
kill -STOP "$XFRD_STOPPED"
t0=$(now_ms)
probe dns-run -p 0 -l 4 example.com:example.com:$V3
t1=$(now_ms)
kill -CONT "$XFRD_STOPPED"
XFRD_STOPPED=
cp "$T/out" "$T/giveup.out"
cp "$T/err" "$T/giveup.err"
echo "# give-up: $(elapsed_of) s inside the wait, $((t1 - t0)) ms in all"
check "give-up: exit 1" eq "$RC" 1
check "give-up: reported as a timeout" grep -q '^elapsed .* timeout$' "$T/out"
check "give-up: more than one pass" \
    grep -Eq '^elapsed .* passes ([2-9]|[1-9][0-9]) ' "$T/out"
check "give-up: after the limit, not before" test $((t1 - t0)) -ge 3900
check "give-up: not long after the limit" test $((t1 - t0)) -lt 9000
check "give-up: names ns2 and the missing value" grep -q \
    "^failure ns2.example.com \[127.0.0.2\]: _acme-challenge.example.com \
TXT \"$V3\" missing (serial [0-9]*, primary [0-9]*)" \
    "$T/out"
check "give-up: the xtra server was checked" grep -q \
    '^view example.com xtra 127.0.0.3 127.0.0.3 pending' "$T/out"
check "give-up: names the dead xtra server" grep -q \
    "^failure 127.0.0.3: _acme-challenge.example.com TXT [A-Z]" "$T/out"
write_config "$DNSBED_INCLUDE_DIR" 60
check "give-up: the primary is not named" not_contains "$T/out" \
    "failure 127.0.0.1"
check "give-up: logged as an error" contains "$T/err" \
    "name server(s) not updated"
check "give-up: progress lines" contains "$T/err" \
    " pending: ns2.example.com [127.0.0.2] try 1 (example.com)"
check "give-up: the healthy servers were ok at the first pass" grep -q \
    '^view example.com ns ns1.example.com 127.0.0.1 served tries=1 ' \
    "$T/giveup.out"

# --- 3. cleanup -------------------------------------------------------------
r0=$(restarts)
probe dns-cleanup example.com example.net
check "cleanup: exit 0" eq "$RC" 0
check "cleanup: one restart" eq "$(restarts)" $((r0 + 1))
printf ';; acme-challenge for : example.com\n;; acme-challenge : example.com\n' \
    >"$T/hdr.com"
check "cleanup: header-only file" cmp -s "$T/hdr.com" \
    "$DNSBED_INCLUDE_DIR/acme-challenge.example.com"
check "cleanup: header-only in the second acme_dir" cmp -s "$T/hdr.com" \
    "$T/acme2/acme-challenge.example.com"
check "cleanup: example.net header-only" eq \
    "$(grep -c . "$T/acme2/acme-challenge.example.net")" 2
for s in primary secondary; do
	check "cleanup: $s serves no TXT any more" \
	    until_true 10 no_txt $s _acme-challenge.example.com
done

# --- 4. http-01 on this host through nginx ----------------------------------
port=$(free_port)
mkdir -p "$T/www/example.com"
# The workers must reach the web root ($T is 0700 from mktemp).
chmod 755 "$T"
. "$(dirname "$0")/nginxbed.sh"
nginxbed_start "$T/ng" "$port" "$T/www/example.com"
url=http://127.0.0.1:$port/.well-known/acme-challenge
nginx_up() { curl -s -o /dev/null "$url/none"; }
if ! until_true 10 nginx_up; then
	cat "$T/ng/out" "$T/ng/logs/error.log"
	nok "nginx starts"
	finish
	exit
fi
ok "nginx started on 127.0.0.1:$port"
TOK=evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA
KA=$TOK.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI
probe http-put "$T/cb" example.com "$TOK" "$KA"
check "http-put exits 0" eq "$RC" 0
tokfile=$T/www/example.com/.well-known/acme-challenge/$TOK
check "token file mode 0644" eq "$(mode_of "$tokfile")" 644
check "token dir mode 0755" eq \
    "$(mode_of "$T/www/example.com/.well-known/acme-challenge")" 755
bytes() { od -An -c | tr -d ' \n'; }
check "token file holds the exact key authorization (no newline)" eq \
    "$(bytes <"$tokfile")" "$(printf %s "$KA" | bytes)"
check "nginx serves the key authorization" eq \
    "$(curl -s "$url/$TOK")" "$KA"
check "web-tokens records it" contains "$T/cb/web-tokens" "$tokfile"
probe http-cleanup "$T/cb"
check "http-cleanup exits 0" eq "$RC" 0
check "token file removed" test ! -e "$tokfile"
check "nginx: 404 after the cleanup" eq \
    "$(curl -s -o /dev/null -w '%{http_code}' "$url/$TOK")" 404
check "web-tokens emptied" is_empty "$T/cb/web-tokens"
kill "$NGINX_PID"
wait "$NGINX_PID" 2>/dev/null
NGINX_PID=

# --- 5. --lag: the secondary lags seconds behind ----------------------------
dnsbed_stop "$T/bed"
DNSBED_INCLUDE_DIR=$T/include-lag
export DNSBED_INCLUDE_DIR
if ! dnsbed_start "$T/lag" --lag >"$T/lag.log" 2>&1; then
	cat "$T/lag.log"
	nok "lag bed starts"
	finish
	exit
fi
ok "lag bed started (port $DNSBED_PORT)"
write_config "$DNSBED_INCLUDE_DIR" 60
# A first change, then at once a second: BIND's notify-delay (5 s) holds
# the second NOTIFY back, so the secondary lags by seconds.
probe dns-put example.com:example.com:$V1
check "lag: first put exits 0" eq "$RC" 0
t0=$(now_ms)
probe dns-run example.com:example.com:$V2 'example.com:*.example.com:'$V3
t1=$(now_ms)
echo "# lag wait: $(elapsed_of) s inside the wait, $((t1 - t0)) ms in all"
check "lag: the wait succeeds" eq "$RC" 0
check "lag: it waited (ns2 pending at first)" grep -Eq \
    '^view example.com ns ns2.example.com 127.0.0.2 served tries=([2-9]|[1-9][0-9])' \
    "$T/out"
check "lag: and ended early (before dns_check_delay 60 s)" \
    test $((t1 - t0)) -lt 30000
check "lag: progress was logged" contains "$T/err" \
    " pending: ns2.example.com [127.0.0.2] try 1"
check "lag: secondary serves both values now" \
    serves secondary _acme-challenge.example.com "$V2" "$V3"
check "lag: the first value is gone" sh -c \
    "! grep -qF '$V1' '$DNSBED_INCLUDE_DIR/acme-challenge.example.com'"
probe dns-cleanup example.com
check "lag: cleanup exits 0" eq "$RC" 0
finish
