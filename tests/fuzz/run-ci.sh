#!/bin/sh
# run-ci.sh FUZZER DICT SEEDDIR [SEEDDIR...] - the short CI run of one
# libFuzzer target: 20 seconds (FUZZ_SECONDS) over the seed corpora, 25
# seconds at most per input (5 once failed on a loaded 2-core machine for
# an input that runs in 3 ms: ASan's madvise stalled).  New inputs and
# crash reproducers go to a scratch directory, never into the source tree
# (libFuzzer writes into its first corpus directory).
# DICT may be '' for none.  Exit status: libFuzzer's (non-zero on a crash,
# a leak, a timeout or an out-of-memory).
set -u
fuzzer=$1
dict=$2
shift 2
work=$(mktemp -d "${TMPDIR:-/tmp}/sslm-fuzz-ci.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/corpus" "$work/artifacts" || exit 1
# A 16 MB ASan quarantine: see run-long.sh.
ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16:malloc_context_size=8}
export ASAN_OPTIONS
set -- -max_total_time="${FUZZ_SECONDS:-20}" -timeout=25 -rss_limit_mb=2048 \
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
