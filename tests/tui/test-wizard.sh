#!/bin/sh
# The CA set-up wizard in tmux: offered on a topdir without a CA, every
# page at 80x24 (field and page errors, Esc back), the review page lists
# the files before anything is written, the job writes them, issues and
# rolls, the chain verifies and the trust-store page is shown.  Then at
# 132x40: :ca-init opens it, unchanged files and a CONFLICT are shown,
# Enter is refused and F replaces the conflicting file.  Last, headless
# ca-init on a terminal asks before writing.
. "$(dirname "$0")/lib.sh"

# wiz_start TOPDIR COLS ROWS: the console in a window of that size.
wiz_start() {
	new_server
	tmux -L "$SOCK" -f /dev/null new-session -d -x "$2" -y "$3" \
	    "env SSL_MGR_TOPDIR='$1' XDG_STATE_HOME='$T/state' '$BIN' tui; \
	    echo EXIT=\$?; exec sleep 600"
}
field() {
	keys C-u
	keys -l "$1"
}

top=$T/fresh
mkdir -p "$top/conf.d"
C=$top/conf.d
wiz_start "$top" 80 24
check "the wizard is offered" wait_for "no private CA here yet: W sets one up"
keys W
check "page 1: the CAs" wait_for "CA set-up 1/6: the root and intermediate CA"
check "page 1 shows the root name default" wait_for "Root CA name: root-ca"
keys Escape
check "Esc on page 1 leaves the wizard" wait_for "No services"
keys W
check "W opens it again" wait_for "CA set-up 1/6"
field acme-root
keys Tab
field acme-int
keys Enter
check "page 2: keys" wait_for "CA set-up 2/6: key types"
keys Right
check "Right cycles the CA key" wait_for "< ec:secp256r1 >"
keys Tab Right Right Right
check "leaf key rsa:2048" wait_for "< rsa:2048 >"
keys Enter
check "page 3: lifetimes" wait_for "CA set-up 3/6: lifetimes"
field 0
keys Enter
check "a bad lifetime is refused" wait_for "a number of days, at least 1"
field 1000
keys Tab
field 2000
keys Enter
check "leaves longer than the CA are refused" wait_for "leaf lifetime 2000 days is longer"
field 30
keys Enter
check "page 4: subject" wait_for "CA set-up 4/6: subject"
keys Enter
check "O is required" wait_for "organisation (O) is required"
keys -l "Acme"
keys Tab Tab
field DE
keys Enter
check "page 5: leaves" wait_for "CA set-up 5/6: first leaf services"
keys -l "web"
keys Enter
check "a leaf without hosts is refused" wait_for "leaf 'web': expected"
field "web=www.acme.test,acme.test,127.0.0.1"
keys Tab
keys -l "acme.test:mail=mail.acme.test"
keys Enter
check "review page" wait_for "CA set-up 6/6: review (nothing written yet)"
check "review lists the root" wait_for "new        conf.d/ca/acme-root"
check "review lists the intermediate" wait_for "new        conf.d/ca/acme-int"
check "review lists a leaf" wait_for "new        conf.d/acme.test/mail"
check "review lists ca-info.conf" wait_for "new        conf.d/ca-info.conf"
check "review lists ssl-mgr.conf" wait_for "new        conf.d/ssl-mgr.conf"
check "review says how to go on" wait_for "Enter: write, issue and roll"
check "the key bar too" wait_for "Enter Write+issue"
keys NPage
check "PgDn: the texts that will be written" wait_for "sign_end_days = 1000"
check "nothing written before Enter" test ! -e "$C/ca"
keys Escape
check "Esc goes back a page" wait_for "CA set-up 5/6"
keys Enter
check "and forward again" wait_for "CA set-up 6/6"
keys Enter
check "the job finishes: trust page" wait_for "CA set-up done" 120
check "trust: the root" wait_for "ROOT=$top/certs/ca/acme-root/curr"
check "trust: Debian" wait_for "update-ca-certificates"
check "trust: Debian copy" wait_for "/usr/local/share/ca-certificates/acme-root.crt"
# shellcheck disable=SC2016
check "trust: Arch" wait_for 'trust anchor --store "$ROOT"'
# shellcheck disable=SC2016
check "trust: browsers" wait_for 'certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n acme-root'
check "status bar: the job is done" wait_for "done: ssl-mgr ca-init"
check "the key bar: back to the services" wait_for "Esc Services"

