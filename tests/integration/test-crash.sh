#!/bin/sh
# Crash safety of real runs.  For each operation (renew, roll, renew+roll,
# clean, production resync, TLSA repair) a traced run of ssl-mgr-faults
# lists the crash points it passes (core/fault.h); the run is then killed
# at each of them in turn (a sample when there are many, seeded), the tree
# is checked right after the crash (check-invariants.py --mid), the next
# ordinary cron run must repair or finish what was interrupted, and then
# every invariant must hold: complete sets whose key matches the cert, no
# key lost or readable by others, production = certs/, no temporaries,
# TLSA files = curr + next, and no restart owed lost (DNS reloaded with the
# include file as it is, the mail server restarted on its production
# certs as they are).  Then kill -9 at random moments of real
# "-renew -f -roll -f" runs (seed printed: SSLM_CRASH_SEED=<n> replays).
# SSLM_CRASH_MAX=<n> caps the injections per operation (default 32),
# SSLM_CRASH_KILLS the random kills (default 40); a sanitizer build (3x
# slower) does a quarter of each and needs 60 injections instead of 200.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dnsbed.sh"
. "$(dirname "$0")/crashbed.sh"

FBIN=${SSLM_FAULTS_BIN:-$(dirname "$BIN")/ssl-mgr-faults}
CHECK=$SRC/tests/integration/check-invariants.py
# The system's python: a version manager's shim costs a shell per call.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
if [ ! -x "$FBIN" ]; then
	nok "ssl-mgr-faults is built ($FBIN)"
	finish
	exit
fi
seed=${SSLM_CRASH_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
per_op=${SSLM_CRASH_MAX:-32}
kills_want=${SSLM_CRASH_KILLS:-40}
min_total=200
if ldd "$BIN" 2>/dev/null | grep -q 'libasan'; then
	per_op=${SSLM_CRASH_MAX:-10}
	kills_want=${SSLM_CRASH_KILLS:-15}
	min_total=60
fi
echo "# seed $seed (SSLM_CRASH_SEED=$seed replays this run)"

bed=$T/bed
trap 'dnsbed_stop "$bed"; rm -rf "$T"' EXIT INT TERM
if ! dnsbed_start "$bed" >"$T/bed.log" 2>&1; then
	if [ "${CI:-}" = true ]; then
		cat "$T/bed.log"
		nok "dns bed starts"
		finish
		exit
	fi
	echo "SKIP: no dns bed (bind9/nsd missing?)"
	exit 77
fi

top=$(crashbed_topdir crash)
CHECK_CACHE=$T/cache
export CHECK_CACHE
mkdir -p "$CHECK_CACHE"
inv() {
	"$PY" "$CHECK" "$@" --tlsa-dir "$top/tlsa-include" "$top" >"$T/inv" 2>&1
}
run() {	# run BIN args...: a run on the crash tree, output to $T/run.*
	_b=$1
	shift
	SSL_MGR_TOPDIR=$top "$_b" "$@" >"$T/run.out" 2>"$T/run.err"
	RC=$?
}

run "$BIN" -renew -roll
check "bootstrap: first run exits 0" eq "$RC" 0
inv
check "bootstrap: invariants hold" eq "$?" 0
cat "$T/inv"
check "bootstrap: the DANE service has TLSA records" test -s "$top/tlsa-include/tlsa.example.com"
check "bootstrap: DNS and mail server serve what they should" crashbed_served "$top"

# The checker must be able to fail: a copy of the good tree, spoiled four
# ways, draws each complaint (the key check and the TLSA hash run OpenSSL
# in-process, so a wrong answer there would otherwise go unnoticed).
sp=$T/spoiled
cp -a "$top" "$sp"
spd=$sp/certs/example.com
cp "$spd/mail-dane/curr/privkey.pem" "$spd/web-self/curr/privkey.pem"
sed -i 's/ [0-9a-f]\{64\}$/ 0000000000000000000000000000000000000000000000000000000000000000/' \
    "$spd/mail-dane/curr/tlsa.rr"
chmod 644 "$spd/mail-self/curr/privkey.pem"
: >"$spd/web-self/cert.pem.tmp.4242"
"$PY" "$CHECK" --tlsa-dir "$sp/tlsa-include" "$sp" >"$T/inv" 2>&1
check "checker: a spoiled tree fails" eq "$?" 1
check "checker: a key that is not the cert's" grep -q "web-self/curr: privkey.pem does not match cert.pem" "$T/inv"
check "checker: a TLSA 3 1 1 record of another key" grep -q "mail-dane/curr/tlsa.rr: not its cert" "$T/inv"
check "checker: a readable key" grep -q "mail-self/.*privkey.pem: mode 644, not 600" "$T/inv"
check "checker: a temporary left" grep -q "cert.pem.tmp.4242: temporary left" "$T/inv"
rm -rf "$sp"

# The keys of every curr, "<path> <sha256>" per line: none may be lost.
# One sha256sum for all of them: this runs twice per injection.
curr_keys() {
	sha256sum "$top"/certs/*/*/curr/privkey.pem 2>/dev/null |
	    awk '{ print $2, $1 }'
}
# Every key that was a curr before is curr or prev now (or was cleaned
# from prev only after a second roll, which a single run cannot do).
keys_kept() {
	sha256sum "$top"/certs/*/*/curr/privkey.pem \
	    "$top"/certs/*/*/prev/privkey.pem >"$T/keys-now" 2>/dev/null
	awk 'FILENAME == ARGV[1] {
		sub(/\/(curr|prev)\/privkey\.pem$/, "", $2)
		have[$2 " " $1] = 1
		next
	}
	{
		d = $1
		sub(/\/curr\/privkey\.pem$/, "", d)
		if (!((d " " $2) in have)) {
			print "lost: the key of " $1
			lost = 1
		}
	}
	END { exit lost }' "$T/keys-now" "$1"
}

