#!/bin/sh
# The auxiliary tools through the real binary: info on every kind of PEM
# and on garbage, verify passing and failing, tlsa-hash against openssl,
# dhparam with named groups and the dhparam.pem link.
. "$(dirname "$0")/lib.sh"

top=$(new_topdir tools)
sslm "$top" -renew -roll
check "setup exits 0" eq "$RC" 0
web=$top/certs/example.com/web-self/curr
mail=$top/certs/example.com/mail-self/curr

"$BIN" info "$web/cert.pem" >"$T/out" 2>"$T/err"
check "info cert: exit 0" eq "$?" 0
check "info cert: expires line" contains "$T/out" "Expires  : "
check "info cert: (90 day cert)" contains "$T/out" "(90 day cert)"
check "info cert: IP SANs listed" contains "$T/out" "10.1.2.3"
check "info cert: pubkey" contains "$T/out" "Pubkey   : pubkey-secp384r1"
"$BIN" info "$web/bundle.pem" >"$T/out" 2>&1
check "info bundle: the key and three certs" eq "$(grep -c '^-\{70\}$' "$T/out")" 4
check "info bundle: key algo" contains "$T/out" "Key algo : prvkey-secp384r1"
check "info bundle: never prints key material" not_contains "$T/out" "PRIVATE KEY"
"$BIN" info "$mail/csr.pem" "$mail/privkey.pem" >"$T/out" 2>&1
check "info csr: subject" contains "$T/out" "CN=mail.example.com"
check "info rsa key" contains "$T/out" "prvkey-rsa-2048"
"$BIN" info -v "$mail/privkey.pem" >"$T/out" 2>&1
check "info -v rsa key works (upstream ran openssl ec)" eq "$?" 0
check "info -v key: no private part" not_contains "$T/out" "privateExponent"
"$BIN" info < "$web/fullchain.pem" >"$T/out" 2>&1
check "info stdin: named stdin" contains "$T/out" "stdin"
printf 'junk\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' >"$T/bad.pem"
"$BIN" info "$T/bad.pem" >"$T/out" 2>&1
check "info garbage: exit 1" eq "$?" 1
check "info garbage: says what is wrong" contains "$T/out" "not a valid certificate"
head -c 300 "$web/cert.pem" >"$T/trunc.pem"
"$BIN" info "$T/trunc.pem" >"$T/out" 2>&1
check "info truncated: exit 1, no crash" eq "$?" 1
head -c 5000000 /dev/zero >"$T/huge.pem"
"$BIN" info "$T/huge.pem" >"$T/out" 2>&1
check "info huge file: exit 1, no crash" eq "$?" 1
check "info huge file: says too large" contains "$T/out" "larger than 4 MiB"

"$BIN" verify "$web" >"$T/out" 2>&1
check "verify: exit 0" eq "$?" 0
check "verify: direct signature verified" contains "$T/out" "Certificate ** Verified **"
check "verify: path validation verified" contains "$T/out" "Path validation ** Verified **"
"$BIN" verify --cafile "$top/certs/ca/my-root/curr/cert.pem" "$web/cert.pem" >"$T/out" 2>&1
check "verify --cafile with a file argument" eq "$?" 0
mkdir -p "$T/wrong"
cp "$web/cert.pem" "$T/wrong/cert.pem"
cp "$top/certs/ca/my-root/curr/cert.pem" "$T/wrong/chain.pem"
"$BIN" verify "$T/wrong" >"$T/out" 2>&1
check "verify wrong chain: exit 1" eq "$?" 1
check "verify wrong chain: failed" contains "$T/out" "Failed"
"$BIN" verify "$T" >"$T/out" 2>&1
check "verify without files: exit 1" eq "$?" 1
check "verify without files: message" contains "$T/out" "Failed to find cert.pem, chain.pem"

"$BIN" tlsa-hash "$web" >"$T/out" 2>&1
want=$(openssl x509 -in "$web/cert.pem" -noout -pubkey | openssl pkey -pubin -outform der | openssl dgst -sha256 | awk '{print $NF}')
check "tlsa-hash: matched" contains "$T/out" "Matched:"
check "tlsa-hash equals openssl's" contains "$T/out" "tlsa hash: $want"

mkdir -p "$T/dh/example.com" "$T/dh/ca"
"$BIN" dhparam -k ffdhe2048,ffdhe3072 -s "$T/dh" >"$T/out" 2>&1
check "dhparam: exit 0" eq "$?" 0
check "dhparam: ffdhe2048 made" test -s "$T/dh/example.com/dh/dh-ffdhe2048.pem"
check "dhparam: only what was asked (no ffdhe8192)" test ! -e "$T/dh/example.com/dh/dh-ffdhe8192.pem"
check "dhparam: ca dir skipped" test ! -e "$T/dh/ca/dh"
check "dhparam: dhparam.pem links the first group" eq "$(readlink "$T/dh/example.com/dh/dhparam.pem")" "dh-ffdhe2048.pem"
check "dhparam: openssl reads it" sh -c "openssl pkeyparam -in '$T/dh/example.com/dh/dh-ffdhe2048.pem' -noout"
"$BIN" dhparam "$T/nope" >"$T/out" 2>&1
check "dhparam: no usable dir: exit 2" eq "$?" 2
check "dhparam: says so" contains "$T/out" "No usable directories"
finish
