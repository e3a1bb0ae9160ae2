# crashbed.sh - the tree the crash, concurrency and soak tests work on
# (POSIX sh, sourced after lib.sh and dnsbed.sh, with a running dns bed):
# the private-CA demo (root, intermediate, three services) plus a DANE mail
# service, production in <top>/prod-certs, the group TLSA file copied to
# <top>/tlsa-include ([dns] tlsa_dirs), and restart commands that only log.
#
#   crashbed_topdir <name>	prints the new topdir
crashbed_topdir() {
	_cb=$(new_topdir "$1")
	mkdir -p "$_cb/tlsa-include"
	for _w in dns smtp; do
		cat >"$_cb/restart-$_w" <<'SH'
#!/bin/sh
echo "${0##*/} $*" >>"${0%/*}/restarts.log"
SH
		chmod 755 "$_cb/restart-$_w"
	done
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
