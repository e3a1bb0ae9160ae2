#!/bin/sh
# The console's Plan screen on the private-CA demo, the log file tail
# (growth, rotation, truncation), and the DNS screen against the BIND +
# NSD bed while a lagging secondary catches up: its row shows the serial
# behind and the new _acme-challenge value missing, then both served.
# At 80x24, and the plan at 120x40 too.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/integration/dnsbed.sh"
. "$SRC/tests/integration/dnsstatbed.sh"

# wait_re REGEX [SECONDS]: like wait_for, for an extended regex.
wait_re() {
	_n=$(( ${2:-10} * 20 ))
	while [ "$_n" -gt 0 ]; do
		screen | grep -aqE -- "$1" && return 0
		sleep 0.05
		_n=$((_n - 1))
	done
	echo "--- pane (waiting for /$1/) ---"
	screen
	return 1
}

# wait_all SECONDS REGEX...: until one capture matches every regex.
wait_all() {
	_n=$(( $1 * 20 ))
	shift
	while [ "$_n" -gt 0 ]; do
		screen >"$T/pane"
		_all=1
		for _re in "$@"; do
			grep -aqE -- "$_re" "$T/pane" || { _all=0; break; }
		done
		[ "$_all" = 1 ] && return 0
		sleep 0.05
		_n=$((_n - 1))
	done
	echo "--- pane (waiting for all of: $*) ---"
	cat "$T/pane"
	return 1
}

#
# Plan and log tail on the demo.
#
top=$(new_topdir demo)
SSL_MGR_TOPDIR=$top "$BIN" -renew -roll >"$T/setup.out" 2>&1
check "setup run exits 0" test $? -eq 0
SSL_MGR_TOPDIR=$top "$BIN" -renew -f example.com:web-self >>"$T/setup.out" 2>&1
check "forced renew exits 0" test $? -eq 0

tui_start "$top"
check "services screen" wait_for "example.com (3)"
keys P
check "plan screen title" wait_for "ssl-mgr Plan"
check "plan: a service" wait_for "example.com:web-self"
check "plan: renew not due, with the date" wait_for "renew  not due until 20"
check "plan: the reason is the lifetime curve" wait_for "(lifetime curve:"
check "plan: web-self's next is ready to roll" wait_for \
    "roll   ready to roll: next is"
check "plan: nothing to roll elsewhere" wait_for \
    "roll   nothing to roll: no next"
tmux -L "$SOCK" resize-window -t 0 -x 120 -y 40 2>/dev/null ||
    tmux -L "$SOCK" resize-window -x 120 -y 40
check "plan at 120x40: the last service shows too" wait_for \
    "example.com:wild-self"
keys Escape
check "the key bar at 120 columns names DNS and Plan" wait_for "d DNS  P Plan"
keys P
tmux -L "$SOCK" resize-window -x 80 -y 24
keys '?'
check "help names the plan key" wait_for "plan: what -renew and -roll"
keys Escape

keys l
check "l opens the jobs screen" wait_for "ssl-mgr Jobs"
check "the log file row" wait_for "log file      the tail of"
check "the log tail shows the setup run" wait_for \
    "example.com:web-self: renewed" 5
SSL_MGR_TOPDIR=$top "$BIN" -renew -f example.com:mail-self >/dev/null 2>&1
check "the tail follows a cron run" wait_for \
    "example.com:mail-self: renewed" 5
log=$top/logs/sslm
mv "$log" "$log.1"
echo "2026-01-01 00:00:00  rotated-marker-line" >"$log"
check "rotation is noticed" wait_for "-- log file rotated --" 5
check "the new file is followed" wait_for "rotated-marker-line" 5
: >"$log"
echo "2026-01-01 00:00:01  after-truncation" >>"$log"
check "truncation is noticed" wait_for "-- log file truncated --" 5
check "the truncated file is read again" wait_for "after-truncation" 5
keys :
keys -l "plan example.com:mail-self"
keys Enter
check ":plan runs as a job" wait_for "ssl-mgr plan example.com:mail-self" 10
check ":plan output in the jobs screen" wait_for \
    "renew: not due until" 10
keys d
check "DNS screen without a primary says so" wait_for \
    "no active group (other than ca) has a [[dns_primary]]" 10
keys q
check "q exits 0" wait_for "EXIT=0"

#
# The DNS screen against the bed with the software-default lag.
#
for c in named nsd rndc drill flock; do
	if ! command -v "$c" >/dev/null 2>&1; then
		nok "$c is needed for the DNS screen"
		[ "${CI:-}" = true ] || { finish; exit 77; }
		finish
		exit 1
	fi
