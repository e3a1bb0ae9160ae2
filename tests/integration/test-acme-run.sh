#!/bin/sh
# Let's Encrypt without certbot, end to end through ssl-mgr: pebble (ACME),
# BIND primary + NSD secondary serving zones that $INCLUDE our challenge
# and TLSA files, nginx serving the http-01 web root.  One run renews four
# services in two zones (dns-01 with SANs and a wildcard, http-01), with
# ONE DNS reload for all dns-01 challenges; every chain verifies against
# pebble's root; the certs carry our keys; the ACME cert flows through
# roll, production and TLSA exactly like a private-CA one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dnsbed.sh"
. "$(dirname "$0")/pebblebed.sh"
. "$(dirname "$0")/nginxbed.sh"

for c in pebble named nsd nginx; do
	if ! command -v $c >/dev/null 2>&1 && [ ! -x /usr/sbin/$c ]; then
		if [ "${CI:-}" = true ]; then
			nok "$c is needed"
			finish
			exit
		fi
		echo "SKIP: $c missing"
		exit 77
	fi
done

bed=$T/bed
DNSBED_INCLUDE_DIR=$T/include
export DNSBED_INCLUDE_DIR
mkdir -p "$DNSBED_INCLUDE_DIR"
stop_all() {
	nginxbed_stop
	pebblebed_stop
	dnsbed_stop "$bed"
	rm -rf "$T"
}
trap stop_all EXIT INT TERM
dnsbed_start "$bed" >"$T/bed.log" 2>&1 || { cat "$T/bed.log"; nok "dns bed"; finish; exit; }
PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=5 PEBBLE_AUTHZREUSE=0
export PEBBLE_VA_NOSLEEP PEBBLE_WFE_NONCEREJECT PEBBLE_AUTHZREUSE
pebblebed_start "$T/pebble" --dns "127.0.0.1:$DNSBED_PORT" >"$T/pebble.log" 2>&1 ||
    { cat "$T/pebble.log"; nok "pebble"; finish; exit; }
ok "pebble and the DNS bed are up"

# nginx on pebble's http-01 port serving <server_dir>/example.com
chmod 755 "$T"
mkdir -p "$T/www/example.com"
nginxbed_start "$T/ng" "$PEBBLE_HTTP_PORT" "$T/www/example.com"

top=$(new_topdir acme)
P=$top/prod-certs
conf=$top/conf.d/ssl-mgr.conf
cat >>"$top/conf.d/ca-info.conf" <<CA

[pebble-dns]
    ca_desc = 'pebble, dns-01'
    ca_type = 'acme'
    ca_validation = 'dns-01'
    ca_acme_directory = '$PEBBLE_URL'
    ca_acme_ca_file = '$PEBBLE_CA'

[pebble-http]
    ca_desc = 'pebble, http-01'
    ca_type = 'acme'
    ca_validation = 'http-01'
    ca_acme_directory = '$PEBBLE_URL'
    ca_acme_ca_file = '$PEBBLE_CA'
CA
svc() {	# svc GROUP NAME CA CN SANS [DANE]
	mkdir -p "$top/conf.d/$1"
	{
		printf "name = '%s'\ngroup = '%s'\nservice = '%s'\nsigning_ca = '%s'\n" "$2" "$1" "$2" "$3"
		[ -n "${6:-}" ] && printf 'dane_tls = %s\ndane_tls_ttl = 60\n' "$6"
		printf "\n[KeyOpts]\n    ktype = 'ec'\n    ec_algo = 'secp256r1'\n"
		printf "\n[X509]\n    CN = '%s'\n    O = 'Example Org'\n    C = 'US'\n    email = 'hostmaster@%s'\n    sans = %s\n" "$4" "$1" "$5"
	} >"$top/conf.d/$1/$2"
}
svc example.com mail-ec pebble-dns example.com "['mail.example.com', 'mx2.example.com']" "[[25, 'tcp', 3, 1, 1]]"
svc example.com wild pebble-dns example.com "['*.example.com']"
svc example.com www pebble-http example.com "['www.example.com']"
svc example.net web pebble-dns example.net "['www.example.net']"
sed -i "s|services = \['web-self', 'mail-self', 'wild-self'\]|services = ['mail-ec', 'wild', 'www']|" "$conf"
sed -i "s|^    prod_cert_dir = .*|    prod_cert_dir = '$P'\n    dns_ns_port = $DNSBED_PORT\n    dns_xtra_ns = []\n    dns_check_delay = 30|" "$conf"
sed -i "s|^\[web\]|[web]\n    server_dir = '$T/www'|" "$conf"
cat >>"$conf" <<CONF

[[groups]]
    domain = 'example.net'
    services = ['web']
    active = true

[[dns_primary]]
    domain = 'default'
    server = '127.0.0.1'
    port = $DNSBED_PORT

[dns]
    restart_cmd = '$DNSBED_RESTART'
    acme_dir = '$DNSBED_INCLUDE_DIR'
    tlsa_dirs = ['$DNSBED_INCLUDE_DIR']
    depends = ['dns']
CONF
sslm "$top" check-config
check "config with ACME CAs is valid" eq "$RC" 0
[ "$RC" -eq 0 ] || cat "$T/err"

