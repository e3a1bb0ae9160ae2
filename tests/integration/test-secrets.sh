#!/bin/sh
# Secrets and privilege after a full private-CA and ACME cycle (pebble,
# dns-01 and http-01, DANE, production, reused keys):
#  - every file holding a private key, and every bundle, is 0600 wherever
#    it is (certs/, production, the ACME account under cb/); directories
#    0700 or 0750;
#  - no line of any private key appears in the log, in the stdout/stderr
#    of any run, in -s / -s -json, or on the console's screens;
#  - symlinks planted in production or in the http-01 web root are not
#    followed; names with '/' or '..' never become paths;
#  - external commands get argv: shell syntax in a command stays literal;
#  - TLS verification of the ACME server cannot be switched off: without
#    its CA file the run fails, and no code turns verification off.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dnsbed.sh"
. "$(dirname "$0")/pebblebed.sh"
. "$(dirname "$0")/nginxbed.sh"

for c in pebble named nsd nginx tmux; do
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
SOCK=sslm-secrets-$$
DNSBED_INCLUDE_DIR=$T/include
export DNSBED_INCLUDE_DIR
mkdir -p "$DNSBED_INCLUDE_DIR"
stop_all() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	nginxbed_stop
	pebblebed_stop
	dnsbed_stop "$bed"
	rm -rf "$T"
}
trap stop_all EXIT INT TERM
dnsbed_start "$bed" >"$T/bed.log" 2>&1 || { cat "$T/bed.log"; nok "dns bed"; finish; exit; }
PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0
export PEBBLE_VA_NOSLEEP PEBBLE_WFE_NONCEREJECT PEBBLE_AUTHZREUSE
pebblebed_start "$T/pebble" --dns "127.0.0.1:$DNSBED_PORT" >"$T/pebble.log" 2>&1 ||
    { cat "$T/pebble.log"; nok "pebble"; finish; exit; }
chmod 755 "$T"
mkdir -p "$T/www/example.com"
nginxbed_start "$T/ng" "$PEBBLE_HTTP_PORT" "$T/www/example.com"
ok "pebble, nginx and the DNS bed are up"

top=$(new_topdir secrets)
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

[pebble-notls]
    ca_desc = 'pebble without its CA file'
    ca_type = 'acme'
    ca_validation = 'http-01'
    ca_acme_directory = '$PEBBLE_URL'
CA
svc() {	# svc NAME CA CN SANS [DANE]
	{
		printf "name = '%s'\ngroup = 'example.com'\nservice = '%s'\nsigning_ca = '%s'\n" "$1" "$1" "$2"
		[ -n "${5:-}" ] && printf 'dane_tls = %s\ndane_tls_ttl = 60\n' "$5"
		printf "\n[KeyOpts]\n    ktype = 'ec'\n    ec_algo = 'secp256r1'\n"
		printf "\n[X509]\n    CN = '%s'\n    O = 'Example Org'\n    C = 'US'\n    email = 'hostmaster@example.com'\n    sans = %s\n" "$3" "$4"
	} >"$top/conf.d/example.com/$1"
}
svc mail-ec pebble-dns example.com "['mail.example.com']" "[[25, 'tcp', 3, 1, 1]]"
svc www pebble-http example.com "['www.example.com']"
svc notls pebble-notls example.com "['www.example.com']"
sed -i "s|services = \['web-self', 'mail-self', 'wild-self'\]|services = ['web-self', 'mail-self', 'mail-ec', 'www']|" "$conf"
sed -i "s|^    prod_cert_dir = .*|    prod_cert_dir = '$P'\n    dns_ns_port = $DNSBED_PORT\n    dns_xtra_ns = []\n    dns_check_delay = 30|" "$conf"
sed -i "s|^\[web\]|[web]\n    server_dir = '$T/www'|" "$conf"
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
CONF

# Every run's stdout and stderr are kept: all of it is searched for keys.
mkdir -p "$T/outs"
nrun=0
srun() {
	nrun=$((nrun + 1))
	SSL_MGR_TOPDIR=$top "$BIN" "$@" >"$T/outs/$nrun.out" 2>"$T/outs/$nrun.err"
	RC=$?
	cp "$T/outs/$nrun.out" "$T/out"
	cp "$T/outs/$nrun.err" "$T/err"
}

srun -renew -roll -v
check "full cycle (private CA + ACME): exit 0" eq "$RC" 0
[ "$RC" -eq 0 ] || tail -20 "$T/err"
check "ACME cert issued (http-01)" test -s "$top/certs/example.com/www/curr/cert.pem"
check "ACME cert issued (dns-01, DANE)" test -s "$top/certs/example.com/mail-ec/curr/cert.pem"
key_www=$(sha256sum <"$top/certs/example.com/www/curr/privkey.pem")
key_web=$(sha256sum <"$top/certs/example.com/web-self/curr/privkey.pem")
srun -renew -f -r -roll -f -v
check "renew with reused keys: exit 0" eq "$RC" 0
check "reused key (ACME) is curr's key again" eq \
    "$(sha256sum <"$top/certs/example.com/www/curr/privkey.pem")" "$key_www"