done
bed=$T/bed
DNSBED_INCLUDE_DIR=$T/include
export DNSBED_INCLUDE_DIR
mkdir -p "$DNSBED_INCLUDE_DIR"
trap 'dnsbed_stop "$bed"; cleanup' EXIT
if ! dnsbed_start "$bed" --lag >"$T/bed.log" 2>&1; then
	cat "$T/bed.log"
	nok "dns bed starts"
	finish
	exit 1
fi
ok "dns bed started (port $DNSBED_PORT)"
dtop=$T/dtop
dnsstat_topdir "$dtop"
SSL_MGR_TOPDIR=$dtop "$BIN" -renew -roll >"$T/dsetup.out" 2>&1
check "DANE setup run exits 0" test $? -eq 0
dnsstat_both

tui_start "$dtop"
check "services screen (DANE)" wait_for "mail-dane"
keys d
check "DNS screen title" wait_for "ssl-mgr DNS"
check "the zone" wait_for "example.com"
check "the primary's row" wait_re "primary 127\.0\.0\.1 +[0-9]+ "
check "the secondary's row serves curr's TLSA" wait_re \
    "ns2\.example\.com 127\.0\.0\.2 +[0-9]+ +- +([0-9]+)/\1 "
check "nobody behind" wait_gone " behind" 5

# A first change primes BIND's notify-delay; the next one lags seconds.
dnsbed_restart example.com >/dev/null
dnsstat_both
cat >"$DNSBED_INCLUDE_DIR/acme-challenge.example.com" <<'EOF'
;; acme-challenge for : example.com
;; acme-challenge : example.com
_acme-challenge.example.com. 60 IN TXT "screen-pending-1"
EOF
dnsbed_restart example.com >/dev/null
new=$(awk '/; serial/ { print $1; exit }' "$DNSBED_DIR/named/example.com.zone")
dnsbed_wait_serial example.com primary "$new" 10
keys F5
check "the pending TXT value is listed" wait_for \
    "pending TXT _acme-challenge.example.com screen-pending-1" 5
check "the primary serves it" wait_re \
    "primary 127\.0\.0\.1 +$new +1/1 " 5
check "the lagging secondary: serial behind, value missing" wait_re \
    "ns2\.example\.com 127\.0\.0\.2 +[0-9]+ +0/1 .* behind$" 5
check "its serial is the old one" eval \
    "screen | grep 'ns2.example.com 127.0.0.2' | grep -qv ' $new '"
check "the secondary catches up on its own (no key pressed)" wait_re \
    "ns2\.example\.com 127\.0\.0\.2 +$new +1/1 " 25
check "nobody behind any more" wait_gone " behind" 5
check "the screen kept the frame" wait_for "F5 Ask now"

# The dns-01 wait as a run logs it (INFO: in the log file, not on a
# job's output without -v) shows below the servers.
echo "$(date '+%Y-%m-%d %H:%M:%S')   pending: ns2.example.com [127.0.0.2] try 3 (example.com)" \
    >>"$dtop/logs/sslm"
check "the dns-01 wait line of the log shows" wait_for \
    "pending: ns2.example.com [127.0.0.2] try 3" 5

# A dead primary: the child takes seconds, the console keeps answering.
sed -i "s|^    server = '127.0.0.1'|    server = '127.0.0.9'|" \
    "$dtop/conf.d/ssl-mgr.conf"
keys F5
keys '?'
check "keys work while the name servers are asked" wait_for "this help" 2
keys Escape
check "... and the child was still asking then" wait_for "asking again" 1
check "the zone's error" wait_for "discovery at the primary failed" 15
check "core's reason" wait_for "example.com: primary 127.0.0.9" 5
keys q
check "q exits 0 (DNS)" wait_for "EXIT=0"

# A renewed next of the DANE service, old enough (min_roll_mins 0) but
# not yet seen on every name server: the Roll column says the gate holds.
sed -i "s|^    server = '127.0.0.9'|    server = '127.0.0.1'|" \
    "$dtop/conf.d/ssl-mgr.conf"
SSL_MGR_TOPDIR=$dtop "$BIN" -renew -f example.com:mail-dane \
    >"$T/gate.out" 2>&1
check "forced renew of the DANE service exits 0" test $? -eq 0
tui_start "$dtop"
check "the Roll column: the gate holds next" wait_re \
    "mail-dane .*gate: waiting"
keys q
check "q exits 0 (gate)" wait_for "EXIT=0"

