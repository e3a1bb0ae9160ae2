#!/bin/sh
# Bad input, part 1: malformed configuration files.  Every case of the
# table below is one edit of one file of a fresh copy of the ca-self demo;
# `ssl-mgr -renew -roll` must then exit 2, print the expected message (the
# text is checked, with "file:line" wherever the problem has a line) and
# write nothing at all: the tree is listed before and after.
#
# Part 2: malformed PEM/DER for `info` and `verify`: they must finish in
# time (timeout 10; a timeout is a failure), never crash (no signal, no
# sanitizer report), exit non-zero where the input is bad, and say what is
# wrong.
#
# Complements test-bad-config.sh (its 15 cases are not repeated here).
. "$(dirname "$0")/lib.sh"

# Cases known to fail because of a product bug: "name|bug note".  A listed
# case still runs and still counts as failed; the note says why.
KNOWN_BUGS=''

# run TOPDIR args...: like sslm() in lib.sh, but stdin is /dev/null (the
# case table is read from stdin) and a run is limited to 10 seconds.
run() {
	_top=$1
	shift
	SSL_MGR_TOPDIR="$_top" timeout 10 "$BIN" "$@" </dev/null \
	    >"$T/out" 2>"$T/err"
	RC=$?
}

# The tree of a topdir, for "nothing written".
tree() { (cd "$1" && find . | LC_ALL=C sort); }

# Says why a case failed, if it is a known product bug.
bugnote() {
	printf '%s\n' "$KNOWN_BUGS" | while IFS='|' read -r _n _why; do
		[ "$_n" = "$1" ] && echo "    KNOWN PRODUCT BUG: $_why"
	done
	return 0
}

# edit TOPDIR FILE SCRIPT: applies one table edit.  SCRIPT is a GNU sed
# script, or one of:
#   !rm     remove the file (or directory)
#   !dir    replace the file by an empty directory
#   !big    append 5 MB of comment lines (past the 4 MiB file limit)
#   !empty  truncate to nothing
edit() {
	_f="$1/conf.d/$2"
	case $3 in
	!rm)	rm -rf "$_f" ;;
	!dir)	rm -f "$_f" && mkdir "$_f" ;;
	!big)	awk 'BEGIN { for (i = 0; i < 80000; i++)
		    printf "# %064d\n", i }' >>"$_f" ;;
	!empty)	: >"$_f" ;;
	*)	sed -i -e "$3" "$_f" ;;
	esac
}

# One case: exit 2, the message, nothing written.
case_n=0
bad() {
	_name=$1 _file=$2 _want=$3 _script=$4
	case_n=$((case_n + 1))
	_top=$(new_topdir "c$case_n")
	edit "$_top" "$_file" "$_script"
	tree "$_top" >"$T/before"
	run "$_top" -renew -roll
	tree "$_top" >"$T/after"
	_ok=1
	if [ "$RC" -ne 2 ]; then
		_ok=0
		nok "$case_n $_name: exit 2 (got $RC)"
	fi
	if ! contains "$T/err" "$_want"; then
		_ok=0
		nok "$case_n $_name: stderr has '$_want'"
		sed 's/^/    stderr: /' "$T/err" | head -5
	fi
	if ! cmp -s "$T/before" "$T/after"; then
		_ok=0
		nok "$case_n $_name: nothing written"
		diff "$T/before" "$T/after" | sed 's/^/    /' | head -5
	fi
	if [ "$_ok" -eq 1 ]; then
		ok "$case_n $_name"
	else
		bugnote "$_name"
	fi
	rm -rf "$_top"
}

# The table: name|file under conf.d|expected stderr text|edit.
# Line numbers are those of conf-examples/ca-self after the edit.
# ssl-mgr.conf: 6 [globals], 7 prod_cert_dir, 8 logdir, 9 clean_keep,
# 11 min_roll_mins, 13 [renew_info], 16 target_90, 18/23 [[groups]],
# 19/24 domain, 20/25 services, 21/26 active, 28 [web], 29 servers,
# 30 skip_prod_copy, 31 svc_depends (the last line).
# ca-info.conf: 6 [my-root], 7 ca_desc, 8 ca_type, 10 [my-int], 11, 12.
# example.com/web-self: 2 name, 3 group, 4 service, 5 signing_ca,
# 7 [KeyOpts], 8 ktype, 9 ec_algo, 11 [X509], 12 CN, 13 O, 14 C, 15 email,
# 16-17 sans.  mail-self: 9 rsa_bits.  ca/my-int: 6 signing_ca, 20 [CA],
# 21 sign_end_days, 22 digest.
while IFS='|' read -r name file want script; do
	case $name in ''|'#'*) continue ;; esac
	bad "$name" "$file" "$want" "$script"
