#!/bin/sh
# End-to-end: the mouse (issue 16 item 7).  tmux passes the X10 mouse
# reports ncurses asks for (ESC [ M b x y) to trawl: a click puts the
# cursor on a row (and focuses its pane), a double click opens it, the
# wheel scrolls by three rows; `set mouse off` turns all of it off.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 8
fixture_init
fixture_db

# mouse EVENT X Y: a report at column X, row Y (0-based).  Event bytes:
# ' ' press button 1, '#' release, '`' wheel up, 'a' wheel down.
byte() { printf "\\$(printf %o $(($1 + 33)))"; }
report() { printf '\033[M%s%s%s' "$1" "$(byte "$2")" "$(byte "$3")"; }
mouse() { _tmux send-keys -t "$E2E_PANE" -l "$(report "$@")"; }
click() { mouse ' ' "$1" "$2"; mouse '#' "$1" "$2"; }
# Two clicks on one cell within 0.4 s are a double click: single clicks
# wait, and a double click goes in one tmux command (two may be further
# apart than that on a loaded machine).
single() { click "$@"; sleep 0.5; }
double() {
	_tmux send-keys -t "$E2E_PANE" -l "$(report ' ' "$1" "$2")" \; \
		send-keys -t "$E2E_PANE" -l "$(report '#' "$1" "$2")" \; \
		send-keys -t "$E2E_PANE" -l "$(report ' ' "$1" "$2")" \; \
		send-keys -t "$E2E_PANE" -l "$(report '#' "$1" "$2")"
}
row() { tmux_screen | sed -n "$(($1 + 1))p"; }

tmux_start 100 30 "$TRAWL"
tmux_wait_for "4 threads" >/dev/null
# Rows, newest first: Weekly digest, Invoice, Réunion de préparation, Quarterly budget review.
single 50 2
tmux_keys Enter
tap_check "a click puts the cursor on the row: Enter opens the third thread" \
	tmux_wait_for "Réunion de préparation  ("
tmux_keys q
tmux_wait_for "4 threads" >/dev/null
double 50 1
tap_check "a double click opens the row" tmux_wait_for "fdp.exe  (1 message"
tmux_keys q
tmux_wait_for "4 threads" >/dev/null
double 50 3
tap_check "a double click opens the fourth row" tmux_wait_for "not reviewed)"
tmux_keys q
tmux_wait_for "4 threads" >/dev/null
single 50 0
mouse a 50 5
tmux_keys Enter
tap_check "the wheel moves three rows down" tmux_wait_for "Quarterly budget review  ("
tmux_keys q
tmux_wait_for "4 threads" >/dev/null
inbox_row=$(tmux_screen | grep -n "# inbox" | head -1 | cut -d: -f1)
double 3 $((inbox_row - 1))
tap_check "a double click on a filter selects it" tmux_wait_for 'tag:"inbox"'
single 50 29
tap_check "a click on the status line does nothing" tmux_alive
tmux_keys : "set mouse off" Enter
tmux_wait_for "4 threads" >/dev/null
double 50 3
sleep 0.5
if tmux_screen | grep -q "not reviewed)"; then tap_not_ok "set mouse off: a double click opens nothing"
else tap_ok "set mouse off: a double click opens nothing"; fi
tmux_keys q
tap_check "trawl quits" tmux_wait_exit
tmux_stop
