#!/bin/sh
# End-to-end test of `trawl extract` (issue 15, item 4: searching): a word
# found only inside a PDF attachment becomes searchable by plain notmuch,
# through a derived file indexed into the message; the mail file is not
# changed, the derived file is never taken for the message (show, raw,
# export, versions, the thread view), a second run does nothing, and a
# derived file made by another extractor is replaced cleanly.
#
# Twelve other messages come first so that the derived directory's
# document id has two digits: notmuch lists a message's files by that id
# as text, so the derived file becomes the message's FIRST file, the one
# notmuch_message_get_filename() would pick.  Test 2 checks that this holds.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 22
fixture_init
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$FIXTURE_DIR/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$FIXTURE_DIR/asan"
export LC_ALL=C.UTF-8

docs=$top_srcdir/tests/corpus/extract
src=$FIXTURE_DIR/src
mkdir -p "$src/cur" "$src/new" "$src/tmp"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	printf 'From: f%d@example.org\nTo: board@example.org\nSubject: filler %d\nDate: Mon, 03 Apr 2017 10:%02d:00 +0200\nMessage-ID: <filler-%d@example.org>\n\nnothing here %d\n' \
		"$i" "$i" "$i" "$i" "$i" >"$src/cur/filler-$i:2,"
done
python3 - "$docs" "$src/cur/zz-att-1:2," "$src/cur/zz-reply:2," <<'PY'
import sys
from email.message import EmailMessage
docs, out, reply = sys.argv[1], sys.argv[2], sys.argv[3]
m = EmailMessage()
m["From"] = "Clerk <clerk@example.org>"
m["To"] = "board@example.org"
m["Subject"] = "papers"
m["Date"] = "Mon, 03 Apr 2017 09:15:00 +0200"
m["Message-ID"] = "<att-1@example.org>"
m.set_content("See the attached papers.\n")
with open(f"{docs}/report.pdf", "rb") as f:
    m.add_attachment(f.read(), maintype="application", subtype="pdf", filename="report.pdf")
with open(f"{docs}/letter.docx", "rb") as f:
    m.add_attachment(f.read(), maintype="application",
                     subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                     filename="letter.docx")
with open(out, "wb") as f:
    f.write(bytes(m))
r = EmailMessage()
r["From"] = "board@example.org"
r["To"] = "Clerk <clerk@example.org>"
r["Subject"] = "Re: papers"
r["Date"] = "Tue, 04 Apr 2017 09:15:00 +0200"
r["Message-ID"] = "<reply-1@example.org>"
r["In-Reply-To"] = "<att-1@example.org>"
r["References"] = "<att-1@example.org>"
r.set_content("Thanks.\n")
with open(reply, "wb") as f:
    f.write(bytes(r))
PY
fixture_db "$src"
file=$FIXTURE_DIR/mail/cur/zz-att-1:2,
sum_before=$(sha256sum "$file" | cut -d' ' -f1)
count_before=$(notmuch count '*')
thread=$(notmuch search --output=threads id:att-1@example.org)
out=$FIXTURE_DIR/out
err=$FIXTURE_DIR/err

# 1: the word is in the PDF only, so notmuch cannot find it yet.
if [ "$(notmuch count 71450)" = 0 ]; then tap_ok "before: the PDF's word is not found"; else
	tap_not_ok "before: the PDF's word is not found"; fi

"$TRAWL" extract >"$out" 2>"$err"
st=$?
# 2: it ran, and the derived file is the message's first file (see the top).
first=$(notmuch search --output=files id:att-1@example.org | head -n 1)
case $first in
"$FIXTURE_DIR/mail/.trawl-derived/"*) derived_first=1 ;;
*) derived_first=0 ;;
esac
if [ $st = 0 ] && grep -q "^1 extracted, 0 up to date" "$out" && [ $derived_first = 1 ]; then
	tap_ok "extract writes one derived file, which notmuch lists first"; else
	tap_not_ok "extract writes one derived file, which notmuch lists first"
	tap_diag "status $st" "$(cat "$out" "$err")" "first file: $first"; fi
# 3: plain notmuch finds exactly that message's thread by the PDF's word.
if [ "$(notmuch search --output=threads 71450)" = "$thread" ] &&
	[ "$(notmuch search --output=messages 'contract number 71450')" = "id:att-1@example.org" ]; then
	tap_ok "notmuch search finds the message by its PDF's words"; else
	tap_not_ok "notmuch search finds the message by its PDF's words"
	tap_diag "$(notmuch search --output=messages 71450)"; fi
