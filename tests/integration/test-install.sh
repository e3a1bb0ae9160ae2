#!/bin/sh
# The install layout: a fresh build of the source tree installed with
# "meson install --destdir" into a temp root, then every file, link and
# mode; the manual pages rendered with warnings as errors (mandoc -Tlint,
# groff -ww, man -l) and checked against the options and keys the
# installed binary really has; the EXAMPLES of ssl-mgr(1) run with the
# installed examples; the bash completion exercised in bash; the systemd
# units through systemd-analyze verify (skipped with a message when it is
# missing); the logrotate snippet through logrotate -d (likewise).
#
# Standalone: SSLM_BIN=build/ssl-mgr SSLM_SOURCE_ROOT=$PWD \
#             sh tests/integration/test-install.sh
. "$(dirname "$0")/lib.sh"

skip() { echo "skip - $*"; }
is_file() { [ -f "$1" ] && [ ! -L "$1" ]; }
link_is() { [ -L "$1" ] && [ "$(readlink "$1")" = "$2" ]; }
mode_is() { [ -e "$1" ] && [ "$(mode_of "$1")" = "$2" ]; }
empty_file() { [ ! -s "$1" ]; }
not() { ! "$@"; }
# has_word file word: word appears with no letter, digit, '-' or '_'
# glued to either side (so -s does not match inside -status).
has_word() {
	grep -qE -- "(^|[^A-Za-z0-9_-])$(printf '%s' "$2" |
	    sed 's/[].[*^$\\/]/\\&/g')([^A-Za-z0-9_-]|\$)" "$1"
}

B=$T/b
R=$T/root
BIN_NAMES="sslm-mgr sslm-info sslm-verify sslm-dhparm sslm-tlsa-hash"

# --- build and install ------------------------------------------------
if ! meson setup "$B" "$SRC" --prefix=/usr -Dtests=false \
    >"$T/setup.log" 2>&1; then
	nok "meson setup (see below)"
	tail -20 "$T/setup.log"
	finish
	exit 1
fi
ok "meson setup --prefix=/usr"
if ! ninja -C "$B" >"$T/ninja.log" 2>&1; then
	nok "ninja (see below)"
	tail -20 "$T/ninja.log"
	finish
	exit 1
fi
ok "ninja"
meson install -C "$B" --destdir "$R" --no-rebuild >"$T/install.log" 2>&1
check "meson install --destdir exits 0" eq "$?" 0
# Every "Installing X to Y" names a Y inside the destdir.
outside=$(grep '^Installing ' "$T/install.log" | grep -v " to $R/" || true)
check "--destdir: nothing installed outside $R" eq "$outside" ""

if ! grep -q "subdir('docs')" "$SRC/meson.build" ||
    ! grep -q "subdir('contrib')" "$SRC/meson.build"; then
	echo "note - $SRC/meson.build lacks subdir('docs') and/or" \
	    "subdir('contrib'): man pages, units, completion, logrotate and" \
	    "examples are not installed, and their checks fail"
fi

# --- binary and classic names -----------------------------------------
check "bin/ssl-mgr installed" is_file "$R/usr/bin/ssl-mgr"
check "bin/ssl-mgr mode 755" mode_is "$R/usr/bin/ssl-mgr" 755
for n in $BIN_NAMES; do
	check "bin/$n -> ssl-mgr" link_is "$R/usr/bin/$n" ssl-mgr
done
ver=$("$R/usr/bin/ssl-mgr" --version 2>&1)
check "installed ssl-mgr --version" eq "${ver%% *}" "ssl-mgr"
"$R/usr/bin/sslm-tlsa-hash" -h >"$T/out" 2>&1
check "sslm-tlsa-hash -h through the link: exit 0" eq "$?" 0
check "sslm-tlsa-hash -h: the tlsa-hash face" contains "$T/out" \
    "usage: ssl-mgr tlsa-hash"

