#!/bin/sh
# End-to-end: the database goes away under a running trawl, with a tag
# change queued (another writer holds the lock) and another made after.
# Deleted: one line says so and where the changes are kept; browsing goes
# on; quitting says they are kept; the database made again, the next
# session writes them and can undo them.  Moved: the line names the new
# place; moved back, the change is written.  Replaced by another database
# (a new UUID): everything is read again, the change is written to the new
# one and journalled whole in its journal.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 18
fixture_init
fixture_db
M=$FIXTURE_DIR/mail

# queue_change TAG: tag the selected thread while the lock is held (the change waits).
queue_change() {
	tmux_keys t
	tmux_wait_for "tag thread:" >/dev/null
	tmux_keys "+$1" Enter
	tmux_wait_for "waiting for the database lock" >/dev/null
}

# --- Deleted.
hold_lock
tmux_start 230 30 "$TRAWL"
tmux_wait_for "4 threads  6 messages" >/dev/null
queue_change deleted1
rm -rf "$M/.notmuch"
release_lock
tap_check "deleted: one line says the database is gone and where the change is kept" \
	tmux_wait_for "the database $M is gone: trawl shows what it read; 1 tag change kept in the journal $XDG_STATE_HOME/trawl/journal/"
tmux_keys '?'
tap_check "browsing goes on (help opens)" tmux_wait_for "trawl key bindings"
tmux_keys q j t
tmux_wait_for "tag thread:" >/dev/null
tmux_keys "+deleted2" Enter
tap_check "a change made meanwhile is kept too" tmux_wait_for "[2 changes kept in the journal: the database is gone]"
tmux_keys q
tap_check "quitting says the changes are kept for the next session" \
	tmux_wait_for "quit? 2 tag changes kept in the journal"
tmux_keys y
tmux_wait_exit >/dev/null
tap_check "exit status 0" test "$TMUX_EXIT_STATUS" = 0
tmux_stop
n=$(cat "$XDG_STATE_HOME"/trawl/journal/*.log 2>/dev/null | grep -c '^Q	')
if [ "$n" = 2 ]; then tap_ok "both changes are in the journal"; else
	tap_not_ok "both changes are in the journal"
	tap_diag "Q lines: $n"
fi
# The database made again from the same mail: the next session writes them.
notmuch new --quiet
tmux_start 230 30 "$TRAWL"
tap_check "the next session writes the changes kept" tmux_wait_for "writing 2 changes (2 messages) left by a trawl session that ended"
both_written() { wait_count 1 tag:deleted1 && wait_count 1 tag:deleted2; }
tap_check "... both of them" both_written
tmux_undo +deleted2 >/dev/null
wait_count 0 tag:deleted2 >/dev/null
tmux_undo +deleted1 >/dev/null
tap_check "... and undoes them" wait_count 0 'tag:deleted1 or tag:deleted2'
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop

# --- Moved, then moved back.
hold_lock
tmux_start 230 30 "$TRAWL"
tmux_wait_for "4 threads  6 messages" >/dev/null
queue_change moved
mv "$M" "$FIXTURE_DIR/moved"
release_lock
tap_check "moved: one line names the new place" \
	tmux_wait_for "the database $M moved to $FIXTURE_DIR/moved: trawl shows what it read; 1 tag change kept in its journal $FIXTURE_DIR/moved/.notmuch/trawl/journal.log"
tap_check "the change is in its journal" grep -q '^Q	' "$FIXTURE_DIR/moved/.notmuch/trawl/journal.log"
mv "$FIXTURE_DIR/moved" "$M"
tap_check "moved back: trawl says so" tmux_wait_for "the database is back at $M"
tap_check "... and writes the change" wait_count 1 tag:moved
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop

# --- Replaced by another database (a new UUID), journal and all.
hold_lock
tmux_start 230 30 "$TRAWL"
tmux_wait_for "4 threads  6 messages" >/dev/null
queue_change replaced
uuid_before=$(cat "$M/.notmuch/trawl/uuid")
rm -rf "$M/.notmuch"
notmuch new --quiet
release_lock
tap_check "replaced: trawl says so, and that the change goes to the new one" \
	tmux_wait_for "the database was replaced: everything was read again; 1 tag change made before is written to the new one"
tap_check "... and writes it" wait_count 1 tag:replaced
tmux_wait_gone "[writing" >/dev/null
"$TRAWL" log >"$FIXTURE_DIR/log" 2>&1
if [ "$(grep -c . "$FIXTURE_DIR/log")" = 1 ] && grep -q '#1  .*+replaced .* 1/1 messages  done' "$FIXTURE_DIR/log"; then
	tap_ok "the new database's journal holds the change whole"
else
	tap_not_ok "the new database's journal holds the change whole"
	sed 's/^/# /' "$FIXTURE_DIR/log" "$M/.notmuch/trawl/journal.log"
fi
tmux_undo +replaced >/dev/null
tap_check "... and u undoes it" wait_count 0 tag:replaced
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop
[ "$uuid_before" != "$(cat "$M/.notmuch/trawl/uuid" 2>/dev/null)" ] || tap_diag "the UUID did not change"
check_sanitizer_logs
exit 0