check "root file written" grep -q "signing_ca = 'self'" "$C/ca/acme-root"
check "root on P-256" grep -q "ec_algo = 'secp256r1'" "$C/ca/acme-root"
check "CA lifetime 1000" grep -q "sign_end_days = 1000" "$C/ca/acme-root"
check "leaf lifetime 30" grep -q "sign_end_days = 30" "$C/ca/acme-int"
check "leaf file written" grep -q "sans = \['www.acme.test', 'acme.test', '127.0.0.1'\]" "$C/www.acme.test/web"
check "leaf key rsa 2048" grep -q "rsa_bits = 2048" "$C/acme.test/mail"
check "ssl-mgr.conf groups" grep -q "services = \['acme-root', 'acme-int'\]" "$C/ssl-mgr.conf"
check "files are 0644" test "$(stat -c %a "$C/ca/acme-root")" = 644
K=$top/certs
for s in www.acme.test/web acme.test/mail; do
	check "$s: chain verifies" sh -c "openssl verify -CAfile '$K/ca/acme-root/curr/cert.pem' -untrusted '$K/ca/acme-int/curr/cert.pem' '$K/$s/curr/cert.pem' | grep -q ': OK'"
done
check "the root is 1000 days" sh -c "[ \$(( (\$(date -d \"\$(openssl x509 -in '$K/ca/acme-root/curr/cert.pem' -noout -enddate | cut -d= -f2)\" +%s) - \$(date +%s)) / 86400 )) -ge 999 ]"
keys Escape
check "Esc: the services, now with the CA" wait_for "acme-root"
check "and the leaves" wait_for "acme.test"
keys q
check "quits cleanly" wait_for "EXIT=0"

# A larger window: :ca-init, unchanged files, a conflict, F to replace.
printf "name = 'mine'\n" >"$C/acme.test/mail"
wiz_start "$top" 132 40
# The broken service file makes the status fail: the console says so.
check "132x40: the services screen" wait_for "ssl-mgr Services"
check "the broken file is reported" wait_for "missing group (expecting 'acme.test')"
check "not offered when a CA exists" sh -c "! tmux -L '$SOCK' capture-pane -p | grep -q 'no private CA here yet'"
keys :
keys -l "ca-init"
keys Enter
check ":ca-init opens the wizard" wait_for "CA set-up 1/6"
field acme-root
keys Tab
field acme-int
keys Enter Right Tab Right Right Right Enter
field 1000
keys Tab
field 30
keys Enter
keys -l "Acme"
keys Tab Tab
field DE
keys Enter
keys -l "web=www.acme.test,acme.test,127.0.0.1"
keys Tab
keys -l "acme.test:mail=mail.acme.test"
keys Enter
check "review: root unchanged" wait_for "unchanged  conf.d/ca/acme-root"
check "review: ssl-mgr.conf unchanged" wait_for "unchanged  conf.d/ssl-mgr.conf"
check "review: the conflict" wait_for "CONFLICT   conf.d/acme.test/mail"
check "review: F offered" wait_for "F: replace the CONFLICT files"
check "the key bar offers F" wait_for "F Replace+issue"
keys Enter
check "Enter does not write over a conflict" wait_for "CA set-up 6/6"
check "the conflicting file is kept" grep -q "^name = 'mine'$" "$C/acme.test/mail"
keys F
check "F: the job finishes" wait_for "CA set-up done" 120
check "the file was replaced" grep -q "signing_ca = 'acme-int'" "$C/acme.test/mail"
check "mail verifies" sh -c "openssl verify -CAfile '$K/ca/acme-root/curr/cert.pem' -untrusted '$K/ca/acme-int/curr/cert.pem' '$K/acme.test/mail/curr/cert.pem' | grep -q ': OK'"
keys Escape
check "the services are back with the fixed file" wait_for "mail"
keys q
check "quits cleanly again" wait_for "EXIT=0"

# Headless on a terminal without --yes: it asks, and "n" writes nothing.
tty_ca() {
	new_server
	tmux -L "$SOCK" -f /dev/null new-session -d -x 80 -y 24 \
	    "'$BIN' ca-init --topdir '$T/tty' --root r --int i --org O \
	    --country US --no-issue; echo EXIT=\$?; exec sleep 600"
}
tty_ca
check "ca-init asks on a terminal" wait_for "Write 4 files? [y/N]"
keys n Enter
check "n: exit 1" wait_for "EXIT=1"
check "n: nothing written" test ! -e "$T/tty/conf.d"
tty_ca
check "asks again" wait_for "Write 4 files? [y/N]"
keys y Enter
check "y: written" wait_for "Wrote 4 files."
check "y: exit 0" wait_for "EXIT=0"
check "y: the root file is there" test -f "$T/tty/conf.d/ca/r"
finish
