#!/bin/sh
# Production and restarts with real runs: the copy (modes, no CA keys,
# .test with -t), drift detected by -s (which writes nothing) and repaired
# by the next changing run, and restarts / post_copy_cmd firing exactly
# when they should, counted by a recording command.
. "$(dirname "$0")/lib.sh"

top=$(new_topdir prod)
P=$top/prod-certs
rec=$T/rec
printf '#!/bin/sh\necho "$*" >>"$REC_LOG"\n' >"$rec"
chmod +x "$rec"
REC_LOG=$T/rec.log
export REC_LOG
: >"$REC_LOG"
conf=$top/conf.d/ssl-mgr.conf
printf '\n[smtp]\n    servers = []\n    restart_cmd = %s\n    svc_depends = [[%s, [%s]]]\n' \
    "'$rec smtp-reload'" "'example.com'" "'mail-self'" >>"$conf"
printf '\n[imap]\n    servers = []\n    restart_cmd = [%s, %s]\n    svc_depends = [[%s, [%s]], [%s, [%s]]]\n' \
    "'$rec imap-a'" "'$rec imap-b'" "'ca'" "'my-int'" "'example.com'" "'mail-self'" >>"$conf"
sed -i "s|^    prod_cert_dir = .*|    prod_cert_dir = '$P'\n    post_copy_cmd = [['hostA', '$rec']]|" "$conf"
sed -i "s|^\[web\]|[web]\n    restart_cmd = '$rec web-reload'|" "$conf"
count() { grep -c "^$1" "$REC_LOG"; }

sslm "$top" check-config
check "the test config is valid" eq "$RC" 0
sslm "$top" -renew -roll
check "first run exits 0" eq "$RC" 0
check "first run: production copied" test -s "$P/example.com/web-self/curr/cert.pem"
check "prod key 0600" eq "$(mode_of "$P/example.com/web-self/curr/privkey.pem")" 600
check "prod bundle 0600" eq "$(mode_of "$P/example.com/web-self/curr/bundle.pem")" 600
check "prod cert 0644" eq "$(mode_of "$P/example.com/web-self/curr/cert.pem")" 644
check "prod dirs 0750" eq "$(mode_of "$P/example.com/web-self")" 750
check "prod has no next after the roll" test ! -e "$P/example.com/web-self/next"
check "CA cert in production" test -s "$P/ca/my-int/curr/cert.pem"
check "no CA private key in production" test ! -e "$P/ca/my-int/curr/privkey.pem"
check "no CA bundle in production" test ! -e "$P/ca/my-root/curr/bundle.pem"
check "prod curr = certs curr" cmp -s "$P/example.com/mail-self/curr/cert.pem" "$top/certs/example.com/mail-self/curr/cert.pem"
check "smtp restarted once" eq "$(count smtp-reload)" 1
check "web restarted once" eq "$(count web-reload)" 1
check "imap: both commands ran once" eq "$(count imap-a)$(count imap-b)" 11
check "post_copy_cmd ran as 'cmd host'" eq "$(count hostA)" 1

: >"$REC_LOG"
sslm "$top" -renew -roll
check "nothing due: exit 0" eq "$RC" 0
check "nothing due: silent" is_empty "$T/out"
check "nothing due: no restarts, no post copy" is_empty "$REC_LOG"

sslm "$top" -renew -f example.com:mail-self
check "mail renew: next in production" test -s "$P/example.com/mail-self/next/cert.pem"
check "mail renew: smtp restarted (svc_depends)" eq "$(count smtp-reload)" 1
check "mail renew: imap restarted (second svc_depends pair)" eq "$(count imap-a)" 1
check "mail renew: web not restarted" eq "$(count web-reload)" 0
check "mail renew: post copy ran" eq "$(count hostA)" 1
: >"$REC_LOG"
sslm "$top" -roll example.com:mail-self
check "mail roll: prod next removed" test ! -e "$P/example.com/mail-self/next"
check "mail roll: prod curr is the new cert" cmp -s "$P/example.com/mail-self/curr/cert.pem" "$top/certs/example.com/mail-self/curr/cert.pem"
check "mail roll: smtp restarted" eq "$(count smtp-reload)" 1

