#!/bin/sh
# A certs/ tree laid out by upstream ssl-mgr (relative db/<DATE> links, files
# written by another program) is read, rolled, renewed and cleaned unchanged.
. "$(dirname "$0")/lib.sh"

top=$(new_topdir upstream)
C=$top/certs
umask 022

# mkset DIR CN SIGNER_DIR|self CA(yes|no): a full upstream-style file set.
mkset() {
	d=$1 cn=$2 signer=$3 ca=$4
	mkdir -p "$d"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp384r1 \
	    -out "$d/privkey.pem" 2>/dev/null
	chmod 600 "$d/privkey.pem"
	openssl req -new -key "$d/privkey.pem" -subj "/CN=$cn/O=Upstream Org" \
	    -out "$d/csr.pem" 2>/dev/null
	if [ "$ca" = yes ]; then
		printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n' > "$T/ext"
	else
		printf 'basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:%s\nsubjectKeyIdentifier=hash\n' "$cn" > "$T/ext"
	fi
	if [ "$signer" = self ]; then
		openssl x509 -req -in "$d/csr.pem" -key "$d/privkey.pem" \
		    -days 3650 -extfile "$T/ext" -out "$d/cert.pem" 2>/dev/null
		cp "$d/cert.pem" "$d/chain.pem"
	else
		openssl x509 -req -in "$d/csr.pem" -CA "$signer/cert.pem" \
		    -CAkey "$signer/privkey.pem" -days 90 -extfile "$T/ext" \
		    -out "$d/cert.pem" 2>/dev/null
		cp "$signer/fullchain.pem" "$d/chain.pem"
	fi
	cat "$d/cert.pem" "$d/chain.pem" > "$d/fullchain.pem"
	cat "$d/privkey.pem" "$d/fullchain.pem" > "$d/bundle.pem"
	chmod 600 "$d/bundle.pem"
}
link() { ln -s "db/$3" "$1/$2"; }

r=$C/ca/my-root; i=$C/ca/my-int; w=$C/example.com/web-self
mkset "$r/db/20250101-10:00:00" "Example Root CA" self yes
link "$r" curr 20250101-10:00:00
mkset "$i/db/20250101-10:05:00" "Example Intermediate CA" "$r/db/20250101-10:00:00" yes
link "$i" curr 20250101-10:05:00
mkset "$w/db/20251101-08:00:00" "example.com" "$i/curr" no
touch -d '2025-11-01 08:00' "$w/db/20251101-08:00:00"
mkset "$w/db/20251201-08:00:00" "example.com" "$i/curr" no
mkset "$w/db/20260101-08:00:00" "example.com" "$i/curr" no
mkset "$w/db/20260301-08:00:00" "example.com" "$i/curr" no
mkdir -p "$w/db/junk"
link "$w" prev 20251201-08:00:00
link "$w" curr 20260101-08:00:00
link "$w" next 20260301-08:00:00
old=$(readlink "$w/curr")
nxt=$(readlink "$w/next")

sslm "$top" -s example.com:web-self
check "-s on an upstream tree exits 0" eq "$RC" 0
check "-s shows curr" contains "$T/out" "curr         : expires: "
check "-s shows next" contains "$T/out" "next         : expires: "
check "-s wrote nothing" test ! -e "$w/curr/info"

sslm "$top" -roll -roll-mins 0 example.com:web-self
check "roll of an upstream tree exits 0" eq "$RC" 0
check "curr now points at the old next" eq "$(readlink "$w/curr")" "$nxt"
check "prev points at the old curr" eq "$(readlink "$w/prev")" "$old"
check "links stay relative db/<DATE>" sh -c "readlink '$w/curr' | grep -q '^db/20260301-08:00:00$'"
check "info written at roll" contains "$w/curr/info" "# web-self rolled to curr : "

sslm "$top" -renew -f example.com:mail-self
check "renew signed by an upstream-made intermediate" eq "$RC" 0
check "the new leaf verifies against upstream's CA" sh -c \
    "openssl verify -CAfile '$r/curr/cert.pem' -untrusted '$i/curr/cert.pem' '$C/example.com/mail-self/next/cert.pem' | grep -q ': OK'"

sslm "$top" -clean-keep 1 -clean-all
check "clean exits 0" eq "$RC" 0
check "clean removed the oldest unlinked dir" test ! -e "$w/db/20251101-08:00:00"
check "clean kept the newest unlinked dir (keep 1)" test -d "$w/db/20251201-08:00:00"
check "clean kept curr's dir" test -d "$w/db/20260301-08:00:00"
check "clean kept prev's dir" test -d "$w/db/20260101-08:00:00"
check "clean kept the unexpected dir" test -d "$w/db/junk"

# A curr that is not a symlink is treated as absent, with a warning.
rm "$C/example.com/web-self/curr"
mkdir "$C/example.com/web-self/curr"
sslm "$top" -s -v example.com:web-self
check "non-symlink curr: -s still works" eq "$RC" 0
check "non-symlink curr: warned" contains "$T/err" "not a symlink"
finish
