#!/bin/sh
# The whole private-CA lifecycle from a fresh topdir: root -> intermediate ->
# leaves by -renew/-roll, chains that openssl verifies, file modes, a quiet
# second run, forced renew + roll, reuse, dev steps, clean, and the renew and
# roll timing with a faked clock.
. "$(dirname "$0")/lib.sh"

top=$(new_topdir demo)
C=$top/certs
sslm "$top" -renew -roll
check "first -renew -roll exits 0" eq "$RC" 0
check "first run reports renewals" contains "$T/out" "renewed: expires"
check "first run writes nothing on stderr" is_empty "$T/err"

root=$C/ca/my-root/curr/cert.pem
int=$C/ca/my-int/curr/cert.pem
for s in web-self mail-self wild-self; do
	leaf=$C/example.com/$s/curr/cert.pem
	check "$s: openssl verify builds the chain" \
	    sh -c "openssl verify -CAfile '$root' -untrusted '$int' '$leaf' | grep -q ': OK'"
	check "$s: fullchain = cert + chain" sh -c \
	    "cat '$C/example.com/$s/curr/cert.pem' '$C/example.com/$s/curr/chain.pem' | cmp -s - '$C/example.com/$s/curr/fullchain.pem'"
	check "$s: key matches cert" sh -c "[ \"\$(openssl x509 -in '$leaf' -noout -pubkey)\" = \"\$(openssl pkey -in '$C/example.com/$s/curr/privkey.pem' -pubout)\" ]"
	check "$s: curr is a relative db link" sh -c \
	    "readlink '$C/example.com/$s/curr' | grep -Eq '^db/[0-9]{8}-[0-9]{2}:[0-9]{2}:[0-9]{2}$'"
done
check "intermediate verifies against root" \
    sh -c "openssl verify -CAfile '$root' '$int' | grep -q ': OK'"
check "intermediate chain.pem is the root" cmp -s "$C/ca/my-int/curr/chain.pem" "$root"
check "root chain.pem is itself" cmp -s "$C/ca/my-root/curr/chain.pem" "$root"

txt() { openssl x509 -in "$1" -noout -text; }
check "root is CA:TRUE" sh -c "openssl x509 -in '$root' -noout -text | grep -q 'CA:TRUE'"
check "intermediate has pathlen:0" sh -c "openssl x509 -in '$int' -noout -text | grep -q 'CA:TRUE, pathlen:0'"
check "intermediate can sign certs" sh -c "openssl x509 -in '$int' -noout -text | grep -q 'Certificate Sign, CRL Sign'"
check "leaf is CA:FALSE" sh -c "openssl x509 -in '$C/example.com/web-self/curr/cert.pem' -noout -text | grep -q 'CA:FALSE'"
check "root has no SAN (upstream added SAN=CN)" sh -c "! openssl x509 -in '$root' -noout -text | grep -q 'Subject Alternative Name'"
ski=$(openssl x509 -in "$int" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' ')
aki=$(openssl x509 -in "$C/example.com/web-self/curr/cert.pem" -noout -ext authorityKeyIdentifier | tail -1 | tr -d ' ' | sed 's/^keyid://')
check "leaf AKI is the intermediate's SKI" eq "$aki" "$ski"
web=$C/example.com/web-self/curr/cert.pem
check "web-self has IPv4 SANs" sh -c "openssl x509 -in '$web' -noout -ext subjectAltName | grep -q 'IP Address:10.1.2.3'"
check "web-self has an IPv6 SAN" sh -c "openssl x509 -in '$web' -noout -ext subjectAltName | grep -qi 'IP Address:FD00:0:0:0:0:0:0:10'"
check "wild-self has the wildcard SAN" sh -c "openssl x509 -in '$C/example.com/wild-self/curr/cert.pem' -noout -ext subjectAltName | grep -qF 'DNS:*.example.com'"
check "mail-self is RSA 2048" sh -c "openssl x509 -in '$C/example.com/mail-self/curr/cert.pem' -noout -text | grep -q 'Public-Key: (2048 bit)'"
check "subject omits empty fields" sh -c "! openssl x509 -in '$web' -noout -subject | grep -Eq '(ST|L|OU) *= *(,|$)'"
days() { echo $(( ($(date -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s) - $(date -d "$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)" +%s)) / 86400 )); }
check "leaf lifetime is my-int's sign_end_days (90)" eq "$(days "$web")" 90
check "intermediate lifetime is my-root's sign_end_days (3650)" eq "$(days "$int")" 3650
check "leaf signed with sha384 (my-int digest)" sh -c "openssl x509 -in '$web' -noout -text | grep -q 'ecdsa-with-SHA384'"

# Modes: keys and bundles 0600, other files 0644, directories 0750.
bad=$(find "$C" -name privkey.pem -o -name bundle.pem | while read -r f; do [ "$(mode_of "$f")" = 600 ] || echo "$f"; done)
check "every privkey.pem and bundle.pem is 0600" eq "$bad" ""
bad=$(find "$C" -type d | while read -r f; do [ "$(mode_of "$f")" = 750 ] || echo "$f"; done)
check "every directory is 0750" eq "$bad" ""
bad=$(find "$C" -type f ! -name privkey.pem ! -name bundle.pem | while read -r f; do [ "$(mode_of "$f")" = 644 ] || echo "$f"; done)
check "other files are 0644" eq "$bad" ""
check "no temp files left" eq "$(find "$top" -name '*.tmp*' | wc -l)" 0