# The status shortcuts (prod-stamp.c, certcache.c): written by changing
# runs, 0644, and -s gives the same answer with one thread or several.
check "runs stamp production (.prod-stamp 0644)" eq "$(mode_of "$top/certs/example.com/.prod-stamp")" 644
check "runs cache the certificates (.cert-cache 0644)" eq "$(mode_of "$top/certs/example.com/.cert-cache")" 644
check "the cache names curr's set" contains "$top/certs/example.com/.cert-cache" "mail-self $(readlink "$top/certs/example.com/mail-self/curr" | sed 's|^db/||')"
# Lines that depend on the second the status was taken are left out.
status_json() {
	SSL_MGR_TOPDIR=$top "$BIN" -s --json </dev/null 2>&1 |
	    grep -Ev '"(time|days_left|days_to_renew|next_age_mins)"'
}
SSLM_THREADS=1 status_json >"$T/one.json"
SSLM_THREADS=4 status_json >"$T/four.json"
check "-s --json: one thread = four threads" cmp -s "$T/one.json" "$T/four.json"
check "-s --json: production in sync" contains "$T/one.json" '"in_sync": true'
mv "$top/certs/example.com/.cert-cache" "$T/cache.bak"
SSLM_THREADS=1 status_json >"$T/none.json"
check "-s --json: with no cache = with it" cmp -s "$T/one.json" "$T/none.json"
SSL_MGR_TOPDIR=$top "$BIN" -s >"$T/without.txt" 2>&1 </dev/null
mv "$T/cache.bak" "$top/certs/example.com/.cert-cache"
SSL_MGR_TOPDIR=$top "$BIN" -s >"$T/with.txt" 2>&1 </dev/null
check "-s: the cache changes no line (countdowns aside)" eq "$(sed 's/([^)]*)//g' "$T/with.txt" | md5sum)" "$(sed 's/([^)]*)//g' "$T/without.txt" | md5sum)"
check "-s: the text status names curr's issuer" contains "$T/with.txt" "issuer"

# Drift: -s reports it and writes nothing; the next changing run repairs.
: >"$REC_LOG"
rm "$P/example.com/web-self/curr/cert.pem"
echo "garbage" >>"$P/example.com/wild-self/curr/privkey.pem"
mkdir -p "$P/example.com/web-self/next"
sslm "$top" -s
check "-s reports the deleted file" contains "$T/out" "example.com/web-self/curr/cert.pem"
check "-s reports the edited key" contains "$T/out" "example.com/wild-self/curr/privkey.pem"
check "-s reports the stale next" contains "$T/out" "example.com/web-self/next"
check "-s wrote nothing" test ! -e "$P/example.com/web-self/curr/cert.pem"
check "-s restarted nothing" is_empty "$REC_LOG"
sslm "$top" -renew
check "repairing run exits 0" eq "$RC" 0
check "repairing run says it resyncs" contains "$T/out" "differs from certs/"
check "deleted file restored" cmp -s "$P/example.com/web-self/curr/cert.pem" "$top/certs/example.com/web-self/curr/cert.pem"
check "edited key restored" cmp -s "$P/example.com/wild-self/curr/privkey.pem" "$top/certs/example.com/wild-self/curr/privkey.pem"
check "stale next removed" test ! -e "$P/example.com/web-self/next"
check "web restarted for the drifted web services" eq "$(count web-reload)" 1
check "smtp not restarted (mail did not drift)" eq "$(count smtp-reload)" 0
sslm "$top" -s
check "in sync afterwards" contains "$T/out" "in sync"

# -d prints what would run and runs nothing; -fsr restarts everything.
: >"$REC_LOG"
sslm "$top" dev -fsr -d
check "-fsr -d runs nothing" is_empty "$REC_LOG"
sslm "$top" dev -fsr
check "-fsr restarts smtp" eq "$(count smtp-reload)" 1
check "-fsr restarts web" eq "$(count web-reload)" 1
sslm "$top" dev -certs-prod
check "dev -certs-prod exits 0" eq "$RC" 0

# -t: production goes to <prod_cert_dir>.test.
sslm "$top" -renew -f -t example.com:web-self
check "-t writes <prod>.test" test -s "$P.test/example.com/web-self/next/cert.pem"

# The text status is written a group at a time as the cores finish them
# (status.c emit_group): with more groups than threads it must still come
# out in group order and whole, whatever the thread count.
for g in 1 2 3 4 5 6 7; do
	mkdir -p "$top/conf.d/g$g.example"
	sed "s/^group = .*/group = 'g$g.example'/" \
	    "$top/conf.d/example.com/web-self" >"$top/conf.d/g$g.example/web-self"
	printf "\n[[groups]]\n    domain = 'g%s.example'\n    services = ['web-self']\n    active = true\n" \
	    "$g" >>"$conf"
done
sslm "$top" -renew -roll
check "seven more groups: issued" eq "$RC" 0
status_text() {
	SSL_MGR_TOPDIR=$top "$BIN" -s </dev/null 2>&1 | sed 's/([^)]*)//g'
}
SSLM_THREADS=1 status_text >"$T/t1.txt"
SSLM_THREADS=3 status_text >"$T/t3.txt"
check "-s text: 3 threads = 1 thread" cmp -s "$T/t1.txt" "$T/t3.txt"
# Which core finishes first varies: several tries make a disorder likely
# to show.
same8=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	SSLM_THREADS=8 status_text >"$T/t8.txt"
	cmp -s "$T/t1.txt" "$T/t8.txt" && same8=$((same8 + 1))
done
check "-s text: 8 threads = 1 thread (12 tries)" eq "$same8" 12
check "-s text: groups in order, each once" eq "$(grep -E '^(ca|example.com|g[0-9].example)$' "$T/t8.txt" | tr '\n' ' ')" \
    "ca example.com g1.example g2.example g3.example g4.example g5.example g6.example g7.example "
check "-s text: ends with the production line" contains "$T/t8.txt" "in sync"
finish