# prepare OP: the state an operation starts from (ordinary binary).
prepare() {
	case $1 in
	roll)	run "$BIN" -renew -f ;;
	prod)	rm -rf "$top/prod-certs/example.com/web-self" \
		    "$top/prod-certs/ca/my-int/curr"
		echo changed >>"$top/prod-certs/example.com/mail-dane/curr/cert.pem"
		RC=0 ;;
	tlsa)	run "$BIN" -renew -f example.com:mail-dane
		rm -f "$top/tlsa-include/tlsa.example.com" ;;
	*)	RC=0 ;;
	esac
}
# The command line of an operation.
op_args() {
	case $1 in
	renew)		echo "-renew -f" ;;
	roll)		echo "-roll -f" ;;
	renewroll)	echo "-renew -f -roll -f" ;;
	clean)		echo "-renew -f -clean-keep 1" ;;
	prod)		echo "dev -certs-prod" ;;
	tlsa)		echo "-roll -f example.com:mail-dane" ;;
	esac
}

# LCG on the seed: reproducible picks without $RANDOM (POSIX sh).
rnd=$seed
rand() {	# rand N: 0..N-1
	rnd=$(( (rnd * 1103515245 + 12345) % 2147483648 ))
	echo $(( (rnd / 65536) % $1 ))
}

