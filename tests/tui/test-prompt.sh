#!/bin/sh
# The ':' prompt (GNU readline inside curses) in tmux: completion of a
# command and of grp:svc names, the list of matches, emacs editing keys,
# Esc and C-g, history recalled with Up after a restart, and the history
# file's cap.
. "$(dirname "$0")/lib.sh"

top=$(new_topdir prompt)
SSL_MGR_TOPDIR=$top "$BIN" -renew -roll >"$T/setup.out" 2>&1
check "setup run exits 0" test $? -eq 0
hist=$T/state/ssl-mgr/history

tui_start "$top"
check "console up" wait_for "example.com (3)"

# Completion: a command, then a grp:svc name, then a list of two.
keys :
keys -l "rene"
keys Tab
check "Tab completes a command" wait_for ":renew"
keys -l "example.com:ma"
check "and adds a blank after it" wait_for ":renew example.com:ma"
keys Tab
check "Tab completes grp:svc" wait_for ":renew example.com:mail-self"
keys C-u
check "C-u empties the line" wait_gone ":renew example.com"
keys -l "renew example.com:w"
keys Tab
check "several matches: the common part is inserted" \
    wait_for ":renew example.com:w"
check "several matches listed above the prompt (1)" \
    wait_for "example.com:web-self"
check "several matches listed above the prompt (2)" \
    wait_for "example.com:wild-self"
keys -l "i"
keys Tab
check "then one more letter completes" wait_for ":renew example.com:wild-self"
check "and the list goes away" wait_gone "example.com:web-self"
keys C-u
keys -l -- "-clean-k"
keys Tab
check "Tab completes an option with its dash" wait_for ":-clean-keep"
keys C-u
keys -l -- "--min-r"
keys Tab
check "Tab completes a long option from core's table" \
    wait_for ":--min-roll-mins"
keys C-u
keys -l "dev certs-p"
keys Tab
check "Tab after dev completes a dev option" wait_for ":dev certs-prod"
keys C-u
keys -l "roll example.com -"
keys Tab
check "a dash lists the options" wait_for "-roll-mins"
keys C-u
keys -l "check-c"
keys Tab
check "Tab completes a subcommand" wait_for ":check-config"
keys C-u
keys -l "zzz"
keys Tab
check "no completion is said" wait_for "no completion for 'zzz'"

# Editing keys: C-w, C-a, C-e, Alt-b.
keys C-u
keys -l "renew alpha beta"
keys C-w
check "C-w deletes the last word" wait_gone "beta"
check "C-w keeps the rest" wait_for ":renew alpha"
keys C-a
keys -l "X"
check "C-a goes to the start" wait_for ":Xrenew alpha"
keys C-e
keys -l "Z"
check "C-e goes to the end" wait_for ":Xrenew alpha Z"
keys M-b
keys -l "Y"
check "Alt-b goes back a word" wait_for ":Xrenew alpha YZ"
keys Left Left BSpace
check "Left and Backspace edit" wait_for ":Xrenew alph YZ"

# UTF-8: one character, several bytes, one Backspace.
keys C-e C-u
keys -l "s grüße"
check "UTF-8 is shown as typed" wait_for ":s grüße"
keys BSpace BSpace BSpace
check "Backspace removes whole characters, no broken byte" \
    wait_re '^:s gr *$'

# Esc and C-g close the prompt; nothing runs, nothing is remembered.
keys Escape
check "Esc closes the prompt" wait_gone ":Xrenew"
check "back to the key bar" wait_for "Spc Tag"
keys :
keys -l "renew nothing-here"
keys C-g
check "C-g closes the prompt" wait_gone ":renew nothing-here"
check "a cancelled line is not in the history" \
    sh -c "! grep -qs 'nothing-here' '$hist'"

# A command runs and is kept in the history file.
keys :
keys -l "clean-keep 3"
keys Enter
check ":clean-keep 3 runs as a job" wait_for "done: ssl-mgr -clean-keep 3" 30
keys :
keys -l "s example.com:web-self"
keys Enter
check ":s runs and shows the jobs screen" wait_for "Done group tasks" 20
# The report's last line comes before the job ends (it is streamed).
check ":s: the job ends" wait_for "[exit 0]" 20
keys Escape
check "history file written" grep -q "^s example.com:web-self$" "$hist"
check "history file is private" sh -c \
    "[ \"\$(stat -c %a '$hist')\" = 600 ]"
keys q
check "q exits 0" wait_for "EXIT=0"

# A new console: Up brings back the last lines of the last session.
tui_start "$top"
check "console up again" wait_for "example.com (3)"
keys :
keys Up
check "Up after a restart: the last command" \
    wait_for ":s example.com:web-self"
keys Up
check "Up again: the one before" wait_for ":clean-keep 3"
keys Down
check "Down: forward again" wait_for ":s example.com:web-self"
keys C-r
keys -l "clean"
check "C-r searches the history" wait_for "clean-keep 3"
keys C-g
keys Escape
check "closed again" wait_for "Spc Tag"
keys q
check "second session exits 0" wait_for "EXIT=0"

# The history file is kept to CON_HIST_MAX (500) lines.
i=0
while [ $i -lt 600 ]; do echo "s line-$i"; i=$((i + 1)); done >"$hist"
tui_start "$top"
check "console up with a long history" wait_for "example.com (3)"
keys :
keys Up
check "Up: the file's last line" wait_for ":s line-599"
keys C-u
keys -l "s example.com:mail-self"
keys Enter
check "one more command" wait_for "Done group tasks" 20
check "and its job ends" wait_for "[exit 0]" 20
check "the history file is capped at 500 lines" \
    test "$(wc -l <"$hist")" -eq 500
check "its last line is the newest" \
    test "$(tail -n 1 "$hist")" = "s example.com:mail-self"
keys q
check "third session exits 0" wait_for "EXIT=0"
finish
