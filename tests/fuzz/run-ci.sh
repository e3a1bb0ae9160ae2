#!/bin/sh
# run-ci.sh FUZZER DICT SEEDDIR [SEEDDIR...] - the short CI run of one
# libFuzzer target: 20 seconds over the seed corpora, 5 seconds at most per
# input.  New inputs and crash reproducers go to a scratch directory, never
# into the source tree (libFuzzer writes into its first corpus directory).
# DICT may be '' for none.  Exit status: libFuzzer's (non-zero on a crash,
# a leak, a timeout or an out-of-memory).
set -u
fuzzer=$1
dict=$2
shift 2
work=$(mktemp -d "${TMPDIR:-/tmp}/sslm-fuzz-ci.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/corpus" "$work/artifacts" || exit 1
set -- -max_total_time="${FUZZ_SECONDS:-20}" -timeout=5 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    "$work/corpus" "$@"
[ -n "$dict" ] && set -- -dict="$dict" "$@"
"$fuzzer" "$@"
rc=$?
# Keep what it found where a developer can reach it before the trap.
if [ "$rc" -ne 0 ] && [ -n "$(ls "$work/artifacts")" ]; then
	keep=${TMPDIR:-/tmp}/sslm-fuzz-crash.$$
	cp -R "$work/artifacts" "$keep"
	echo "reproducers kept in $keep" >&2
fi
exit "$rc"
