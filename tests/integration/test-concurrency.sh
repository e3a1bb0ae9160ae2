#!/bin/sh
# One topdir, many hands: a cron run (-renew -f -roll -f), a console action
# (the exact child job the console starts: "ssl-mgr -renew -f <svc>" or
# "-roll <svc>", stdin from /dev/null, SSL_MGR_TOPDIR set) and a second
# cron run (-renew -roll), started together with seeded random offsets,
# 100 rounds (SSLM_CONC_ROUNDS).  After every round the tree passes
# check-invariants.py; every run either did its work (exit 0) or was
# refused (exit 1) naming the holder by pid and start time, and that pid
# is one of the round's runs.  Every tenth round the holder is killed with
# kill -9 mid-run: the next run must get the lock at once and repair.
# Then 5 rounds of the real console (tmux): a ':renew -f' job beside a cron
# run is done or refused with the holder named in its output.
. "$(dirname "$0")/lib.sh"

CHECK=$SRC/tests/integration/check-invariants.py
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
seed=${SSLM_CONC_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
rounds=${SSLM_CONC_ROUNDS:-100}
# A sanitizer build is 3x slower: 30 rounds there (100 in the plain one).
ldd "$BIN" 2>/dev/null | grep -q libasan && rounds=${SSLM_CONC_ROUNDS:-30}
echo "# seed $seed (SSLM_CONC_SEED=$seed replays the offsets)"
rnd=$seed
rand() {	# rand N: 0..N-1, an LCG on the seed
	rnd=$(( (rnd * 1103515245 + 12345) % 2147483648 ))
	echo $(( (rnd / 65536) % $1 ))
}
usleep() { sleep "$(printf '0.%06d' "$1")"; }

top=$(new_topdir conc)
sed -i "s/ktype = 'rsa'/ktype = 'ec'\n    ec_algo = 'secp256r1'/" \
    "$top/conf.d/example.com/mail-self"
CHECK_CACHE=$T/cache
export CHECK_CACHE
mkdir -p "$CHECK_CACHE"
inv() { "$PY" "$CHECK" "$top" >"$T/inv" 2>&1; }

sslm "$top" -renew -roll
check "setup run exits 0" eq "$RC" 0
inv
check "setup: invariants hold" eq "$?" 0

corrupt=0
badexit=0
unnamed=0
wrongpid=0
refused=0
worked=0
stale=0
r=0
while [ $r -lt "$rounds" ]; do
	r=$((r + 1))
	if [ $((r % 2)) -eq 0 ]; then
		console="-renew -f example.com:web-self"
	else
		console="-roll example.com:web-self"
	fi
	# shellcheck disable=SC2086
	SSL_MGR_TOPDIR=$top "$BIN" -renew -f -roll -f >"$T/a.out" 2>"$T/a.err" &
	pa=$!
	usleep "$(rand 30000)"
	# shellcheck disable=SC2086
	SSL_MGR_TOPDIR=$top "$BIN" $console </dev/null >"$T/b.out" 2>&1 &
	pb=$!
	usleep "$(rand 30000)"
	SSL_MGR_TOPDIR=$top "$BIN" -renew -roll >"$T/c.out" 2>"$T/c.err" &
	pc=$!
	if [ $((r % 10)) -eq 0 ]; then
		# The cron run dies holding the lock (if it still has it).
		usleep "$(rand 20000)"
		kill -9 $pa 2>/dev/null
	fi
	wait $pa; ra=$?
	wait $pb; rb=$?
	wait $pc; rc=$?
	for x in a:$ra b:$rb c:$rc; do
		who=${x%%:*}
		code=${x#*:}
		f=$T/$who.err
		[ "$who" = b ] && f=$T/b.out
		case $code in
		0)	worked=$((worked + 1)) ;;
		1)	if grep -q 'busy: another run holds the lock' "$f"; then
				refused=$((refused + 1))
				pid=$(sed -n 's/.*holds the lock (pid \([0-9]*\) since [0-9TZ:-]* .*/\1/p' "$f" | head -1)
				if [ -z "$pid" ]; then
					unnamed=$((unnamed + 1))
					echo "# round $r: $who refused without pid/since: $(cat "$f")"
				elif [ "$pid" != $pa ] && [ "$pid" != $pb ] &&
				    [ "$pid" != $pc ]; then
					wrongpid=$((wrongpid + 1))
					echo "# round $r: $who names pid $pid, not $pa/$pb/$pc"
				fi
			else
				badexit=$((badexit + 1))
				echo "# round $r: $who failed: $(tail -3 "$f")"
			fi ;;
		137)	[ "$who" = a ] || badexit=$((badexit + 1)) ;;
		*)	badexit=$((badexit + 1))
			echo "# round $r: $who exit $code: $(tail -3 "$f")" ;;
		esac
	done
	if [ $((r % 10)) -eq 0 ]; then
		# A lock left by the killed run is free: this run is not refused.
		sslm "$top" -renew -roll
		if [ "$RC" -ne 0 ]; then
			stale=$((stale + 1))
			echo "# round $r: run after kill -9: exit $RC: $(tail -3 "$T/err")"
		fi
	fi
	if ! inv; then
		corrupt=$((corrupt + 1))
		echo "# round $r: $(head -3 "$T/inv")"
	fi
