#!/bin/sh
# End-to-end: trawl opens on the fixture database, shows the thread list
# and quits with `q`, exit status 0, without sanitizer reports.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 6
fixture_init
fixture_db

tmux_start 100 30 "$TRAWL"
tap_check "the thread list shows \"Quarterly budget review\"" \
	tmux_wait_for "Quarterly budget review"
alive=no
tmux_alive && alive=yes
tmux_keys q
tmux_wait_exit "$E2E_TIMEOUT" || :
if [ "$alive" = yes ] && [ "$TMUX_EXIT_STATUS" != timeout ]; then
	tap_ok "q quits"
else
	tap_not_ok "q quits"
	[ "$alive" = yes ] || tap_diag "the program had exited before q was sent"
fi
if [ "$TMUX_EXIT_STATUS" = 0 ]; then
	tap_ok "exit status 0"
else
	tap_not_ok "exit status 0"
	tap_diag "exit status: $TMUX_EXIT_STATUS"
	[ "$TMUX_EXIT_STATUS" = timeout ] || tmux_screen | sed 's/^/# |/'
fi
tmux_stop

# A terminal trawl cannot drive: one clear line and status 1, no garbled
# panes.  script(1) gives it a terminal and keeps what it wrote.
for t in dumb nosuchterm; do
	TERM=$t script -qec "'$TRAWL'" "$FIXTURE_DIR/term.$t" </dev/null >/dev/null 2>&1
	rc=$?
	if [ "$rc" = 1 ] && grep -q "TERM=$t" "$FIXTURE_DIR/term.$t" &&
		! grep -q "all messages" "$FIXTURE_DIR/term.$t"; then
		tap_ok "TERM=$t: one line that says what to do, exit status 1"
	else
		tap_not_ok "TERM=$t: one line that says what to do, exit status 1"
		tap_diag "exit status: $rc"
		sed 's/^/# |/' "$FIXTURE_DIR/term.$t"
	fi
done
check_sanitizer_logs
exit 0
