#!/bin/sh
# DANE end to end on real name servers: a private-CA mail service with
# dane_tls, BIND primary + NSD secondary (software-default lag) serving
# zones that $INCLUDE our TLSA file, the serial-bumping DNS restart, and a
# TLS server restarted by [smtp] restart_cmd.  At every step the records
# both name servers serve must match the certificate the server presents
# (openssl s_client -dane_tlsa_rrdata), and an early roll must be refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dnsbed.sh"

if ! command -v named >/dev/null 2>&1 && [ ! -x /usr/sbin/named ] ||
    [ ! -x /usr/sbin/nsd ]; then
	if [ "${CI:-}" = true ]; then
		nok "bind9 and nsd are needed"
		finish
		exit
	fi
	echo "SKIP: bind9/nsd missing"
	exit 77
fi

bed=$T/bed
DNSBED_INCLUDE_DIR=$T/include
export DNSBED_INCLUDE_DIR
mkdir -p "$DNSBED_INCLUDE_DIR"
tls_pid=$T/tls.pid
stop_all() {
	[ -f "$tls_pid" ] && kill "$(cat "$tls_pid")" 2>/dev/null
	dnsbed_stop "$bed"
	rm -rf "$T"
}
trap stop_all EXIT INT TERM
if ! dnsbed_start "$bed" --lag >"$T/bed.log" 2>&1; then
	cat "$T/bed.log"
	nok "dns bed starts"
	finish
	exit
fi
ok "dns bed started (port $DNSBED_PORT)"

top=$(new_topdir dane)
P=$top/prod-certs
tlsport=$(free_port)
# The "mail server": openssl s_server on the production curr cert,
# restarted by ssl-mgr through [smtp] restart_cmd.
cat >"$T/tls-restart" <<TLS
#!/bin/sh
[ -f "$tls_pid" ] && kill \$(cat "$tls_pid") 2>/dev/null && sleep 0.2
echo restart >>"$T/tls-restarts"
openssl s_server -quiet -accept 127.0.0.1:$tlsport \
    -cert "$P/example.com/mail-dane/curr/cert.pem" \
    -key "$P/example.com/mail-dane/curr/privkey.pem" </dev/null >/dev/null 2>&1 &
echo \$! >"$tls_pid"
TLS
chmod +x "$T/tls-restart"

cat >"$top/conf.d/example.com/mail-dane" <<SVC
name = 'DANE mail'
group = 'example.com'
service = 'mail-dane'
signing_ca = 'my-int'
dane_tls = [[25, 'tcp', 3, 1, 1], [443, 'tcp', 3, 1, 1, 'SANS']]
dane_tls_ttl = 2

[KeyOpts]
    ktype = 'ec'
    ec_algo = 'secp256r1'

[X509]
    CN = 'mail.example.com'
    O = 'Example Org'
    C = 'US'
    sans = ['mail.example.com']
SVC
conf=$top/conf.d/ssl-mgr.conf
sed -i "s|services = \['web-self', 'mail-self', 'wild-self'\]|services = ['mail-dane']|" "$conf"
sed -i "s|^    prod_cert_dir = .*|    prod_cert_dir = '$P'\n    dns_ns_port = $DNSBED_PORT\n    dns_xtra_ns = []|" "$conf"
cat >>"$conf" <<CONF

[[dns_primary]]
    domain = 'default'
    server = '127.0.0.1'
    port = $DNSBED_PORT

[dns]
    restart_cmd = '$DNSBED_RESTART'
    acme_dir = '$DNSBED_INCLUDE_DIR'
    tlsa_dirs = ['$DNSBED_INCLUDE_DIR']
    depends = ['dns']

[smtp]
    servers = []
    restart_cmd = '$T/tls-restart'
    svc_depends = [['example.com', ['mail-dane']]]
CONF

sslm "$top" check-config
check "config is valid" eq "$RC" 0

# served SERVER OWNER: the TLSA rdata a server serves, normalised, sorted.
served() {
	dnsbed_dig "$1" TLSA "$2" | tr 'A-F' 'a-f' | sed 's/  */ /g' | sort
}
# want LINK: the 3 1 1 rdata of certs/.../<link>/cert.pem
want() {
	echo "3 1 1 $(openssl x509 -in "$top/certs/example.com/mail-dane/$1/cert.pem" -noout -pubkey |
	    openssl pkey -pubin -outform der | openssl dgst -sha256 | awk '{print $NF}')"
}
wait_both() {	# wait until both servers serve the primary's serial
	s=$(dnsbed_serial example.com primary)
	dnsbed_wait_serial example.com secondary "$s" 15
}
# dane_ok: the TLS server's cert matches the records ns2 serves for port 25
# (every served record is given to s_client; one must match).
dane_ok() {
	served secondary _25._tcp.mail.example.com >"$T/served"
	[ -s "$T/served" ] || return 1
	set --
	while IFS= read -r l; do set -- "$@" -dane_tlsa_rrdata "$l"; done <"$T/served"
	echo | timeout 5 openssl s_client -connect 127.0.0.1:$tlsport \
	    -dane_tlsa_domain mail.example.com -dane_ee_no_namechecks "$@" \
	    -verify_return_error 2>/dev/null | grep -q 'Verify return code: 0 (ok)'
}
# A wrong record must not match (the check has teeth).
dane_wrong() {
	! echo | timeout 5 openssl s_client -connect 127.0.0.1:$tlsport \
	    -dane_tlsa_domain mail.example.com -dane_ee_no_namechecks \
	    -dane_tlsa_rrdata "3 1 1 $(printf '%064d' 0)" \
	    -verify_return_error 2>/dev/null | grep -q 'Verify return code: 0 (ok)'
}