# 4: the attachment's name, through index.header.AttachmentText.
if [ "$(notmuch search --output=messages AttachmentText:report)" = "id:att-1@example.org" ] &&
	[ "$(notmuch search --output=messages AttachmentText:letter)" = "id:att-1@example.org" ] &&
	[ "$(notmuch search --output=messages INV-2291)" = "id:att-1@example.org" ]; then
	tap_ok "AttachmentText: finds it by either attachment's name, the DOCX's text too"; else
	tap_not_ok "AttachmentText: finds it by either attachment's name, the DOCX's text too"; fi
# 5: the mail file is the same byte for byte.
if [ "$(sha256sum "$file" | cut -d' ' -f1)" = "$sum_before" ]; then tap_ok "the mail file is unchanged"; else
	tap_not_ok "the mail file is unchanged"; fi
# 6: the derived file is another file of the message, not a message.
if [ "$(notmuch count '*')" = "$count_before" ] &&
	[ "$(notmuch count --output=files id:att-1@example.org)" = 2 ]; then
	tap_ok "no message was added: the derived file is a second file of it"; else
	tap_not_ok "no message was added: the derived file is a second file of it"; fi
derived=$(find "$FIXTURE_DIR/mail/.trawl-derived" -type f -name '*.eml')
# 7: what the derived file says about itself.
if [ "$(echo "$derived" | wc -l)" = 1 ] && grep -q "^X-Trawl-Derived: attachment-text" "$derived" &&
	grep -q "^X-Trawl-Attachment: report.pdf; letter.docx\$" "$derived" &&
	grep -q "^X-Trawl-Source: $sum_before cur/zz-att-1:2,\$" "$derived" &&
	grep -q "^Message-ID: <att-1@example.org>" "$derived"; then
	tap_ok "the derived file names itself, its source and its attachment"; else
	tap_not_ok "the derived file names itself, its source and its attachment"
	tap_diag "$(head -20 "$derived")"; fi
# 8: the chain of custody.
log=$FIXTURE_DIR/mail/.notmuch/trawl/derived.tsv
dsum=$(sha256sum "$derived" | cut -d' ' -f1)
if awk -F'\t' -v s="$sum_before" -v d="$dsum" '$2 == "extracted" && $3 == "att-1@example.org" &&
	$4 == "cur/zz-att-1:2," && $5 == s && $6 ~ /^\.trawl-derived\/..\/.*\.eml$/ && $7 == d &&
	$8 == "report.pdf/letter.docx" { ok = 1 } END { exit !ok }' "$log"; then
	tap_ok "derived.tsv records original and derived file with their SHA-256"; else
	tap_not_ok "derived.tsv records original and derived file with their SHA-256"
	tap_diag "$(cat "$log")"; fi

# 9: a second run does nothing.
"$TRAWL" extract >"$out" 2>"$err"
if grep -q "^0 extracted, 1 up to date" "$out" && [ "$(sha256sum "$derived" | cut -d' ' -f1)" = "$dsum" ]; then
	tap_ok "a second run extracts nothing"; else
	tap_not_ok "a second run extracts nothing"; tap_diag "$(cat "$out" "$err")"; fi

# 10-11: trawl show prints the original, not the derived text.
"$TRAWL" show --width 100 id:att-1@example.org >"$out" 2>"$err"
if grep -q "^From: Clerk <clerk@example.org>" "$out" && grep -q "See the attached papers" "$out" &&
	grep -q "attachment 1: report.pdf" "$out"; then
	tap_ok "show prints the original message"; else
	tap_not_ok "show prints the original message"; sed 's/^/# /' "$out"; fi
if grep -q "71450\|X-Trawl\|— page 1 —" "$out"; then
	tap_not_ok "show prints nothing of the derived file"; sed 's/^/# /' "$out"; else
	tap_ok "show prints nothing of the derived file"; fi
# 12: --raw is the original byte for byte.
"$TRAWL" show --raw id:att-1@example.org >"$out" 2>"$err"
if cmp -s "$out" "$file"; then tap_ok "show --raw gives the original file"; else
	tap_not_ok "show --raw gives the original file"; tap_diag "$(head -12 "$out")"; fi
# 13: export writes the original.
"$TRAWL" export id:att-1@example.org --dir "$FIXTURE_DIR/export" --csv "$FIXTURE_DIR/export.csv" \
	>"$out" 2>&1
