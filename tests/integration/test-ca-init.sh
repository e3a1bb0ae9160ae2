#!/bin/sh
# ssl-mgr ca-init, headless: bad answers exit 2, --dry-run writes nothing,
# the files have the right content and modes, the CAs and leaves are
# issued and rolled with chains openssl verifies, a second run finds
# everything unchanged, a conflicting file is refused (exit 1, nothing
# written) until --force, and an existing configuration is added to.
. "$(dirname "$0")/lib.sh"

top=$T/fresh
ca() { sslm "$top" ca-init --topdir "$top" "$@"; }
ANS="--root acme-root --int acme-int --org Acme --country DE
    --unit IT --email pki@acme.test --root-days 1000 --leaf-days 30
    --leaf acme.test:web=www.acme.test,acme.test,127.0.0.1
    --leaf mail=mail.acme.test --leaf-key rsa:2048"

# Bad answers: exit 2 and say what is wrong, all at once.
ca --root x --int x --country Germany --leaf-days 0
check "bad lifetime exits 2" eq "$RC" 2
check "bad lifetime is named" contains "$T/err" "--leaf-days '0'"
ca --root x --int x --country Germany
check "bad answers exit 2" eq "$RC" 2
check "same names reported" contains "$T/err" "need different names"
check "missing O reported" contains "$T/err" "organisation (O) is required"
check "bad country reported" contains "$T/err" "country (C) 'Germany'"
ca --root r --int i --org O --country DE --key dsa
check "bad key type exits 2" eq "$RC" 2
check "bad key type is named" contains "$T/err" "key 'dsa'"
ca --root r --int i --org O --country DE --leaf web
check "leaf without hosts exits 2" eq "$RC" 2
check "nothing made by bad answers" test ! -e "$top"

# --dry-run: the plan only.
# shellcheck disable=SC2086
ca $ANS --dry-run
check "dry run exits 0" eq "$RC" 0
check "dry run lists the root file" contains "$T/out" "new        conf.d/ca/acme-root"
check "dry run lists the leaf file" contains "$T/out" "new        conf.d/mail.acme.test/mail"
check "dry run lists ssl-mgr.conf" contains "$T/out" "new        conf.d/ssl-mgr.conf"
check "dry run writes nothing" test ! -e "$top/conf.d"
# shellcheck disable=SC2086
ca $ANS --dry-run --show
check "--show prints the root's text" contains "$T/out" "--- conf.d/ca/acme-root (new)"
check "--show: the text itself" contains "$T/out" "signing_ca = 'acme-root'"
check "--show writes nothing either" test ! -e "$top/conf.d"

# Without --yes and without a terminal: nothing written, exit 2.
# shellcheck disable=SC2086
ca $ANS </dev/null
check "no --yes exits 2" eq "$RC" 2
check "no --yes says how to confirm" contains "$T/err" "confirm with --yes"
check "no --yes writes nothing" test ! -e "$top/conf.d"

# The real thing.
# shellcheck disable=SC2086
ca $ANS --yes
check "ca-init exits 0" eq "$RC" 0
check "ca-init writes nothing on stderr" is_empty "$T/err"
check "it says how many files it wrote" contains "$T/out" "Wrote 6 files."
check "it runs the cron code path" contains "$T/out" "== ssl-mgr -renew -roll ca:acme-root,acme-int acme.test:web mail.acme.test:mail"
check "root rolled" contains "$T/out" "ca:acme-root: rolled next to curr"
check "trust: Debian" contains "$T/out" "/usr/local/share/ca-certificates/acme-root.crt"
check "trust: update-ca-certificates" contains "$T/out" "update-ca-certificates"
check "trust: the root's path" contains "$T/out" "ROOT=$top/certs/ca/acme-root/curr/cert.pem"
# shellcheck disable=SC2016
check "trust: Arch" contains "$T/out" 'trust anchor --store "$ROOT"'
# shellcheck disable=SC2016
check "trust: browsers" contains "$T/out" 'certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n acme-root -i "$ROOT"'
# The ROOT= line the commands use names the root certificate.
sed -n 's/^  ROOT=//p' "$T/out" >"$T/rootpath"
check "trust: ROOT names the root cert" cmp -s "$(cat "$T/rootpath")" "$top/certs/ca/acme-root/curr/cert.pem"
C=$top/conf.d
check "root file content" contains "$C/ca/acme-root" "signing_ca = 'self'"
check "root lifetime" contains "$C/ca/acme-root" "sign_end_days = 1000"
check "intermediate signed by root" contains "$C/ca/acme-int" "signing_ca = 'acme-root'"
check "intermediate signs 30 day leaves" contains "$C/ca/acme-int" "sign_end_days = 30"
check "leaf sans" contains "$C/acme.test/web" "sans = ['www.acme.test', 'acme.test', '127.0.0.1']"
check "leaf key" contains "$C/acme.test/web" "rsa_bits = 2048"
check "ca-info root" contains "$C/ca-info.conf" "[acme-root]"
check "ssl-mgr.conf ca group" contains "$C/ssl-mgr.conf" "services = ['acme-root', 'acme-int']"
for f in ca/acme-root ca/acme-int acme.test/web mail.acme.test/mail \
    ca-info.conf ssl-mgr.conf; do
	check "$f is 0644" eq "$(mode_of "$C/$f")" 644
