#!/bin/sh
# End-to-end: a review change that is queued and not yet committed shows
# on its row at once, as a dotted circle where the unreviewed dot is; the
# dot itself keeps telling the committed state.  Another writer holds the
# lock, r is pressed on the first row: the row shows the circle while the
# change waits, and once the lock is released and the change committed,
# neither the circle nor the dot.  r again, the lock held: the circle, then
# the dot back.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 7
fixture_init
fixture_db

row1() { tmux_screen | sed -n '1{s/^.*│//;p}'; }

# wait_row1 GLOB: the first row matches the glob within 10 s.
wait_row1() {
	_i=0
	while [ $_i -lt 200 ]; do
		case $(row1) in $1) return 0 ;; esac
		sleep 0.05
		_i=$((_i + 1))
	done
	echo "# row 1: $(row1)"
	return 1
}

tmux_start 140 30 "$TRAWL"
tmux_wait_for "4 threads  6 messages" >/dev/null
tap_check "the first row starts unreviewed (the dot)" wait_row1 "•*"
hold_lock
tmux_keys r
tmux_wait_for "waiting for the database lock" >/dev/null
tap_check "r with the lock held: the row shows the change as queued" wait_row1 "◌*"
release_lock
tap_check "committed: neither the circle nor the dot" wait_row1 " *"
whole_thread() {
	n=$(notmuch count tag:reviewed)
	[ "$n" -gt 0 ] && [ "$n" = "$(notmuch count "thread:{tag:reviewed}")" ]
}
tap_check "the database has it, on the whole thread" whole_thread
hold_lock
tmux_keys r
tmux_wait_for "waiting for the database lock" >/dev/null
tap_check "r again, the lock held: queued again" wait_row1 "◌*"
release_lock
tap_check "committed: the dot is back" wait_row1 "•*"
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop
check_sanitizer_logs