# --- manual pages -----------------------------------------------------
M=$R/usr/share/man
check "man1/ssl-mgr.1 installed" is_file "$M/man1/ssl-mgr.1"
check "man5/ssl-mgr.conf.5 installed" is_file "$M/man5/ssl-mgr.conf.5"
check "man1/ssl-mgr.1 mode 644" mode_is "$M/man1/ssl-mgr.1" 644
check "man5/ssl-mgr.conf.5 mode 644" mode_is "$M/man5/ssl-mgr.conf.5" 644
for n in $BIN_NAMES; do
	check "man1/$n.1 -> ssl-mgr.1" link_is "$M/man1/$n.1" ssl-mgr.1
done
for page in "$M/man1/ssl-mgr.1" "$M/man5/ssl-mgr.conf.5"; do
	p=${page##*/}
	[ -f "$page" ] || { nok "$p: cannot lint a missing page"; continue; }
	if command -v mandoc >/dev/null 2>&1; then
		mandoc -Tlint -Wwarning "$page" >"$T/lint" 2>&1
		rc=$?
		check "$p: mandoc -Tlint -Wwarning clean" eq "$rc:$(cat "$T/lint")" "0:"
	else
		skip "$p: mandoc not installed (apt-get install mandoc)"
	fi
	if command -v groff >/dev/null 2>&1; then
		groff -ww -mandoc -Tutf8 -z "$page" >"$T/lint" 2>&1
		check "$p: groff -ww no warnings" empty_file "$T/lint"
	else
		skip "$p: groff not installed"
	fi
	if command -v man >/dev/null 2>&1; then
		MANWIDTH=80 man --warnings -E UTF-8 -l "$page" \
		    >"$T/render" 2>"$T/lint"
		check "$p: man -l renders without warnings" eq \
		    "$?:$(cat "$T/lint")" "0:"
		check "$p: man -l output not empty" test -s "$T/render"
	else
		skip "$p: man not installed"
	fi
done

# Plain text of a page, for the content checks (no hyphenation, wide).
BS=$(printf '\010')
render() {
	if command -v mandoc >/dev/null 2>&1; then
		mandoc -Tascii -O width=250 "$1"
	else
		groff -mandoc -Tascii -rLL=250n -rHY=0 "$1" 2>/dev/null
	fi | sed "s/.$BS//g"
}
if [ -f "$M/man1/ssl-mgr.1" ]; then
	render "$M/man1/ssl-mgr.1" >"$T/man1.txt"
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS ENVIRONMENT FILES \
	    "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		check "ssl-mgr(1) has $s" grep -q "^$s\$" "$T/man1.txt"
	done
	check "ssl-mgr(1) documents SSL_MGR_TOPDIR" has_word "$T/man1.txt" \
	    SSL_MGR_TOPDIR
	# Every option the binary has, both spellings.
	"$R/usr/bin/ssl-mgr" dev -h 2>&1 | sed -n 's/^  \(-[^ ]*\).*/&/p' |
	    cut -c1-40 | grep -oE -- '--?[a-z][a-z-]*' | sort -u >"$T/opts"
	check "ssl-mgr dev -h lists options" test "$(wc -l <"$T/opts")" -ge 40
	missing=
	while read -r o; do
		has_word "$T/man1.txt" "$o" || missing="$missing $o"
	done <"$T/opts"
	check "ssl-mgr(1) documents every option of dev -h${missing:+ (missing:$missing)}" \
	    eq "$missing" ""
	missing=
	for w in check-config info verify dhparam tlsa-hash dev --version plan \
	    dns-status --timeout \
	    --cafile --keys --age-days --subdirs --verbose $BIN_NAMES; do
		has_word "$T/man1.txt" "$w" || missing="$missing $w"
	done
	check "ssl-mgr(1) documents the subcommands and classic names${missing:+ (missing:$missing)}" \
	    eq "$missing" ""
	for s in 0 1 2; do
		check "ssl-mgr(1) EXIT STATUS lists $s" \
		    grep -qE "^ +$s +[a-z]" "$T/man1.txt"
	done
	check "ssl-mgr(1) names the status schema" contains "$T/man1.txt" \
	    "ssl-mgr-status/1"
else
	nok "ssl-mgr(1) content: page missing"
fi

# Every key check-config -v shows must be in ssl-mgr.conf(5).
EX=$R/usr/share/doc/ssl-mgr/examples
if [ -f "$M/man5/ssl-mgr.conf.5" ] && [ -d "$EX/letsencrypt/conf.d" ]; then
	render "$M/man5/ssl-mgr.conf.5" >"$T/man5.txt"
	for ex in ca-self letsencrypt; do
		mkdir -p "$T/keys-$ex"
		cp -R "$EX/$ex/conf.d" "$T/keys-$ex/"
		SSL_MGR_TOPDIR="$T/keys-$ex" "$R/usr/bin/ssl-mgr" \
		    check-config -v 2>/dev/null
	done | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\) = .*/\1/p' |
	    sed 's/^\(target_\|rand_adj_\)[0-9.]*$/\1/' | sort -u >"$T/keys"
	check "check-config -v shows 50+ keys" test "$(wc -l <"$T/keys")" -ge 50
	missing=
	while read -r k; do
		case $k in
		target_ | rand_adj_) grep -q "$k" "$T/man5.txt" ;;
		*) has_word "$T/man5.txt" "$k" ;;
		esac || missing="$missing $k"
	done <"$T/keys"
	check "ssl-mgr.conf(5) documents every key of check-config -v${missing:+ (missing:$missing)}" \
	    eq "$missing" ""
	for w in dane_roll_gate ssh_opts dns_ns_port "CHANGES FROM THE PYTHON SSL-MGR" \
	    "RENEW TIMING"; do
		check "ssl-mgr.conf(5) has $w" contains "$T/man5.txt" "$w"
	done