done
check "conf.d/ca is 0750" eq "$(mode_of "$C/ca")" 750
check "no temp files left" eq "$(find "$top" -name '*.tmp*' | wc -l)" 0
sslm "$top" check-config
check "check-config accepts what ca-init wrote" eq "$RC" 0

K=$top/certs
root=$K/ca/acme-root/curr/cert.pem
int=$K/ca/acme-int/curr/cert.pem
for s in acme.test/web mail.acme.test/mail; do
	check "$s: chain verifies" sh -c "openssl verify -CAfile '$root' -untrusted '$int' '$K/$s/curr/cert.pem' | grep -q ': OK'"
	check "$s: key 0600" eq "$(mode_of "$K/$s/curr/privkey.pem")" 600
done
check "root subject" sh -c "openssl x509 -in '$root' -noout -subject | grep -q 'CN *= *Acme Root CA'"
check "leaf IP SAN" sh -c "openssl x509 -in '$K/acme.test/web/curr/cert.pem' -noout -ext subjectAltName | grep -q 'IP Address:127.0.0.1'"
check "leaf is RSA 2048" sh -c "openssl x509 -in '$K/acme.test/web/curr/cert.pem' -noout -text | grep -q 'Public-Key: (2048 bit)'"
check "root is EC P-384" sh -c "openssl x509 -in '$root' -noout -text | grep -q 'NIST CURVE: P-384'"

# Again: unchanged, nothing renewed.
curr=$(readlink "$K/ca/acme-root/curr")
# shellcheck disable=SC2086
ca $ANS --yes
check "second run exits 0" eq "$RC" 0
check "second run: root unchanged" contains "$T/out" "unchanged  conf.d/ca/acme-root"
check "second run: ssl-mgr.conf unchanged" contains "$T/out" "unchanged  conf.d/ssl-mgr.conf"
check "second run writes no files" not_contains "$T/out" "Wrote"
check "second run renews nothing" not_contains "$T/out" "renewed"
check "root curr kept" eq "$(readlink "$K/ca/acme-root/curr")" "$curr"

# A conflicting file is refused, then --force replaces it.
printf "name = 'mine'\n" >"$C/mail.acme.test/mail"
# shellcheck disable=SC2086
ca $ANS --yes
check "conflict exits 1" eq "$RC" 1
check "conflict is shown in the plan" contains "$T/out" "CONFLICT   conf.d/mail.acme.test/mail"
check "conflict message" contains "$T/err" "1 file in conflict: nothing written"
check "conflicting file kept" eq "$(cat "$C/mail.acme.test/mail")" "name = 'mine'"
# shellcheck disable=SC2086
ca $ANS --yes --force --no-issue
check "--force exits 0" eq "$RC" 0
check "--force rewrote the file" contains "$C/mail.acme.test/mail" "signing_ca = 'acme-int'"

# Ed25519 CAs, a relative --topdir: the trust commands name the root by
# its absolute path.
(cd "$T" && "$BIN" ca-init --topdir rel --root r --int i --org O \
    --country US --key ed25519 --leaf-key ec:secp256r1 --leaf web=a.test \
    --yes >"$T/out" 2>"$T/err")
check "ed25519: exits 0" eq "$?" 0
check "ed25519: ROOT is absolute" contains "$T/out" "ROOT=$T/rel/certs/ca/r/curr/cert.pem"
check "ed25519: the root is Ed25519" sh -c "openssl x509 -in '$T/rel/certs/ca/r/curr/cert.pem' -noout -text | grep -q 'ED25519'"
check "ed25519: the chain verifies" sh -c "openssl verify -CAfile '$T/rel/certs/ca/r/curr/cert.pem' -untrusted '$T/rel/certs/ca/i/curr/cert.pem' '$T/rel/certs/a.test/web/curr/cert.pem' | grep -q ': OK'"

# An existing configuration (the bundled demo) is added to.
demo=$(new_topdir demo)
cp "$demo/conf.d/ssl-mgr.conf" "$T/before.conf"
sslm "$demo" ca-init --root r2 --int i2 --org Acme --country DE \
    --leaf example.com:api=api.example.com --yes
check "demo: ca-init exits 0" eq "$RC" 0
check "demo: ssl-mgr.conf added to" contains "$T/out" "add to     conf.d/ssl-mgr.conf"
check "demo: only the two services lines changed" eq \
    "$(diff "$T/before.conf" "$demo/conf.d/ssl-mgr.conf" | grep -c '^<')" 2
check "demo: ca group lists all four" contains "$demo/conf.d/ssl-mgr.conf" "services = ['my-root', 'my-int', 'r2', 'i2']"
check "demo: api leaf verifies" sh -c "openssl verify -CAfile '$demo/certs/ca/r2/curr/cert.pem' -untrusted '$demo/certs/ca/i2/curr/cert.pem' '$demo/certs/example.com/api/curr/cert.pem' | grep -q ': OK'"
check "demo: the old CA was not issued by this run" test ! -e "$demo/certs/ca/my-root"
sslm "$demo" check-config
check "demo: check-config still passes" eq "$RC" 0

finish
