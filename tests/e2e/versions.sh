#!/bin/sh
# End-to-end: one Message-ID in several files (tests/corpus/versions: the
# budget message in three files, two of them differing in transport header
# fields only and the third with a changed sentence and an added Cc; the
# minutes in two identical files; a hostile second version of the wire
# instructions; a contract whose attachment was swapped).  trawl import
# tags the messages with several versions; trawl versions lists them (JSON
# checked); the reader marks them in the list and the thread view, lists a
# message's files, shows any of them, compares two (the hostile one
# neutralised), asks before marking reviewed a message whose versions were
# not all read, and trawl log records which were.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 36
fixture_init
corpus=$top_srcdir/tests/corpus/versions
case=$FIXTURE_DIR/case

# check DESC CMD...: a test point for a command whose output is diagnosed on failure.
check() {
	_desc=$1
	shift
	if "$@" > "$FIXTURE_DIR/check.out" 2>&1; then tap_ok "$_desc"; else
		tap_not_ok "$_desc"
		sed 's/^/# /' "$FIXTURE_DIR/check.out"
	fi
}

# --- trawl import tags the messages whose files make several versions.
"$TRAWL" import --into "$case" "$corpus" > "$FIXTURE_DIR/import.out" 2>&1
check "import says 3 messages have several versions" \
	grep -q '^3 messages with several versions .*tag:versions' "$FIXTURE_DIR/import.out"
tagged=$(NOTMUCH_CONFIG=$case/notmuch-config notmuch search --output=messages --sort=oldest-first tag:versions | tr '\n' ' ')
if [ "$tagged" = "id:contract-2017@example.org id:wire-2017@example.net id:budget-2017@example.org " ]; then
	tap_ok "tag:versions is the contract, the wire instructions and the budget (not the identical minutes)"
else
	tap_not_ok "tag:versions is the contract, the wire instructions and the budget (not the identical minutes)"
	tap_diag "got: $tagged"
fi
# A cache made before the tag (or under another rule) is tagged by the next run.
NOTMUCH_CONFIG=$case/notmuch-config notmuch tag -versions -- '*'
NOTMUCH_CONFIG=$case/notmuch-config notmuch config set trawl.versions-refreshed ''
"$TRAWL" import --into "$case" "$corpus" > "$FIXTURE_DIR/import2.out" 2>&1
n=$(NOTMUCH_CONFIG=$case/notmuch-config notmuch count tag:versions)
if [ "$n" = 3 ] && grep -q 'nothing new' "$FIXTURE_DIR/import2.out"; then
	tap_ok "a run with nothing new tags an untagged cache again"
else
	tap_not_ok "a run with nothing new tags an untagged cache again"
	tap_diag "count $n"
	sed 's/^/# /' "$FIXTURE_DIR/import2.out"
fi

# --- trawl versions: the messages with several files, their files and version groups.
"$TRAWL" versions --json --cache "$case" '*' > "$FIXTURE_DIR/versions.json"
check "trawl versions --json lists the files and version groups with their hashes" \
	python3 - "$FIXTURE_DIR/versions.json" <<'PY'
import json, re, sys
got = {m["message_id"]: m for m in json.load(open(sys.argv[1]))}
assert sorted(got) == ["budget-2017@example.org", "contract-2017@example.org",
                       "minutes-2017@example.org", "wire-2017@example.net"], sorted(got)
b = got["budget-2017@example.org"]
assert [f["folder"] for f in b["files"]] == ["versions/archive", "versions/inbox", "versions/sent"], b
assert [f["version"] for f in b["files"]] == [1, 1, 2], b
assert all(re.fullmatch(r"[0-9a-f]{64}", f["sha256"]) for f in b["files"]), b
assert all(f["path"].startswith("versions/") and f["size"] > 0 for f in b["files"]), b
assert b["identical"] is False and b["rule"] == 1
assert [len(v["files"]) for v in b["versions"]] == [2, 1], b
assert all(re.fullmatch(r"[0-9a-f]{64}", v["hash"]) for v in b["versions"]), b
assert b["versions"][0]["hash"] != b["versions"][1]["hash"]
m = got["minutes-2017@example.org"]
assert m["identical"] is True and len(m["versions"]) == 1 and len(m["files"]) == 2, m
assert m["files"][0]["sha256"] == m["files"][1]["sha256"], m
PY
"$TRAWL" versions --cache "$case" 'tag:versions' > "$FIXTURE_DIR/versions.txt"
check "trawl versions prints each message's versions as text" \
	grep -q '^id:budget-2017@example.org  3 files, 2 versions$' "$FIXTURE_DIR/versions.txt"
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$FIXTURE_DIR/versions.txt"; then
	tap_not_ok "trawl versions prints no control byte"
