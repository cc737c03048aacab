#!/bin/sh
# End-to-end: a long message does not block the keyboard (issue 22).  A
# 20 MB message renders in a child process and lays out in slices: the
# status line says so while it works, the raw view (V) reaches the file's
# last line, leaving the thread stops the work, and a renderer that dies
# (as on a parser crash) is one line in the message, not a dead UI.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 9
fixture_init
src=$FIXTURE_DIR/src
mkdir -p "$src/cur" "$src/new" "$src/tmp"
python3 - "$src/cur/big:2," <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("From: Long <long@example.org>\nTo: x@example.org\n"
            "Subject: a long message\nDate: Mon, 1 Jun 2020 10:00:00 +0000\n"
            "Message-ID: <long@example.org>\nContent-Type: text/plain; charset=utf-8\n\n")
    line = "réunion du comité de campagne, budget et contrat numéro %d\n"
    for i in range(330000):
        f.write(line % i)
    f.write("END-OF-THE-LONG-MESSAGE\n")
PY
fixture_db "$src"

tmux_start 100 30 "$TRAWL" 'id:long@example.org'
tap_check "the long message is listed" tmux_wait_for "a long message"
tmux_keys Enter
tap_check "its first lines are shown" tmux_wait_for "numéro 0" 30
tmux_keys V
tap_check "the status line says the raw view is being laid out" tmux_wait_for "laying out:" 30
tmux_keys q
tap_check "q leaves the thread while it is laid out" tmux_wait_for "1 thread"
tap_check "leaving stops the work" tmux_wait_gone "laying out:" 10
tmux_keys Enter V
tmux_wait_for "laying out:" 30 >/dev/null
reach_end() {
	tmux_wait_gone "laying out:" 120 && tmux_keys G && tmux_wait_for END-OF-THE-LONG-MESSAGE 30
}
tap_check "when laid out, G reaches the file's last line" reach_end
tmux_keys q q
tap_check "trawl quits" tmux_wait_exit
tmux_stop

# A renderer that dies: the message says so, the UI goes on.
tmux_start 100 30 env TRAWL_TEST_RENDER_KILL=1 "$TRAWL" 'id:long@example.org'
tmux_wait_for "a long message" >/dev/null
tmux_keys Enter
tap_check "a renderer killed is one line in the message" \
	tmux_wait_for "the renderer killed by" 30
check_sanitizer_logs
tmux_stop
