#!/bin/sh
# End-to-end attachments: saving asks for a directory and writes the safe
# base name there (a path-traversal name stays inside), never overwriting;
# opening runs run-mailcap/xdg-open only after a question that names the
# program and the attachment is answered y, with a private copy's path as
# its argument; the private copy is gone when trawl ends, by q or SIGTERM;
# an opener that fails has its exit status and error shown in trawl.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 12
fixture_init
fixture_db
cp "$top_srcdir/tests/corpus/attach/attach-1.eml" "$FIXTURE_DIR/mail/cur/"
notmuch new --quiet
# Stand-ins for the openers, first on PATH: they record their arguments.
mkdir -p "$FIXTURE_DIR/bin"
for opener in run-mailcap xdg-open; do
	printf '#!/bin/sh\nprintf "%%s\\n" "$@" > "%s/opened"\ncp "$1" "%s/opened-copy"\n' \
		"$FIXTURE_DIR" "$FIXTURE_DIR" > "$FIXTURE_DIR/bin/$opener"
	chmod +x "$FIXTURE_DIR/bin/$opener"
done
PATH="$FIXTURE_DIR/bin:$PATH"
export PATH

tmux_start 100 30 "$TRAWL" id:attach-1@example.org
tmux_wait_for "Figures attached" >/dev/null
tmux_keys Enter
tap_check "attachments are listed in the message" tmux_wait_for "[attachment 2: ../../etc/passwd"
tmux_keys s
tmux_wait_for "save attachment (1-2):" >/dev/null
tmux_keys 2 Enter
tap_check "saving asks for a directory" tmux_wait_for "save attachment 2 to directory: $HOME/Downloads/trawl"
tmux_keys Enter
tmux_wait_for "saved " >/dev/null
if [ "$(cat "$HOME/Downloads/trawl/passwd" 2>/dev/null)" = "root:x:0:0:not really" ] && [ ! -e "$HOME/etc" ]; then
	tap_ok "the traversal name is saved as its base name inside the directory"
else
	tap_not_ok "the traversal name is saved as its base name inside the directory"
	find "$HOME" -type f | sed 's/^/# /'
fi
tmux_keys s 2 Enter Enter
tmux_wait_for "passwd (1)" >/dev/null
if [ -f "$HOME/Downloads/trawl/passwd (1)" ] && [ "$(cat "$HOME/Downloads/trawl/passwd")" = "root:x:0:0:not really" ]; then
	tap_ok "an existing file is never overwritten"
else
	tap_not_ok "an existing file is never overwritten"
	ls -la "$HOME/Downloads/trawl" | sed 's/^/# /'
fi
[ -e "$FIXTURE_DIR/opened" ] && tap_not_ok "nothing is opened before the open key" || tap_ok "nothing is opened before the open key"
tmux_keys a 2 Enter
tap_check "open asks first, naming the program and the attachment" \
	tmux_wait_for "open attachment 2 '../../etc/passwd' (application/octet-stream, 22 bytes) with run-mailc"
tmux_keys n
tmux_wait_for "not opened" >/dev/null
[ -e "$FIXTURE_DIR/opened" ] && tap_not_ok "n opens nothing" || tap_ok "n opens nothing"
tmux_keys a 1 Enter
tmux_wait_for "with run-mailcap? y/n" >/dev/null
tmux_keys y
i=0
while [ ! -e "$FIXTURE_DIR/opened-copy" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
if [ "$(cat "$FIXTURE_DIR/opened-copy" 2>/dev/null)" = "quarterly report body" ] &&
	grep -q "/trawl-open\.[^/]*/report.txt$" "$FIXTURE_DIR/opened"; then
	tap_ok "open runs the opener with a private copy's path"
else
	tap_not_ok "open runs the opener with a private copy's path"
	sed 's/^/# /' "$FIXTURE_DIR/opened" 2>/dev/null
fi
copy=$(cat "$FIXTURE_DIR/opened" 2>/dev/null)
tmux_keys q q
tmux_wait_exit >/dev/null
if [ -n "$copy" ] && [ ! -e "$copy" ] && [ ! -e "$(dirname "$copy")" ]; then
	tap_ok "the private copy is removed when trawl quits"
else
	tap_not_ok "the private copy is removed when trawl quits"
	tap_diag "copy: $copy"
fi
# Killed by SIGTERM (a closed terminal, a logout) it cleans up too.
rm -f "$FIXTURE_DIR/opened" "$FIXTURE_DIR/opened-copy"
tmux_stop
tmux_start 100 30 "$TRAWL" id:attach-1@example.org
tmux_wait_for "Figures attached" >/dev/null
tmux_keys Enter
tmux_wait_for "[attachment 1" >/dev/null
tmux_keys a 1 Enter
tmux_wait_for "with run-mailcap? y/n" >/dev/null
tmux_keys y
i=0
while [ ! -e "$FIXTURE_DIR/opened-copy" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
copy=$(cat "$FIXTURE_DIR/opened" 2>/dev/null)
pkill -TERM -f "^$TRAWL id:attach-1" 2>/dev/null || pkill -TERM -x trawl
tmux_wait_exit >/dev/null
if [ -n "$copy" ] && [ ! -e "$(dirname "$copy")" ]; then
	tap_ok "the private copy is removed on SIGTERM"
else
	tap_not_ok "the private copy is removed on SIGTERM"
	tap_diag "copy: $copy"
fi
tmux_stop

# An opener that fails: what it said on stderr shows on the status line.
printf '#!/bin/sh\necho "run-mailcap: no viewer for text/plain" >&2\necho second line >&2\nexit 3\n' \
	> "$FIXTURE_DIR/bin/run-mailcap"
tmux_start 100 30 "$TRAWL" id:attach-1@example.org
tmux_wait_for "Figures attached" >/dev/null
tmux_keys Enter
tmux_wait_for "[attachment 1" >/dev/null
tmux_keys a 1 Enter
tmux_wait_for "with run-mailcap? y/n" >/dev/null
tmux_keys y
tap_check "a failing opener's exit status and error show in trawl" \
	tmux_wait_for "run-mailcap: exit status 3: run-mailcap: no viewer for text/plain"
tmux_keys q q
tmux_wait_exit >/dev/null
tmux_stop
check_sanitizer_logs
exit 0