total=0
missed=0
seen_points=$T/points-seen
: >"$seen_points"
for op in renew roll renewroll clean prod tlsa; do
	args=$(op_args $op)
	# The points this operation passes, numbered "<point>:<nth>".
	prepare $op
	rm -f "$T/trace"
	# shellcheck disable=SC2086
	SSLM_FAULT_TRACE=$T/trace run "$FBIN" $args
	check "$op: traced run exits 0" eq "$RC" 0
	awk '{ n[$0]++; print $0 ":" n[$0] }' "$T/trace" >"$T/cands"
	cut -d: -f1-2 "$T/trace" | sort -u >>"$seen_points"
	ncand=$(wc -l <"$T/cands")
	# Every distinct point once, then a seeded sample of the rest.
	awk -F: '$NF == 1' "$T/cands" >"$T/picks"
	awk -F: '$NF != 1' "$T/cands" >"$T/rest"
	nrest=$(wc -l <"$T/rest")
	while [ "$(wc -l <"$T/picks")" -lt "$per_op" ] && [ "$nrest" -gt 0 ]; do
		i=$(( $(rand "$nrest") + 1 ))
		sed -n "${i}p" "$T/rest" >>"$T/picks"
		sed -i "${i}d" "$T/rest"
		nrest=$((nrest - 1))
	done
	n=0
	fails=0
	while read -r pick; do
		prepare $op
		curr_keys >"$T/keys"
		# shellcheck disable=SC2086
		SSLM_FAULT=$pick SSLM_FAULT_MODE=kill run "$FBIN" $args
		if [ "$RC" -ne 99 ]; then
			# The point moved (another order of work): not a crash.
			missed=$((missed + 1))
			continue
		fi
		n=$((n + 1))
		[ -n "${SSLM_CRASH_VERBOSE:-}" ] && echo "# $op $pick"
		why=
		inv --mid || why="right after the crash: $(head -3 "$T/inv")"
		if [ -z "$why" ]; then
			run "$BIN" -renew -roll
			[ "$RC" -eq 0 ] || why="recovery run exit $RC: $(tail -3 "$T/run.err")"
		fi
		if [ -z "$why" ] && ! inv; then
			why="after the recovery run: $(head -5 "$T/inv")"
		fi
		if [ -z "$why" ] && ! keys_kept "$T/keys" >"$T/lost"; then
			why=$(cat "$T/lost")
		fi
		if [ -z "$why" ] && ! crashbed_served "$top" >"$T/served"; then
			why=$(cat "$T/served")
		fi
		if [ -n "$why" ]; then
			fails=$((fails + 1))
			nok "$op killed at $pick: $why"
			# Start the next injection from a good tree again.
			run "$BIN" -renew -f -roll -f
		fi
	done <"$T/picks"
	total=$((total + n))
	check "$op: $n crashes (of $ncand points passed), every one repaired" eq "$fails" 0
done

# Every point in the table is passed by some operation (a point that no
# test reaches guards nothing).
SSLM_FAULT=list "$FBIN" | sort >"$T/points-all"
sort -u "$seen_points" >"$T/points-hit"
comm -23 "$T/points-all" "$T/points-hit" >"$T/points-missed"
# Points only an ACME run or a removed service passes.
grep -v -e '^acme:' -e '^prod:before-remove$' "$T/points-missed" >"$T/points-unexpected"
check "every crash point but ACME's is reached ($(wc -l <"$T/points-all") in the table)" is_empty "$T/points-unexpected"
cat "$T/points-unexpected"

# kill -9 at random moments of a real run.
kills=0
kfails=0
k=0
while [ $k -lt "$kills_want" ]; do
	k=$((k + 1))
	delay=$(( $(rand 400000) + 5000 ))	# 5 ms .. 405 ms
	curr_keys >"$T/keys"
	SSL_MGR_TOPDIR=$top "$BIN" -renew -f -roll -f >/dev/null 2>&1 &
	pid=$!
	sleep "$(printf '0.%06d' "$delay")"
	kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
	wait "$pid" 2>/dev/null
	why=
	inv --mid || why="right after the kill: $(head -3 "$T/inv")"
	if [ -z "$why" ]; then
		run "$BIN" -renew -roll
		[ "$RC" -eq 0 ] || why="recovery run exit $RC: $(tail -3 "$T/run.err")"
	fi
	[ -z "$why" ] && ! inv && why="after recovery: $(head -5 "$T/inv")"
	[ -z "$why" ] && ! keys_kept "$T/keys" >"$T/lost" && why=$(cat "$T/lost")
	[ -z "$why" ] && ! crashbed_served "$top" >"$T/served" && why=$(cat "$T/served")
	if [ -n "$why" ]; then
		kfails=$((kfails + 1))
		nok "kill -9 after ${delay} us (seed $seed): $why"
		run "$BIN" -renew -f -roll -f
	fi
done
total=$((total + kills))
check "kill -9: $kills runs killed at random moments, every one repaired" eq "$kfails" 0
echo "# injections: $total ($missed picks not reached), seed $seed"
check "at least $min_total injections" test "$total" -ge "$min_total"
finish