check "reused key (private CA) is curr's key again" eq \
    "$(sha256sum <"$top/certs/example.com/web-self/curr/privkey.pem")" "$key_web"
check "a new cert for the reused key" test \
    "$(readlink "$top/certs/example.com/www/curr")" != "$(readlink "$top/certs/example.com/www/prev")"
srun -renew -f -v example.com:mail-self
check "a next waiting (in production too)" test -d "$P/example.com/mail-self/next"
srun -s
check "-s exit 0" eq "$RC" 0
srun -s -json
check "-s -json exit 0" eq "$RC" 0
cp "$T/out" "$T/status.json"
check "-s -json is JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/status.json"

# The console: services screen and the detail screen of two services.
tmux -L "$SOCK" -f /dev/null new-session -d -x 120 -y 40 \
    "env SSL_MGR_TOPDIR='$top' XDG_STATE_HOME='$T/state' '$BIN' tui; exec sleep 600"
wait_for() {	# wait_for TEXT [SECS]: poll the screen (50 ms), 15 s
	_n=$(( ${2:-15} * 20 ))
	while [ $_n -gt 0 ]; do
		tmux -L "$SOCK" capture-pane -p >"$T/screen" 2>/dev/null
		grep -aqF -- "$1" "$T/screen" && return 0
		sleep 0.05
		_n=$((_n - 1))
	done
	return 1
}
: >"$T/screens"
check "console shows the services" wait_for "mail-ec"
cat "$T/screen" >>"$T/screens"
i=0
nd=0
# Walk the rows (group headers open nothing): 4 detail screens captured.
while [ $i -lt 9 ] && [ $nd -lt 4 ]; do
	i=$((i + 1))
	tmux -L "$SOCK" send-keys Home
	j=0
	while [ $j -lt $i ]; do tmux -L "$SOCK" send-keys Down; j=$((j + 1)); done
	tmux -L "$SOCK" send-keys Enter
	if wait_for "sha256" 3; then
		nd=$((nd + 1))
		cat "$T/screen" >>"$T/screens"
		tmux -L "$SOCK" send-keys Escape
		wait_for "example.com" >/dev/null
	fi
done
check "detail screens captured" test "$(grep -c sha256 "$T/screens")" -ge 2
tmux -L "$SOCK" kill-server 2>/dev/null

# 1. Modes of everything that holds a private key.
grep -rlZ -e 'PRIVATE KEY' "$top" "$P" 2>/dev/null | tr '\0' '\n' |
    grep -v "^$top/logs/" | sort -u >"$T/keyfiles"
find "$top" "$P" -name 'bundle.pem' >>"$T/keyfiles"
sort -u -o "$T/keyfiles" "$T/keyfiles"
nk=$(wc -l <"$T/keyfiles")
check "private keys found everywhere ($nk files)" test "$nk" -ge 20
check "keys in production" grep -q "^$P/.*/privkey.pem" "$T/keyfiles"
check "ACME account key under cb/" grep -q "/cb/" "$T/keyfiles"
while read -r f; do
	m=$(stat -c %a "$f")
	[ "$m" = 600 ] || echo "$f: $m"
done <"$T/keyfiles" >"$T/badmodes"
check "every key and bundle is 0600" is_empty "$T/badmodes"
cat "$T/badmodes"
find "$top/certs" "$P" -type d ! -perm 0700 ! -perm 0750 >"$T/baddirs"
check "every directory under certs/ and production is 0700 or 0750" is_empty "$T/baddirs"
cat "$T/baddirs"
find "$top/certs" -path '*/cb' -type d ! -perm 0700 >"$T/badcb"
check "ACME account dirs are 0700" is_empty "$T/badcb"

# 2. No key material anywhere a person or a program reads.
while read -r f; do
	sed -n '/-----BEGIN.*PRIVATE KEY-----/,/-----END/p' "$f"
done <"$T/keyfiles" | grep -v -- '-----' | awk 'length($0) >= 24' |
    sort -u >"$T/keylines"