else
	nok "ssl-mgr.conf(5) content: page or examples missing"
fi
if command -v man >/dev/null 2>&1 && [ -L "$M/man1/sslm-info.1" ]; then
	MANWIDTH=80 man -l "$M/man1/sslm-info.1" >"$T/out" 2>&1
	check "man -l sslm-info.1 (link) shows the page" contains "$T/out" \
	    "sslm-info"
fi

# --- examples, and the EXAMPLES of ssl-mgr(1) -------------------------
for ex in ca-self letsencrypt; do
	if [ -d "$EX/$ex" ]; then
		diff -r "$SRC/conf-examples/$ex" "$EX/$ex" >"$T/out" 2>&1
		check "examples/$ex installed, same as conf-examples/$ex" \
		    eq "$?" 0
	else
		nok "examples/$ex installed"
	fi
done
check "examples: ssl-mgr.conf mode 644" \
    mode_is "$EX/ca-self/conf.d/ssl-mgr.conf" 644
check "doc/ssl-mgr/migration.md installed" \
    is_file "$R/usr/share/doc/ssl-mgr/migration.md"
check "doc/ssl-mgr/status-schema.json installed" \
    is_file "$R/usr/share/doc/ssl-mgr/status-schema.json"
check "doc/ssl-mgr/status-json.md installed" \
    is_file "$R/usr/share/doc/ssl-mgr/status-json.md"
check "doc/ssl-mgr/upstream-fixes.md installed" \
    is_file "$R/usr/share/doc/ssl-mgr/upstream-fixes.md"