else
	tap_ok "trawl versions prints no control byte"
fi
"$TRAWL" versions > /dev/null 2>&1
check "trawl versions without a query is a usage error" test $? = 2
# Any notmuch database, not only a trawl cache: the files are those notmuch knows.
fixture_db "$corpus"
"$TRAWL" versions 'id:minutes-2017@example.org' > "$FIXTURE_DIR/plain.txt"
check "trawl versions works on a plain notmuch database" \
	grep -q '^id:minutes-2017@example.org  2 files, identical$' "$FIXTURE_DIR/plain.txt"

# --- The reader: marks in the list and the filters pane.
tmux_start 120 40 "$TRAWL" --cache "$case"
tap_check "the list marks a thread whose message has 3 files in 2 versions" \
	tmux_wait_for "[3 files, 2 versions] Budget figures"
tap_check "the list marks two identical files" tmux_wait_for "[2 files, identical] Minutes"
tmux_wait_for "# versions" >/dev/null
check "the filters pane lists tag versions with its count" sh -c "tmux -S '$FIXTURE_DIR/tmux.sock' capture-pane -p -t e2e | grep '# versions *3/3'"
title_before=$(tmux_title)

# --- The thread view: the mark, the files, another file shown, the diff.
tmux_keys Enter
# Which file notmuch names first (shown by default) is the database's choice.
tap_check "the thread view marks the message and the version shown" \
	tmux_wait_for "[3 files, 2 versions; version "
tmux_keys v
tap_check "v lists the files of the message" tmux_wait_for "Files of <budget-2017@example.org>: 3 files, 2 versions"
tmux_screen > "$FIXTURE_DIR/files.screen"
check "the files pane marks the file shown, the cursor on it" \
	grep -q '^> [123]  version [12]  folder versions/[a-z]*  [0-9]* bytes  .*  \[shown\]$' "$FIXTURE_DIR/files.screen"
if grep -q 'folder versions/archive' "$FIXTURE_DIR/files.screen" &&
	grep -q 'version 2  folder versions/sent' "$FIXTURE_DIR/files.screen" &&
	grep -q '\[shown\]' "$FIXTURE_DIR/files.screen" &&
	[ "$(grep -c 'sha256 [0-9a-f]\{64\}' "$FIXTURE_DIR/files.screen")" = 3 ] &&
	grep -q 'versions/sent/cur/[0-9a-f]\{64\}:2,' "$FIXTURE_DIR/files.screen" &&
	grep -q ' bytes  [0-9-]* [0-9:]*' "$FIXTURE_DIR/files.screen"; then
	tap_ok "each file has its folder, path, size, date and SHA-256"
else
	tap_not_ok "each file has its folder, path, size, date and SHA-256"
	sed 's/^/# |/' "$FIXTURE_DIR/files.screen"
fi
tmux_keys G Enter
tap_check "Enter shows the file selected as the message" tmux_wait_for "9 million euros"
tap_check "... with its added Cc" tmux_wait_for "Cc: Carol Cole <carol@example.org>"
tap_check "... and the mark says which version is shown" \
	tmux_wait_for "[3 files, 2 versions; version 2 shown]"
tmux_keys D
tap_check "D compares the version shown with another" \
	tmux_wait_for "headers: 1 removed; body: 1 removed, 1 added; attachments: the same"
