# lib.sh - shared helpers for the integration tests (POSIX sh).
# Each test gets its own temp dir; counts are printed as "N passed, N failed".
set -u
BIN=${SSLM_BIN:?SSLM_BIN must name the ssl-mgr binary}
SRC=${SSLM_SOURCE_ROOT:?SSLM_SOURCE_ROOT must name the source tree}
. "$SRC/tests/integration/freeport.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/sslm-test.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
PASS=0
FAIL=0

ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
nok() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
# check "description" command...: passes when the command succeeds.
check() {
	_d=$1
	shift
	if "$@"; then ok "$_d"; else nok "$_d"; fi
}
finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}
# A fresh topdir holding a copy of conf-examples/<example>/conf.d.
new_topdir() {
	_t="$T/$1"
	mkdir -p "$_t"
	cp -R "$SRC/conf-examples/${2:-ca-self}/conf.d" "$_t/"
	echo "$_t"
}
# sslm TOPDIR args...: runs ssl-mgr with SSL_MGR_TOPDIR, stdout to
# $T/out, stderr to $T/err, exit status to $RC.
sslm() {
	_top=$1
	shift
	SSL_MGR_TOPDIR="$_top" "$BIN" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}
mode_of() { stat -c %a "$1"; }
contains() { grep -qF -- "$2" "$1"; }
not_contains() { ! grep -qF -- "$2" "$1"; }
is_empty() { [ ! -s "$1" ]; }
eq() { [ "$1" = "$2" ]; }
