#!/bin/sh
# End-to-end test of `trawl show --attachments` (issue 15): a message with
# a PDF, a DOCX, a PDF holding escape sequences and a bidi override, and a
# PNG declared as a PDF.  The text of each document follows the message
# under a line naming it; the hostile one comes neutralised; the PNG is
# one line that says what the bytes are; the message file is unchanged.
# In the reader, A reads an attachment's text the same way, in a page that
# q closes.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 12
fixture_init
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$FIXTURE_DIR/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$FIXTURE_DIR/asan"
export LC_ALL=C.UTF-8

docs=$top_srcdir/tests/corpus/extract
src=$FIXTURE_DIR/src
mkdir -p "$src/cur" "$src/new" "$src/tmp"
python3 - "$docs" "$src/cur/att-1:2," <<'PY'
import sys
from email.message import EmailMessage
docs, out = sys.argv[1], sys.argv[2]
m = EmailMessage()
m["From"] = "Clerk <clerk@example.org>"
m["To"] = "board@example.org"
m["Subject"] = "papers"
m["Date"] = "Mon, 03 Apr 2017 09:15:00 +0200"
m["Message-ID"] = "<att-1@example.org>"
m.set_content("See the attached papers.\n")
for name, main, sub in (("report.pdf", "application", "pdf"),
                        ("letter.docx", "application",
                         "vnd.openxmlformats-officedocument.wordprocessingml.document"),
                        ("hostile.pdf", "application", "pdf")):
    with open(f"{docs}/{name}", "rb") as f:
        m.add_attachment(f.read(), maintype=main, subtype=sub, filename=name)
with open(f"{docs}/pixel.png", "rb") as f:
    m.add_attachment(f.read(), maintype="application", subtype="pdf", filename="scan.pdf")
with open(out, "wb") as f:
    f.write(bytes(m))
PY
fixture_db "$src"
file=$FIXTURE_DIR/mail/cur/att-1:2,
sum_before=$(sha256sum "$file" | cut -d' ' -f1)

"$TRAWL" show --attachments --width 100 id:att-1@example.org >"$FIXTURE_DIR/out" 2>"$FIXTURE_DIR/err"
st=$?
out=$FIXTURE_DIR/out
if [ $st = 0 ]; then tap_ok "show --attachments succeeds"; else
	tap_not_ok "show --attachments succeeds"; tap_diag "status $st" "$(cat "$FIXTURE_DIR/err")"; fi
# has TEXT: the output holds TEXT (a fixed string).
has() { grep -qF -- "$1" "$out"; }
if has "— attachment 1: report.pdf (application/pdf" && has "contract number 71450" &&
	has "— page 2 —"; then tap_ok "the PDF's text follows its line, page by page"; else
	tap_not_ok "the PDF's text follows its line, page by page"; sed 's/^/# /' "$out" | head -40; fi
if has "— attachment 2: letter.docx" && has "the invoice INV-2291"; then
	tap_ok "the DOCX's text follows"; else tap_not_ok "the DOCX's text follows"; fi
if has "— attachment 4: scan.pdf" && grep -A2 -F -- "— attachment 4: scan.pdf" "$out" | grep -q "image/png"; then
	tap_ok "a PNG declared as a PDF is said to be a PNG"; else
	tap_not_ok "a PNG declared as a PDF is said to be a PNG"; fi
if LC_ALL=C grep -q "$(printf '\033')" "$out"; then tap_not_ok "no escape character in the output"; else
	tap_ok "no escape character in the output"; fi
if grep -q "$(printf '\342\200\256')" "$out"; then tap_not_ok "no bidi override in the output"; else
	tap_ok "no bidi override in the output"; fi
if [ "$(sha256sum "$file" | cut -d' ' -f1)" = "$sum_before" ]; then tap_ok "the message file is unchanged"; else
	tap_not_ok "the message file is unchanged"; fi

# --- In the reader: A, the attachment's number, its text; q closes it.
tmux_start 100 30 "$TRAWL" id:att-1@example.org
tmux_wait_for "1 thread  1 message" >/dev/null
tmux_keys Enter
tmux_wait_for "See the attached papers" >/dev/null
tmux_keys A
tap_check "A asks which attachment" tmux_wait_for "read attachment (1-4):"
tmux_keys 1 Enter
tap_check "its text shows inside trawl, page by page" tmux_wait_for "contract number 71450"
tmux_keys q
tap_check "q closes it: the message is back" tmux_wait_for "See the attached papers"
tmux_keys A 3 Enter
tmux_wait_for "hostile.pdf" >/dev/null
tap_check "the hostile PDF's escapes show as placeholders" tmux_wait_for "before ^[[31mred"
tmux_keys q q q
tmux_wait_exit >/dev/null
tmux_stop
check_sanitizer_logs