if [ -d "$EX/ca-self/conf.d" ]; then
	mkdir -p "$T/demo"
	cp -R "$EX/ca-self/conf.d" "$T/demo/"
	(cd "$T/demo" && unset SSL_MGR_TOPDIR &&
	    "$R/usr/bin/ssl-mgr" -renew -roll >"$T/out" 2>&1)
	check "EXAMPLES: ssl-mgr -renew -roll on the ca-self example" eq "$?" 0
	(cd "$T/demo" && unset SSL_MGR_TOPDIR &&
	    "$R/usr/bin/ssl-mgr" -s example.com:web-self >"$T/out" 2>&1)
	check "EXAMPLES: ssl-mgr -s example.com:web-self" eq "$?" 0
	check "EXAMPLES: -s shows curr" contains "$T/out" "curr"
	(cd "$T/demo" && "$R/usr/bin/ssl-mgr" verify \
	    certs/example.com/web-self/curr >"$T/out" 2>&1)
	check "EXAMPLES: ssl-mgr verify .../curr exits 0" eq "$?" 0
	(cd "$T/demo" && "$R/usr/bin/sslm-verify" \
	    certs/example.com/web-self/curr >"$T/out" 2>&1)
	check "sslm-verify (link) exits 0" eq "$?" 0
	(cd "$T/demo" && SSL_MGR_TOPDIR="$T/demo" "$R/usr/bin/ssl-mgr" \
	    check-config -v >"$T/out" 2>&1)
	check "EXAMPLES: check-config -v exits 0" eq "$?" 0
	if command -v jq >/dev/null 2>&1; then
		(cd "$T/demo" && "$R/usr/bin/ssl-mgr" -s --json | jq -r \
		    '.groups[] | .name as $g | .services[] | "\($g):\(.name) \(.curr.days_left)"' \
		    >"$T/out" 2>&1)
		check "EXAMPLES: the jq line lists example.com:web-self" \
		    grep -sqE '^example.com:web-self (89|90)' "$T/out"
	else
		skip "EXAMPLES jq line: jq not installed"
	fi
fi

# --- systemd units ----------------------------------------------------
U=$(find "$R" -name ssl-mgr-renew.service 2>/dev/null | head -n 1)
U=${U%/*}
case $U in
*/systemd/system) ok "units in $(echo "$U" | sed "s|^$R||")" ;;
*) nok "units installed in a systemd/system directory"; U=$T/nounits ;;
esac
for u in ssl-mgr-renew.service ssl-mgr-renew.timer ssl-mgr-roll.service \
    ssl-mgr-roll.timer; do
	check "$u installed, mode 644" mode_is "$U/$u" 644
done
check "renew.service runs /usr/bin/ssl-mgr -renew" \
    grep -sqx 'ExecStart=/usr/bin/ssl-mgr -renew' "$U/ssl-mgr-renew.service"
check "roll.service runs /usr/bin/ssl-mgr -roll" \
    grep -sqx 'ExecStart=/usr/bin/ssl-mgr -roll' "$U/ssl-mgr-roll.service"
check "roll.service is ordered after renew.service" \
    grep -sqx 'After=ssl-mgr-renew.service' "$U/ssl-mgr-roll.service"
for s in ssl-mgr-renew.service ssl-mgr-roll.service; do
	for k in 'Type=oneshot' 'ProtectSystem=true' 'PrivateTmp=true' \
	    'ProtectHome=read-only' 'Environment=SSL_MGR_TOPDIR=/etc/ssl-mgr'; do
		check "$s: $k" grep -sqx "$k" "$U/$s"
	done
	check "$s: no PrivateNetwork (needs the network)" \
	    not grep -q '^PrivateNetwork=' "$U/$s"
	check "$s: no unsubstituted @" not_contains "$U/$s" "@BINDIR@"
done
check "renew.timer: weekly OnCalendar" \
    grep -sqx 'OnCalendar=Tue \*-\*-\* 14:30:00' "$U/ssl-mgr-renew.timer"
check "renew.timer: randomized delay" \
    grep -q '^RandomizedDelaySec=' "$U/ssl-mgr-renew.timer"
