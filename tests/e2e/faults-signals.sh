#!/bin/sh
# End-to-end: signals a terminal program meets.  trawl runs from an
# interactive bash, as a user starts it (job control: C-z and fg work).
# C-z and SIGTSTP give the terminal back (alternate screen left, cursor
# shown), fg (SIGCONT) draws the same screen again, at the new size if the
# terminal was resized meanwhile.  SIGTERM and SIGHUP (the terminal
# closed) restore the terminal and keep the tag changes still queued (the
# database locked by another writer) in the journal: the next session
# writes them, and can undo them.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 16
fixture_init
fixture_db

# term_state: "alternate=0|1 cursor=0|1" of the pane.
term_state() {
	_tmux display -p -t "$E2E_PANE" 'alternate=#{alternate_on} cursor=#{cursor_flag}'
}
# trawl_pid: the trawl process in the pane (its session; children are named trawl-ROLE).
trawl_pid() {
	pgrep -x -s "$(_tmux display -p -t "$E2E_PANE" '#{pane_pid}')" trawl
}

# wait_line N TEXT: poll until line N of the screen starts with TEXT.
wait_line() {
	_i=0
	while [ $_i -lt 200 ]; do
		case $(tmux_screen | sed -n "$1p") in "$2"*) return 0 ;; esac
		sleep 0.05
		_i=$((_i + 1))
	done
	echo "# line $1 is not: $2"
	_tmux_diag_screen
	return 1
}

tmux_start 100 30 bash --norc --noprofile -i
tmux_keys "PS1='shell\$ '; cd '$FIXTURE_DIR'" Enter
tmux_wait_for 'shell$' >/dev/null
tmux_keys "'$TRAWL'" Enter
tmux_wait_for "4 threads  6 messages" >/dev/null
tmux_screen >"$FIXTURE_DIR/before"

# --- C-z stops trawl and gives the terminal back; fg brings the same screen.
tmux_keys C-z
tap_check "C-z stops trawl: the shell says so" tmux_wait_for "Stopped"
st=$(term_state)
if [ "$st" = "alternate=0 cursor=1" ]; then tap_ok "stopped: alternate screen left, cursor shown"; else
	tap_not_ok "stopped: alternate screen left, cursor shown"
	tap_diag "$st"
fi
tmux_keys fg Enter
tmux_wait_for "4 threads  6 messages" >/dev/null
sleep 0.3
tmux_screen >"$FIXTURE_DIR/after"
if cmp -s "$FIXTURE_DIR/before" "$FIXTURE_DIR/after" && [ "$(term_state)" = "alternate=1 cursor=0" ]; then
	tap_ok "fg draws the same screen again"
else
	tap_not_ok "fg draws the same screen again"
	diff "$FIXTURE_DIR/before" "$FIXTURE_DIR/after" | sed 's/^/# /'
fi

# --- SIGTSTP from another program, a resize while stopped, then fg.
kill -TSTP "$(trawl_pid)"
tap_check "SIGTSTP stops trawl" tmux_wait_for "Stopped"
st=$(term_state)
if [ "$st" = "alternate=0 cursor=1" ]; then tap_ok "SIGTSTP: alternate screen left, cursor shown"; else
	tap_not_ok "SIGTSTP: alternate screen left, cursor shown"
	tap_diag "$st"
fi
tmux_resize 80 24
tmux_keys clear Enter fg Enter
tmux_wait_for "4 threads  6 messages" >/dev/null
tap_check "SIGCONT (fg) after a resize: the screen is drawn at the new size" \
	wait_line 23 "*  4 threads  6 messages"
tmux_resize 100 30
tmux_wait_for "4 threads  6 messages" >/dev/null

# --- SIGTERM with a change waiting for the lock: kept, written by the next session.
hold_lock
tmux_keys t
tmux_wait_for "tag thread:" >/dev/null
tmux_keys "+termkept" Enter
tmux_wait_for "waiting for the database lock" >/dev/null
kill -TERM "$(trawl_pid)"
tap_check "after SIGTERM trawl says the change is kept for the next session" \
	tmux_wait_for "kept in the journal"
tmux_wait_for 'shell$' >/dev/null
st=$(term_state)
if [ "$st" = "alternate=0 cursor=1" ]; then tap_ok "SIGTERM: alternate screen left, cursor shown"; else
	tap_not_ok "SIGTERM: alternate screen left, cursor shown"
	tap_diag "$st"
fi
release_lock
if [ "$(notmuch count tag:termkept)" = 0 ] && grep -q '^Q	' "$FIXTURE_DIR/mail/.notmuch/trawl/journal.log"; then
	tap_ok "the change is in the journal, not yet in the database"
else
	tap_not_ok "the change is in the journal, not yet in the database"
fi
tmux_keys clear Enter "'$TRAWL'" Enter
tap_check "the next session says it writes the change left" tmux_wait_for "left by a trawl session that ended"
tap_check "... and writes it" wait_count 1 tag:termkept
tmux_undo +termkept >/dev/null
tap_check "... and u undoes it" wait_count 0 tag:termkept
tmux_keys q
tmux_wait_for 'shell$' >/dev/null
tmux_keys "exit" Enter
tmux_wait_exit >/dev/null
tmux_stop

# --- SIGHUP: the terminal closes under trawl with a change waiting.
hold_lock
tmux_start 100 30 "$TRAWL"
tmux_wait_for "4 threads  6 messages" >/dev/null
tmux_keys j t
tmux_wait_for "tag thread:" >/dev/null
tmux_keys "+hupkept" Enter
tmux_wait_for "waiting for the database lock" >/dev/null
_tmux kill-server # SIGHUP to the pane's processes
i=0
while pgrep -f "$TRAWL" >/dev/null 2>&1 && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
release_lock
if [ "$(notmuch count tag:hupkept)" = 0 ] && [ "$(grep -c '^Q	' "$FIXTURE_DIR/mail/.notmuch/trawl/journal.log")" = 2 ]; then
	tap_ok "after SIGHUP the change is in the journal"
else
	tap_not_ok "after SIGHUP the change is in the journal"
	sed 's/^/# /' "$FIXTURE_DIR/mail/.notmuch/trawl/journal.log"
fi
tmux_start 100 30 "$TRAWL"
tap_check "the next session writes it" wait_count 1 tag:hupkept
"$TRAWL" log >"$FIXTURE_DIR/log"
if grep -q '+hupkept .* 1/1 messages  done' "$FIXTURE_DIR/log" &&
	grep -q '+termkept .* 1/1 messages  done' "$FIXTURE_DIR/log"; then
	tap_ok "trawl log shows both changes done"
else
	tap_not_ok "trawl log shows both changes done"
	sed 's/^/# /' "$FIXTURE_DIR/log"
fi
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop
check_sanitizer_logs
exit 0