# ns2 silent (NSD stopped, not killed): the roll's gate check waits for
# it, records whom, and the Roll column names it ("gate: ns2" at 80
# columns, "gate: waiting for ns2" where the column has room).
nsd_pids="$(cat "$bed/nsd.pid") $(_dnsbed_kids "$(cat "$bed/nsd.pid")")"
kill -STOP $nsd_pids
SSL_MGR_TOPDIR=$dtop "$BIN" -roll example.com:mail-dane >"$T/gate2.out" 2>&1
check "a roll held by the gate exits 0" test $? -eq 0
check "... and its log says which NS it waits for" grep -q \
    "mail-dane: dane gate: ns2.example.com" "$dtop/logs/sslm"
kill -CONT $nsd_pids
check "the service dir notes the NS" sh -c "grep -qx 'ns2.example.com' '$dtop'/certs/example.com/mail-dane/.gate-waiting"
check "... not the set (production copies it)" sh -c "! grep -q ns2 '$dtop'/certs/example.com/mail-dane/next/dane-visible 2>/dev/null"
tui_start "$dtop"
check "the Roll column names the NS (80 columns)" wait_re \
    "mail-dane .*gate: ns2"
keys q
check "q exits 0 (gate ns2)" wait_for "EXIT=0"
new_server
tmux -L "$SOCK" -f /dev/null new-session -d -x 132 -y 40 \
    "env SSL_MGR_TOPDIR='$dtop' XDG_STATE_HOME='$T/state' '$BIN' tui; \
    echo EXIT=\$?; exec sleep 600"
check "the Roll column says it in full where there is room (132)" \
    wait_re "mail-dane .*gate: waiting for ns2"
keys q
check "q exits 0 (gate, 132 columns)" wait_for "EXIT=0"

#
# A dns-01 job from the console (pebble): the DNS screen shows its wait.
#
if ! command -v pebble >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		nok "pebble is needed for the dns-01 part"
	else
		echo "# pebble not installed: dns-01 part skipped"
	fi
	finish
	exit
fi
. "$SRC/tests/integration/pebblebed.sh"
trap 'pebblebed_stop; dnsbed_stop "$bed"; cleanup' EXIT
PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0
export PEBBLE_VA_NOSLEEP PEBBLE_AUTHZREUSE
if ! pebblebed_start "$T/pebble" --dns "127.0.0.1:$DNSBED_PORT" \
    >"$T/pebble.log" 2>&1; then
	cat "$T/pebble.log"
	nok "pebble starts"
	finish
	exit 1
fi
: >"$DNSBED_INCLUDE_DIR/acme-challenge.example.com"
atop=$T/atop
dnsstat_topdir "$atop"
cat >>"$atop/conf.d/ca-info.conf" <<CA

[pebble-dns]
    ca_desc = 'pebble, dns-01'
    ca_type = 'acme'
    ca_validation = 'dns-01'
    ca_acme_directory = '$PEBBLE_URL'
    ca_acme_ca_file = '$PEBBLE_CA'
CA
cat >"$atop/conf.d/example.com/dns01" <<'SVC'
name = 'dns-01 web'
group = 'example.com'
service = 'dns01'
signing_ca = 'pebble-dns'

[KeyOpts]
    ktype = 'ec'
    ec_algo = 'secp256r1'

[X509]
    CN = 'example.com'
    O = 'Example Org'
    C = 'US'
    sans = ['www.example.com']
SVC
sed -i "s|services = \['mail-dane'\]|services = ['dns01']|" \
    "$atop/conf.d/ssl-mgr.conf"
tui_start "$atop"
check "services screen (dns-01)" wait_for "dns01"
# Prime BIND's notify-delay: the job's own reload then lags seconds.
dnsbed_restart example.com >/dev/null
dnsstat_both
keys :
keys -l "renew example.com:dns01"
keys Enter
keys d
check "the job runs" wait_for "job 1 running: ssl-mgr -renew example.com:dns01" 10
# One capture must show the value pending, served by the primary and not
# yet by the lagging secondary: the wait lasts a few seconds only.
check "the job's wait: values pending, the primary serves them, the lagging secondary not yet" \
    wait_all 20 \
    "pending TXT _acme-challenge\.www\.example\.com [A-Za-z0-9_-]{20,}" \
    "primary 127\.0\.0\.1 +[0-9]+ +([1-9])/\1 " \
    "ns2\.example\.com 127\.0\.0\.2 +[0-9]+ +0/[1-9] .* behind$"
check "the wait as the log file tells it" wait_for \
    "dns-01: every name server serves the challenges" 30
keys j
check "the job ends well" wait_re " [0-9]+ +exit 0 +ssl-mgr -renew example.com:dns01" 60
keys d
check "the challenge is gone from the zone after the job" wait_gone \
    "pending TXT" 15
check "the certificate was issued into next or curr" sh -c \
    "ls '$atop'/certs/example.com/dns01/*/cert.pem >/dev/null 2>&1"
keys q
check "q exits 0 (dns-01)" wait_for "EXIT=0"
finish