check "roll.timer: three hours after renew" \
    grep -sqx 'OnCalendar=Tue \*-\*-\* 17:30:00' "$U/ssl-mgr-roll.timer"
for t in ssl-mgr-renew.timer ssl-mgr-roll.timer; do
	check "$t: Persistent and WantedBy=timers.target" eq \
	    "$(grep -cxE 'Persistent=true|WantedBy=timers.target' "$U/$t")" 2
done
if command -v systemd-analyze >/dev/null 2>&1 && [ -f "$U/ssl-mgr-renew.service" ]; then
	# The units name /usr/bin/ssl-mgr, which is not on this host:
	# verify copies that point at the destdir's binary, and let man find
	# the installed pages they cite.
	mkdir -p "$T/units"
	for u in ssl-mgr-renew.service ssl-mgr-renew.timer \
	    ssl-mgr-roll.service ssl-mgr-roll.timer; do
		sed "s|^ExecStart=/usr/bin/|ExecStart=$R/usr/bin/|" "$U/$u" \
		    >"$T/units/$u"
	done
	(cd "$T/units" && MANPATH=$M systemd-analyze verify \
	    ./ssl-mgr-renew.service ./ssl-mgr-renew.timer \
	    ./ssl-mgr-roll.service ./ssl-mgr-roll.timer >"$T/out" 2>&1)
	rc=$?
	check "systemd-analyze verify: the four units" eq "$rc:$(cat "$T/out")" "0:"
else
	skip "systemd-analyze verify: systemd-analyze not installed"
fi

# --- bash completion --------------------------------------------------
C=$(find "$R" -path '*/bash-completion/completions/ssl-mgr' 2>/dev/null |
    head -n 1)
