#!/bin/sh
# run.sh - runs a toml-test style decoder over a corpus:
#	run.sh <decoder> <json-eq> <corpus-dir>
#	run.sh <decoder> <corpus-dir>	(json-eq built from corpus-dir/json-eq.c)
# Every valid/<name>.toml must decode (exit 0) to JSON equal to
# valid/<name>.json; every invalid/<name>.toml must exit 1 with a
# "name:line:col: message" on stderr.  Prints each failure and a final
# "toml corpus: N passed, M failed"; exits 1 when anything failed.

usage() {
	echo "usage: run.sh <decoder> [<json-eq>] <corpus-dir>" >&2
	exit 2
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/toml-corpus.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

case $# in
3)	decoder=$1 jsoneq=$2 corpus=$3 ;;
2)	decoder=$1 corpus=$2
	jsoneq=$tmp/json-eq
	# shellcheck disable=SC2046
	if ! ${CC:-cc} -std=c17 -o "$jsoneq" "$corpus/json-eq.c" \
	    $(pkg-config --cflags --libs jansson 2>/dev/null || echo -ljansson) \
	    -lm; then
		echo "run.sh: cannot build json-eq" >&2
		exit 2
	fi ;;
*)	usage ;;
esac
[ -x "$decoder" ] || { echo "run.sh: $decoder: not executable" >&2; exit 2; }
[ -d "$corpus/valid" ] || { echo "run.sh: $corpus/valid: no such directory" >&2; exit 2; }

pass=0
fail=0

for t in "$corpus"/valid/*.toml "$corpus"/valid/*/*.toml; do
	[ -f "$t" ] || continue
	name=${t#"$corpus"/}
	exp=${t%.toml}.json
	if ! "$decoder" <"$t" >"$tmp/out.json" 2>"$tmp/err"; then
		echo "FAIL $name: rejected: $(head -n 1 "$tmp/err")"
		fail=$((fail + 1))
	elif [ ! -f "$exp" ]; then
		echo "FAIL $name: no ${exp#"$corpus"/}"
		fail=$((fail + 1))
	elif ! "$jsoneq" "$exp" "$tmp/out.json" 2>"$tmp/err"; then
		echo "FAIL $name: $(head -n 1 "$tmp/err")"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done

for t in "$corpus"/invalid/*.toml "$corpus"/invalid/*/*.toml; do
	[ -f "$t" ] || continue
	name=${t#"$corpus"/}
	"$decoder" <"$t" >/dev/null 2>"$tmp/err"
	rc=$?
	msg=$(head -n 1 "$tmp/err")
	if [ "$rc" -ne 1 ]; then
		echo "FAIL $name: exit $rc, expected 1"
		fail=$((fail + 1))
	elif ! printf '%s\n' "$msg" | grep -Eq '^[^:]+:[0-9]+:[0-9]+: .'; then
		echo "FAIL $name: message not name:line:col: ...: $msg"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done

echo "toml corpus: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
