#!/bin/sh
# Monitoring and hooks: -s --json validated against docs/status-schema.json
# (python3-jsonschema) with no secret in it, -s --prometheus checked by a
# small exposition-format parser (tests/integration/prom-check) with the
# expected series and values, notify_cmd on a failed run and on a cert in
# its last 10% (and not on success), and the deploy hooks with their
# environment, including a failing one that leaves the tree intact.
. "$(dirname "$0")/lib.sh"

PROM="$SRC/tests/integration/prom-check"
SCHEMA="$SRC/docs/status-schema.json"
have_js=true
if ! python3 -c 'import jsonschema' 2>/dev/null; then
	if [ "${CI:-}" = true ]; then
		nok "python3-jsonschema is needed"
	else
		echo "skip - python3-jsonschema missing: no schema checks"
	fi
	have_js=false
fi

# valid FILE: the JSON in FILE is valid under the schema.
valid() {
	$have_js || return 0
	python3 - "$SCHEMA" "$1" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))
PY
}
# no_secrets FILE SECRET...: no key names a secret, no PEM block, none of
# the given strings anywhere.
no_secrets() {
	python3 - "$@" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
bad = re.compile(r'(secret|hmac|passw|privkey|private|_key$)', re.I)
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if bad.search(k):
                sys.exit('secret-like key: ' + k)
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(json.loads(text))
if '-----BEGIN' in text:
    sys.exit('a PEM block')
for s in sys.argv[2:]:
    if s in text:
        sys.exit('secret value present')
PY
}
not() { ! "$@"; }
# series NAME{labels}: the value prom-check printed for it.
series() {
	awk -v k="$1" 'index($0, k " ") == 1 { print $2 }' "$T/prom.txt"
}
prom() {
	sslm "$top" -s --prometheus "$@"
	[ "$RC" -eq 0 ] && "$PROM" <"$T/out" >"$T/prom.txt"
}
enddate() {
	date -u -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s
}

top=$(new_topdir mon)
P=$top/prod-certs
conf=$top/conf.d/ssl-mgr.conf
EAB=c2VjcmV0LWVhYi1obWFjLWtleS1mb3ItdGVzdHM
cat >>"$top/conf.d/ca-info.conf" <<CA

[le-test]
    ca_desc = 'an ACME CA with EAB (never contacted here)'
    ca_type = 'acme'
    ca_acme_directory = 'https://127.0.0.1:1/dir'
    ca_validation = 'http-01'
    ca_eab_kid = 'kid-1'
    ca_eab_hmac_key = '$EAB'
CA
cat >"$T/notify" <<'SH'
#!/bin/sh
n=$(ls "$NOTIFY_DIR" | wc -l)
{ echo "argv: $*"; env | grep '^SSLM_' | sort; echo "--"; cat; } >"$NOTIFY_DIR/call.$n"
SH
cat >"$T/hook" <<'SH'
#!/bin/sh
ok=no
[ -s "$SSLM_CERT" ] && [ -s "$SSLM_FULLCHAIN" ] && [ -s "$SSLM_KEY" ] && ok=yes
echo "$1 $SSLM_EVENT $SSLM_GROUP $SSLM_SERVICE $SSLM_CERT_DIR files=$ok prod=$SSLM_PROD_DIR" >>"$HOOK_LOG"
SH
chmod +x "$T/notify" "$T/hook"
NOTIFY_DIR=$T/notified
HOOK_LOG=$T/hooks.log
export NOTIFY_DIR HOOK_LOG
mkdir -p "$NOTIFY_DIR"
: >"$HOOK_LOG"
sed -i "s|^\[globals\]|[globals]\n    notify_cmd = ['$T/notify', 'arg one']\n    on_renew = ['$T/hook', 'g-renew']\n    on_roll = '$T/hook g-roll'\n    on_prod_copy = ['$T/hook', 'g-prod']|" "$conf"
W=$top/conf.d/example.com/web-self
{ echo "on_renew = ['$T/hook', 's-renew']"; cat "$W"; } >"$W.new" && mv "$W.new" "$W"
calls() { ls "$NOTIFY_DIR" | wc -l | tr -d ' '; }