CD=${C%/*}
check "bash completion installed, mode 644" mode_is "$C" 644
for n in $BIN_NAMES; do
	check "completions/$n -> ssl-mgr" link_is "$CD/$n" ssl-mgr
done
if command -v bash >/dev/null 2>&1 && [ -f "$C" ] && [ -d "$EX/ca-self" ]; then
	mkdir -p "$T/ctop"
	cp -R "$EX/ca-self/conf.d" "$T/ctop/"
	echo 'not a service' >"$T/ctop/conf.d/example.com/README"
	mkdir "$T/ctop/conf.d/.hidden"
	cat >"$T/comp.bash" <<'EOF'
source "$1" || exit 1
t() {
	local IFS=' '
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_ssl_mgr 2>/dev/null
	printf '%s|%s\n' "$*" "$(printf '%s\n' "${COMPREPLY[@]}" | sort |
	    tr '\n' ' ')"
}
complete -p ssl-mgr sslm-mgr sslm-info sslm-verify sslm-dhparm \
    sslm-tlsa-hash >/dev/null 2>&1 && echo 'registered|yes'
t ssl-mgr -ren
t ssl-mgr --st
t ssl-mgr -
t ssl-mgr -ke
t ssl-mgr dev -ke
t ssl-mgr dev --next
t ssl-mgr che
t ssl-mgr exa
t ssl-mgr example.com : ''
t ssl-mgr example.com : w
t ssl-mgr example.com:m
t ssl-mgr ca : my-
t ssl-mgr example.com : web-self,
t sslm-mgr -renew exa
t ssl-mgr check-config -
t ssl-mgr dhparam --a
t sslm-dhparm -k ffdhe4096,ffdhe2
t sslm-info --verb
t ssl-mgr -clean-keep ''
t ssl-mgr pl
t ssl-mgr dns-status exa
t ssl-mgr --prom
t ssl-mgr verify --l
t ssl-mgr verify --live exa
cd "$2" && unset SSL_MGR_TOPDIR && t ssl-mgr ca : my-r
EOF
	SSL_MGR_TOPDIR=$T/ctop bash "$T/comp.bash" "$C" "$T/ctop" \
	    >"$T/comp.out" 2>&1
	# expect "words" "sorted replies, space separated"
	expect() {
		_got=$(grep -F -- "$1|" "$T/comp.out" | head -n 1)
		_got=${_got#*|}
		check "completion: '$1' -> '$2'${_got:+ (got '$_got')}" \
		    eq "$_got" "$2 "
	}
	check "completion: registered for ssl-mgr and the classic names" \
	    contains "$T/comp.out" "registered|yes"
	expect "ssl-mgr -ren" "-renew"
	expect "ssl-mgr --st" "--status"
	check "completion: '-' offers the single-dash options" \
	    grep -q -- '^ssl-mgr -|.*-clean-keep .*-renew -roll ' "$T/comp.out"
	check "completion: '-' hides the double-dash spellings" \
	    not_contains "$T/comp.out" "ssl-mgr -|--"
	expect "ssl-mgr -ke" ""
	expect "ssl-mgr dev -ke" "-keys"
	expect "ssl-mgr dev --next" "--next-to-curr"
	expect "ssl-mgr che" "check-config"
	expect "ssl-mgr exa" "example.com:"
	expect "ssl-mgr example.com : " "ALL mail-self web-self wild-self"
	expect "ssl-mgr example.com : w" "web-self wild-self"
	expect "ssl-mgr example.com:m" "example.com:mail-self"
	expect "ssl-mgr ca : my-" "my-int my-root"
	expect "ssl-mgr example.com : web-self," \
	    "web-self,mail-self web-self,wild-self"
	expect "sslm-mgr -renew exa" "example.com:"
	expect "ssl-mgr check-config -" "--help --verbose -h -v"
	expect "ssl-mgr dhparam --a" "--age-days"
	expect "sslm-dhparm -k ffdhe4096,ffdhe2" "ffdhe4096,ffdhe2048"
	expect "sslm-info --verb" "--verb --verbose"
	expect "ssl-mgr -clean-keep " ""
	expect "ssl-mgr pl" "plan"
	expect "ssl-mgr dns-status exa" "example.com"
	expect "ssl-mgr ca : my-r" "my-root"
	expect "ssl-mgr --prom" "--prometheus"
	expect "ssl-mgr verify --l" "--live"
	expect "ssl-mgr verify --live exa" "example.com:"
else
	skip "bash completion: bash, the completion or the examples missing"
fi

# --- logrotate and cron -----------------------------------------------
LR=$R/etc/logrotate.d/ssl-mgr
check "etc/logrotate.d/ssl-mgr installed, mode 644" mode_is "$LR" 644
check "logrotate: rotates /var/log/ssl-mgr/sslm" \
    grep -q '^/var/log/ssl-mgr/sslm {' "$LR"
if command -v logrotate >/dev/null 2>&1 && [ -f "$LR" ]; then
	logrotate -d -s "$T/lr.state" "$LR" >"$T/out" 2>&1
	rc=$?
	check "logrotate -d accepts the snippet" eq "$rc" 0
	check "logrotate -d: no errors" not_contains "$T/out" "error:"
else
	skip "logrotate -d: logrotate not installed"
fi
CR=$EX/cron/ssl-mgr
check "examples/cron/ssl-mgr installed, mode 644" mode_is "$CR" 644
if [ -f "$CR" ]; then
	bad=$(grep -vE '^[[:space:]]*(#|$)|^[A-Z_]+=' "$CR" |
	    awk 'NF < 7 || $6 != "root" || $7 != "ssl-mgr"' | head -n 1)
	check "cron: every job line has 5 times, root, ssl-mgr" eq "$bad" ""
	for j in '-renew' '-roll' 'dhparam -s /etc/ssl-mgr/prod-certs'; do
		check "cron: ssl-mgr $j" grep -qE "root[[:space:]]+ssl-mgr $j\$" "$CR"
	done
fi

echo "installed: $(find "$R" -type f | wc -l) files," \
    "$(find "$R" -type l | wc -l) links"
finish