done
# The real console in tmux: a prompt job against a cron run, 5 rounds.
# Each job either finishes ("job N done") or is refused ("job N: store
# busy"), and a refused job's output names the holder.
if command -v tmux >/dev/null 2>&1; then
	SOCK=sslm-conc-$$
	trap 'tmux -L "$SOCK" kill-server 2>/dev/null; rm -rf "$T"' EXIT INT TERM
	tmux -L "$SOCK" -f /dev/null new-session -d -x 100 -y 30 \
	    "env SSL_MGR_TOPDIR='$top' XDG_STATE_HOME='$T/state' '$BIN' tui; echo EXIT=\$?; exec sleep 600"
	# screen_until SECONDS CMD...: capture the screen until CMD succeeds.
	# A deadline, not a count of polls: under load a poll (tmux and grep
	# forks) takes far longer than its 50 ms sleep.
	screen_until() {
		_end=$(($(date +%s) + $1))
		shift
		while [ "$(date +%s)" -lt "$_end" ]; do
			tmux -L "$SOCK" capture-pane -p >"$T/screen" 2>/dev/null
			"$@" && return 0
			sleep 0.05
		done
		return 1
	}
	on_screen() { grep -aqF -- "$1" "$T/screen"; }
	wait_for() { screen_until 60 on_screen "$1"; }
	# job_result N: how console job N ended, from the status line or
	# from its row on the jobs screen; nothing while it runs.
	job_result() {
		if grep -aqE "job $1 done|^[^0-9]* $1 +exit 0 " "$T/screen"; then
			echo done
		elif grep -aqE "job $1: store busy|^[^0-9]* $1 +busy " "$T/screen"; then
			echo busy
		elif grep -aqE "job $1 failed|^[^0-9]* $1 +exit [1-9]" "$T/screen"; then
			echo failed
		fi
	}
	job_ended() { [ -n "$(job_result "$1")" ]; }
	check "console up" wait_for "example.com (3)"
	cdone=0
	cbusy=0
	cbad=0
	n=0
	while [ $n -lt 5 ]; do
		n=$((n + 1))
		# Odd rounds: cron first; even rounds: the console first.
		if [ $((n % 2)) -eq 1 ]; then
			SSL_MGR_TOPDIR=$top "$BIN" -renew -f -roll -f >/dev/null 2>&1 &
			pa=$!
			usleep "$(rand 50000)"
		fi
		tmux -L "$SOCK" send-keys :
		tmux -L "$SOCK" send-keys -l "renew -f example.com:web-self"
		tmux -L "$SOCK" send-keys Enter
		if [ $((n % 2)) -eq 0 ]; then
			usleep "$(rand 50000)"
			SSL_MGR_TOPDIR=$top "$BIN" -renew -f -roll -f >/dev/null 2>&1 &
			pa=$!
		fi
		wait $pa
		# The status line for 15 s, then the jobs screen for 60 s.
		screen_until 15 job_ended $n
		res=$(job_result $n)
		if [ -z "$res" ]; then
			# The status line can move on within a second (the
			# next cron run's lock note): the jobs screen keeps
			# how each job ended.
			echo "# console round $n: not on the status line; the jobs screen"
			tmux -L "$SOCK" send-keys j
			screen_until 60 job_ended $n
			res=$(job_result $n)
			tmux -L "$SOCK" send-keys Escape
			wait_for "example.com (3)" >/dev/null
		fi
		case $res in
		done)	cdone=$((cdone + 1)) ;;
		busy)	cbusy=$((cbusy + 1))
			tmux -L "$SOCK" send-keys j
			if ! wait_for "holds the lock (pid"; then
				cbad=$((cbad + 1))
				echo "# console round $n: refusal without holder"
			fi
			tmux -L "$SOCK" send-keys Escape
			wait_for "example.com (3)" >/dev/null ;;
		*)	cbad=$((cbad + 1))
			echo "# console round $n: job result '$res'"
			tmux -L "$SOCK" capture-pane -p ;;
		esac
		inv || { corrupt=$((corrupt + 1)); echo "# console round $n: $(head -3 "$T/inv")"; }
	done
	echo "# console: $cdone jobs done, $cbusy refused"
	check "console jobs beside cron runs: each done or refused naming the holder" eq "$cbad" 0
	tmux -L "$SOCK" send-keys q
	check "console exits 0" wait_for "EXIT=0"
fi
echo "# $rounds rounds: $worked runs worked, $refused refused"
check "no round left a broken tree ($rounds rounds)" eq "$corrupt" 0
check "every run worked or was refused" eq "$badexit" 0
check "every refusal names the holder's pid and start time" eq "$unnamed" 0
check "the named holder is a run of the same round" eq "$wrongpid" 0
check "some runs were refused (the runs really overlapped)" test "$refused" -gt 0
check "a lock left by a kill -9'd run never blocks the next" eq "$stale" 0
check "no temporaries after the last round" eq \
    "$(find "$top/certs" "$top/prod-certs" -name '*.tmp.*' -o -name '*.new.[0-9]*' | wc -l)" 0
finish