sslm "$top" check-config -v
check "config with notify_cmd and hooks is valid" eq "$RC" 0
check "check-config -v shows notify_cmd" contains "$T/out" "notify_cmd = [\"$T/notify\", \"arg one\"]"
check "check-config -v splits a string hook into argv" contains "$T/out" "on_roll = [\"$T/hook\", \"g-roll\"]"
check "check-config -v never shows the EAB key" not_contains "$T/out" "$EAB"

# 1. Status before anything exists: valid, no last run.
sslm "$top" -s --json
cp "$T/out" "$T/s0.json"
check "empty tree: -s --json exits 0" eq "$RC" 0
check "empty tree: JSON valid under the schema" valid "$T/s0.json"
check "empty tree: last_run is null" sh -c "python3 -c 'import json,sys; sys.exit(json.load(open(\"$T/s0.json\"))[\"last_run\"] is not None)'"
check "prometheus on an empty tree parses" prom
check "empty tree: no last-run series" eq "$(series ssl_mgr_last_run_success)" ""
check "empty tree: renew due for web-self" eq "$(series 'ssl_mgr_renew_due{group="example.com",service="web-self"}')" 1

# 2. An induced failure: a service whose CA does not exist yet.
sslm "$top" -d -renew example.com:web-self
check "-d run failing: exit 1" eq "$RC" 1
check "-d run failing: notify_cmd only logged" sh -c "[ \"\$(ls '$NOTIFY_DIR' | wc -l)\" -eq 0 ] && grep -q 'notify_cmd: debug: not run' '$T/out'"
rm -rf "$top/certs/example.com/web-self/next" "$top/certs/example.com/web-self/db"
sslm "$top" -renew example.com:web-self
check "renew before the CA: exit 1" eq "$RC" 1
check "failure: notify_cmd ran once" eq "$(calls)" 1
check "failure: argv as configured" contains "$NOTIFY_DIR/call.0" "argv: arg one"
check "failure: SSLM_RESULT=failed" contains "$NOTIFY_DIR/call.0" "SSLM_RESULT=failed"
check "failure: summary on stdin says so" contains "$NOTIFY_DIR/call.0" "the run failed"
check "failure: summary names the command" contains "$NOTIFY_DIR/call.0" "command: ssl-mgr -renew example.com:web-self"
check "failure: the error itself in the summary" contains "$NOTIFY_DIR/call.0" "error: example.com:web-self: signing CA 'my-int' has no current cert/key"
check "failure: no hook ran" is_empty "$HOOK_LOG"
check "failure recorded in .sslm.last-run" contains "$top/.sslm.last-run" '"success": false'
prom
check "prometheus after the failure: last_run_success 0" eq "$(series ssl_mgr_last_run_success)" 0
check "prometheus after the failure: failures counted" test "$(series ssl_mgr_last_run_failures)" -ge 1

