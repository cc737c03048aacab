#!/bin/sh
# End-to-end attachments: saving asks for a directory and writes the safe
# base name there (a path-traversal name stays inside), never overwriting;
# opening runs run-mailcap/xdg-open only on the key, with a private copy's
# path as its argument.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 7
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
tmux_keys a 1 Enter
i=0
while [ ! -e "$FIXTURE_DIR/opened-copy" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
if [ "$(cat "$FIXTURE_DIR/opened-copy" 2>/dev/null)" = "quarterly report body" ] &&
	grep -q "/trawl-open\.[^/]*/report.txt$" "$FIXTURE_DIR/opened"; then
	tap_ok "open runs the opener with a private copy's path"
else
	tap_not_ok "open runs the opener with a private copy's path"
	sed 's/^/# /' "$FIXTURE_DIR/opened" 2>/dev/null
fi
tmux_keys q q
tmux_wait_exit >/dev/null
tmux_stop
check_sanitizer_logs
exit 0
