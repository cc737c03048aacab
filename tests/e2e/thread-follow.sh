#!/bin/sh
# End-to-end: the thread view tells the truth.  Its header's count and
# each message's tags follow trawl's own changes (r, t) and another
# program's commit, without a key.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 5
fixture_init
fixture_db
tid=$(notmuch search --output=threads 'subject:"Quarterly budget review"')
tmux_start 120 30 "$TRAWL" "$tid"
tmux_wait_for "reviewed 0/3" >/dev/null
tmux_keys Enter
tmux_wait_for "(3 messages, 3 not reviewed)" >/dev/null
tmux_keys r
tap_check "r: the header counts one message fewer to review" \
	tmux_wait_for "(3 messages, 2 not reviewed)"
tmux_keys t
tmux_wait_for "+tag" 2 >/dev/null || true
tmux_keys "+relevant" Enter
tap_check "t +relevant: the message's Tags line shows it" tmux_wait_for "Tags: inbox relevant"
notmuch tag +external -- "$tid"
tap_check "another program's tag shows in the thread without a key" \
	tmux_wait_for "external"
notmuch tag +reviewed -- "$tid"
tap_check "another program's review shows in the header" \
	tmux_wait_for "(3 messages, 0 not reviewed)"
tmux_keys q q
tmux_wait_exit >/dev/null
check_sanitizer_logs
