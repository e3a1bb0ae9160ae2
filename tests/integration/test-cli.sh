#!/bin/sh
# Upstream's command line: spellings, prefixes, dev mode, selection, exit
# codes, help, JSON status and the classic program names.
. "$(dirname "$0")/lib.sh"

top=$(new_topdir cli)
sslm "$top" -h
check "-h exits 0" eq "$RC" 0
check "-h shows regular options" contains "$T/out" "-renew, --renew"
check "-h does not show dev options" not_contains "$T/out" "--new-keys"
check "-h epilog" contains "$T/out" 'For dev options add "dev" as 1st argument'
sslm "$top" dev -h
check "dev -h shows dev options" contains "$T/out" "-keys, --new-keys"
sslm "$top" -keys
check "dev option outside dev mode: exit 2" eq "$RC" 2
check "dev option outside dev mode: says so" contains "$T/err" "dev option"
sslm "$top" -ro
check "ambiguous prefix -ro: exit 2" eq "$RC" 2
check "ambiguous prefix: says so" contains "$T/err" "ambiguous"

sslm "$top" --ren --rol ca
check "prefixes --ren --rol and a bare group work" eq "$RC" 0
check "bare group 'ca' renewed its services" test -L "$top/certs/ca/my-int/curr"
check "bare group did not touch other groups" test ! -e "$top/certs/example.com"
sslm "$top" -renew -roll 'example.com:ALL'
check "grp:ALL exits 0" eq "$RC" 0
for s in web-self mail-self wild-self; do
	check "grp:ALL renewed $s" test -L "$top/certs/example.com/$s/curr"
done
sslm "$top" -renew -f 'example.com:web-self,wild-self' -roll-mins=5
check "svc list and -roll-mins=5 accepted" eq "$RC" 0
check "svc list renewed web-self" test -L "$top/certs/example.com/web-self/next"
check "svc list renewed wild-self" test -L "$top/certs/example.com/wild-self/next"
check "svc list left mail-self" test ! -e "$top/certs/example.com/mail-self/next"

sslm "$top" -s
check "-s exits 0" eq "$RC" 0
check "-s has the group header" contains "$T/out" "Start group/domain tasks :"
check "-s shows curr expiry" contains "$T/out" "curr         : expires: "
check "-s shows the issued line" contains "$T/out" "(90 day cert)"
check "-s shows renew timing" contains "$T/out" "renew : in "
check "-s shows the pubkey" contains "$T/out" "pubkey : pubkey-secp384r1"
check "-s shows the RSA key" contains "$T/out" "pubkey : pubkey-rsa-2048"
check "-s without -v hides sans" not_contains "$T/out" "sans :"
sslm "$top" -s -v example.com:web-self
check "-s -v shows sans" contains "$T/out" "'www.example.com'"
check "-s -v shows the signature algorithm" contains "$T/out" "sig_algo : ecdsa-with-SHA384"
# A name given twice is taken once (the set that replaced a linear
# search per name keeps that).
sslm "$top" -s example.com:web-self,wild-self,web-self
check "a service given twice: exit 0" eq "$RC" 0
check "a service given twice is listed once" test "$(grep -c \
    '^  web-self$' "$T/out")" -eq 1
check "and the other one too" test "$(grep -c '^  wild-self$' \
    "$T/out")" -eq 1
sslm "$top" -s example.com:nope,nope
check "a missing service: exit 2" eq "$RC" 2
check "a missing service given twice: said once" test "$(grep -c \
    'No config for example.com:nope' "$T/err")" -eq 1
if [ -w /dev/full ]; then
	SSL_MGR_TOPDIR=$top "$BIN" -s >/dev/full 2>"$T/err"
	check "-s to a full disk: exit 1" eq "$?" 1
	check "and says so" contains "$T/err" \
	    "cannot write the status: No space left on device"
fi
sslm "$top" -s --json
check "-s --json exits 0" eq "$RC" 0
check "-s --json is JSON with the schema" contains "$T/out" '"schema": "ssl-mgr-status/1"'
if command -v python3 >/dev/null 2>&1; then
	check "-s --json parses" python3 -c "import json,sys; d=json.load(open('$T/out')); assert d['groups'][0]['name']=='ca'"
fi
check "-s --json has no key material" not_contains "$T/out" "PRIVATE KEY"
sslm "$top" --json
check "--json without -s: exit 2" eq "$RC" 2
sslm "$top" -s -dns
check "-dns is accepted (no-op, as upstream)" eq "$RC" 0

# Classic names through links.
for n in sslm-mgr sslm-info sslm-verify sslm-dhparm sslm-tlsa-hash; do
	ln -s "$BIN" "$T/$n"
done
SSL_MGR_TOPDIR=$top "$T/sslm-mgr" -s >"$T/out" 2>&1
check "sslm-mgr link runs the manager" contains "$T/out" "Start group/domain tasks"
"$T/sslm-info" "$top/certs/ca/my-root/curr/cert.pem" >"$T/out" 2>&1
check "sslm-info link runs info" contains "$T/out" "Subject"
"$T/sslm-verify" "$top/certs/example.com/web-self/curr" >"$T/out" 2>&1
check "sslm-verify link runs verify" contains "$T/out" "Verified"
"$T/sslm-tlsa-hash" "$top/certs/example.com/web-self/curr" >"$T/out" 2>&1
check "sslm-tlsa-hash link runs tlsa-hash" contains "$T/out" "Matched"
"$T/sslm-dhparm" -h >"$T/out" 2>&1
check "sslm-dhparm link runs dhparam" contains "$T/out" "dhparam"
"$BIN" --version >"$T/out"
check "--version" contains "$T/out" "ssl-mgr "
finish
