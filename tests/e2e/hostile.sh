#!/bin/sh
# End-to-end: a message whose From, Subject and body hold an OSC title
# sequence, a clear-screen sequence, a bidi override and invalid UTF-8
# cannot act on the terminal: the pane title stays, the screen keeps its
# status line, and the sequences show as placeholders.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 9
fixture_init
fixture_db

tmux_start 100 30 "$TRAWL" 'id:hostile-1@example.net'
tap_check "the hostile thread is listed" tmux_wait_for "Invoice"
title_before=$(tmux_title)
tmux_keys Enter
tap_check "the body is shown with placeholders" tmux_wait_for "Body with escape ^[[31mred^[[0m"
tap_check "invalid UTF-8 shows as U+FFFD" tmux_wait_for "bad utf8 ��"
tap_check "the bidi override is a visible placeholder" tmux_wait_for "<U+202E>"
tap_check "the status line survived the clear-screen sequence" tmux_wait_for "1 thread  1 message"
title_after=$(tmux_title)
case "$title_after" in
*owned* | *pwned*)
	tap_not_ok "the pane title is unchanged"
	tap_diag "title before: $title_before" "title after: $title_after"
	;;
*)
	if [ "$title_before" = "$title_after" ]; then tap_ok "the pane title is unchanged"; else
		tap_not_ok "the pane title is unchanged"
		tap_diag "title before: $title_before" "title after: $title_after"
	fi
	;;
esac
tmux_keys q q
tmux_wait_exit >/dev/null
tmux_stop

# trawl show prints what the reader shows: neutralised, for pipes and scripts.
"$TRAWL" show --width 60 'id:hostile-1@example.net' > "$FIXTURE_DIR/show.out"
if grep -q 'Body with escape ^\[\[31mred' "$FIXTURE_DIR/show.out" &&
	grep -q '^Subject: Invoice ^\[\[2J' "$FIXTURE_DIR/show.out"; then
	tap_ok "trawl show prints the message with placeholders"
else
	tap_not_ok "trawl show prints the message with placeholders"
	sed 's/^/# /' "$FIXTURE_DIR/show.out"
fi
# (Form feed is trawl's own separator between messages, as in notmuch show.)
if LC_ALL=C grep -q "$(printf '[\001-\010\013\015-\037\177]')" "$FIXTURE_DIR/show.out" ||
	LC_ALL=C grep -q "$(printf '\342\200\256')" "$FIXTURE_DIR/show.out"; then
	tap_not_ok "trawl show output holds no control byte or bidi override"
else
	tap_ok "trawl show output holds no control byte or bidi override"
fi
check_sanitizer_logs
exit 0
