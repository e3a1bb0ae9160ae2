# dnsstatbed.sh - a topdir with one DANE mail service (private CA) whose
# zone example.com is served by the dns test bed (dnsbed.sh), for the
# dns-status and plan tests and the console's DNS screen (POSIX sh, to be
# sourced after lib.sh and dnsbed.sh, with the bed started).
#
#   dnsstat_topdir <dir>	writes <dir>/conf.d and prints nothing; the
#				[dns] acme_dir and tlsa_dirs are
#				$DNSBED_INCLUDE_DIR, restart_cmd the bed's
#   dnsstat_both		waits until the secondary serves the
#				primary's serial of example.com

dnsstat_topdir() {
	_dst=$1
	mkdir -p "$_dst"
	cp -R "$SRC/conf-examples/ca-self/conf.d" "$_dst/"
	cat >"$_dst/conf.d/example.com/mail-dane" <<SVC
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
	_dsc=$_dst/conf.d/ssl-mgr.conf
	sed -i "s|services = \['web-self', 'mail-self', 'wild-self'\]|services = ['mail-dane']|" "$_dsc"
	sed -i "s|^    prod_cert_dir = .*|    prod_cert_dir = '$_dst/prod-certs'\n    dns_ns_port = $DNSBED_PORT\n    dns_xtra_ns = []|" "$_dsc"
	cat >>"$_dsc" <<CONF

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
}

dnsstat_both() {
	_dss=$(dnsbed_serial example.com primary)
	dnsbed_wait_serial example.com secondary "$_dss" 15
}
