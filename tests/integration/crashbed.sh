# crashbed.sh - the tree the crash, concurrency and soak tests work on
# (POSIX sh, sourced after lib.sh and dnsbed.sh, with a running dns bed):
# the private-CA demo (root, intermediate, three services) plus a DANE mail
# service, production in <top>/prod-certs, the group TLSA file copied to
# <top>/tlsa-include ([dns] tlsa_dirs), and restart commands that only log
# (restarts.log) and note what their server would serve (dns-served,
# smtp-served: see crashbed_served).
#
#   crashbed_topdir <name>	prints the new topdir
crashbed_topdir() {
	_cb=$(new_topdir "$1")
	mkdir -p "$_cb/tlsa-include"
	# Each restart notes what its server then serves: DNS the include
	# file, the mail server the production certs of its services.
	cat >"$_cb/restart-dns" <<'SH'
#!/bin/sh
d=${0%/*}
echo "dns $*" >>"$d/restarts.log"
cat "$d/tlsa-include/tlsa.example.com" >"$d/dns-served" 2>/dev/null
SH
	cat >"$_cb/restart-smtp" <<'SH'
#!/bin/sh
d=${0%/*}
echo "smtp $*" >>"$d/restarts.log"
cat "$d"/prod-certs/example.com/mail-*/curr/cert.pem >"$d/smtp-served" 2>/dev/null
SH
	chmod 755 "$_cb/restart-dns" "$_cb/restart-smtp"
	cat >"$_cb/conf.d/example.com/mail-dane" <<'SVC'
name = 'DANE mail'
group = 'example.com'
service = 'mail-dane'
signing_ca = 'my-int'
dane_tls = [[25, 'tcp', 3, 1, 1]]
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
	# EC keys only: the tests run hundreds of renewals.
	sed -i "s/ktype = 'rsa'/ktype = 'ec'\n    ec_algo = 'secp256r1'/" \
	    "$_cb/conf.d/example.com/mail-self"
	_cf=$_cb/conf.d/ssl-mgr.conf
	sed -i "s|services = \['web-self', 'mail-self', 'wild-self'\]|services = ['web-self', 'mail-self', 'wild-self', 'mail-dane']|" "$_cf"
	sed -i "s|^    prod_cert_dir = .*|    prod_cert_dir = '$_cb/prod-certs'\n    dns_ns_port = $DNSBED_PORT\n    dns_xtra_ns = []|" "$_cf"
	cat >>"$_cf" <<CONF

[[dns_primary]]
    domain = 'default'
    server = '127.0.0.1'
    port = $DNSBED_PORT

[dns]
    restart_cmd = '$_cb/restart-dns'
    tlsa_dirs = ['$_cb/tlsa-include']
    depends = ['dns']

[smtp]
    servers = []
    restart_cmd = '$_cb/restart-smtp'
    svc_depends = [['example.com', ['mail-dane', 'mail-self']]]
CONF
	echo "$_cb"
}

# crashbed_served <top>: the DNS server was reloaded with the include file
# as it is, and the mail server restarted with the production certs as
# they are (no restart owed by an interrupted run is lost).
crashbed_served() {
	cmp -s "$1/tlsa-include/tlsa.example.com" "$1/dns-served" || {
		echo "DNS not reloaded since the TLSA include file changed"
		return 1
	}
	cat "$1"/prod-certs/example.com/mail-*/curr/cert.pem |
	    cmp -s - "$1/smtp-served" || {
		echo "mail server not restarted since its certs changed"
		return 1
	}
}
