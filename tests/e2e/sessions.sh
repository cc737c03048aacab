#!/bin/sh
# End-to-end: two trawl sessions on one database, as two reviewers in two
# terminals.  Each one's tag change shows in the other within 2 s, without
# a key; the journal gives them distinct ids and names both reviewers in
# `trawl log`; undo in one session undoes its own change and never the
# other live session's.  The database is fresh and small (Xapian recycles
# its blocks at once).
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 14
fixture_init
fixture_db
total=$(notmuch count '*')
for who in alice bob; do
	mkdir -p "$FIXTURE_DIR/$who/trawl"
	echo "set reviewer $who" >"$FIXTURE_DIR/$who/trawl/config"
done
thread_n() { # messages of the N-th newest thread
	notmuch count "$(notmuch search --output=threads --sort=newest-first --offset=$(($1 - 1)) \
		--limit=1 '*')"
}
n1=$(thread_n 1) n2=$(thread_n 2)
now_ms() { echo $(($(date +%s%N) / 1000000)); }

saved=${XDG_CONFIG_HOME:-}
XDG_CONFIG_HOME=$FIXTURE_DIR/alice
tmux_start 120 24 "$TRAWL"
tmux_wait_for "reviewed 0/$total" >/dev/null
XDG_CONFIG_HOME=$FIXTURE_DIR/bob
tmux_start_other bob 120 24 "$TRAWL"
tmux_wait_for "reviewed 0/$total" >/dev/null
XDG_CONFIG_HOME=$saved

# seen_within MS SESSION TEXT: SESSION shows TEXT within MS milliseconds.
seen_within() {
	tmux_use "$2"
	_t0=$(now_ms)
	tmux_wait_for "$3" 5 >/dev/null || return 1
	_dt=$(($(now_ms) - _t0))
	echo "# $2 showed '$3' after ${_dt} ms"
	[ "$_dt" -le "$1" ]
}

tmux_use e2e
tmux_keys r
tmux_wait_for "reviewed $n1/$total" >/dev/null
tap_check "alice marks a thread: bob's status line counts it within 2 s" \
	seen_within 2000 bob "reviewed $n1/$total"
tmux_use bob
tmux_keys j r
tmux_wait_for "reviewed $((n1 + n2))/$total" >/dev/null
tap_check "bob marks another: alice's status line counts it within 2 s" \
	seen_within 2000 e2e "reviewed $((n1 + n2))/$total"

log=$("$TRAWL" log 2>&1)
echo "$log" | sed 's/^/# log: /'
ids=$(echo "$log" | sed -n 's/.*  #\([0-9]*\)  .*/\1/p' | sort)
if [ "$(echo "$ids" | wc -l)" = 2 ] && [ "$(echo "$ids" | uniq | wc -l)" = 2 ]; then
	tap_ok "the journal gives the two changes distinct ids"
else
	tap_not_ok "the journal gives the two changes distinct ids"
fi
tap_check "trawl log names alice" sh -c 'echo "$1" | grep -q "#[0-9]*  alice  tag"' sh "$log"
tap_check "trawl log names bob" sh -c 'echo "$1" | grep -q "#[0-9]*  bob  tag"' sh "$log"

# Undo in bob's session: his own change goes, alice's stays.
tmux_use bob
tmux_keys u
tap_check "bob's u undoes bob's change" tmux_wait_for "reviewed $n1/$total"
tap_check "alice sees the undo" seen_within 2000 e2e "reviewed $n1/$total"
tmux_use bob
tmux_keys u
tap_check "bob's second u says the next change is alice's, in a session still open" \
	tmux_wait_for "is alice's, in a trawl session still open"
sleep 0.5
got=$(notmuch count tag:reviewed)
if [ "$got" = "$n1" ]; then tap_ok "alice's change is still in the database"; else
	tap_not_ok "alice's change is still in the database"
	tap_diag "notmuch count tag:reviewed: $got, want $n1"
fi

# :set reviewer takes effect for the next change, and the log says so.
tmux_use bob
tmux_keys : "set reviewer robert" Enter
tmux_keys G r
tmux_wait_for "reviewed $((n1 + $(thread_n 4)))/$total" >/dev/null
sleep 0.3
tap_check "after :set reviewer, trawl log names the new reviewer" \
	sh -c '"$1" log | grep -q "#[0-9]*  robert  tag  +reviewed"' sh "$TRAWL"
# The case keeps its state: the journal is beside the database, not in the home.
tap_check "the journal is in the database's .notmuch/trawl/" \
	test -s "$FIXTURE_DIR/mail/.notmuch/trawl/journal.log"
if ls "${XDG_STATE_HOME:-$HOME/.local/state}"/trawl/journal/*.log >/dev/null 2>&1; then
	tap_not_ok "no journal in the XDG state directory"
else
	tap_ok "no journal in the XDG state directory"
fi

# A saved search written elsewhere (no revision change) reaches the filters pane.
notmuch config set query.fromcli 'tag:inbox'
tap_check "a search saved by another program shows in the filters pane" \
	seen_within 2000 e2e "fromcli"
tmux_use bob
tmux_keys q
tmux_use e2e
tmux_keys q
tmux_wait_exit >/dev/null
check_sanitizer_logs