# A second run has nothing to do and says nothing (cron mails nothing).
sslm "$top" -renew
check "second -renew exits 0" eq "$RC" 0
check "second -renew prints nothing" is_empty "$T/out"
check "second -renew: nothing on stderr" is_empty "$T/err"
sslm "$top" -roll
check "-roll with no next prints nothing" is_empty "$T/out"
check "log file written" test -s "$top/logs/sslm"

# Forced renew of one service, then roll: prev = old curr.
old=$(readlink "$C/example.com/web-self/curr")
sslm "$top" -renew -f example.com:web-self
check "-renew -f exits 0" eq "$RC" 0
check "-renew -f makes next" test -L "$C/example.com/web-self/next"
check "other services untouched" test ! -e "$C/example.com/mail-self/next"
sslm "$top" -s example.com:web-self
check "-s shows next and its roll state" contains "$T/out" "roll : due now"
sslm "$top" -roll
check "-roll exits 0" eq "$RC" 0
check "roll: prev is the old curr" eq "$(readlink "$C/example.com/web-self/prev")" "$old"
check "roll: next is gone" test ! -e "$C/example.com/web-self/next"
check "roll: info written" sh -c "grep -q '^# web-self rolled to curr : ' '$C/example.com/web-self/curr/info'"

# Reuse (-r): the new next has curr's key, still 0600.
sslm "$top" -renew -f -r example.com:wild-self
check "-r renew exits 0" eq "$RC" 0
check "-r keeps the key" cmp -s "$C/example.com/wild-self/curr/privkey.pem" "$C/example.com/wild-self/next/privkey.pem"
check "-r key is 0600 (upstream: umask)" eq "$(mode_of "$C/example.com/wild-self/next/privkey.pem")" 600

# Dev steps together in one next, then -csr -cert alone on that next.
sslm "$top" dev -keys -csr -cert example.com:mail-self
check "dev -keys -csr -cert exits 0" eq "$RC" 0
check "dev steps made a complete next" test -s "$C/example.com/mail-self/next/bundle.pem"
n1=$(readlink "$C/example.com/mail-self/next")
sslm "$top" dev -csr -cert example.com:mail-self
check "dev -csr -cert alone works on the existing next" eq "$RC" 0
check "dev -csr -cert kept the same next" eq "$(readlink "$C/example.com/mail-self/next")" "$n1"
sslm "$top" dev -ntoc example.com:mail-self
check "dev -ntoc rolls" eq "$(readlink "$C/example.com/mail-self/curr")" "$n1"
sslm "$top" -roll -f example.com:mail-self
check "-roll -f without next fails (exit 1)" eq "$RC" 1
check "-roll -f without next says why" contains "$T/err" "no next"

# Clean keeps clean_keep (5) + the linked dirs.
i=0
while [ $i -lt 7 ]; do
	sslm "$top" -renew -f example.com:wild-self
	i=$((i + 1))
done
n=$(find "$C/example.com/wild-self/db" -mindepth 1 -maxdepth 1 -type d | wc -l)
check "clean keeps 5 + linked dirs ($n)" test "$n" -le 7
for l in curr next prev; do
	[ -L "$C/example.com/wild-self/$l" ] && check "clean kept the $l target" test -d "$C/example.com/wild-self/$l/"
done
sslm "$top" -clean-keep 1 -clean-all
n=$(find "$C/example.com/wild-self/db" -mindepth 1 -maxdepth 1 -type d | wc -l)
check "-clean-all -clean-keep 1 leaves 1 + linked ($n)" test "$n" -le 4

# Timing with a faked clock: nothing due now; due 65 days on (90-day cert,
# renew 30 days before expiry).
if command -v faketime >/dev/null 2>&1; then
	top2=$(new_topdir timing)
	sslm "$top2" -renew -roll
	sslm "$top2" -renew -v example.com:web-self
	check "not due today: says when" contains "$T/out" "Renew in"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" SSL_MGR_TOPDIR=$top2 faketime -f +65d "$BIN" -renew example.com:web-self >"$T/out" 2>&1
	check "due after 65 days: renewed" contains "$T/out" "renewed: expires"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" SSL_MGR_TOPDIR=$top2 faketime -f +65d "$BIN" -roll -roll-mins 90 -v example.com:web-self >"$T/out" 2>&1
	check "roll refused while next is young" contains "$T/out" "Too soon to roll"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" SSL_MGR_TOPDIR=$top2 faketime -f +5623200 "$BIN" -roll -roll-mins 90 example.com:web-self >"$T/out" 2>&1
	check "roll done when next is 2 h old" contains "$T/out" "rolled next to curr"
else
	nok "faketime is missing (scripts/install-deps --test installs it)"
fi
finish
