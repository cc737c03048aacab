#!/bin/sh
# End-to-end: the screen tells the truth.  Every pane follows the commits
# of trawl's own writer and of other programs without `=`:
# - a fresh small database (Xapian recycles its blocks at once): R ten
#   times tags exactly those threads, no error shows, Enter still opens a
#   thread; r twice on one row leaves it unreviewed with its mark back;
# - another program tags 1,000 messages while trawl is open: the rows on
#   screen show the tag, a new search works and the status line names the
#   query shown.
# Both need ../shared (the real corpus and the generator); without it they
# are skipped.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

shared=${TRAWL_SHARED:-$top_srcdir/../shared}
tap_plan 10
fixture_init

if [ ! -d "$shared/corpora/tuppervim-fr" ]; then
	for i in 1 2 3 4 5 6; do tap_skip "no $shared/corpora/tuppervim-fr"; done
else
	fixture_db "$shared/corpora/tuppervim-fr" 2>/dev/null
	total=$(notmuch count '*')
	# The ten newest threads, which R marks one after the other from the top.
	first10=$(notmuch search --output=threads --sort=newest-first --limit=10 '*' |
		tr '\n' ' ' | sed 's/ *$//; s/ / or /g')
	want=$(notmuch count "$first10")
	eleventh=$(notmuch search --output=threads --sort=newest-first --offset=10 --limit=1 '*')
	tmux_start 140 30 "$TRAWL"
	tmux_wait_for "messages  reviewed 0/$total" >/dev/null
	n=0
	for i in 1 2 3 4 5 6 7 8 9 10; do
		tmux_keys R
		# Each R is answered (and written) before the next, as a reviewer reads.
		n=$(notmuch count "$(notmuch search --output=threads --sort=newest-first --limit=$i '*' |
			tr '\n' ' ' | sed 's/ *$//; s/ / or /g')")
		tmux_wait_for "reviewed $n/$total" >/dev/null || break
	done
	tap_check "R ten times: the status line counts their $want messages" \
		tmux_wait_for "reviewed $want/$total"
	got=$(notmuch count tag:reviewed)
	if [ "$got" = "$want" ]; then tap_ok "notmuch count tag:reviewed is $want"; else
		tap_not_ok "notmuch count tag:reviewed is $want"
		tap_diag "got $got"
	fi
	if tmux_screen | grep -qi -e xapian -e exception; then
		tap_not_ok "no error on screen"
		_tmux_diag_screen
	else
		tap_ok "no error on screen"
	fi
	tmux_keys Enter
	tap_check "Enter still opens a thread" tmux_wait_for "not reviewed)"
	tmux_keys q
	tmux_wait_gone "not reviewed)" >/dev/null
	# The cursor is on the eleventh row, not reviewed: r marks it, r again unmarks it.
	row11() { tmux_screen | sed -n 11p; }
	tmux_keys r
	i=0
	while row11 | grep -q '•' && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	tmux_keys r
	i=0
	while ! row11 | grep -q '•' && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	if row11 | grep -q '•' && [ "$(notmuch count "$eleventh and tag:reviewed")" = 0 ]; then
		tap_ok "r twice: the thread is not reviewed and its row mark is back"
	else
		tap_not_ok "r twice: the thread is not reviewed and its row mark is back"
		tap_diag "reviewed in the thread: $(notmuch count "$eleventh and tag:reviewed")"
		_tmux_diag_screen
	fi
	tmux_keys q
	tap_check "trawl quits" tmux_wait_exit
	tmux_stop
	rm -rf "$FIXTURE_DIR/mail"
fi

if [ ! -x "$shared/corpus/gen-corpus" ]; then
	for i in 1 2 3 4; do tap_skip "no $shared/corpus/gen-corpus"; done
else
	"$shared/corpus/gen-corpus" --count 1100 --seed 3 --out "$FIXTURE_DIR/gen" >/dev/null
	fixture_db "$FIXTURE_DIR/gen"
	tmux_start 160 40 "$TRAWL"
	tmux_wait_for "messages  reviewed 0/" >/dev/null
	tmux_wait_gone "counting" >/dev/null
	# Another program tags the 1,000 newest messages while trawl shows them.
	notmuch search --output=messages --sort=newest-first --limit=1000 '*' |
		sed 's/^/+outsider -- /' | notmuch tag --batch
	tap_check "the rows on screen show another program's tag without =" \
		tmux_wait_for "outsider unread)"
	# The 38 rows on screen are of the newest messages: each shows the tag.
	rows_shown() { tmux_screen | head -n 38 | grep -c '│.*(.*outsider'; }
	i=0
	while [ "$(rows_shown)" -lt 38 ] && [ $i -lt $((E2E_TIMEOUT * 20)) ]; do
		sleep 0.05
		i=$((i + 1))
	done
	shown=$(rows_shown)
	if [ "$shown" = 38 ]; then tap_ok "every visible row shows it"; else
		tap_not_ok "every visible row shows it"
		tap_diag "$shown rows show it"
		_tmux_diag_screen
	fi
	tmux_keys / "tag:outsider" Enter
	tap_check "a new search works and the status line names it" \
		tmux_wait_for "tag:outsider  "
	tap_check "... with its count" tmux_wait_for "1,000 messages"
	tmux_keys q
	tmux_wait_exit >/dev/null
fi