exported=$(find "$FIXTURE_DIR/export" -type f)
if [ "$(echo "$exported" | wc -l)" = 1 ] && cmp -s "$exported" "$file" &&
	! grep -q trawl-derived "$FIXTURE_DIR/export.csv"; then
	tap_ok "export writes the original file, and lists no derived one"; else
	tap_not_ok "export writes the original file, and lists no derived one"
	tap_diag "$(cat "$out")" "$(cat "$FIXTURE_DIR/export.csv")"; fi
# 14: the derived file is no version of the message.
"$TRAWL" versions id:att-1@example.org >"$out" 2>&1
if ! grep -q "att-1" "$out"; then tap_ok "versions does not count the derived file"; else
	tap_not_ok "versions does not count the derived file"; sed 's/^/# /' "$out"; fi
# 15: show --attachments reads the attachment of the original.
"$TRAWL" show --attachments --width 100 id:att-1@example.org >"$out" 2>"$err"
if grep -q "contract number 71450" "$out" && [ "$(grep -c "attachment 1:" "$out")" = 2 ] &&
	[ "$(grep -c "attachment 2:" "$out")" = 2 ]; then
	tap_ok "show --attachments reads the original's attachment"; else
	tap_not_ok "show --attachments reads the original's attachment"; sed 's/^/# /' "$out"; fi

# 16-17: the reader's thread view shows the original too.
tmux_start 100 30 "$TRAWL" 71450
tmux_wait_for "1 thread" >/dev/null
tmux_keys Enter
tap_check "the thread view shows the original's body" tmux_wait_for "See the attached papers"
if tmux_screen | grep -q "X-Trawl\|— page 1 —\|Quarterly report"; then
	tap_not_ok "the thread view shows nothing of the derived file"; _tmux_diag_screen; else
	tap_ok "the thread view shows nothing of the derived file"; fi
tmux_keys q q
tmux_stop

# 18-20: a derived file of another extractor is replaced, and its words go.
sed -i -e 's/^X-Trawl-Extractor: .*/X-Trawl-Extractor: trawl-extract 0/' -e '$a obsoletezebra' "$derived"
notmuch reindex id:att-1@example.org
if [ "$(notmuch count obsoletezebra)" = 1 ]; then tap_ok "(setup) the old file's word is indexed"; else
	tap_not_ok "(setup) the old file's word is indexed"; fi
"$TRAWL" extract >"$out" 2>"$err"
if grep -q "^1 extracted, 0 up to date" "$out" && grep -q "^X-Trawl-Extractor: trawl-extract 1" "$derived" &&
	[ "$(find "$FIXTURE_DIR/mail/.trawl-derived" -type f | wc -l)" = 1 ] &&
	[ "$(notmuch count --output=files id:att-1@example.org)" = 2 ]; then
	tap_ok "a derived file of another extractor is written again, in place"; else
	tap_not_ok "a derived file of another extractor is written again, in place"
	tap_diag "$(cat "$out" "$err")"; fi
if [ "$(notmuch count obsoletezebra)" = 0 ] && [ "$(notmuch count 71450)" = 1 ] &&
	[ "$(notmuch count '*')" = "$count_before" ] &&
	[ "$(sha256sum "$file" | cut -d' ' -f1)" = "$sum_before" ]; then
	tap_ok "the old file's words are gone, the new ones found, the mail unchanged"; else
	tap_not_ok "the old file's words are gone, the new ones found, the mail unchanged"; fi

# 21: mail imported from a source folder named .trawl-derived is mail: the
# importer gives it another name, or the reader would never show it.
mkdir -p "$FIXTURE_DIR/leak/.trawl-derived/cur"
printf 'From: a@example.org\nSubject: hidden\nMessage-ID: <hid@example.org>\nDate: Mon, 03 Apr 2017 09:15:00 +0200\n\nthe secret\n' \
	>"$FIXTURE_DIR/leak/.trawl-derived/cur/1:2,"
"$TRAWL" import --into "$FIXTURE_DIR/case" "$FIXTURE_DIR/leak/.trawl-derived" >"$out" 2>&1
"$TRAWL" show --cache "$FIXTURE_DIR/case" id:hid@example.org >"$out" 2>"$err"
if grep -q "the secret" "$out"; then tap_ok "a source named .trawl-derived is imported as mail"; else
	tap_not_ok "a source named .trawl-derived is imported as mail"; tap_diag "$(cat "$out" "$err")"; fi
check_sanitizer_logs
