#!/bin/sh
# One run at a time: a second changing run is refused with exit 1 and says
# who holds the lock; a lock left by a killed process is free again; a
# status request does not need the lock.
. "$(dirname "$0")/lib.sh"

top=$(new_topdir lock)
sslm "$top" -renew -roll
check "setup run exits 0" eq "$RC" 0

# Hold the lock with a run that cannot finish quickly: a process holding
# flock on the lock file, as a running ssl-mgr would, with its description.
printf 'pid 4242 ssl-mgr -renew (test holder)\n' > "$top/.sslm.lock"
# One process that takes the lock and then becomes "sleep", so killing it
# kills the holder (flock(1) with a command would fork a child that keeps
# the lock).
sh -c 'exec 9>>"$1"; flock -x 9; exec sleep 30' _ "$top/.sslm.lock" &
holder=$!
while flock -n "$top/.sslm.lock" true; do sleep 0.05; done
sslm "$top" -renew -f example.com:web-self
check "second run refused: exit 1" eq "$RC" 1
check "second run says who holds the lock" contains "$T/err" "pid 4242 ssl-mgr -renew (test holder)"
check "refused run changed nothing" test ! -e "$top/certs/example.com/web-self/next"
sslm "$top" -s
check "-s works while locked" eq "$RC" 0
check "-s output while locked" contains "$T/out" "web-self"
kill -9 "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
sslm "$top" -renew -f example.com:web-self
check "after the holder was killed the run proceeds" eq "$RC" 0
check "and did its work" test -L "$top/certs/example.com/web-self/next"

# Two real runs at the same time: exactly one wins per round, no corruption.
refused=0
won=0
r=0
while [ $r -lt 5 ]; do
	SSL_MGR_TOPDIR=$top "$BIN" -renew -f example.com:mail-self >/dev/null 2>"$T/e1" &
	p1=$!
	SSL_MGR_TOPDIR=$top "$BIN" -renew -f example.com:mail-self >/dev/null 2>"$T/e2" &
	p2=$!
	wait $p1; r1=$?
	wait $p2; r2=$?
	for x in $r1 $r2; do
		[ "$x" -eq 0 ] && won=$((won + 1))
		[ "$x" -eq 1 ] && refused=$((refused + 1))
	done
	r=$((r + 1))
done
check "concurrent runs: every run either worked or was refused" eq $((won + refused)) 10
check "concurrent runs: at least 5 worked" test "$won" -ge 5
sslm "$top" -roll -f example.com:mail-self
check "tree still rolls after the races" eq "$RC" 0
leaf=$top/certs/example.com/mail-self/curr
check "curr is complete after the races" sh -c "openssl verify -CAfile '$top/certs/ca/my-root/curr/cert.pem' -untrusted '$top/certs/ca/my-int/curr/cert.pem' '$leaf/cert.pem' | grep -q ': OK'"
check "no temp files left" eq "$(find "$top" -name '*.tmp*' | wc -l)" 0
finish
