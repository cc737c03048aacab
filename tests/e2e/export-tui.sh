#!/bin/sh
# End-to-end: E in the thread list exports the current query (prompting
# for the destination) the same way `trawl export` does.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 4
fixture_init
fixture_db
tmux_start 120 30 "$TRAWL" from:alice
tmux_wait_for "1 thread  2 messages" >/dev/null
tmux_keys E
tap_check "E asks for the destination" tmux_wait_for "export to"
tmux_keys "$FIXTURE_DIR/out.mbox" Enter
i=0
while [ ! -s "$FIXTURE_DIR/out.csv" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
tmux_wait_gone "export to" >/dev/null
n=$(grep -c '^From ' "$FIXTURE_DIR/out.mbox" 2>/dev/null)
if [ "$n" = 2 ]; then tap_ok "the mbox holds the query's 2 messages"; else
	tap_not_ok "the mbox holds the query's 2 messages"; tap_diag "From lines: $n"; tmux_screen | sed 's/^/# |/'; fi
if python3 -c "
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
assert len(rows) == 2, rows
" "$FIXTURE_DIR/out.csv"; then tap_ok "the CSV index lists them"; else tap_not_ok "the CSV index lists them"; fi
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop
check_sanitizer_logs
exit 0