done <<'EOF'
# --- ssl-mgr.conf: TOML syntax
toml: two equals|ssl-mgr.conf|ssl-mgr.conf:9:|9s/.*/    clean_keep = = 5/
toml: unterminated multi-line string|ssl-mgr.conf|ssl-mgr.conf:7:|7s/.*/    prod_cert_dir = """abc/
toml: table defined twice|ssl-mgr.conf|ssl-mgr.conf:13:|13s/.*/[globals]/
toml: unclosed table header|ssl-mgr.conf|ssl-mgr.conf:28:|28s/.*/[web/
toml: key with a space|ssl-mgr.conf|ssl-mgr.conf:9:|9s/.*/    clean keep = 5/
toml: key without value|ssl-mgr.conf|ssl-mgr.conf:9:|9s/.*/    clean_keep =/
toml: invalid escape|ssl-mgr.conf|ssl-mgr.conf:7:|7s/.*/    prod_cert_dir = "\\q"/
toml: unclosed array|ssl-mgr.conf|ssl-mgr.conf:21:|20s/.*/    services = ['my-root', 'my-int'/
toml: unclosed inline table|ssl-mgr.conf|ssl-mgr.conf:31:|31s/.*/    svc_depends = {a = 1,/
toml: NUL byte|ssl-mgr.conf|ssl-mgr.conf:9:|9s/5/5\x00/
toml: invalid UTF-8|ssl-mgr.conf|ssl-mgr.conf:7:|7s/prod_cert_dir = '/prod_cert_dir = '\xff/
toml: control character in string|ssl-mgr.conf|ssl-mgr.conf:7:|7s/prod-certs/prod\x01certs/
toml: leading zero|ssl-mgr.conf|ssl-mgr.conf:9:|9s/.*/    clean_keep = 05/
toml: integer overflow|ssl-mgr.conf|ssl-mgr.conf:9:|9s/.*/    clean_keep = 99999999999999999999/
toml: float without fraction|ssl-mgr.conf|ssl-mgr.conf:16:|16s/.*/    target_90 = 1./
toml: month 13|ssl-mgr.conf|ssl-mgr.conf:9:|9s/.*/    clean_keep = 2024-13-01/
toml: array of tables redefined as table|ssl-mgr.conf|ssl-mgr.conf:23:|23s/.*/[groups]/
toml: value after value|ssl-mgr.conf|ssl-mgr.conf:11:|11s/.*/    min_roll_mins = 0 1/
# --- ssl-mgr.conf: wrong types
clean_keep string|ssl-mgr.conf|ssl-mgr.conf:9: [globals] clean_keep: expected integer, got string|9s/.*/    clean_keep = "5"/
clean_keep float|ssl-mgr.conf|ssl-mgr.conf:9: [globals] clean_keep: expected integer, got float|9s/.*/    clean_keep = 5.5/
clean_keep bool|ssl-mgr.conf|ssl-mgr.conf:9: [globals] clean_keep: expected integer, got bool|9s/.*/    clean_keep = true/
min_roll_mins string|ssl-mgr.conf|ssl-mgr.conf:11: [globals] min_roll_mins: expected integer, got string|11s/.*/    min_roll_mins = 'none'/
prod_cert_dir integer|ssl-mgr.conf|ssl-mgr.conf:7: [globals] prod_cert_dir: expected string, got integer|7s/.*/    prod_cert_dir = 7/
prod_cert_dir empty|ssl-mgr.conf|ssl-mgr.conf:7: prod_cert_dir must not be empty|7s/.*/    prod_cert_dir = ''/
logdir array|ssl-mgr.conf|ssl-mgr.conf:8: [globals] logdir: expected string, got array|8s/.*/    logdir = ['.\/logs']/
logdir date|ssl-mgr.conf|ssl-mgr.conf:8: [globals] logdir: expected string, got date-local|8s/.*/    logdir = 2024-01-01/
dns_check_delay string|ssl-mgr.conf|ssl-mgr.conf:7: [globals] dns_check_delay: expected integer, got string|6a dns_check_delay = 'soon'
dns_xtra_ns string|ssl-mgr.conf|ssl-mgr.conf:7: [globals] dns_xtra_ns: expected array of strings, got string|6a dns_xtra_ns = '1.1.1.1'
dns_xtra_ns element integer|ssl-mgr.conf|ssl-mgr.conf:7: [globals] dns_xtra_ns[0]: expected string, got integer|6a dns_xtra_ns = [53]
dns_xtra_ns bad host|ssl-mgr.conf|ssl-mgr.conf:7: dns_xtra_ns: 'ns..bad' is not an IP address or host name|6a dns_xtra_ns = ['ns..bad']
dns_xtra_ns host with slash|ssl-mgr.conf|ssl-mgr.conf:7: dns_xtra_ns: 'ns/x' is not an IP address or host name|6a dns_xtra_ns = ['1.1.1.1', 'ns/x']
post_copy_cmd string|ssl-mgr.conf|ssl-mgr.conf:7: post_copy_cmd must be a list of [host, cmd], got string|6a post_copy_cmd = 'x'
post_copy_cmd empty host|ssl-mgr.conf|ssl-mgr.conf:7: post_copy_cmd[0] must be [host, cmd]|6a post_copy_cmd = [['', 'cmd']]
post_copy_cmd three items|ssl-mgr.conf|ssl-mgr.conf:7: post_copy_cmd[0] must be [host, cmd]|6a post_copy_cmd = [['h', 'c', 'x']]
renew_expire_days negative|ssl-mgr.conf|ssl-mgr.conf:7: renew_expire_days must not be negative|6a renew_expire_days = -1
renew_expire_days nan|ssl-mgr.conf|ssl-mgr.conf:7: [globals] renew_expire_days: expected a finite number|6a renew_expire_days = nan
renew_expire_days string|ssl-mgr.conf|ssl-mgr.conf:7: [globals] renew_expire_days: expected number, got string|6a renew_expire_days = '30'
renew_expire_days_spread negative|ssl-mgr.conf|ssl-mgr.conf:7: renew_expire_days_spread must not be negative|6a renew_expire_days_spread = -0.5
verb string|ssl-mgr.conf|ssl-mgr.conf:7: [globals] verb: expected bool (true or false), got string|6a verb = 'yes'
dns_ns_port zero|ssl-mgr.conf|ssl-mgr.conf:7: [globals] dns_ns_port: 0 is out of range (1..65535)|6a dns_ns_port = 0
dns_ns_port 70000|ssl-mgr.conf|ssl-mgr.conf:7: [globals] dns_ns_port: 70000 is out of range (1..65535)|6a dns_ns_port = 70000
ssh_opts string|ssl-mgr.conf|ssl-mgr.conf:7: [globals] ssh_opts: expected array of strings, got string|6a ssh_opts = '-p 22'
dane_roll_gate integer|ssl-mgr.conf|ssl-mgr.conf:7: [globals] dane_roll_gate: expected bool (true or false), got integer|6a dane_roll_gate = 1
# --- ssl-mgr.conf: absurd numbers
min_roll_mins huge|ssl-mgr.conf|ssl-mgr.conf:11: [globals] min_roll_mins: 9999999999 is out of range (0..2147483647)|11s/.*/    min_roll_mins = 9999999999/
clean_keep huge|ssl-mgr.conf|ssl-mgr.conf:9: [globals] clean_keep: 9999999999999 is out of range|9s/.*/    clean_keep = 9999999999999/
clean_keep most negative|ssl-mgr.conf|ssl-mgr.conf:9: [globals] clean_keep: -9223372036854775808 is out of range|9s/.*/    clean_keep = -9223372036854775808/
dns_check_delay huge|ssl-mgr.conf|ssl-mgr.conf:7: [globals] dns_check_delay: 4294967296 is out of range|6a dns_check_delay = 4294967296
target_90 1e308 days|ssl-mgr.conf|ssl-mgr.conf:16: [renew_info] target_90|16s/.*/    target_90 = 1e308/
target_90 negative|ssl-mgr.conf|ssl-mgr.conf:16: [renew_info] target_90: days must be between 0 and 36600|16s/.*/    target_90 = -30/
target_90 infinite|ssl-mgr.conf|ssl-mgr.conf:16: [renew_info] target_90: expected a finite number|16s/.*/    target_90 = inf/
target_90 string|ssl-mgr.conf|ssl-mgr.conf:16: [renew_info] target_90: expected number, got string|16s/.*/    target_90 = '30'/
# --- ssl-mgr.conf: tables of the wrong shape
globals not a table|ssl-mgr.conf|ssl-mgr.conf:6: globals: expected table, got integer|6s/.*/globals = 1/
renew_info not a table|ssl-mgr.conf|ssl-mgr.conf:1: renew_info: expected table, got integer|13,16d;1i renew_info = 5
web not a table|ssl-mgr.conf|ssl-mgr.conf:1: web: expected table, got string|28,31d;1i web = 'x'
web servers integer|ssl-mgr.conf|ssl-mgr.conf:29: [web] servers: expected string or array of strings, got integer|29s/.*/    servers = 5/
web skip_prod_copy string|ssl-mgr.conf|ssl-mgr.conf:30: [web] skip_prod_copy: expected bool (true or false), got string|30s/.*/    skip_prod_copy = 'true'/
web svc_depends string|ssl-mgr.conf|ssl-mgr.conf:31: [web] svc_depends: expected list of [domain, [services]], got string|31s/.*/    svc_depends = 'any'/
web svc_depends one element|ssl-mgr.conf|ssl-mgr.conf:31: [web] svc_depends[0] must be [domain, [services]]|31s/.*/    svc_depends = [['any']]/
web svc_depends services not strings|ssl-mgr.conf|ssl-mgr.conf:31: [web] svc_depends[0]: services must be strings, got integer|31s/.*/    svc_depends = [['any', [1]]]/
web restart_cmd integer|ssl-mgr.conf|ssl-mgr.conf:30: [web] restart_cmd: expected string or array of strings, got integer|29a restart_cmd = 42
web server_dir array|ssl-mgr.conf|ssl-mgr.conf:30: [web] server_dir: expected string, got array|29a server_dir = []
web depends integer|ssl-mgr.conf|ssl-mgr.conf:30: [web] depends: expected string or array of strings, got integer|29a depends = 1
dns acme_dir integer|ssl-mgr.conf|ssl-mgr.conf:33: [dns] acme_dir: expected string or array of strings, got integer|$s/$/\n[dns]\nacme_dir = 1/
# --- ssl-mgr.conf: groups and names with / or ..
no groups at all|ssl-mgr.conf|ssl-mgr.conf: groups must be a list of tables ([[groups]])|18,26d
groups domain integer|ssl-mgr.conf|ssl-mgr.conf:19: [[groups]] domain: expected string, got integer|19s/.*/    domain = 1/
groups domain with slash|ssl-mgr.conf|ssl-mgr.conf:24: [[groups]] domain 'example.com/x' is not a valid name|24s/.*/    domain = 'example.com\/x'/
groups domain dot-dot|ssl-mgr.conf|ssl-mgr.conf:24: [[groups]] domain '..' is not a valid name|24s/.*/    domain = '..'/
groups domain parent path|ssl-mgr.conf|ssl-mgr.conf:24: [[groups]] domain '../etc' is not a valid name|24s/.*/    domain = '..\/etc'/
groups domain absolute|ssl-mgr.conf|ssl-mgr.conf:24: [[groups]] domain '/etc' is not a valid name|24s/.*/    domain = '\/etc'/
groups domain hidden|ssl-mgr.conf|ssl-mgr.conf:24: [[groups]] domain '.example.com' is not a valid name|24s/.*/    domain = '.example.com'/
groups service with slash|ssl-mgr.conf|ssl-mgr.conf:25: [[groups]] service 'a/b' is not a valid name|25s/.*/    services = ['web-self', 'a\/b']/
groups service dot-dot|ssl-mgr.conf|ssl-mgr.conf:25: [[groups]] service '..' is not a valid name|25s/.*/    services = ['..']/
groups service parent path|ssl-mgr.conf|ssl-mgr.conf:25: [[groups]] service '../../etc/passwd' is not a valid name|25s/.*/    services = ['..\/..\/etc\/passwd']/
groups service hidden|ssl-mgr.conf|ssl-mgr.conf:25: [[groups]] service '.web-self' is not a valid name|25s/.*/    services = ['.web-self']/
groups services integer|ssl-mgr.conf|ssl-mgr.conf:25: [[groups]] services: expected string or array of strings, got integer|25s/.*/    services = 3/
groups services element integer|ssl-mgr.conf|ssl-mgr.conf:25: [[groups]] services[1]: expected string, got integer|25s/.*/    services = ['web-self', 2]/
groups active string|ssl-mgr.conf|ssl-mgr.conf:26: [[groups]] active: expected bool (true or false), got string|26s/.*/    active = 'yes'/
dns_primary missing server|ssl-mgr.conf|ssl-mgr.conf:32: [[dns_primary]] missing server|$s/$/\n[[dns_primary]]\ndomain = 'example.com'/
dns_primary missing domain|ssl-mgr.conf|ssl-mgr.conf:32: [[dns_primary]] missing domain|$s/$/\n[[dns_primary]]\nserver = '192.0.2.1'/
dns_primary port zero|ssl-mgr.conf|ssl-mgr.conf:35: [[dns_primary]] port: 0 is out of range (1..65535)|$s/$/\n[[dns_primary]]\ndomain = 'example.com'\nserver = '192.0.2.1'\nport = 0/
dns_primary port string|ssl-mgr.conf|ssl-mgr.conf:35: [[dns_primary]] port: expected integer, got string|$s/$/\n[[dns_primary]]\ndomain = 'example.com'\nserver = '192.0.2.1'\nport = '53'/
dns_primary bad server|ssl-mgr.conf|ssl-mgr.conf:34: [[dns_primary]] server 'bad host!' is not an IP address or host name|$s/$/\n[[dns_primary]]\ndomain = 'example.com'\nserver = 'bad host!'/
dns_primary domain with slash|ssl-mgr.conf|ssl-mgr.conf:33: [[dns_primary]] domain 'a/b' is not a valid name|$s/$/\n[[dns_primary]]\ndomain = 'a\/b'\nserver = '192.0.2.1'/
dns_primary a table|ssl-mgr.conf|ssl-mgr.conf:32: dns_primary must be a list of tables ([[dns_primary]])|$s/$/\n[dns_primary]\ndomain = 'x'/
# --- ssl-mgr.conf: the file itself
ssl-mgr.conf missing|ssl-mgr.conf|ssl-mgr.conf: missing|!rm
ssl-mgr.conf a directory|ssl-mgr.conf|ssl-mgr.conf: is a directory|!dir
ssl-mgr.conf over 4 MiB|ssl-mgr.conf|ssl-mgr.conf: too large|!big
# --- ca-info.conf
ca_type unknown|ca-info.conf|ca-info.conf:8: [my-root] ca_type 'selfish' unknown|8s/.*/    ca_type = 'selfish'/
ca_type integer|ca-info.conf|ca-info.conf:8: [my-root] ca_type: expected string, got integer|8s/.*/    ca_type = 1/
ca_type missing|ca-info.conf|ca-info.conf:10: [my-int] missing ca_type|12d
acme CA without validation|ca-info.conf|ca-info.conf:10: [my-int] ca_validation (http-01 or dns-01) is required for an ACME CA|12s/.*/    ca_type = 'letsencrypt'/
ca_validation unknown|ca-info.conf|ca-info.conf:13: [my-int] ca_validation 'tls-alpn-01' unknown (http-01 or dns-01)|12a ca_validation = 'tls-alpn-01'
eab kid without key|ca-info.conf|ca-info.conf:10: [my-int] ca_eab_kid and ca_eab_hmac_key go together|12s/.*/    ca_type = 'acme'\n    ca_validation = 'dns-01'\n    ca_eab_kid = 'k'/
eab key integer|ca-info.conf|ca-info.conf:13: [my-int] ca_eab_hmac_key: expected string, got integer|12a ca_eab_hmac_key = 5
CA name with slash|ca-info.conf|ca-info.conf:10: CA name 'my/int' is not valid|10s/.*/["my\/int"]/
CA name dot-dot|ca-info.conf|ca-info.conf:10: CA name '..' is not valid|10s/.*/[".."]/
ca_desc array|ca-info.conf|ca-info.conf:7: [my-root] ca_desc: expected string, got array|7s/.*/    ca_desc = []/
ca_acme_ca_file integer|ca-info.conf|ca-info.conf:13: [my-int] ca_acme_ca_file: expected string, got integer|12a ca_acme_ca_file = 1
ca-info TOML error|ca-info.conf|ca-info.conf:7:|7s/.*/    ca_desc = 'x/
ca-info CA table twice|ca-info.conf|ca-info.conf:10:|10s/.*/[my-root]/
ca-info a directory|ca-info.conf|ca-info.conf: is a directory|!dir
unknown CA: my-int removed|ca-info.conf|web-self:5: unknown signing CA 'my-int'|10,12d
# --- service files: unknown CAs
unknown signing CA|example.com/web-self|web-self:5: unknown signing CA 'nope'|5s/.*/signing_ca = 'nope'/
signing_ca integer|example.com/web-self|web-self:5: signing_ca: expected string, got integer|5s/.*/signing_ca = 5/
signing_ca wrong case|example.com/web-self|web-self:5: unknown signing CA 'MY-INT'|5s/.*/signing_ca = 'MY-INT'/
signing_ca path|example.com/web-self|web-self:5: unknown signing CA '../my-int'|5s/.*/signing_ca = '..\/my-int'/
CA signed by unknown CA|ca/my-int|my-int:6: unknown signing CA 'my-rooot'|6s/.*/signing_ca = 'my-rooot'/
# --- service files: dane_tls
dane_tls seven elements|example.com/web-self|web-self:6: dane_tls[0] must have 5 or 6 elements|5a dane_tls = [[443, 'tcp', 3, 1, 1, 'SANS', 7]]
dane_tls not a list|example.com/web-self|web-self:6: dane_tls: expected list of [port, proto, usage, selector, mtype(, subtype)], got integer|5a dane_tls = 443
dane_tls entry a string|example.com/web-self|web-self:6: dane_tls[0] must have 5 or 6 elements|5a dane_tls = ['443 tcp 3 1 1']
dane_tls port zero|example.com/web-self|web-self:6: dane_tls[0]: port must be an integer 1-65535|5a dane_tls = [[0, 'tcp', 3, 1, 1]]
dane_tls port 65536|example.com/web-self|web-self:6: dane_tls[0]: port must be an integer 1-65535|5a dane_tls = [[65536, 'tcp', 3, 1, 1]]
dane_tls port string|example.com/web-self|web-self:6: dane_tls[0]: port must be an integer 1-65535|5a dane_tls = [['443', 'tcp', 3, 1, 1]]
dane_tls proto icmp|example.com/web-self|web-self:6: dane_tls[0]: proto must be one of tcp, udp, sctp|5a dane_tls = [[443, 'icmp', 3, 1, 1]]
dane_tls usage 4|example.com/web-self|web-self:6: dane_tls[0]: usage must be an integer 0-3|5a dane_tls = [[443, 'tcp', 4, 1, 1]]
dane_tls usage negative|example.com/web-self|web-self:6: dane_tls[0]: usage must be an integer 0-3|5a dane_tls = [[443, 'tcp', -1, 1, 1]]
dane_tls selector 2|example.com/web-self|web-self:6: dane_tls[0]: selector must be an integer 0-1|5a dane_tls = [[443, 'tcp', 3, 2, 1]]
dane_tls mtype 3|example.com/web-self|web-self:6: dane_tls[0]: mtype must be an integer 0-2|5a dane_tls = [[443, 'tcp', 3, 1, 3]]
dane_tls subtype XX|example.com/web-self|web-self:6: dane_tls[0]: subtype must be one of MX, SANS|5a dane_tls = [[443, 'tcp', 3, 1, 1, 'XX']]
dane_tls second entry bad|example.com/web-self|web-self:6: dane_tls[1]: mtype must be an integer 0-2|5a dane_tls = [[443, 'tcp', 3, 1, 1], [25, 'tcp', 3, 1, 9]]
dane_tls float usage|example.com/web-self|web-self:6: dane_tls[0]: usage must be an integer 0-3|5a dane_tls = [[443, 'tcp', 3.0, 1, 1]]
dane_tls_ttl string|example.com/web-self|web-self:6: dane_tls_ttl: expected integer, got string|5a dane_tls_ttl = '600'
dane_tls_ttl huge|example.com/web-self|web-self:6: dane_tls_ttl: 100000000000 is out of range|5a dane_tls_ttl = 100000000000
# --- service files: names with / or .., missing keys
group with slash and dot-dot|example.com/web-self|web-self:3: group 'example.com/../ca' expecting 'example.com'|3s/.*/group = 'example.com\/..\/ca'/
service dot-dot path|example.com/web-self|web-self:4: service '../../etc' expecting 'web-self'|4s/.*/service = '..\/..\/etc'/
service absolute path|example.com/web-self|web-self:4: service '/etc/passwd' expecting 'web-self'|4s/.*/service = '\/etc\/passwd'/
missing group|example.com/web-self|web-self: missing group (expecting 'example.com')|3d
missing service|example.com/web-self|web-self: missing service (expecting 'web-self')|4d
missing name|example.com/web-self|web-self: missing name|2d
empty name|example.com/web-self|web-self: missing name|2s/.*/name = ''/
name integer|example.com/web-self|web-self:2: name: expected string, got integer|2s/.*/name = 2/
name with NUL escape|example.com/web-self|web-self:2: name: string contains a NUL byte|2s/.*/name = "a\\u0000b"/
missing O|example.com/web-self|web-self:11: missing O in [X509]|13d
missing C|example.com/web-self|web-self:11: missing C in [X509]|14d
missing CN|example.com/wild-self|wild-self:11: missing CN in [X509]|12d
# --- service files: [X509], [KeyOpts], [CA]
C three letters|example.com/web-self|web-self:14: [X509] C 'USA' must be a two-letter country code|14s/.*/    C = 'USA'/
CN integer|example.com/web-self|web-self:12: [X509] CN: expected string, got integer|12s/.*/    CN = 1/
sans with space|example.com/web-self|web-self:16: [X509] sans: 'exa mple.com' is not a DNS name, wildcard or IP address|16s/'example.com',/'exa mple.com',/
sans with slash|example.com/web-self|web-self:16: [X509] sans: 'a/b.example.com' is not a DNS name, wildcard or IP address|16s/'example.com',/'a\/b.example.com',/
sans with dot-dot|example.com/web-self|web-self:16: [X509] sans: 'a..example.com' is not a DNS name, wildcard or IP address|16s/'example.com',/'a..example.com',/
sans element integer|example.com/web-self|web-self:16: [X509] sans[0]: expected string, got integer|16s/'example.com',/1,/
sans label over 63|example.com/web-self|is not a DNS name, wildcard or IP address|16s/'example.com',/'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com',/
X509 not a table|example.com/web-self|web-self:1: X509: expected table, got integer|11,17d;1i X509 = 1
ktype dsa|example.com/web-self|web-self:8: [KeyOpts] ktype 'dsa' unknown (ec, rsa or ed25519)|8s/.*/    ktype = 'dsa'/
ktype integer|example.com/web-self|web-self:8: [KeyOpts] ktype: expected string, got integer|8s/.*/    ktype = 25519/
ec_algo empty|example.com/web-self|web-self:9: [KeyOpts] ec_algo must not be empty|9s/.*/    ec_algo = ''/
ec_algo integer|example.com/web-self|web-self:9: [KeyOpts] ec_algo: expected string, got integer|9s/.*/    ec_algo = 384/
rsa_bits huge|example.com/mail-self|mail-self:9: [KeyOpts] rsa_bits: 99999999 is out of range (2048..16384)|9s/.*/    rsa_bits = 99999999/
rsa_bits negative|example.com/mail-self|mail-self:9: [KeyOpts] rsa_bits: -4096 is out of range (2048..16384)|9s/.*/    rsa_bits = -4096/
rsa_bits not a number|example.com/mail-self|mail-self:9: [KeyOpts] rsa_bits: expected integer, got "4096x"|9s/.*/    rsa_bits = '4096x'/
bits alias too small|example.com/mail-self|mail-self:9: [KeyOpts] bits: 512 is out of range (2048..16384)|9s/.*/    bits = 512/
renew_expire_days negative|example.com/web-self|web-self:6: renew_expire_days must not be negative|5a renew_expire_days = -3
KeyOpts not a table|example.com/web-self|web-self:1: KeyOpts: expected table, got string|7,9d;1i KeyOpts = 'ec'
sign_end_days string|ca/my-int|my-int:21: [CA] sign_end_days: expected integer, got string|21s/.*/    sign_end_days = '90'/
sign_end_days huge|ca/my-int|my-int:21: [CA] sign_end_days: 99999999999 is out of range|21s/.*/    sign_end_days = 99999999999/
sign_end_days negative|ca/my-int|my-int:21: [CA] sign_end_days|21s/.*/    sign_end_days = -5/
sign_end_days zero|ca/my-int|my-int:21: [CA] sign_end_days|21s/.*/    sign_end_days = 0/
sign_end_days past the year 9999|ca/my-int|my-int:21: [CA] sign_end_days|21s/.*/    sign_end_days = 2147483647/
ec_algo unknown curve|example.com/web-self|web-self:9: [KeyOpts] ec_algo|9s/.*/    ec_algo = 'nocurve'/
digest integer|ca/my-int|my-int:22: [CA] digest: expected string, got integer|22s/.*/    digest = 384/
CA not a table|ca/my-int|my-int:1: CA: expected table, got integer|20,22d;1i CA = 5
service TOML error|example.com/wild-self|wild-self:12:|12s/.*/    CN = 'example.com"/
service TOML duplicate key|example.com/web-self|web-self:6:|5a name = 'again'
EOF

# check-config lists every problem at once: five edits in four files give
# six errors (my-int names the CA that the ca-info.conf error removed).
top=$(new_topdir all-at-once)
sed -i '9s/.*/    clean_keep = "x"/' "$top/conf.d/ssl-mgr.conf"
sed -i '11s/.*/    min_roll_mins = 9999999999/' "$top/conf.d/ssl-mgr.conf"
sed -i '8s/.*/    ca_type = "selfish"/' "$top/conf.d/ca-info.conf"
sed -i '5a dane_tls = [[443, "tcp", 3, 1, 7]]' \
    "$top/conf.d/example.com/web-self"
sed -i '14s/.*/    C = "USA"/' "$top/conf.d/example.com/mail-self"
tree "$top" >"$T/before"
run "$top" check-config
tree "$top" >"$T/after"
check "check-config: exit 2 (got $RC)" eq "$RC" 2
for want in "ssl-mgr.conf:9: [globals] clean_keep: expected integer" \
    "ssl-mgr.conf:11: [globals] min_roll_mins: 9999999999 is out of range" \
    "ca-info.conf:8: [my-root] ca_type 'selfish' unknown" \
    "web-self:6: dane_tls[0]: mtype must be an integer 0-2" \
    "mail-self:14: [X509] C 'USA' must be a two-letter country code" \
    "my-int:6: unknown signing CA 'my-root'"; do
	check "check-config lists: $want" contains "$T/err" "$want"
done
check "check-config: counts the errors" contains "$T/out" "6 error(s)"
check "check-config: writes nothing" cmp -s "$T/before" "$T/after"

# Two services broken in one group, and a CA: all three named.
top=$(new_topdir all-at-once-2)
sed -i '5s/.*/signing_ca = "nope"/' "$top/conf.d/example.com/web-self"
sed -i '9s/.*/    rsa_bits = 1/' "$top/conf.d/example.com/mail-self"
sed -i '22s/.*/    digest = 1/' "$top/conf.d/ca/my-int"
run "$top" check-config
check "check-config 2: exit 2 (got $RC)" eq "$RC" 2
check "check-config 2: web-self" contains "$T/err" \
    "web-self:5: unknown signing CA 'nope'"
check "check-config 2: mail-self" contains "$T/err" \
    "mail-self:9: [KeyOpts] rsa_bits: 1 is out of range"
check "check-config 2: my-int" contains "$T/err" \
    "my-int:22: [CA] digest: expected string, got integer"
check "check-config 2: counts the errors" contains "$T/out" "3 error(s)"

# ---------------------------------------------------------------------
# Part 2: info and verify on malformed input.
P=$T/pem
mkdir -p "$P"
openssl ecparam -name prime256v1 -genkey -noout -out "$P/key.pem" \
    2>/dev/null
openssl req -x509 -new -key "$P/key.pem" -subj "/CN=TEST ROOT" -days 30 \
    -out "$P/root.pem" 2>/dev/null
openssl req -new -key "$P/key.pem" -subj "/CN=odd.example" \
    -addext "subjectAltName=URI:https://x.example/,RID:1.2.3.4,email:a@b" \
    -addext "1.2.3.4.5.6=critical,DER:00ff00ff" \
    -addext "tlsfeature=status_request" \
    -addext "nsComment=odd extensions" \
    -addext "extendedKeyUsage=serverAuth,1.3.6.1.5.5.7.3.99" \
    -out "$P/odd.csr" 2>/dev/null
if [ ! -s "$P/odd.csr" ] || [ ! -s "$P/root.pem" ]; then
	nok "openssl could not make the test material"
	finish
	exit 1
fi

# File material.  Sizes: big is 5 MB, begins is 100,000 BEGIN lines.
head -c 400 "$P/root.pem" >"$P/truncated.pem"
{ echo '-----BEGIN CERTIFICATE-----'; echo 'this is not base64 at all!!!'
  echo '@@@@'; echo '-----END CERTIFICATE-----'; } >"$P/garbage.pem"
openssl x509 -in "$P/root.pem" -outform DER -out "$P/raw.der"
awk 'BEGIN { for (i = 0; i < 80000; i++) printf "%064d\n", i }' \
    >"$P/big.pem"
cat "$P/root.pem" >>"$P/big.pem"
awk 'BEGIN { for (i = 0; i < 100000; i++)
    print "-----BEGIN CERTIFICATE-----" }' >"$P/begins.pem"
{ sed -n 1,3p "$P/root.pem"; printf 'MIIB\000\000\000AAAA\n'
  sed -n '4,$p' "$P/root.pem"; } >"$P/nul.pem"
sed 's/EC PRIVATE KEY/CERTIFICATE/' "$P/key.pem" >"$P/key-as-cert.pem"
# A SEC1 EC key under the PKCS#8 label (both lines).
sed 's/EC PRIVATE KEY/PRIVATE KEY/' "$P/key.pem" >"$P/key-wrong-label.pem"
sed 's/END CERTIFICATE/END X509 CRL/' "$P/root.pem" >"$P/mismatch.pem"
: >"$P/empty.pem"
mkdir -p "$P/adir"

# info: each bad input exits 1 and says what is wrong, within 10 s.
# info_case NAME FILE EXPECTED-TEXT [EXIT]
info_case() {
	timeout 10 "$BIN" info "$2" </dev/null >"$T/out" 2>"$T/err"
	_rc=$?
	cat "$T/out" "$T/err" >"$T/all"
	if [ "$_rc" -ge 124 ]; then
		nok "info $1: finished in time without a signal (exit $_rc)"
		bugnote "info $1"
		return
	fi
	check "info $1: exit ${4:-1} (got $_rc)" eq "$_rc" "${4:-1}"
	if ! contains "$T/all" "$3"; then
		nok "info $1: says '$3'"
		sed 's/^/    output: /' "$T/all" | head -5
		bugnote "info $1"
	else
		ok "info $1: says '$3'"
	fi
	check "info $1: no sanitizer report" not_contains "$T/all" \
	    "Sanitizer"
}

info_case "truncated PEM" "$P/truncated.pem" \
    "block 1 (CERTIFICATE): truncated: no END line"
info_case "base64 garbage" "$P/garbage.pem" \
    "block 1 (CERTIFICATE): not a valid certificate: bad base64 decode"
info_case "DER given raw" "$P/raw.der" "no PEM data found"
info_case "5 MB file" "$P/big.pem" "larger than 4 MiB"
info_case "100,000 BEGIN lines" "$P/begins.pem" \
    "begins.pem: more than 4096 PEM blocks, the rest is ignored"
info_case "NUL bytes" "$P/nul.pem" \
    "block 1 (CERTIFICATE): not a valid certificate"
info_case "CSR with odd extensions" "$P/odd.csr" "odd.example" 0
info_case "key under a CERTIFICATE label" "$P/key-as-cert.pem" \
    "block 1 (CERTIFICATE): not a valid certificate"
info_case "key under a wrong key label" "$P/key-wrong-label.pem" \
    "block 1 (PRIVATE KEY): not a valid key"
info_case "mismatched END label" "$P/mismatch.pem" \
    "block 1 (CERTIFICATE): END line does not match BEGIN"
info_case "empty file" "$P/empty.pem" "no PEM data found"
info_case "/dev/null" /dev/null "no PEM data found"
info_case "a directory" "$P/adir" "adir: is a directory"
info_case "a missing file" "$P/nosuch.pem" "nosuch.pem: not found"

# info on stdin: garbage in, a message out.
head -c 3000 /dev/urandom >"$P/random.bin"
timeout 10 "$BIN" info <"$P/random.bin" >"$T/out" 2>"$T/err"
rc=$?
check "info stdin random bytes: exit 1 (got $rc)" eq "$rc" 1
check "info stdin random bytes: says so" contains "$T/out" \
    "stdin: no PEM data found"

# verify: DIR holds cert.pem and chain.pem made from the material above.
# verify_case NAME CERT-SOURCE CHAIN-SOURCE EXPECTED-TEXT (source '-': the
# file is absent; 'dir': a directory in its place)
vcase=0
verify_case() {
	vcase=$((vcase + 1))
	_d=$T/v$vcase
	mkdir -p "$_d"
	for _pair in "cert.pem:$2" "chain.pem:$3"; do
		_dst=${_pair%%:*} _src=${_pair#*:}
		case $_src in
		-)	;;
		dir)	mkdir "$_d/$_dst" ;;
		*)	cp "$_src" "$_d/$_dst" ;;
		esac
	done
	timeout 10 "$BIN" verify "$_d" </dev/null >"$T/out" 2>"$T/err"
	_rc=$?
	cat "$T/out" "$T/err" >"$T/all"
	if [ "$_rc" -ge 124 ]; then
		nok "verify $1: finished in time without a signal (exit $_rc)"
		bugnote "verify $1"
		return
	fi
	check "verify $1: exit non-zero (got $_rc)" test "$_rc" -ne 0
	if ! contains "$T/all" "$4"; then
		nok "verify $1: says '$4'"
		sed 's/^/    output: /' "$T/all" | head -5
		bugnote "verify $1"
	else
		ok "verify $1: says '$4'"
	fi
	check "verify $1: no sanitizer report" not_contains "$T/all" \
	    "Sanitizer"
}

R=$P/root.pem
verify_case "no cert.pem, no chain.pem" - - "Failed to find cert.pem, chain.pem"
verify_case "no chain.pem" "$R" - "Failed to find cert.pem, chain.pem"
verify_case "truncated cert.pem" "$P/truncated.pem" "$R" \
    "block 1 (CERTIFICATE): truncated: no END line"
verify_case "garbage cert.pem" "$P/garbage.pem" "$R" "bad base64 decode"
verify_case "DER cert.pem" "$P/raw.der" "$R" \
    "Path validation ** Failed ** no certificate"
verify_case "empty cert.pem" "$P/empty.pem" "$R" \
    "Path validation ** Failed ** no certificate"
verify_case "5 MB cert.pem" "$P/big.pem" "$R" "larger than 4 MiB"
verify_case "cert.pem a directory" dir "$R" "cert.pem"
verify_case "key as cert.pem" "$P/key.pem" "$R" \
    "Path validation ** Failed ** no certificate"
verify_case "CSR as cert.pem" "$P/odd.csr" "$R" \
    "Path validation ** Failed ** no certificate"
verify_case "garbage chain.pem" "$R" "$P/garbage.pem" \
    "block 1 (CERTIFICATE): not a valid certificate: bad base64 decode"
verify_case "100,000 BEGIN lines chain.pem" "$R" "$P/begins.pem" \
    "block 1 (CERTIFICATE): truncated: no END line"
verify_case "NUL bytes chain.pem" "$R" "$P/nul.pem" \
    "block 1 (CERTIFICATE): not a valid certificate"

timeout 10 "$BIN" verify /dev/null </dev/null >"$T/out" 2>"$T/err"
rc=$?
check "verify /dev/null: exit non-zero (got $rc)" test "$rc" -ne 0 -a \
    "$rc" -lt 124
check "verify /dev/null: says something" test -s "$T/out" -o -s "$T/err"
timeout 10 "$BIN" verify "$T/nosuch" </dev/null >"$T/out" 2>"$T/err"
rc=$?
check "verify missing path: exit non-zero (got $rc)" test "$rc" -ne 0 -a \
    "$rc" -lt 124
cat "$T/out" "$T/err" >"$T/all"
check "verify missing path: names it" contains "$T/all" \
    "Failed to find cert.pem, chain.pem given $T/nosuch"
mkdir -p "$T/vgood"
cp "$R" "$T/vgood/cert.pem"
cp "$R" "$T/vgood/chain.pem"
timeout 10 "$BIN" verify --cafile "$P/garbage.pem" "$T/vgood" </dev/null \
    >"$T/out" 2>"$T/err"
rc=$?
check "verify garbage cafile: exit non-zero (got $rc)" test "$rc" -ne 0 -a \
    "$rc" -lt 124

echo "$case_n malformed configuration cases"
finish
