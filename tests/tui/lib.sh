# lib.sh - drive the console in a private tmux server (POSIX sh).
# Never sleeps blindly: wait_for polls capture-pane until text appears.
set -u
BIN=${SSLM_BIN:?SSLM_BIN must name the ssl-mgr binary}
SRC=${SSLM_SOURCE_ROOT:?SSLM_SOURCE_ROOT must name the source tree}
# In CI a missing tmux is a failure, not a skip (tests/README rule).
if ! command -v tmux >/dev/null 2>&1; then
	[ "${CI:-}" = true ] && { echo "tmux not found (CI=true)"; exit 1; }
	echo "tmux not found: skipped"
	exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/sslm-tui.XXXXXX")
SOCK="sslm-tui-$$-0"
NSOCK=0
PASS=0
FAIL=0
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
nok() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
check() {
	_d=$1
	shift
	if "$@"; then ok "$_d"; else nok "$_d"; fi
}
finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}
new_topdir() {
	_t="$T/$1"
	mkdir -p "$_t"
	cp -R "$SRC/conf-examples/${2:-ca-self}/conf.d" "$_t/"
	echo "$_t"
}
# tui_start TOPDIR [env assignments...]: the console in an 80x24 window;
# when it exits the pane shows "EXIT=<status>" and stays.
tui_start() {
	_top=$1
	shift
	new_server
	tmux -L "$SOCK" -f /dev/null new-session -d -x 80 -y 24 \
	    "env ${TUI_TERM:+TERM=$TUI_TERM} SSL_MGR_TOPDIR='$_top' \
	    XDG_STATE_HOME='$T/state' $* '$BIN' tui; echo EXIT=\$?; \
	    exec sleep 600"
}
# A fresh tmux server (socket) per session: reusing the name of one that
# is shutting down races with its exit.
new_server() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	NSOCK=$((NSOCK + 1))
	SOCK="sslm-tui-$$-$NSOCK"
}
keys() { tmux -L "$SOCK" send-keys "$@"; }
screen() { tmux -L "$SOCK" capture-pane -p; }
# wait_for TEXT [SECONDS]: poll every 50 ms; 0 once the pane shows TEXT.
wait_for() {
	_n=$(( ${2:-10} * 20 ))
	while [ "$_n" -gt 0 ]; do
		screen | grep -aqF -- "$1" && return 0
		sleep 0.05
		_n=$((_n - 1))
	done
	echo "--- pane (waiting for '$1') ---"
	screen
	return 1
}
# wait_gone TEXT [SECONDS]: until the pane no longer shows TEXT.
wait_gone() {
	_n=$(( ${2:-10} * 20 ))
	while [ "$_n" -gt 0 ]; do
		screen | grep -aqF -- "$1" || return 0
		sleep 0.05
		_n=$((_n - 1))
	done
	return 1
}
# wait_file COND PATH [SECONDS]: until test COND PATH holds.
wait_true() {
	_n=$(( ${WAIT_SECS:-10} * 20 ))
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		_n=$((_n - 1))
	done
	return 1
}
# wait_re REGEX [SECONDS]: as wait_for, for a basic regular expression
# (a row that shows two things at once).
wait_re() {
	_n=$(( ${2:-10} * 20 ))
	while [ "$_n" -gt 0 ]; do
		screen | grep -aq -- "$1" && return 0
		sleep 0.05
		_n=$((_n - 1))
	done
	echo "--- pane (waiting for /$1/) ---"
	screen
	return 1
}