: >"$bed/restarts.log"
start=$(date +%s)
sslm "$top" -renew -roll
end=$(date +%s)
check "ACME -renew -roll exits 0" eq "$RC" 0
[ "$RC" -eq 0 ] || { cat "$T/out" "$T/err"; }
echo "   (one run, 4 ACME services + the private CA: $((end - start)) s)"
pebblebed_roots "$T/roots.pem"
C=$top/certs
for s in example.com/mail-ec example.com/wild example.com/www example.net/web; do
	d=$C/$s/curr
	check "$s: curr issued" test -s "$d/cert.pem"
	check "$s: chain verifies against pebble's root" sh -c \
	    "openssl verify -CAfile '$T/roots.pem' -untrusted '$d/chain.pem' '$d/cert.pem' | grep -q ': OK'"
	check "$s: the cert carries our key" sh -c "[ \"\$(openssl x509 -in '$d/cert.pem' -noout -pubkey)\" = \"\$(openssl pkey -in '$d/privkey.pem' -pubout)\" ]"
	check "$s: fullchain = cert + chain" sh -c "cat '$d/cert.pem' '$d/chain.pem' | cmp -s - '$d/fullchain.pem'"
	check "$s: key 0600" eq "$(mode_of "$d/privkey.pem")" 600
	check "$s: in production" cmp -s "$d/cert.pem" "$P/$s/curr/cert.pem"
done
check "wildcard SAN issued" sh -c "openssl x509 -in '$C/example.com/wild/curr/cert.pem' -noout -ext subjectAltName | grep -qF 'DNS:*.example.com'"
# One reload published every dns-01 record of both zones.
# Exactly: one reload publishing both zones' challenges, one cleaning both,
# one for the changed TLSA records.
check "three DNS reloads in the run" eq "$(wc -l <"$bed/restarts.log")" 3
check "the first reload carried both zones' challenges" sh -c "head -1 '$bed/restarts.log' | grep -q 'example.com=.*example.net='"
check "the cleanup reload carried both zones" sh -c "sed -n 2p '$bed/restarts.log' | grep -q 'example.com=.*example.net='"
check "challenge files emptied afterwards" sh -c "! grep -q TXT '$DNSBED_INCLUDE_DIR/acme-challenge.example.com' '$DNSBED_INCLUDE_DIR/acme-challenge.example.net'"
check "http-01 token removed" eq "$(find "$T/www" -type f | wc -l)" 0
check "TLSA published for the ACME mail cert" sh -c "grep -q '_25._tcp.mx2.example.com.' '$DNSBED_INCLUDE_DIR/tlsa.example.com'"
check "account key 0600 under cb/" eq "$(mode_of "$(find "$C/example.com/mail-ec/cb" -name account.pem | head -1)")" 600

sslm "$top" -renew -roll
check "second run: nothing due, silent" is_empty "$T/out"
check "second run: exit 0" eq "$RC" 0

# A forced renew of one service; next waits for the DANE gate.
sslm "$top" -renew -f example.com:mail-ec
check "forced ACME renew exits 0" eq "$RC" 0
check "forced ACME renew made next" test -s "$C/example.com/mail-ec/next/cert.pem"
check "next carries tlsa.rr" test -s "$C/example.com/mail-ec/next/tlsa.rr"
check "next in production" test -s "$P/example.com/mail-ec/next/cert.pem"

# -n: validation only; nothing issued, curr and next untouched.
before=$(cat "$C/example.com/wild/curr/cert.pem")
sslm "$top" -renew -f -n example.com:wild
check "-n exits 0" eq "$RC" 0
check "-n says it validated" contains "$T/out" "dry run: every name validated"
check "-n left curr alone" eq "$(cat "$C/example.com/wild/curr/cert.pem")" "$before"
check "-n left no next" test ! -e "$C/example.com/wild/next"

# Revoke: one service at a time, curr by default, with an RFC 5280 reason.
sslm "$top" revoke --reason 4 example.net:web
check "revoke exits 0" eq "$RC" 0
check "revoke says what it revoked" contains "$T/out" "example.net:web: revoked curr"
sslm "$top" revoke example.net:web
check "second revoke: exit 1" eq "$RC" 1
check "second revoke: the ACME problem is named" contains "$T/err" "alreadyRevoked"
sslm "$top" revoke ca:my-int
check "revoke of a private-CA cert: refused" eq "$RC" 1
check "revoke of a private-CA cert: says why" contains "$T/err" "only certificates from an ACME CA"
sslm "$top" revoke example.com
check "revoke of a whole group: usage error" eq "$RC" 2
sslm "$top" revoke --reason 7 example.net:web
check "revoke with reason 7 (unused): usage error" eq "$RC" 2

# pebble with its defaults: validation sleeps 0-15 s, authorizations are
# reused half of the time, 5% of good nonces are refused.  (A restart also
# forgets every account: they are registered again.)
unset PEBBLE_VA_NOSLEEP PEBBLE_AUTHZREUSE PEBBLE_WFE_NONCEREJECT
pebblebed_restart >"$T/pebble2.log" 2>&1
pebblebed_roots "$T/roots2.pem"
start=$(date +%s)
sslm "$top" -renew -f example.com:www example.net:web
echo "   (pebble defaults, 2 services: $(($(date +%s) - start)) s)"
check "pebble defaults: renew exits 0" eq "$RC" 0
[ "$RC" -eq 0 ] || cat "$T/err"
for s in example.com/www example.net/web; do
	check "pebble defaults: $s next verifies" sh -c \
	    "openssl verify -CAfile '$T/roots2.pem' -untrusted '$C/$s/next/chain.pem' '$C/$s/next/cert.pem' | grep -q ': OK'"
done

# A failing order leaves curr alone: a name pebble cannot validate.
svc example.com bad pebble-http example.com "['nohost.example.com']"
sslm "$top" -renew example.com:bad
check "failed validation: exit 1" eq "$RC" 1
check "failed validation: the step and problem are named" sh -c "grep -q 'example.com:bad' '$T/err' && grep -qi 'urn:ietf:params:acme:error' '$T/err'"
check "failed validation: no next left behind" test ! -e "$C/example.com/bad/next"
finish