tmux_screen > "$FIXTURE_DIR/diff.screen"
# The version shown (2) is the first side now: its Cc and sentence are the removed lines.
if grep -q '^- Cc: Carol Cole <carol@example.org>$' "$FIXTURE_DIR/diff.screen" &&
	grep -q '^- The budget for the harbour project is 9 million euros\.$' "$FIXTURE_DIR/diff.screen" &&
	grep -q '^+ The budget for the harbour project is 4 million euros\.$' "$FIXTURE_DIR/diff.screen" &&
	grep -q '^  Please keep this between us until the board meets\.$' "$FIXTURE_DIR/diff.screen" &&
	grep -q 'Not compared: the transport header fields Received' "$FIXTURE_DIR/diff.screen"; then
	tap_ok "the diff's lines: the Cc and the sentence changed, context around them"
else
	tap_not_ok "the diff's lines: the Cc and the sentence changed, context around them"
	sed 's/^/# |/' "$FIXTURE_DIR/diff.screen"
fi
# Both versions were on screen: r marks the message without asking.
tmux_keys q
tmux_wait_for "version 2 shown]" >/dev/null
tmux_keys r
tap_check "r after reading both versions marks the message" tmux_wait_for "reviewed 1/6"
tmux_keys q
tmux_wait_for "[2 files, identical]" >/dev/null

# --- The hostile version: neutralised in the diff; r asks while it was never on screen.
tmux_keys j j Enter
tmux_wait_for "Pay the invoice to account" >/dev/null
tmux_keys r
tap_check "r on a message with a version never on screen asks" \
	tmux_wait_for "2 versions of this message, 1 never on screen"
tmux_keys n Enter
tap_check "answering n marks nothing" tmux_wait_for "not marked reviewed"
tmux_keys D
tap_check "the hostile version's escape sequences are shown as placeholders" \
	tmux_wait_for " Pay the invoice to account ^[[31m9999 8888^[[0m <U+202E>txt.exe"
tap_check "... in its header too" tmux_wait_for " Subject: Wire instructions ^[]0;pwned^G"
if [ "$(tmux_title)" = "$title_before" ]; then tap_ok "the pane title is unchanged"; else
	tap_not_ok "the pane title is unchanged"
	tap_diag "before: $title_before" "after: $(tmux_title)"
fi
tmux_keys n
tmux_keys N
tmux_keys q
tmux_wait_for "[2 files, 2 versions; version " >/dev/null
tmux_keys r
tap_check "after the diff r marks it without asking" tmux_wait_for "reviewed 2/6"
tmux_keys q

# --- From the list, a thread whose versions were never read: asked, confirmed.
tmux_wait_for "Contract" >/dev/null
tmux_keys j r
tap_check "r on a thread from the list asks about its versions" \
	tmux_wait_for "1 message of this thread has several versions, 2 never on screen"
tmux_keys y Enter
tap_check "answering y marks it" tmux_wait_for "reviewed 3/6"
tmux_keys q
tap_check "trawl quits" tmux_wait_exit
tmux_stop

# --- The journal says which versions were read.
"$TRAWL" log --cache "$case" > "$FIXTURE_DIR/log.txt"
check "the log says both versions of the budget were read" \
	grep -q "id:\"budget-2017@example.org\".*versions of id:budget-2017@example.org: 3 files, 2 versions, all read (1=[0-9a-f]\{12\} 2=[0-9a-f]\{12\})" "$FIXTURE_DIR/log.txt"
check "the log says none of the contract's were read, and that the reviewer said all were" \
	grep -q "versions of id:contract-2017@example.org: 2 files, 2 versions, read none, not read 1=[0-9a-f]\{12\} 2=[0-9a-f]\{12\}; the reviewer said every version was read" "$FIXTURE_DIR/log.txt"
"$TRAWL" log --csv --cache "$case" > "$FIXTURE_DIR/log.csv"
check "trawl log --csv has the confirmed column" grep -q '^id,time,reviewer,kind,undoes,query,changes,messages,committed,end,confirmed,' "$FIXTURE_DIR/log.csv"
n=$(NOTMUCH_CONFIG=$case/notmuch-config notmuch count tag:reviewed)
check "three messages are reviewed in the database (not the refused one twice)" test "$n" = 3
check "no mail file was changed" sh -c "cd '$case/mail' && find . -type f ! -path './.notmuch/*' -name '*:2,' | while read -r f; do [ \"\$(sha256sum < \"\$f\" | cut -c1-64)\" = \"\$(basename \"\$f\" :2,)\" ] || exit 1; done"
check_sanitizer_logs
exit 0
