#!/bin/sh
# End-to-end: the thread view as a reply tree (issue 16).  A generated
# thread with branches and a 40-deep chain: connectors drawn, the deep
# replies drawn shorter with their depth said, nothing dropped; P, ] and
# [ move in the tree; collapsing hides a body; / finds text (n, N, wraps;
# Escape ends the find, then closes the thread); the query's terms are
# highlighted when the thread opens.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 14
fixture_init
src=$FIXTURE_DIR/src
mkdir -p "$src/cur" "$src/new" "$src/tmp"
# root <- a1 <- a2 (a1 has two replies a2, b2); root <- c1; c1 <- chain of 40.
python3 - "$src/cur" <<'PY'
import sys
out = sys.argv[1]
def msg(name, parent, day, body, frm="Alice <alice@example.org>"):
    refs = "" if parent is None else "In-Reply-To: <%s@tree>\nReferences: <%s@tree>\n" % (parent, parent)
    with open("%s/%s:2," % (out, name), "w") as f:
        f.write("From: %s\nTo: list@example.org\nSubject: tree test\n"
                "Date: Mon, %d Jun 2020 10:%02d:00 +0000\nMessage-ID: <%s@tree>\n%s\n%s\n"
                % (frm, 1 + day // 60, day % 60, name, refs, body))
msg("root", None, 0, "root body line")
msg("a1", "root", 1, "first reply, about the budget", "Bob <bob@example.org>")
msg("a2", "a1", 2, "reply to the first reply", "Carol <carol@example.org>")
msg("b2", "a1", 3, "second reply to the first reply, the needle is here", "Dave <dave@example.org>")
msg("c1", "root", 4, "second reply to root", "Eve <eve@example.org>")
prev = "c1"
for i in range(40):
    name = "d%02d" % i
    msg(name, prev, 5 + i, "deep reply %d%s" % (i, ", another needle" if i == 39 else ""))
    prev = name
PY
fixture_db "$src"
screen_e() { _tmux capture-pane -e -p -t "$E2E_PANE"; }

tmux_start 100 40 "$TRAWL" 'subject:tree'
tmux_wait_for "tree test" >/dev/null
tmux_keys Enter
tmux_wait_for "root body line" >/dev/null
tmux_keys O
tap_check "collapsed, replies are drawn as a tree" tmux_wait_for "├─▸ Carol"
tap_check "the last reply to a message ends its branch" tmux_wait_for "└─▸ Dave"
tap_check "a line goes on past a branch that has later siblings" tmux_wait_for "│ └─▸ Dave"
n=$(tmux_screen | grep -c "▸")
tmux_keys G
tap_check "a 41-deep reply is drawn shorter and says its depth" tmux_wait_for "⋯41 "
n=$((n + $(tmux_screen | grep -c "▸")))
# 38 rows at the top, 38 at the end: 45 messages, each seen at least once.
if [ "$n" -ge 45 ]; then tap_ok "no reply is dropped"; else
	tap_not_ok "no reply is dropped"; tap_diag "summary rows seen: $n"; fi
tmux_keys g
# On Dave (the 4th message): Enter expands him, P goes to his parent Bob.
tmux_keys J J J Enter
tap_check "Enter expands the message under the cursor" tmux_wait_for "the needle is here"
tmux_keys Enter
tap_check "collapsing hides its body again" tmux_wait_gone "the needle is here"
tmux_keys P Enter
tap_check "P goes to the parent message" tmux_wait_for "first reply, about the budget"
tmux_keys Enter ] Enter
tap_check "] goes to the next reply to the same message" tmux_wait_for "second reply to root"
# Find: from the top, 'needle' is in Dave's and d39's bodies (expand all first).
tmux_keys g O
tmux_wait_for "root body line" >/dev/null
tmux_keys / n e e d l e Enter
tap_check "/ finds the text and says how to go on" tmux_wait_for "find 'needle': n next"
if screen_e | grep -q "needle"; then
	if screen_e | grep "needle" | grep -q "$(printf '\033')\[[0-9;]*\(43\|7\)[;m]"; then
		tap_ok "the match is highlighted"
	else
		tap_not_ok "the match is highlighted"
		screen_e | grep "needle" | cat -v | sed 's/^/# /'
	fi
else
	tap_not_ok "the match is highlighted"
fi
tmux_keys n
tap_check "n goes to the next match" tmux_wait_for "another needle"
tmux_keys Escape
tap_check "Escape ends the find, the thread stays open" tmux_wait_for "find ended"
tmux_keys Escape
tap_check "the next Escape closes the thread" tmux_wait_for "1 thread"
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop
