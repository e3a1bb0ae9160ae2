#!/bin/sh
# The console in tmux at 80x24: services with countdowns, a tagged force
# renew, the ':' prompt (run, completion, history), help, resize,
# NO_COLOR, a busy store, and a clean exit.
. "$(dirname "$0")/lib.sh"

top=$(new_topdir demo)
SSL_MGR_TOPDIR=$top "$BIN" -renew -roll >"$T/setup.out" 2>&1
check "setup run exits 0" test $? -eq 0
svc=$top/certs/example.com


tui_start "$top"
check "services screen shows the groups" wait_for "example.com (3)"
check "a service row" wait_for "web-self"
check "CA group" wait_for "my-root"
check "countdown of a 90 day cert" wait_for "89d "
check "renew column" wait_for "in 60d"
check "production in sync" wait_for "sync"

# Tag mail-self and wild-self (rows under example.com) and force renew.
keys End
keys Up Up Space Down Space
check "two services tagged" wait_for "*wild-self"
check "the other one too" wait_for "*mail-self"
keys R
check "force renew asks, naming the command" wait_for "ssl-mgr -renew -f"
check "the dialog names the services" wait_for "example.com:mail-self"
keys y
check "job result on the row" wait_for "renew ok" 30
check "status bar says done" wait_for "done: ssl-mgr -renew -f" 30
check "mail-self has a next on disk" test -L "$svc/mail-self/next"
check "wild-self has a next on disk" test -L "$svc/wild-self/next"
check "web-self untouched" test ! -e "$svc/web-self/next"
check "rows show the new next" wait_for "ready to roll"

# The prompt: a command, completion, history.
keys :
curr_mail=$(readlink "$svc/mail-self/curr")
next_mail=$(readlink "$svc/mail-self/next")
keys -l "roll -f example.com:mail-self"
keys Enter
check "prompt job rolls: curr is the old next" wait_true sh -c \
    "[ \"\$(readlink '$svc/mail-self/curr')\" = '$next_mail' ]"
check "and curr changed" test "$(readlink "$svc/mail-self/curr")" != \
    "$curr_mail"
check "prompt job reported" wait_for "done: ssl-mgr -roll -f" 30
keys :
keys -l "renew example.com:we"
keys Tab
check "Tab completes grp:svc" wait_for ":renew example.com:web-self"
keys C-u
keys -l "s example.com:w"
keys Tab
check "Tab lists both matches" wait_for "example.com:wild-self"
keys C-u Up
check "Up shows the previous command" wait_for ":roll -f example.com:mail-self"
keys Escape
check "history file written" grep -q "roll -f example.com:mail-self" \
    "$T/state/ssl-mgr/history"
keys :
keys -l "s"
keys Enter
check ":s shows the status in the jobs screen" wait_for "Done group tasks" 20
check "jobs screen lists the jobs" wait_for "exit 0"
keys Escape
check "Esc goes back to the services" wait_for "example.com (3)"

# Help, detail.
keys '?'
check "help lists the keys" wait_for "tag or untag"
keys NPage NPage
check "help lists the commands further down" wait_for ":roll -f"
keys Escape
keys Home Down Down Down Down Down Enter
check "detail screen has the fingerprint" wait_for "sha256"
check "detail screen has the files" wait_for "cert.pem"
keys Escape
check "back from detail" wait_for "example.com (3)"

# Resize.
tmux -L "$SOCK" resize-window -t 0 -x 120 -y 40 2>/dev/null ||
    tmux -L "$SOCK" resize-window -x 120 -y 40
check "120x40: the expiry date column appears" wait_for "Expires"
check "120x40: still the services" wait_for "wild-self"
tmux -L "$SOCK" resize-window -x 80 -y 24
check "back to 80x24" wait_gone "Expires"

# Quit: the console exits 0 and the pane shows the shell again.
keys q
check "q exits 0" wait_for "EXIT=0"

# NO_COLOR and TERM=vt100.
tui_start "$top" NO_COLOR=1
check "NO_COLOR: services shown" wait_for "example.com (3)"
keys q
check "NO_COLOR: exits 0" wait_for "EXIT=0"
TUI_TERM=vt100 tui_start "$top"
check "vt100: services shown" wait_for "web-self"
keys q
check "vt100: exits 0" wait_for "EXIT=0"

# A busy store: another process (a cron run) holds the lock.  The console
# says who and since when, keeps the renew in its queue, and runs it once
# the lock is free.
printf 'pid 4242 ssl-mgr -renew (test holder)\n' > "$top/.sslm.lock"
TZ=UTC touch -d '2026-01-02 03:04:05' "$top/.sslm.lock"
sh -c 'exec 9>>"$1"; flock -x 9; exec sleep 60' _ "$top/.sslm.lock" &
holder=$!
while flock -n "$top/.sslm.lock" true; do sleep 0.05; done
next_before=$(readlink "$svc/mail-self/next" 2>/dev/null || echo none)
tui_start "$top" TZ=UTC
check "busy: console starts while locked" wait_for "example.com (3)"
check "busy: the title names the holder's pid" \
    wait_for "locked: pid 4242"
check "busy: and since when" wait_for "since 03:04:05"
keys :
keys -l "renew -f example.com:mail-self"
keys Enter
check "busy: the renew is queued, not run" wait_for "run 0 queued 1"
check "busy: the row says queued" wait_re "mail-self .*queued"
keys j
check "busy: the jobs screen lists it as queued" \
    wait_re "1 queued *ssl-mgr -renew -f"
keys Escape
check "busy: nothing changed while locked" test \
    "$(readlink "$svc/mail-self/next" 2>/dev/null || echo none)" = \
    "$next_before"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
check "busy: the queued renew runs once the lock is free" \
    wait_re "mail-self .*renew ok" 30
check "busy: the lock note is gone" wait_gone "locked: pid"
check "busy: and it made a new next" test \
    "$(readlink "$svc/mail-self/next" 2>/dev/null || echo none)" != \
    "$next_before"
keys q
check "busy: exits 0" wait_for "EXIT=0"

# Drift marks exactly the rows it is about: a sync leftover of web-self
# and a file missing from wild-self's production copy; mail-self (whose
# name no drift line starts with) stays in sync.
mkdir -p "$top/prod-certs/example.com/web-self.new.999"
rm -f "$top/prod-certs/example.com/wild-self/curr/chain.pem"
tui_start "$top"
check "drift: the leftover marks web-self" wait_re "web-self .*drift"
check "drift: the missing file marks wild-self" wait_re "wild-self .*drift"
check "drift: mail-self stays in sync" wait_re "mail-self .*sync"
keys q
check "drift: exits 0" wait_for "EXIT=0"
SSL_MGR_TOPDIR=$top "$BIN" -renew >/dev/null 2>&1
check "drift: the next run repairs it" test -e \
    "$top/prod-certs/example.com/wild-self/curr/chain.pem"

# Bare "ssl-mgr" on a terminal opens the console too.
new_server
tmux -L "$SOCK" -f /dev/null new-session -d -x 80 -y 24 \
    "env SSL_MGR_TOPDIR='$top' XDG_STATE_HOME='$T/state' '$BIN'; \
    echo EXIT=\$?; exec sleep 600"
check "bare ssl-mgr on a terminal opens the console" wait_for "example.com (3)"
keys q
check "and exits 0" wait_for "EXIT=0"
# Without a terminal the bare name stays the silent headless run.
SSL_MGR_TOPDIR=$top "$BIN" </dev/null >"$T/bare.out" 2>&1
check "headless without a terminal: exit 0" test $? -eq 0
check "headless without a terminal: no console output" test ! -s "$T/bare.out"
finish
