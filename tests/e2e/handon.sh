#!/bin/sh
# End-to-end: handing a message on (issue 16 item 6).  | pipes the raw
# file to a command line the user types (wc -c equals the file's size);
# :pipe-rendered pipes the text as shown, neutralised; p shows it in
# $PAGER, e opens a read-only private copy in $EDITOR (removed after); y
# shows the Message-ID, and copies it with OSC 52 only when the config
# says so.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 12
fixture_init
fixture_db
W=$FIXTURE_DIR
file=$(notmuch search --output=files 'id:hostile-1@example.net')
size=$(wc -c < "$file")
# An editor that says what it was given: the path, its mode, its bytes.
cat > "$W/editor" <<'SH'
#!/bin/sh
{ echo "$1"; stat -c %a "$1"; sha256sum < "$1"; } > "$EDITOR_OUT"
SH
chmod +x "$W/editor"

tmux_start 100 30 env PAGER="tee $W/pager.out" EDITOR="$W/editor" EDITOR_OUT="$W/editor.out" \
	"$TRAWL" 'id:hostile-1@example.net'
_tmux pipe-pane -o -t "$E2E_PANE" "cat >> $W/bytes.out"
tmux_wait_for "Invoice" >/dev/null
tmux_keys Enter
tmux_wait_for "Body with escape" >/dev/null
tmux_keys "|"
tap_check "| asks for a command line" tmux_wait_for "pipe the raw message to:"
tmux_keys "wc -c > $W/wc.out" Enter
tap_check "the command's output stays until a key" tmux_wait_for "press any key to return"
tmux_keys Space
tap_check "back in trawl, the status line says it is done" tmux_wait_for "| wc -c > $W/wc.out: done"
if [ "$(tr -d ' ' < "$W/wc.out" 2>/dev/null)" = "$size" ]; then
	tap_ok "the raw file went to the command ($size bytes)"
else
	tap_not_ok "the raw file went to the command"; tap_diag "wc: $(cat "$W/wc.out" 2>&1), size $size"
fi
tmux_keys : "pipe-rendered cat > $W/shown.out" Enter
tmux_wait_for "press any key" >/dev/null
tmux_keys Space
tmux_wait_for "shown.out: done" >/dev/null
if grep -q "Body with escape" "$W/shown.out" && ! grep -q "$(printf '\033')" "$W/shown.out"; then
	tap_ok ":pipe-rendered gives the text as shown, neutralised"
else
	tap_not_ok ":pipe-rendered gives the text as shown, neutralised"; cat -v "$W/shown.out" | sed 's/^/# /'
fi
tmux_keys p
tmux_wait_for "pager: done" >/dev/null
if grep -q "^Subject: " "$W/pager.out" && ! grep -q "$(printf '\033')" "$W/pager.out"; then
	tap_ok "p shows the message as shown in \$PAGER"
else
	tap_not_ok "p shows the message as shown in \$PAGER"
fi
tmux_keys e
tap_check "e runs \$EDITOR on a copy" tmux_wait_for "editor (read-only copy): done"
copy=$(sed -n 1p "$W/editor.out")
if [ "$copy" != "$file" ] && [ "$(sed -n 2p "$W/editor.out")" = 400 ] &&
	[ "$(sed -n 3p "$W/editor.out")" = "$(sha256sum < "$file")" ]; then
	tap_ok "the editor gets a read-only private copy, not the evidence"
else
	tap_not_ok "the editor gets a read-only private copy"; sed 's/^/# /' "$W/editor.out"
fi
if [ -n "$copy" ] && [ ! -e "$copy" ] && [ ! -e "$(dirname "$copy")" ]; then
	tap_ok "the copy is removed when the editor ends"
else
	tap_not_ok "the copy is removed when the editor ends"
fi
tmux_keys y
tap_check "y shows the Message-ID" tmux_wait_for "Message-ID hostile-1@example.net"
if grep -q "$(printf '\033')]52;" "$W/bytes.out"; then
	tap_not_ok "without clipboard_osc52 nothing goes to the clipboard"
else
	tap_ok "without clipboard_osc52 nothing goes to the clipboard"
fi
tmux_keys : "set clipboard_osc52 on" Enter y
tmux_wait_for "copied to the terminal's clipboard" >/dev/null
b64=$(printf 'hostile-1@example.net' | base64)
if grep -q "$(printf '\033')]52;c;$b64" "$W/bytes.out"; then
	tap_ok "with clipboard_osc52 on, y copies it with OSC 52"
else
	tap_not_ok "with clipboard_osc52 on, y copies it with OSC 52"
fi
tmux_keys q q
tmux_wait_exit >/dev/null
tmux_stop