# 1. First issue: curr goes live at once (nothing published yet to break).
sslm "$top" -renew -roll
check "first -renew -roll exits 0" eq "$RC" 0
check "tlsa.rr written in curr" test -s "$top/certs/example.com/mail-dane/curr/tlsa.rr"
check "group file in the include dir" test -s "$DNSBED_INCLUDE_DIR/tlsa.example.com"
check "DNS restart ran with the apex" contains "$bed/restarts.log" "example.com="
check "TLS server started by restart_cmd" test -s "$tls_pid"
wait_both
c1=$(want curr)
for ns in primary secondary; do
	for h in mail.example.com mx2.example.com example.com; do
		check "$ns serves curr's port-25 TLSA at $h" eq "$(served $ns _25._tcp.$h)" "$c1"
	done
done
check "both equal-preference MX hosts got records" contains "$top/certs/example.com/mail-dane/curr/tlsa.rr" "_25._tcp.mx2.example.com."
check "SANS entry: port 443 record on the SAN" eq "$(served primary _443._tcp.mail.example.com)" "$c1"
sleep 0.3
check "TLS server matches the published TLSA" dane_ok
check "a wrong TLSA record does not match" dane_wrong

# 2. Renew: next's records join curr's on both servers.
sslm "$top" -renew -f example.com:mail-dane
check "renew exits 0" eq "$RC" 0
check "next has tlsa.rr" test -s "$top/certs/example.com/mail-dane/next/tlsa.rr"
n1=$(want next)
# 3. At once, while the secondary lags: the roll is refused.
sslm "$top" -roll -v example.com:mail-dane
check "early roll: exit 0 (refusal is not an error)" eq "$RC" 0
check "early roll refused" contains "$T/out" "Too soon to roll"
check "curr unchanged by the refused roll" eq "$(want curr)" "$c1"
check "TLS server still matches during the wait" dane_ok
wait_both
both="$(printf '%s\n%s\n' "$c1" "$n1" | sort)"
check "ns1 serves curr + next" eq "$(served primary _25._tcp.mx2.example.com)" "$both"
check "ns2 serves curr + next" eq "$(served secondary _25._tcp.mx2.example.com)" "$both"
# 4. Visible everywhere but for less than 2 x TTL: still refused.
sslm "$top" -roll example.com:mail-dane
check "roll within 2 x TTL refused" contains "$T/out" "Too soon to roll"
sleep 5
# 5. After the wait: rolled; servers restarted first, then DNS drops curr.
before=$(wc -l <"$bed/restarts.log")
sslm "$top" -roll -v example.com:mail-dane
check "roll after the wait exits 0" eq "$RC" 0
check "roll after the wait rolled" contains "$T/out" "rolled next to curr"
check "curr is the former next" eq "$(want curr)" "$n1"
check "DNS restarted after the roll" test "$(wc -l <"$bed/restarts.log")" -gt "$before"
check "TLS server restarted" test "$(wc -l <"$T/tls-restarts")" -ge 2
wait_both
for ns in primary secondary; do
	check "$ns serves only the new record after the roll" eq "$(served $ns _25._tcp.mail.example.com)" "$n1"
done
sleep 0.3
check "TLS server matches DNS after the roll" dane_ok
check "prod has no next after the roll" test ! -e "$P/example.com/mail-dane/next"

# 6. An unreachable primary is an error for its group only.
mkdir -p "$top/conf.d/example.net"
sed -e 's/example\.com/example.net/g; s/mail-dane/net-dane/' \
    "$top/conf.d/example.com/mail-dane" >"$top/conf.d/example.net/net-dane"
printf "\n[[dns_primary]]\n    domain = 'example.net'\n    server = '127.0.0.9'\n    port = %s\n" \
    "$DNSBED_PORT" >>"$conf"
printf "\n[[groups]]\n    domain = 'example.net'\n    services = ['net-dane']\n    active = true\n" >>"$conf"
sslm "$top" -renew -f example.net:net-dane example.com:mail-dane
check "dead primary: exit 1" eq "$RC" 1
check "dead primary: the group and server are named" sh -c "grep -q 'example.net' '$T/err' && grep -q '127.0.0.9' '$T/err'"
check "dead primary: the other group still renewed" contains "$T/out" "example.com:mail-dane: renewed"
check "dead primary: nothing made for its group" test ! -e "$top/certs/example.net/net-dane/next"
sslm "$top" -roll -f example.com:mail-dane
check "-f rolls without the gate" contains "$T/out" "rolled next to curr"
finish