check "key lines collected ($(wc -l <"$T/keylines"))" test "$(wc -l <"$T/keylines")" -ge 40
ls "$top"/logs/* >/dev/null 2>&1
check "the log file exists" eq "$?" 0
for f in "$top"/logs/* "$T"/outs/* "$T/status.json" "$T/screens"; do
	[ -f "$f" ] || continue
	if grep -qF -f "$T/keylines" "$f" || grep -q 'PRIVATE KEY' "$f"; then
		echo "$f"
	fi
done >"$T/leaks"
check "no key material in the log, outputs, -s -json or screens" is_empty "$T/leaks"
cat "$T/leaks"
check "JSON status names no key file content" not_contains "$T/status.json" "BEGIN"

# 3. Symlinks planted in production are not followed.
mkdir -p "$T/victim-dir" "$T/victim-grp"
echo "victim" >"$T/victim-file"
rm -rf "$P/example.com/web-self"
ln -s "$T/victim-dir" "$P/example.com/web-self"
ln -sf "$T/victim-file" "$P/example.com/tlsa.example.com"
srun dev -certs-prod
check "prod sync with planted links: exit 0" eq "$RC" 0
check "a service dir link is replaced, its target untouched" sh -c \
    "[ ! -L '$P/example.com/web-self' ] && [ -d '$P/example.com/web-self/curr' ] && [ -z \"\$(ls -A '$T/victim-dir')\" ]"
check "a TLSA file link is replaced, its target untouched" sh -c \
    "[ ! -L '$P/example.com/tlsa.example.com' ] && [ \"\$(cat '$T/victim-file')\" = victim ]"
mv "$P/example.com" "$T/prod-grp-saved"
ln -s "$T/victim-grp" "$P/example.com"
srun dev -certs-prod
check "a group dir that is a symlink: refused (exit 1)" eq "$RC" 1
check "the refusal names the link" contains "$T/err" "$P/example.com: not a directory"
check "nothing written through the group link" eq "$(ls -A "$T/victim-grp" | wc -l)" 0
rm "$P/example.com"
mv "$T/prod-grp-saved" "$P/example.com"

# 4. ... nor in the http-01 web root.
mkdir -p "$T/victim-web"
rm -rf "$T/www/example.com/.well-known"
ln -s "$T/victim-web" "$T/www/example.com/.well-known"
srun -renew -f example.com:www
check "web root with a planted link: the renewal fails" eq "$RC" 1
check "the link is named" contains "$T/err" "a symlink in the web root is not followed"
check "no token written through the link" eq "$(find "$T/victim-web" | wc -l)" 1
rm "$T/www/example.com/.well-known"

# 5. Names with '/' or '..' never become paths.
srun -renew -f 'example.com:../../../victim-name'
check "target with '..': refused" test "$RC" -ne 0
check "target with '..': nothing made" test ! -e "$T/victim-name"
srun -renew -f '../example.com:web-self'
check "group with '..': refused" test "$RC" -ne 0
cp "$conf" "$T/conf.saved"
printf "\n[[groups]]\n    domain = '../evil'\n    services = ['x']\n    active = true\n" >>"$conf"
srun check-config
check "config group '../evil': check-config fails" test "$RC" -ne 0
check "config group '../evil': named in the error" contains "$T/err" "../evil"
cp "$T/conf.saved" "$conf"
printf "\n[[groups]]\n    domain = 'example.com'\n    services = ['../../etc/x']\n    active = true\n" >>"$conf"
srun check-config
check "config service '../../etc/x': check-config fails" test "$RC" -ne 0
cp "$T/conf.saved" "$conf"
check "no file left outside the topdir" test ! -e "$T/evil" -a ! -e "$T/etc"

# 6. Commands run with argv: shell syntax in a restart_cmd stays literal.
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >"%s/rec.args"\n' "$T" >"$T/rec"
chmod 755 "$T/rec"
cp "$conf" "$T/conf.saved"
sed -i "s|^\[web\]|[web]\n    restart_cmd = '$T/rec \$(touch $T/pwned) ;touch $T/pwned2 \`touch $T/pwned3\`'|" "$conf"
srun -renew -f -roll -f example.com:web-self
check "restart with shell syntax in restart_cmd: exit 0" eq "$RC" 0
[ "$RC" -eq 0 ] || tail -5 "$T/err"
check "the command ran, with the words as literal arguments" contains "$T/rec.args" ";touch"
check "no shell ran them" test ! -e "$T/pwned" -a ! -e "$T/pwned2" -a ! -e "$T/pwned3"
cp "$T/conf.saved" "$conf"
# execl/execv of a fixed argv is no shell; system(3), popen(3) and sh -c are.
grep -nE '(^|[^_a-z])(system|popen)\(|"/bin/sh"|"sh", *"-c"' "$SRC"/core/*.c "$SRC"/tui/*.c >"$T/shell"
check "no shell anywhere in core/ or tui/" is_empty "$T/shell"
cat "$T/shell"

# 7. TLS verification of the ACME server.
grep -n 'VERIFYPEER\|VERIFYHOST\|VERIFYSTATUS\|insecure' "$SRC"/core/*.c >"$T/tlsoff"
check "core never sets a TLS verification option (so never off)" is_empty "$T/tlsoff"
cat "$T/tlsoff"
check "no config key or option to skip verification" sh -c \
    "! grep -qiE 'insecure|no_verify|verify *= *false|ssl_verify' '$SRC/docs/ssl-mgr.conf.5' '$SRC/docs/ssl-mgr.1'"
env -u CURL_CA_BUNDLE -u SSL_CERT_FILE -u SSL_CERT_DIR SSL_MGR_TOPDIR="$top" \
    "$BIN" -renew -f example.com:notls >"$T/out" 2>"$T/err"
check "ACME server with an unknown CA and no ca file: exit 1" eq "$?" 1
check "the failure is the TLS verification" sh -c \
    "grep -qiE 'certificate|SSL|TLS' '$T/err'"
check "no cert from the unverified server" test ! -e "$top/certs/example.com/notls/curr"
finish
