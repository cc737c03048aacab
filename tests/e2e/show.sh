#!/bin/sh
# End-to-end test of `trawl show`: --raw writes a message file byte for
# byte into a file or a pipe, and neutralised but never wrapped on a
# terminal; --headers puts a blank line between the headers and the body.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 7
fixture_init
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$FIXTURE_DIR/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$FIXTURE_DIR/asan"

# A message with a header longer than any terminal, CRLF line ends, an
# escape sequence, a bare CR and bytes that are not UTF-8; and its reply.
src=$FIXTURE_DIR/src
mkdir -p "$src/cur" "$src/new" "$src/tmp"
refs=""
i=0
while [ $i -lt 12 ]; do refs="$refs <ref-$i-0123456789@example.org>"; i=$((i + 1)); done
printf 'From: Raw Sender <raw@example.org>\r\nTo: r@example.org\r\nSubject: raw test\r\nDate: Mon, 03 Apr 2017 09:15:00 +0200\r\nMessage-ID: <raw-1@example.org>\r\nReferences:%s\r\n\r\nline with \033[31mred\033[0m and \r a bare CR\r\nlatin1: \351t\351\r\n' \
	"$refs" >"$src/cur/raw-1:2,"
printf 'From: Other <other@example.org>\nSubject: Re: raw test\nDate: Mon, 03 Apr 2017 10:15:00 +0200\nMessage-ID: <raw-2@example.org>\nIn-Reply-To: <raw-1@example.org>\n\nreply body\n' \
	>"$src/cur/raw-2:2,"
fixture_db "$src"
file1=$FIXTURE_DIR/mail/cur/raw-1:2,
file2=$FIXTURE_DIR/mail/cur/raw-2:2,

# ok_if DESC CMD...: a test point from a command's status.
ok_if() {
	_d=$1
	shift
	if "$@"; then tap_ok "$_d"; else tap_not_ok "$_d"; fi
}

"$TRAWL" show --raw id:raw-1@example.org >"$FIXTURE_DIR/raw.out" 2>"$FIXTURE_DIR/raw.err"
ok_if "show --raw into a file writes the message file byte for byte" cmp "$file1" "$FIXTURE_DIR/raw.out"
[ -s "$FIXTURE_DIR/raw.err" ] && sed 's/^/# stderr: /' "$FIXTURE_DIR/raw.err"

"$TRAWL" show --raw thread:"$(notmuch search --output=threads id:raw-1@example.org | sed 's/^thread://')" |
	cat >"$FIXTURE_DIR/raw2.out"
{ cat "$file1"; printf '\f\n'; cat "$file2"; } >"$FIXTURE_DIR/raw2.want"
ok_if "show --raw of two messages into a pipe: both files, a form feed line between" \
	cmp "$FIXTURE_DIR/raw2.want" "$FIXTURE_DIR/raw2.out"

# On a terminal (script(1) gives it one and keeps what it wrote).
script -qec "'$TRAWL' show --raw id:raw-1@example.org" "$FIXTURE_DIR/tty.out" </dev/null >/dev/null 2>&1
tr -d '\r' <"$FIXTURE_DIR/tty.out" >"$FIXTURE_DIR/tty.txt"
if LC_ALL=C grep -q "$(printf '\033')" "$FIXTURE_DIR/tty.txt"; then
	tap_not_ok "show --raw on a terminal sends no escape sequence"
	sed 's/^/# /' "$FIXTURE_DIR/tty.txt"
else
	tap_ok "show --raw on a terminal sends no escape sequence"
fi
ok_if "show --raw on a terminal keeps a long header on one line" \
	grep -qF "References:$refs" "$FIXTURE_DIR/tty.txt"
ok_if "show --raw on a terminal shows the escape and the bare CR as placeholders" \
	grep -qF 'line with ^[[31mred^[[0m and ^M a bare CR' "$FIXTURE_DIR/tty.txt"

"$TRAWL" show --headers id:raw-2@example.org >"$FIXTURE_DIR/headers.out"
if awk '/^In-Reply-To:/ { getline; blank = ($0 == ""); getline; body = ($0 == "reply body") }
	END { exit !(blank && body) }' "$FIXTURE_DIR/headers.out"; then
	tap_ok "show --headers: a blank line between the headers and the body"
else
	tap_not_ok "show --headers: a blank line between the headers and the body"
	sed 's/^/# /' "$FIXTURE_DIR/headers.out"
fi
check_sanitizer_logs
exit 0