# 3. Success: no notification; hooks for each event with their env.
sslm "$top" -renew -roll
check "-renew -roll: exit 0" eq "$RC" 0
check "success: notify_cmd did not run" eq "$(calls)" 1
D=$(readlink "$top/certs/example.com/web-self/curr")
check "global on_renew for web-self with its next dir" contains "$HOOK_LOG" "g-renew renew example.com web-self $top/certs/example.com/web-self/$D files=yes prod=$P/example.com/web-self"
check "service on_renew after the global one" sh -c "grep -n 'renew example.com web-self ' '$HOOK_LOG' | head -2 | tr '\n' ' ' | grep -q 'g-renew.*s-renew'"
check "service on_renew only for its service" sh -c "! grep -q 's-renew renew example.com mail-self' '$HOOK_LOG'"
check "on_roll (string form) for web-self" contains "$HOOK_LOG" "g-roll roll example.com web-self $top/certs/example.com/web-self/$D files=yes"
check "on_prod_copy with the production curr dir" contains "$HOOK_LOG" "g-prod prod_copy example.com web-self $P/example.com/web-self/curr files=yes"
check "hooks for the CA services too" contains "$HOOK_LOG" "g-renew renew ca my-int"
check "every renewed service got on_renew" test "$(grep -c ' renew ' "$HOOK_LOG")" -eq 6
# (production has no CA private keys: only the services' lines count)
check "hooks ran after the prod copy (files in production)" sh -c "! grep 'example.com' '$HOOK_LOG' | grep -q 'files=no'"
sslm "$top" -s --json
cp "$T/out" "$T/s1.json"
check "after a run: JSON valid under the schema" valid "$T/s1.json"
check "after a run: last_run success" sh -c "python3 -c 'import json,sys; l=json.load(open(\"$T/s1.json\"))[\"last_run\"]; sys.exit(not (l[\"success\"] and l[\"command\"] == \"ssl-mgr -renew -roll\"))'"
check "no secrets in -s --json (keys, PEM, EAB value)" no_secrets "$T/s1.json" "$EAB"
check "no secrets in -s -v" sh -c "SSL_MGR_TOPDIR='$top' '$BIN' -s -v | grep -q -e '$EAB' -e 'PRIVATE KEY'; [ \$? -eq 1 ]"

# 4. Prometheus: the series and their values.
check "prometheus parses" prom
E=$(enddate "$top/certs/example.com/web-self/curr/cert.pem")
check "expiry timestamp = notAfter of curr" eq "$(series 'ssl_mgr_cert_expiry_timestamp_seconds{group="example.com",service="web-self",which="curr"}')" "$E"
check "days left about 90" sh -c "v=\$(awk -v k='ssl_mgr_cert_days_left{group=\"example.com\",service=\"web-self\",which=\"curr\"}' 'index(\$0, k \" \") == 1 { print \$2 }' '$T/prom.txt'); awk -v v=\"\$v\" 'BEGIN { exit !(v > 89.9 && v <= 90) }'"
check "no next yet" eq "$(series 'ssl_mgr_next_present{group="example.com",service="web-self"}')" 0
check "roll not due" eq "$(series 'ssl_mgr_roll_due{group="example.com",service="web-self"}')" 0
check "last run success 1" eq "$(series ssl_mgr_last_run_success)" 1
check "production in sync" eq "$(series ssl_mgr_prod_drift)" 0
check "every service has an expiry series" test "$(grep -c '^ssl_mgr_cert_expiry_timestamp_seconds{' "$T/prom.txt")" -eq 5
check "HELP and TYPE for every family" test "$(grep -c '^# TYPE ssl_mgr_' "$T/out")" -eq "$(grep -c '^# HELP ssl_mgr_' "$T/out")"
sslm "$top" -renew -f example.com:web-self
prom
check "after renew -f: next present" eq "$(series 'ssl_mgr_next_present{group="example.com",service="web-self"}')" 1
check "after renew -f: next expiry series" test -n "$(series 'ssl_mgr_cert_expiry_timestamp_seconds{group="example.com",service="web-self",which="next"}')"
check "roll due with -roll-mins 0" sh -c "SSL_MGR_TOPDIR='$top' '$BIN' -s --prometheus -roll-mins 0 | '$PROM' | grep -q 'ssl_mgr_roll_due{group=\"example.com\",service=\"web-self\"} 1'"
echo tampered >>"$P/example.com/web-self/curr/cert.pem"
prom
check "production drift counted" test "$(series ssl_mgr_prod_drift)" -ge 1
sslm "$top" -s --json
cp "$T/out" "$T/s2.json"
check "with next and drift: JSON valid" valid "$T/s2.json"
printf 'garbage\n' >"$top/certs/example.com/web-self/next/cert.pem"
sslm "$top" -s --json
cp "$T/out" "$T/s3.json"
check "unreadable next: JSON valid (error form)" valid "$T/s3.json"
check "unreadable next: said so" contains "$T/s3.json" "cert.pem missing or unreadable"
if $have_js; then
	python3 -c "import json; d=json.load(open('$T/s1.json')); d['groups'][1]['services'][0]['curr']['privkey']='x'; json.dump(d, open('$T/bad.json','w'))"
	check "the schema rejects an added field (the check has teeth)" not valid "$T/bad.json"
