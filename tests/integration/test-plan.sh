#!/bin/sh
# "ssl-mgr plan" on the private-CA demo: what -renew and -roll would do now
# and why, before and after the renewal date (faketime), with a waiting
# next, as JSON, and that it writes nothing and agrees with a real run.
. "$(dirname "$0")/lib.sh"

if ! command -v faketime >/dev/null 2>&1; then
	echo "faketime is missing (scripts/install-deps --test installs it)"
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi
# faketime preloads itself; ASan wants to be first otherwise.
ft() {
	_top=$1
	_off=$2
	shift 2
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    SSL_MGR_TOPDIR=$_top faketime -f "$_off" "$BIN" "$@" \
	    >"$T/out" 2>"$T/err"
	RC=$?
}
tree_sum() { find "$1/certs" -printf '%p %T@ %s %l\n' | sort | md5sum; }

top=$(new_topdir demo)
sslm "$top" plan
check "plan before the first run exits 0" eq "$RC" 0
check "plan: the first certificate" contains "$T/out" \
    "renew: no curr: issues the first certificate"
check "plan: it changed nothing" test ! -e "$top/certs"
# Five minutes ago, so that the forced renew below gives next a later
# notAfter than curr even within the same second (what makes it "waiting").
ft "$top" -5m -renew -roll
check "setup run exits 0" eq "$RC" 0

before=$(tree_sum "$top")
sslm "$top" plan example.com:web-self
check "plan of one service exits 0" eq "$RC" 0
check "only that service" eq "$(grep -c '^[a-z.-]*:[a-z-]*$' "$T/out")" 1
check "not due until a date 60 days away" contains "$T/out" \
    "renew: not due until"
check "with the curve as the reason" contains "$T/out" \
    "lifetime curve: 30.0 days before expiry of a 90 day cert"
check "nothing to roll" contains "$T/out" "roll:  nothing to roll: no next"

ft "$top" +61d plan example.com
check "61 days later: plan exits 0" eq "$RC" 0
check "61 days later: every service due" eq \
    "$(grep -c 'renew: due since' "$T/out")" 3
ft "$top" +61d plan --json example.com:mail-self
check "JSON schema" contains "$T/out" '"schema":"ssl-mgr-plan/1"'
check "JSON action" contains "$T/out" '"renew":{"action":"due"'
check "JSON roll" contains "$T/out" '"roll":{"action":"none","at":null'
check "plan wrote nothing" eq "$(tree_sum "$top")" "$before"

# A renewed next: the roll waits for min_roll_mins, or is ready.
sslm "$top" -renew -f example.com:web-self
check "forced renew exits 0" eq "$RC" 0
sslm "$top" plan -roll-mins 90 example.com:web-self
check "roll waits for min_roll_mins" contains "$T/out" \
    "roll:  next present, roll in 1h"
sslm "$top" plan --json -roll-mins 90 example.com:web-self
check "JSON: too-soon with a time" contains "$T/out" \
    '"roll":{"action":"too-soon","at":'
sslm "$top" plan example.com:web-self
check "min_roll_mins 0 (config): ready to roll" contains "$T/out" \
    "roll:  ready to roll: next is"
ft "$top" +61d plan example.com:web-self
check "due, but the renewed next waits" contains "$T/out" \
    "a renewed cert waits in next: roll it first"

# The plan agrees with what a run does 61 days on.
ft "$top" +61d plan example.com:mail-self example.com:wild-self
due=$(grep -c 'renew: due since' "$T/out")
ft "$top" +61d -renew example.com:mail-self example.com:wild-self
check "the run 61 days on exits 0" eq "$RC" 0
check "plan said due and the run renewed both" eq "$due:$(ls -d \
    "$top"/certs/example.com/mail-self/next \
    "$top"/certs/example.com/wild-self/next 2>/dev/null | wc -l)" "2:2"

sslm "$top" plan nosuchgroup
check "unknown group: exit 2" eq "$RC" 2
check "unknown group: says so" contains "$T/err" "No such group"
sslm "$top" plan --bogus
check "bad option: exit 2" eq "$RC" 2
finish
