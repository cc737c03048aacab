#!/bin/sh
# End-to-end: marks (issue 16 item 3).  m marks rows (the status line
# counts them), ; applies the next command to them: t tags their messages
# (a bulk change: confirmed, undone by u), r marks them reviewed, E
# exports them; marks survive the list's refresh and go with its query; M
# marks by a query (empty: unmarks all); in a thread, m marks messages and
# ; | pipes their files one after the other.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 14
fixture_init
fixture_db
W=$FIXTURE_DIR
count() { notmuch count "$@"; }
want_count() { # want_count N QUERY: wait up to 10 s for notmuch count QUERY = N
	_i=0
	while [ "$(count "$2")" != "$1" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	[ "$(count "$2")" = "$1" ]
}

tmux_start 120 30 "$TRAWL"
tmux_wait_for "4 threads" >/dev/null
# Rows, newest first: Weekly digest (1), Invoice (1), Réunion (1), Quarterly budget review (3).
tmux_keys m m
tap_check "m marks rows and the status line counts them" tmux_wait_for "2 marked"
tmux_keys G m
tmux_wait_for "3 marked" >/dev/null
tmux_keys '\;' t
tap_check "; t asks for the tags of the marked threads" tmux_wait_for "tag all messages of 3 marked threads:"
tmux_keys "+picked" Enter
tap_check "it is confirmed as a bulk change" tmux_wait_for "+picked on every message?"
tmux_keys y
tap_check "every message of the marked threads is tagged (5), no other" want_count 5 tag:picked
if [ "$(count 'tag:picked and subject:"Réunion"')" = 0 ]; then tap_ok "the unmarked thread is untouched"
else tap_not_ok "the unmarked thread is untouched"; fi
tmux_keys u
tap_check "u undoes the change on the marked threads" want_count 0 tag:picked
tmux_keys =
tmux_wait_for "refreshed" >/dev/null
tap_check "marks survive a refresh of the list" tmux_wait_for "3 marked"
tmux_keys '\;' E "$W/marked" Enter
tmux_wait_for "exported" >/dev/null
n=$(($(wc -l < "$W/marked.csv") - 1))
if [ "$n" = 5 ]; then tap_ok "; E exports the marked threads' messages ($n)"; else
	tap_not_ok "; E exports the marked threads' messages"; tap_diag "csv rows: $n"; fi
tmux_keys M Enter
tap_check "M with nothing typed unmarks all" tmux_wait_for "every mark removed"
tmux_keys M "from:alice" Enter
tap_check "M marks the threads matching a query" tmux_wait_for "1 thread marked"
tmux_keys '\;' r
tmux_wait_for "on every message?" >/dev/null
tmux_keys y
tap_check "; r marks the marked threads reviewed" want_count 3 tag:reviewed
tmux_keys / "tag:inbox" Enter
tap_check "a new query removes the marks" tmux_wait_for "1 marks removed"
# In a thread: mark two messages, pipe their files.
tmux_keys / "subject:Quarterly" Enter
tmux_wait_for "1 thread" >/dev/null
tmux_keys Enter
tmux_wait_for "Quarterly budget review  (" >/dev/null
tmux_keys g m m
tap_check "m marks messages in a thread" tmux_wait_for "2 marked messages"
size=0
for f in $(notmuch search --output=files --sort=oldest-first 'subject:Quarterly' | head -2); do
	size=$((size + $(wc -c < "$f")))
done
tmux_keys '\;' "|" "wc -c > $W/wc.out" Enter
tmux_wait_for "press any key" >/dev/null
tmux_keys Space
tmux_wait_for "marked): done" >/dev/null
got=$(tr -d ' ' < "$W/wc.out")
if [ "$got" = "$size" ]; then
	tap_ok "; | pipes the marked messages' files ($got bytes)"
else
	tap_not_ok "; | pipes the marked messages' files"; tap_diag "got $got, files $size"
fi
tmux_keys q q
tmux_wait_exit >/dev/null
tmux_stop