fi
check "--prometheus without -s: usage error" sh -c "SSL_MGR_TOPDIR='$top' '$BIN' --prometheus >/dev/null 2>&1; [ \$? -eq 2 ]"
check "--json with --prometheus: usage error" sh -c "SSL_MGR_TOPDIR='$top' '$BIN' -s --json --prometheus >/dev/null 2>&1; [ \$? -eq 2 ]"

# 5. A failing hook: reported, exit 1, the roll itself stands.
sslm "$top" -renew -f example.com:mail-self
M=$top/conf.d/example.com/mail-self
{ echo "on_roll = ['/bin/sh', '-c', 'echo hook broke; exit 3']"; cat "$M"; } >"$M.new" && mv "$M.new" "$M"
N=$(readlink "$top/certs/example.com/mail-self/next")
before=$(calls)
sslm "$top" -roll -f example.com:mail-self
check "failing hook: exit 1" eq "$RC" 1
check "failing hook: named with its exit and output" contains "$T/err" "example.com:mail-self: on_roll hook (service): /bin/sh -c 'echo hook broke; exit 3' failed (exit 3): hook broke"
check "failing hook: the roll happened" eq "$(readlink "$top/certs/example.com/mail-self/curr")" "$N"
check "failing hook: no next left" test ! -e "$top/certs/example.com/mail-self/next"
check "failing hook: production has the new curr" cmp -s "$top/certs/example.com/mail-self/curr/cert.pem" "$P/example.com/mail-self/curr/cert.pem"
check "failing hook: the global on_roll still ran" contains "$HOOK_LOG" "g-roll roll example.com mail-self"
check "failing hook: notify_cmd told" test "$(calls)" -eq $((before + 1))
sslm "$top" check-config
check "failing hook: config still valid" eq "$RC" 0
sslm "$top" -renew
check "next run with nothing to do: exit 0" eq "$RC" 0

# 6. A cert in its last 10% without a renewal: notify (faked clock).
if command -v faketime >/dev/null 2>&1; then
	A="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	before=$(calls)
	ASAN_OPTIONS=$A SSL_MGR_TOPDIR=$top faketime -f +85d "$BIN" -roll \
	    example.com:wild-self >"$T/out" 2>"$T/err"
	check "last 10%: the run itself succeeds" eq "$?" 0
	check "last 10%: notify_cmd ran" test "$(calls)" -eq $((before + 1))
	last=$NOTIFY_DIR/call.$before
	check "last 10%: SSLM_RESULT=ok" contains "$last" "SSLM_RESULT=ok"
	check "last 10%: the service named" contains "$last" "late: example.com:wild-self: curr expires in"
	check "last 10%: warned on stderr" contains "$T/err" "example.com:wild-self: curr expires in"
	before=$(calls)
	ASAN_OPTIONS=$A SSL_MGR_TOPDIR=$top faketime -f +85d "$BIN" -renew \
	    example.com:wild-self >"$T/out" 2>"$T/err"
	check "last 10% renewed: exit 0" eq "$?" 0
	check "renewed into next: no notification" eq "$(calls)" "$before"
else
	nok "faketime is missing (scripts/install-deps --test installs it)"
fi
finish
