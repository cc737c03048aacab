#!/bin/sh
# End-to-end: 10,000 distinct tags, and tag names another program made
# that trawl would not: with a space, quotes, an apostrophe, non-ASCII,
# and a leading '-' (which notmuch's CLI refuses, but its batch mode and
# library do not).  The filters pane opens and scrolls to its end at once
# while the counts come; each odd tag is listed, selects its thread, is
# found by a search and can be removed (and the removal undone); trawl
# refuses to make a tag starting with '-' and writes nothing.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 13
fixture_init
fixture_db

# 10,000 tags on one message, 1,000 a line; the odd ones on another.
awk 'BEGIN { for (l = 0; l < 10; l++) { s = ""
	for (i = 0; i < 1000; i++) s = s sprintf("+bulk%05d ", l * 1000 + i)
	print s "-- id:budget-1@example.org" } }' | notmuch tag --batch
printf '%s\n' '+with%20space +%22quoted%22 +a%27b +caf%C3%A9 +%2ddash -- id:digest-1@example.com' |
	notmuch tag --batch
n=$(notmuch search --output=tags '*' | wc -l)
tap_diag "$n distinct tags"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# within MS TEXT: the screen shows TEXT within MS milliseconds.
within() {
	_t0=$(now_ms)
	tmux_wait_for "$2" >/dev/null || return 1
	_dt=$(($(now_ms) - _t0))
	echo "# '$2' after ${_dt} ms"
	[ "$_dt" -le "$1" ]
}
# gone_within MS TEXT: the screen no longer shows TEXT within MS milliseconds.
gone_within() {
	_t0=$(now_ms)
	tmux_wait_gone "$2" >/dev/null || return 1
	_dt=$(($(now_ms) - _t0))
	echo "# '$2' gone after ${_dt} ms"
	[ "$_dt" -le "$1" ]
}
# Allowed time for a key's answer: a sanitized build is slower.
slow=2000
[ "$E2E_TIMEOUT" -gt 10 ] && slow=6000

tmux_start 120 40 "$TRAWL"
tap_check "trawl opens on 10,000 tags" tmux_wait_for "4 threads  6 messages"
tmux_keys Tab G
tap_check "the filters pane goes to its end at once" within $slow "# with space"
# From the last row, the first PageUp takes the cursor to the top row; the second scrolls.
tmux_keys PageUp PageUp
tap_check "... and pages up at once" gone_within $slow "# with space"
tmux_keys g
tap_check "... and back to the top" within $slow "# \"quoted\""
for t in '"quoted"' "a'b" '-dash'; do
	tmux_screen | grep -qF "# $t " || { tap_diag "not listed: $t"; missing=1; }
done
tmux_keys G
tmux_wait_for "# with space" >/dev/null
for t in 'café' 'with space'; do
	tmux_screen | grep -qF "# $t " || { tap_diag "not listed: $t"; missing=1; }
done
tap_check "every odd tag is listed" test -z "${missing:-}"

# Select the leading-dash tag in the filters pane (all messages, "quoted", -dash...).
tmux_keys g j j Enter
tap_check "selecting the '-dash' filter shows its thread" tmux_wait_for 'tag:"-dash"  1 thread  1 message'
tmux_keys / '*' Enter
tmux_wait_for "4 threads  6 messages" >/dev/null
tmux_keys / 'tag:"with space" and tag:café and tag:"""quoted""" and tag:"a'"'"'b"' Enter
tap_check "a search for the other odd tags finds it too" tmux_wait_for "1 thread  1 message  reviewed 0/1"

# trawl refuses to make a tag starting with '-'.
tmux_keys t
tmux_wait_for "tag thread:" >/dev/null
tmux_keys '+-new' Enter
tap_check "'+-new' is refused, with the reason" tmux_wait_for "a tag may not start with '-'"
tmux_keys t
tmux_wait_for "tag thread:" >/dev/null
tmux_keys '+"-new"' Enter
tap_check "... quoted too" tmux_wait_for "'+-new': a tag may not start with '-'"
tap_check "... and nothing is written" test "$(notmuch search --output=tags '*' | grep -c '^-new$')" = 0

# Each odd tag can be removed, and the removal undone (from the list of
# every thread, whose short status line shows the write queue).
tmux_keys / '*' Enter
tmux_wait_for "4 threads  6 messages" >/dev/null
notmuch dump id:digest-1@example.com >"$FIXTURE_DIR/before"
tmux_keys t
tmux_wait_for "tag thread:" >/dev/null
tmux_keys -- '--dash -"with space" -"\"quoted\"" -"a'"'"'b" -café' Enter
wait_count 0 'tag:"-dash" or tag:"with space" or tag:café'
left=$(notmuch search --output=tags id:digest-1@example.com | tr '\n' ' ')
tap_check "the odd tags are removed" test "$left" = "inbox unread "
tmux_undo --dash >/dev/null
wait_count 1 'tag:"-dash" and tag:"with space" and tag:café and tag:"""quoted"""'
notmuch dump id:digest-1@example.com >"$FIXTURE_DIR/after"
tap_check "u brings them back, '-dash' included" cmp -s "$FIXTURE_DIR/before" "$FIXTURE_DIR/after"
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop
check_sanitizer_logs
exit 0
