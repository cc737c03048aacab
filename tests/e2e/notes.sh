#!/bin/sh
# End-to-end: a reviewer's note on a message.  c in the thread view writes
# it; it shows under the headers (a bidi control in it neutralised) and as
# a mark on the list row; tag:noted finds it in trawl as in `notmuch
# search` (and notmuch's sexp property query agrees); `trawl export` puts
# it in the CSV's note column, `trawl show` under the headers, and `trawl
# log` shows it before and after, neutralised; u removes it with its tag;
# a note written while another process holds the write lock lands after;
# a note another program wrote shows at once, its escape sequences
# harmless; c again edits it (prefilled) and an empty note removes it.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 22
fixture_init
fixture_db
mid=reunion-1@example.fr
rlo=$(printf '\342\200\256') # U+202E RIGHT-TO-LEFT OVERRIDE
note="Paid twice ${rlo}see invoice"

# ok_if DESC CMD...: a test point from a command's status.
ok_if() {
	_d=$1
	shift
	if "$@"; then tap_ok "$_d"; else tap_not_ok "$_d"; fi
}
# same DESC A B: a test point that A and B are equal (both shown if not).
same() {
	if [ "$2" = "$3" ]; then tap_ok "$1"; else
		tap_not_ok "$1"
		tap_diag "got:      $2" "expected: $3"
	fi
}

# --- c writes the note; the thread view and the list show it.
tmux_start 130 30 "$TRAWL"
tmux_wait_for "4 threads  6 messages" >/dev/null
tmux_keys /
tmux_keys -l "id:$mid"
tmux_keys Enter
tmux_wait_for "1 thread  1 message" >/dev/null
tmux_keys Enter
tmux_wait_for "La réunion de préparation" >/dev/null
tmux_keys c
tap_check "c asks for the note" tmux_wait_for "note:"
tmux_keys -l "$note"
tmux_keys Enter
tap_check "the note shows under the headers, its bidi control neutralised" \
	tmux_wait_for "Note: Paid twice <U+202E>see invoice"
tmux_keys q
tap_check "the list row carries the note mark" tmux_wait_for "✎"

# --- Found by query: tag:noted in trawl and in notmuch; the property itself.
same "notmuch search tag:noted finds the message" \
	"$(notmuch search --output=messages tag:noted)" "id:$mid"
same "the property holds the note (notmuch dump)" \
	"$(notmuch dump --include=properties "id:$mid" | sed -n 's/^#= [^ ]* //p')" \
	"trawl-note=Paid%20twice%20%e2%80%aesee%20invoice"
same "property:\"trawl-note=TEXT\" finds it by its exact text" \
	"$(notmuch search --output=messages "property:\"trawl-note=$note\"")" "id:$mid"
if [ "$(notmuch config get built_with.sexp_queries)" = true ]; then
	same "notmuch's sexp query on the property agrees with tag:noted" \
		"$(notmuch search --query=sexp --output=messages '(property (starts-with "trawl-note="))')" \
		"$(notmuch search --output=messages tag:noted)"
else
	tap_skip "notmuch built without sexp queries"
fi
# (Measured on 0.37: the infix parser has no wildcard for property values.)
tap_diag "notmuch search 'property:trawl-note=*': $(notmuch count 'property:trawl-note=*') messages"
tmux_keys /
tmux_keys -l "tag:noted"
tmux_keys Enter
tap_check "trawl's query tag:noted lists that one thread" \
	tmux_wait_for "tag:noted  1 thread  1 message"

# --- trawl export: the CSV's note column, neutralised.
"$TRAWL" export tag:noted --dir "$FIXTURE_DIR/out" --csv "$FIXTURE_DIR/out.csv" >/dev/null 2>&1
same "the export's CSV has the note in its note column" \
	"$(python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
print(";".join(r["message_id"] + "=" + r["note"] for r in rows))' "$FIXTURE_DIR/out.csv")" \
	"$mid=Paid twice <U+202E>see invoice"

# --- trawl show prints it under the headers, as the reader does.
"$TRAWL" show "id:$mid" > "$FIXTURE_DIR/show.out" 2>&1
ok_if "trawl show prints the note, neutralised" \
	grep -qxF "Note: Paid twice <U+202E>see invoice" "$FIXTURE_DIR/show.out"

# --- trawl log: the note before and after, neutralised.
"$TRAWL" log > "$FIXTURE_DIR/log.out" 2>&1
ok_if "trawl log shows the note before and after" \
	grep -qF "note of $mid: \"\" -> \"Paid twice <U+202E>see invoice\"" "$FIXTURE_DIR/log.out"
ok_if "trawl log holds no bidi control" sh -c "! grep -q '$rlo' '$FIXTURE_DIR/log.out'"

# --- u removes the note and its tag (the row stays: its query is the message).
tmux_keys /
tmux_keys -l "id:$mid"
tmux_keys Enter
tmux_wait_for "id:$mid  1 thread  1 message" >/dev/null
tmux_keys u
tap_check "u removes the note: the mark goes" tmux_wait_gone "✎"
same "after undo no message has the tag or the property" \
	"$(notmuch count tag:noted) $(notmuch dump --include=properties | grep -c trawl-note)" "0 0"

# --- Another process holds the write lock: the note waits, then lands.
hold_lock 60
tmux_wait_for "Réunion de préparation" >/dev/null
tmux_keys Enter
tmux_wait_for "La réunion de préparation" >/dev/null
tmux_keys c
tmux_wait_for "note:" >/dev/null
tmux_keys -l "after the lock"
tmux_keys Enter
tap_check "the note waits for the database lock" tmux_wait_for "waiting for the database lock"
release_lock
tap_check "it lands after the lock is released" tmux_wait_for "Note: after the lock"
same "notmuch sees it" "$(notmuch dump --include=properties "id:$mid" | sed -n 's/^#= [^ ]* //p')" \
	"trawl-note=after%20the%20lock"

# --- Another program writes a note with escape sequences: shown at once, harmless.
title_before=$(tmux_title)
printf '#notmuch-dump batch-tag:3 properties\n#= %s trawl-note=%%1b%%5d0%%3bpwned%%07%%1b%%5b2Jtheirs\n' "$mid" |
	notmuch restore --include=properties
tap_check "another program's note shows, its escapes as placeholders" \
	tmux_wait_for "Note: ^[]0;pwned^G^[[2Jtheirs"
case "$(tmux_title)" in
*pwned*) tap_not_ok "the pane title is unchanged"; tap_diag "title: $(tmux_title)" ;;
*) same "the pane title is unchanged" "$(tmux_title)" "$title_before" ;;
esac

# --- c edits the note in place (prefilled); an empty note removes it.
notmuch restore --include=properties <<EOF
#notmuch-dump batch-tag:3 properties
#= $mid trawl-note=keep%20this
EOF
tmux_wait_for "Note: keep this" >/dev/null
tmux_keys c
tap_check "c prefills the prompt with the note" tmux_wait_for "note (empty removes it): keep this"
tmux_keys C-u Enter
tmux_wait_gone "Note: keep this" >/dev/null
same "an empty note removes it, and the tag" \
	"$(notmuch count tag:noted) $(notmuch dump --include=properties | grep -c trawl-note)" "0 0"
tmux_keys q q
tmux_wait_exit >/dev/null
tmux_stop
check_sanitizer_logs
exit 0
