#!/bin/sh
# End-to-end saved searches: they are notmuch named queries, shared both
# ways with the notmuch CLI; save, rename and delete from the reader; the
# CLI subcommands (with --json, parsed by a JSON parser); names with spaces
# and non-ASCII; a cycle shows an error instead of failing; the order
# chosen on a saved search is kept for it and follows a rename.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 19
fixture_init
fixture_db

# CLI: save with a name holding a space and non-ASCII characters.
"$TRAWL" search save "à relire 2017" 'date:2017 and not tag:reviewed'
got=$(notmuch config get "query.à relire 2017")
if [ "$got" = "date:2017 and not tag:reviewed" ]; then tap_ok "trawl search save is a notmuch named query"; else
	tap_not_ok "trawl search save is a notmuch named query"; tap_diag "got: $got"; fi
if [ "$(notmuch count 'query:"à relire 2017"')" = 6 ]; then tap_ok "notmuch search query:NAME works on it"; else
	tap_not_ok "notmuch search query:NAME works on it"; fi

# A named query made with the notmuch CLI, and a cycle.
notmuch config set query.alice from:alice
notmuch config set query.loop-a query:loop-b
notmuch config set query.loop-b query:loop-a
notmuch config set "query.bidi$(printf '\342\200\256')x" "subject:$(printf '\342\200\256')"
"$TRAWL" search list --json > "$FIXTURE_DIR/list.json"
if python3 - "$FIXTURE_DIR/list.json" <<'PY'
import json, sys
data = {e["name"]: e for e in json.load(open(sys.argv[1]))}
assert data["alice"]["messages"] == 2 and data["alice"]["unreviewed"] == 2, data["alice"]
assert data["à relire 2017"]["query"] == "date:2017 and not tag:reviewed"
assert "error" in data["loop-a"] or "messages" in data["loop-a"]
PY
then tap_ok "search list --json parses and counts"; else tap_not_ok "search list --json parses and counts"; fi
# A bidi override in a name or query reaches the consumer exact, the terminal never.
if LC_ALL=C grep -q "$(printf '\342\200\256')" "$FIXTURE_DIR/list.json"; then
	tap_not_ok "search list --json writes no raw U+202E"
elif python3 -c 'import json,sys; d={e["name"]:e for e in json.load(open(sys.argv[1]))}; assert d["bidi\u202ex"]["query"] == "subject:\u202e"' "$FIXTURE_DIR/list.json"; then
	tap_ok "search list --json writes no raw U+202E"
else
	tap_not_ok "search list --json writes no raw U+202E"
fi
notmuch config set "query.bidi$(printf '\342\200\256')x"
if "$TRAWL" search delete "no such search" 2> "$FIXTURE_DIR/err"; then tap_not_ok "deleting a missing search fails"; else
	[ "$(wc -l < "$FIXTURE_DIR/err")" = 1 ] && tap_ok "deleting a missing search fails with one line" ||
		tap_not_ok "deleting a missing search fails with one line"
fi

# The reader opens the first saved search when started without a query.
tmux_start 120 30 "$TRAWL"
tap_check "opens the first saved search (alphabetical: alice)" tmux_wait_for 'query:"alice"  1 thread  2 messages'
tap_check "the filters pane lists the CLI's search with counts" tmux_wait_for "★ alice               2/2"
tap_check "a broken (cyclic) search shows an error, no crash" tmux_wait_for "★ loop-a            error"
# Save the current query from the reader.
tmux_keys / "from:francois" Enter
tmux_wait_for "1 thread  1 message" >/dev/null
tmux_keys S
tmux_wait_for "as:" >/dev/null
tmux_keys "Fran çois" Enter
tmux_wait_for "saved searches updated" >/dev/null
got=$(notmuch config get "query.Fran çois")
if [ "$got" = "from:francois" ]; then tap_ok "S saves the query as a named query"; else
	tap_not_ok "S saves the query as a named query"; tap_diag "got: $got"; fi
# Its order, chosen on it, is kept for it beside the database.
prefs=$FIXTURE_DIR/mail/.notmuch/trawl/prefs
tmux_keys Tab g j Enter
tmux_wait_for 'query:"Fran çois"' >/dev/null
tmux_keys o
tap_check "o on a saved search keeps its order for it" \
	tmux_wait_for "oldest first (kept for the saved search Fran çois)"
if grep -qx "sort Fran çois	oldest" "$prefs"; then tap_ok "the order is in the case's prefs file"; else
	tap_not_ok "the order is in the case's prefs file"; sed 's/^/# /' "$prefs"; fi
# Rename it from the filters pane: Tab, then move to it (entries: all, "Fran çois", alice...).
tmux_keys Tab g j
tmux_keys m
tmux_wait_for "rename to:" >/dev/null
tmux_keys C-u "francois-renamed" Enter
tmux_wait_for "francois-renamed" >/dev/null
if [ "$(notmuch config get query.francois-renamed)" = from:francois ] &&
	[ -z "$(notmuch config get "query.Fran çois")" ]; then tap_ok "rename moves the named query"; else
	tap_not_ok "rename moves the named query"; notmuch config list | grep query | sed 's/^/# /'; fi
if grep -qx "sort francois-renamed	oldest" "$prefs" && ! grep -q "Fran çois" "$prefs"; then
	tap_ok "the order kept follows the rename"
else
	tap_not_ok "the order kept follows the rename"; sed 's/^/# /' "$prefs"
fi
# Delete it (asks first).
tmux_keys d
tmux_wait_for "delete the saved search" >/dev/null
tmux_keys y
tmux_wait_gone "francois-renamed" >/dev/null
if [ -z "$(notmuch config get query.francois-renamed)" ]; then tap_ok "delete removes the named query"; else
	tap_not_ok "delete removes the named query"; fi
# Saving over an existing name asks.
tmux_keys S
tmux_wait_for "as:" >/dev/null
tmux_keys alice Enter
tap_check "saving over an existing name asks first" tmux_wait_for "exists: replace it? y/n"
tmux_keys n
tmux_keys q
tmux_wait_exit >/dev/null
if [ "$(notmuch config get query.alice)" = from:alice ]; then tap_ok "refusing keeps the old query"; else
	tap_not_ok "refusing keeps the old query"; fi
tmux_stop
# Every message: notmuch's named query parser takes a bare * for nothing.
"$TRAWL" search save everything '*'
if [ "$(notmuch count query:everything)" = "$(notmuch count '*')" ]; then
	tap_ok "search save NAME '*': notmuch count query:NAME is every message"
else
	tap_not_ok "search save NAME '*': notmuch count query:NAME is every message"
	tap_diag "query.everything = $(notmuch config get query.everything)"
fi
tmux_start 120 30 "$TRAWL" '*'
tmux_wait_for "*  4 threads" >/dev/null
tmux_keys S
tmux_wait_for "as:" >/dev/null
tmux_keys all-of-it Enter
tmux_wait_for "saved searches updated" >/dev/null
if [ "$(notmuch count query:all-of-it)" = "$(notmuch count '*')" ]; then
	tap_ok "S on every message saves a query notmuch resolves to every message"
else
	tap_not_ok "S on every message saves a query notmuch resolves to every message"
	tap_diag "query.all-of-it = $(notmuch config get query.all-of-it)"
fi
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop
check_sanitizer_logs
exit 0
