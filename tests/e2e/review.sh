#!/bin/sh
# End-to-end review workflow, checked with the notmuch CLI afterwards:
# R marks five messages reviewed; a bulk tag is undone exactly; a change
# made while another process holds the write lock lands after release;
# reopening shows every commit, whether the first screen comes from the
# head cache or not;
# kill -9 during a bulk change leaves whole batches only; and no mail file
# is renamed or changed, even with maildir.synchronize_flags=true.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 19

# wait_holder WORD: poll (10 s) until the lock holder has printed WORD.
wait_holder() {
	_i=0
	while ! grep -qx "$1" "$FIXTURE_DIR/hold.out" 2>/dev/null; do
		if [ $_i -ge 200 ]; then
			echo "# the lock holder did not print \"$1\" in 10 s: $(cat "$FIXTURE_DIR/hold.out")"
			return 1
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
}
fixture_init
fixture_db
# The notmuch config will ask for flag sync: trawl must still not rename files.
# The notmuch CLI itself renames files when flag sync is on: tag with it first.
notmuch tag +keep -- id:budget-1@example.org
sed -i 's/synchronize_flags=false/synchronize_flags=true/' "$NOTMUCH_CONFIG"
files_before=$(cd "$FIXTURE_DIR/mail" && find . -type f ! -path './.notmuch/*' | sort | xargs sha256sum)

# --- R five times: newest thread first, one keypress per message.
tmux_start 100 30 "$TRAWL"
tmux_wait_for "4 threads  6 messages" >/dev/null
tmux_keys Enter
tmux_wait_for "Plain digest text." >/dev/null
for i in 1 2 3 4 5; do
	tmux_keys R
	tmux_wait_for "reviewed $i/6" >/dev/null || break
done
tap_check "the status line counts 5 reviewed after 5 R" tmux_wait_for "reviewed 5/6"
tmux_keys q q
tmux_wait_exit >/dev/null
n=$(notmuch count tag:reviewed)
if [ "$n" = 5 ]; then tap_ok "notmuch count tag:reviewed is 5"; else
	tap_not_ok "notmuch count tag:reviewed is 5"
	tap_diag "got $n"
fi
tmux_stop

# --- Bulk tag the whole query, then undo: every message's tags as before.
notmuch dump > "$FIXTURE_DIR/dump.before"
tmux_start 100 30 "$TRAWL"
tmux_wait_for "4 threads  6 messages" >/dev/null
tmux_keys '*'
tmux_wait_for "tag all messages of" >/dev/null
tmux_keys "+keep -inbox" Enter
tap_check "the confirmation shows the count and subjects" tmux_wait_for "+keep -inbox on 6 messages? y/n  *: \"Weekly digest\""
tmux_keys y
tmux_wait_gone "[#" >/dev/null
tmux_wait_for "(keep" >/dev/null
if [ "$(notmuch count tag:keep)" = 6 ] && [ "$(notmuch count tag:inbox)" = 0 ]; then
	tap_ok "bulk change applied to every message"
else
	tap_not_ok "bulk change applied to every message"
fi
tmux_keys u
tmux_wait_for "(inbox" >/dev/null
tmux_wait_gone "writing" >/dev/null
notmuch dump > "$FIXTURE_DIR/dump.after"
if cmp -s "$FIXTURE_DIR/dump.before" "$FIXTURE_DIR/dump.after"; then
	tap_ok "undo restores every message's tags exactly (notmuch dump)"
else
	tap_not_ok "undo restores every message's tags exactly (notmuch dump)"
	diff "$FIXTURE_DIR/dump.before" "$FIXTURE_DIR/dump.after" | sed 's/^/# /'
fi
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop

# --- Another process holds the write lock: the change waits and lands after.
# The holder keeps the lock until its stdin, a FIFO, reaches end of file,
# that is until the test closes the FIFO's only writer, fd 7.  So fd 7 is
# opened after tmux_start: a tmux server started while it is open inherits
# it, and the lock then goes only at the holder's 60 s timeout.
mkfifo "$FIXTURE_DIR/hold"
"$top_builddir/tests/unit/hold-lock" 60 < "$FIXTURE_DIR/hold" > "$FIXTURE_DIR/hold.out" &
holder=$!
tmux_start 100 30 "$TRAWL" from:francois
exec 7> "$FIXTURE_DIR/hold"
wait_holder locked
tmux_wait_for "1 thread  1 message" >/dev/null
tmux_keys t
tmux_wait_for "tag thread:" >/dev/null
tmux_keys "+locked" Enter
tap_check "the status line says the change waits for the lock" tmux_wait_for "waiting for the database lock"
tmux_keys '?'
tap_check "browsing goes on while it waits (help opens)" tmux_wait_for "trawl key bindings"
tmux_keys q
tmux_wait_gone "trawl key bindings" >/dev/null
tmux_keys q
tap_check "quitting meanwhile asks first" \
	tmux_wait_for "quit and drop 1 tag change not written yet?"
