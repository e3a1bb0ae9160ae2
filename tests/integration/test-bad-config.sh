#!/bin/sh
# Broken configurations: each gives a "file:line" (or file) message, exit 2,
# and writes nothing (no certs/, no log dir).
. "$(dirname "$0")/lib.sh"

# bad NAME FILE-RELATIVE-TO-CONF.D EXPECTED-TEXT (then the edit on stdin as
# a sed script applied to that file, or a replacement content with -r)
case_n=0
bad() {
	name=$1 file=$2 want=$3
	case_n=$((case_n + 1))
	top=$(new_topdir "bad$case_n")
	if [ -n "${4:-}" ]; then
		printf '%s\n' "$4" > "$top/conf.d/$file"
	else
		sed -i -f - "$top/conf.d/$file"
	fi
	sslm "$top" -renew -roll
	check "$name: exit 2 (got $RC)" eq "$RC" 2
	check "$name: says '$want'" contains "$T/err" "$want"
	check "$name: nothing written" test ! -e "$top/certs" -a ! -e "$top/logs"
}

bad "TOML syntax error" ssl-mgr.conf "ssl-mgr.conf:8:" <<'S'
8s/.*/    clean_keep = = 5/
S
bad "unterminated string" ssl-mgr.conf "ssl-mgr.conf:7:" <<'S'
7s/.*/    prod_cert_dir = '.\/prod-certs/
S
bad "duplicate key" ssl-mgr.conf "ssl-mgr.conf:10:" <<'S'
10s/.*/    clean_keep = 6/
S
bad "clean_keep of the wrong type" ssl-mgr.conf "ssl-mgr.conf:9:" <<'S'
9s/.*/    clean_keep = 'five'/
S
bad "negative min_roll_mins" ssl-mgr.conf "ssl-mgr.conf:11:" <<'S'
11s/.*/    min_roll_mins = -5/
S
bad "groups not an array of tables" ssl-mgr.conf "groups" "groups = 'ca'"
bad "post_copy_cmd not pairs" ssl-mgr.conf "ssl-mgr.conf:7:" <<'S'
/^\[globals\]/a\    post_copy_cmd = ['host-only']
S
bad "service: missing CN" example.com/web-self "web-self" <<'S'
/CN = /d
S
bad "service: group mismatch" example.com/mail-self "mail-self:3:" <<'S'
3s/.*/group = 'example.org'/
S
bad "service: unknown signing CA" example.com/wild-self "wild-self:5:" <<'S'
5s/.*/signing_ca = 'no-such-ca'/
S
bad "service: dane_tls with 4 elements" example.com/web-self "web-self:6:" <<'S'
5a\dane_tls = [[443, 'tcp', 3, 1]]
S
bad "service: rsa_bits too small" example.com/mail-self "mail-self:9:" <<'S'
9s/.*/    rsa_bits = 1024/
S
bad "service: name with .." example.com/mail-self "mail-self:4:" <<'S'
4s/.*/service = '..\/mail-self'/
S
bad "ca-info: unknown ca_type" ca-info.conf "ca-info.conf:12:" <<'S'
12s/.*/    ca_type = 'magic'/
S
bad "service: TOML error" ca/my-int "my-int:2:" <<'S'
2s/.*/name = 'Example Intermediate CA/
S
bad "notify_cmd with no command" ssl-mgr.conf "ssl-mgr.conf:10: [globals] notify_cmd: no command" <<'S'
10s/.*/    notify_cmd = []/
S
bad "on_roll of the wrong type" ssl-mgr.conf "ssl-mgr.conf:10:" <<'S'
10s/.*/    on_roll = 5/
S
bad "service on_renew empty" example.com/web-self "web-self:2: on_renew: no command" <<'S'
2s/.*/on_renew = ''/
S
bad "verify_ports port out of range" example.com/web-self "web-self:2: verify_ports[1]: the port must be an integer 1-65535" <<'S'
2s/.*/verify_ports = [443, 70000]/
S
bad "verify_ports unknown STARTTLS" example.com/web-self "web-self:2: verify_ports[0]: the STARTTLS protocol must be one of smtp, imap, pop3" <<'S'
2s/.*/verify_ports = [[25, 'lmtp']]/
S
bad "verify_ports not a list" example.com/web-self "web-self:2:" <<'S'
2s/.*/verify_ports = 443/
S

# Unknown key: a warning with file:line, not an error.
top=$(new_topdir unknown)
sed -i '/^\[globals\]/a\    colour = "blue"' "$top/conf.d/ssl-mgr.conf"
SSL_MGR_TOPDIR=$top "$BIN" check-config >"$T/out" 2>"$T/err"
check "unknown key: check-config exits 0" eq "$?" 0
check "unknown key: warning with file:line" contains "$T/err" "ssl-mgr.conf:7:"
check "unknown key: summary line" contains "$T/out" "0 error(s), 1 warning(s)"

# check-config reports every problem at once.
top=$(new_topdir many)
sed -i '3s/.*/group = "nope"/' "$top/conf.d/example.com/web-self"
sed -i '3s/.*/group = "nope"/' "$top/conf.d/example.com/mail-self"
SSL_MGR_TOPDIR=$top "$BIN" check-config >"$T/out" 2>"$T/err"
check "check-config: exit 2 with errors" eq "$?" 2
check "check-config: first error" contains "$T/err" "web-self:3:"
check "check-config: second error" contains "$T/err" "mail-self:3:"
SSL_MGR_TOPDIR=$(new_topdir good) "$BIN" check-config -v >"$T/out" 2>"$T/err"
check "check-config -v on the demo: exit 0" eq "$?" 0
check "check-config -v prints effective values" contains "$T/out" "min_roll_mins"

# No conf.d anywhere: say so, exit 2 (upstream silently used /etc/ssl-mgr).
mkdir -p "$T/empty"
(cd "$T/empty" && SSL_MGR_TOPDIR=$T/empty "$BIN" -renew >"$T/out" 2>"$T/err")
rc=$?
if [ -d /etc/ssl-mgr/conf.d ]; then
	ok "skipped: /etc/ssl-mgr/conf.d exists on this machine"
else
	check "no conf.d: exit 2" eq "$rc" 2
	check "no conf.d: says what was tried" contains "$T/err" "conf.d"
fi

# Command-line errors: exit 2 with a message.
top=$(new_topdir cli)
sslm "$top" -clean-keep ten
check "-clean-keep ten: exit 2" eq "$RC" 2
check "-clean-keep ten: message" contains "$T/err" "not a whole number"
sslm "$top" -bogus
check "unknown option: exit 2" eq "$RC" 2
sslm "$top" -renew nosuch.org:web
check "unknown group: exit 2" eq "$RC" 2
check "unknown group: message" contains "$T/err" "No such group"
sslm "$top" -renew example.com:nosuch
check "unknown service: exit 2" eq "$RC" 2
check "unknown service: message" contains "$T/err" "No config for example.com:nosuch"
finish
