#!/bin/sh
# End-to-end: browse the fixture database in the real binary: scroll, search
# (with history kept across runs), open a thread, select a filter, resize to
# 60x20 and back, the help screen, quit.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 20
fixture_init
fixture_db

tmux_start 100 30 "$TRAWL"
tap_check "thread list shown" tmux_wait_for "Quarterly budget review"
tap_check "counts arrive in the status line" tmux_wait_for "4 threads  6 messages"

# Scrolling: G goes to the last row, the oldest thread; Enter opens it.
tmux_keys G Enter
tap_check "G then Enter opens the oldest thread" tmux_wait_for "Please find the quarterly budget figures below."
tap_check "replies are shown in the thread" tmux_wait_for "Thanks Alice, looks fine."
tmux_keys J J
tap_check "J moves to the third message" tmux_wait_for "Adding Claire for the sign-off."
tmux_keys q
tap_check "q goes back to the list" tmux_wait_for "Weekly digest"

# Search: / opens the prompt, Enter runs the query.
tmux_keys / "from:francois" Enter
tap_check "search narrows the list" tmux_wait_for "1 thread  1 message"
tap_check "search result shown" tmux_wait_for "Réunion de préparation"
tap_check "other threads gone" tmux_wait_gone "Weekly digest"

# A broken query keeps the results and says why.
tmux_keys / "from:bob and (" Enter
tap_check "syntax error shown, results kept" tmux_wait_for "Réunion de préparation"

# Filters pane: Tab focuses it, the first entry is every message.
tmux_keys Tab g Enter
tap_check "selecting 'all messages' shows every thread" tmux_wait_for "4 threads  6 messages"

# Resize to 60x20 and back.
tmux_resize 60 20
tap_check "usable at 60x20" tmux_wait_for "Weekly"
tmux_resize 100 30
tap_check "back at 100x30" tmux_wait_for "Quarterly budget review"

tmux_keys '?'
tap_check "? shows the bindings" tmux_wait_for "trawl key bindings"
tmux_keys q

# Another program adds mail: the status line says so and = shows it.
cat > "$FIXTURE_DIR/mail/cur/new-1.eml" <<'MSG'
From: Dana Late <dana@example.org>
To: bob@example.org
Subject: Arrived while reading
Date: Sun, 16 Apr 2017 09:00:00 +0000
Message-ID: <late-1@example.org>

New mail.
MSG
notmuch new --quiet
tap_check "another program's new mail joins the list without =" tmux_wait_for "Arrived while reading"
tmux_keys =
tap_check "= still reloads" tmux_wait_for "refreshed"
tmux_keys q
tmux_wait_exit >/dev/null
if [ "$TMUX_EXIT_STATUS" = 0 ] && grep -q 'from:francois' "$FIXTURE_DIR/mail/.notmuch/trawl/history" &&
	[ ! -e "$XDG_STATE_HOME/trawl/history" ]; then
	tap_ok "quit cleanly, search history saved"
else
	tap_not_ok "quit cleanly, search history saved"
	tap_diag "exit status $TMUX_EXIT_STATUS"
fi
tmux_stop

# A config error names the file and line, and trawl starts with the rest.
mkdir -p "$XDG_CONFIG_HOME/trawl"
printf 'set sidebar off\nbind nowhere x quit\n' > "$XDG_CONFIG_HOME/trawl/config"
tmux_start 100 30 "$TRAWL"
tap_check "config error names the file and line" tmux_wait_for "trawl/config:2: unknown context nowhere"
tap_check "the rest of the config applies (no filters pane)" tmux_wait_gone "all messages"
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop
check_sanitizer_logs
exit 0
