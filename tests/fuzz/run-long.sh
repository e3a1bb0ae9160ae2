#!/bin/sh
# run-long.sh - the bench run of the libFuzzer targets: each one for
# RUNS executions (default 10 million) over a scratch copy of its seed
# corpus, then one line per target with the executions, the time, execs/s
# and the outcome.  Crash, leak and timeout reproducers are kept in
# OUT/<target>/artifacts.
#
# usage: tests/fuzz/run-long.sh BUILDDIR [target ...]
#   BUILDDIR is a build configured with CC=clang -Dfuzzing=true; the
#   targets default to every fuzz-* executable in BUILDDIR/tests/fuzz.
# environment:
#   RUNS      executions per target (10000000)
#   MAXTIME   seconds per target at most (0: no limit); a target stopped by
#             it is reported as "not reached", never as a pass
#   PARALLEL  targets run at once (1); each uses one core
#   OUT       where corpora, logs and artifacts go (a new temp dir)
#
# Exit status 0 when every target ran its RUNS without a finding.
set -u
[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [target ...]" >&2; exit 2; }
build=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
runs=${RUNS:-10000000}
maxtime=${MAXTIME:-0}
# A 16 MB quarantine instead of 256 MB: the freed-memory window is still
# far larger than what one input allocates (so use-after-free is still
# seen), but the allocator stops touching fresh pages on every input,
# which was most of the time of the OpenSSL-heavy targets (pem: 0.9 k
# -> 2.1 k execs/s).  Shorter allocation stacks: the reports only.
ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16:malloc_context_size=8}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export ASAN_OPTIONS UBSAN_OPTIONS
par=${PARALLEL:-1}
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/sslm-fuzz-long.XXXXXX")}
mkdir -p "$out" || exit 1

if [ $# -eq 0 ]; then
	for f in "$build"/tests/fuzz/fuzz-*; do
		[ -x "$f" ] && set -- "$@" "${f##*/fuzz-}"
	done
fi
[ $# -ge 1 ] || { echo "$0: no fuzz-* targets in $build/tests/fuzz" >&2
	exit 2; }

# one TARGET: runs it, writes $out/TARGET/result.
one() {
	_t=$1
	_d=$out/$_t
	mkdir -p "$_d/corpus" "$_d/artifacts"
	# Seeds are copied: libFuzzer adds to its first corpus directory.
	cp "$here/corpus/$_t"/* "$_d/corpus/" 2>/dev/null
	# -timeout=25, not 5: on a shared 2-core machine ASan's madvise
	# alone once stalled an input for 6 s (its reproducer runs in 3 ms).
	set -- -runs="$runs" -max_total_time="$maxtime" -timeout=25 \
	    -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$_d/artifacts/" \
	    "$_d/corpus"
	[ -f "$here/fuzz-$_t.dict" ] && set -- -dict="$here/fuzz-$_t.dict" "$@"
	[ "$_t" = toml ] && set -- "$@" "$here/../toml/valid" \
	    "$here/../toml/invalid"
	_start=$(date +%s)
	"$build/tests/fuzz/fuzz-$_t" "$@" >"$_d/log" 2>&1
	_rc=$?
	_secs=$(($(date +%s) - _start))
	_n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$_d/log")
	_rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$_d/log")
	_found=$(ls "$_d/artifacts" | wc -l)
	if [ "$_rc" -eq 0 ] && [ "${_n:-0}" -ge "$runs" ]; then
		_what=ok
	elif [ "$_rc" -eq 0 ]; then
		_what="not reached (stopped after ${maxtime}s, no finding)"
	else
		_what="FAILED (exit $_rc, $_found artifact(s), see $_d/log)"
	fi
	printf '%-8s %12s execs %7ss %8s execs/s  %s\n' "$_t" "${_n:-?}" \
	    "$_secs" "${_rate:-?}" "$_what" >"$_d/result"
	[ "$_rc" -eq 0 ]
}

echo "fuzzing $* for $runs executions each, $par at a time; output in $out"
running=0
for t in "$@"; do
	[ -x "$build/tests/fuzz/fuzz-$t" ] || {
		echo "$0: no $build/tests/fuzz/fuzz-$t" >&2; exit 2; }
	one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$par" ]; then
		wait
		running=0
	fi
done
wait

printf '%-8s %12s %13s %16s\n' target executions time rate
status=0
total=0
for t in "$@"; do
	cat "$out/$t/result"
	grep -q ' ok$' "$out/$t/result" || status=1
	n=$(awk '{ print $2 }' "$out/$t/result")
	case $n in *[!0-9]*|'') ;; *) total=$((total + n)) ;; esac
done
echo "total: $total executions"
exit "$status"