tmux_keys n
tap_check "... and n keeps trawl open" tmux_wait_for "not quitting: the changes are still being written"
n=$(notmuch count tag:locked)
if [ "$n" = 0 ]; then tap_ok "notmuch sees no change while the lock is held"; else
	tap_not_ok "notmuch sees no change while the lock is held"
	tap_diag "tag:locked: $n"
fi
exec 7>&-
# If it does not, the holder is killed: the rest needs the lock free.
tap_check "closing the FIFO releases the lock (not the holder's timeout)" wait_holder released ||
	kill "$holder"
wait "$holder"
tap_check "the change lands after the lock is released" tmux_wait_gone "waiting for the database lock"
n=$(notmuch count tag:locked)
if [ "$n" = 1 ]; then tap_ok "notmuch sees the change"; else tap_not_ok "notmuch sees the change"; fi
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop

# --- The head cache: kept after trawl's own commit, never shown after another's.
heads="$FIXTURE_DIR/mail/.notmuch/trawl/heads" # beside the database, never in ~/.cache
tmux_start 100 30 "$TRAWL"
tmux_wait_for "4 threads  6 messages" >/dev/null
tmux_keys t
tmux_wait_for "tag thread:" >/dev/null
tmux_keys "+cachecheck" Enter
tmux_wait_for "(cachecheck" >/dev/null
i=0
while [ $i -lt 200 ] && ! grep -aq cachecheck "$heads" 2>/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop
tap_check "after trawl's commit the head cache holds the new first screen" \
	sh -c "grep -aq cachecheck '$heads' && ! grep -raq cachecheck '$XDG_CACHE_HOME'"
# Another program, with flag sync off (the notmuch CLI renames files when it is on).
sed 's/synchronize_flags=true/synchronize_flags=false/' "$NOTMUCH_CONFIG" >"$FIXTURE_DIR/nosync"
NOTMUCH_CONFIG="$FIXTURE_DIR/nosync" notmuch tag -cachecheck +othercheck -- '*'
tmux_start 100 30 "$TRAWL"
tmux_wait_for "4 threads  6 messages" >/dev/null
# (The filters pane lists tags too: look for the rows' tag column.)
if tmux_screen | grep -q "(inbox othercheck" && ! tmux_screen | grep -q "cachecheck"; then
	tap_ok "after another program's commit the first screen shows it, not the kept one"
else
	tap_not_ok "after another program's commit the first screen shows it, not the kept one"
	tmux_screen | sed 's/^/# /'
fi
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop
tmux_start 100 30 "$TRAWL"
tap_check "reopened unchanged, the first screen is the same" tmux_wait_for "(inbox othercheck"
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop
NOTMUCH_CONFIG="$FIXTURE_DIR/nosync" notmuch tag -othercheck -- '*'

# --- kill -9 during a bulk change: whole batches only.
# Batches of 2, and the writer sleeps 10 s after each: the kill lands in the
# middle of the change even on a loaded machine.  Nothing waits for that
# sleep: trawl's jobs die with it (PR_SET_PDEATHSIG, bg.c).
tmux_start 100 30 env TRAWL_TEST_BATCH=2 TRAWL_TEST_WRITER_DELAY_US=10000000 "$TRAWL"
tmux_wait_for "4 threads  6 messages" >/dev/null
tmux_keys '*'
tmux_wait_for "tag all messages of" >/dev/null
tmux_keys "+killed" Enter
tmux_wait_for "y/n" >/dev/null
tmux_keys y
tmux_wait_for "2/6" >/dev/null
# The pane runs a wrapper shell, its session's leader, whose child is trawl.
pane_pid=$(_tmux display -p -t e2e '#{pane_pid}')
pkill -9 -P "$pane_pid"
pkill_status=$?
tmux_wait_exit >/dev/null
i=0
while pgrep -s "$pane_pid" >/dev/null && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
# 6 would mean the kill came after the change: it tested nothing.
n=$(notmuch count tag:killed)
if [ "$pkill_status" = 0 ] && [ "$TMUX_EXIT_STATUS" = 137 ] && { [ "$n" = 2 ] || [ "$n" = 4 ]; }; then
	tap_ok "kill -9 in the middle of a bulk change leaves whole batches ($n of 6 messages tagged)"
else
	tap_not_ok "kill -9 in the middle of a bulk change leaves whole batches"
	tap_diag "pkill exit status $pkill_status, trawl's $TMUX_EXIT_STATUS (want 0, 137);" \
		"tagged: $n of 6 (want 2 or 4)"
fi
tmux_stop

files_after=$(cd "$FIXTURE_DIR/mail" && find . -type f ! -path './.notmuch/*' | sort | xargs sha256sum)
if [ "$files_before" = "$files_after" ]; then
	tap_ok "no mail file renamed or changed (names and SHA-256)"
else
	tap_not_ok "no mail file renamed or changed (names and SHA-256)"
	tap_diag "before: $files_before" "after: $files_after"
fi
check_sanitizer_logs
exit 0
