#!/bin/sh
# End-to-end: the terminal is resized to 1x1 and back, in the list and in
# a thread, and then through a storm of about 200 resizes a second for 5
# seconds (1x1 among them) while a list of 3,000 generated messages loads:
# trawl lives, and afterwards draws exactly the screen a session that was
# never resized draws.  Needs ../shared (the generator); skipped without.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

shared=${TRAWL_SHARED:-$top_srcdir/../shared}
tap_plan 8
fixture_init
if [ ! -x "$shared/corpus/gen-corpus" ]; then
	for i in 1 2 3 4 5 6 7 8; do tap_skip "no $shared/corpus/gen-corpus"; done
	exit 0
fi
"$shared/corpus/gen-corpus" --count 3000 --seed 1 --out "$FIXTURE_DIR/generated" >/dev/null 2>&1
fixture_db "$FIXTURE_DIR/generated"
total=$(notmuch count '*')

# status_done: the status line (row 29 of 30) once the counts are in.
status_done() {
	_s=$(tmux_screen | sed -n 29p)
	case $_s in *reviewed*…* | *counting* | "") return 1 ;; esac
	echo "$_s"
}
# wait_status TEXT: poll until the status line is TEXT.
wait_status() {
	_deadline=$(($(date +%s) + E2E_TIMEOUT * 3))
	while [ "$(date +%s)" -lt "$_deadline" ]; do
		[ "$(tmux_screen | sed -n 29p)" = "$1" ] && return 0
		sleep 0.05
	done
	echo "# the status line is not: $1"
	_tmux_diag_screen
	return 1
}

# The screen of a session never resized, once loaded.
tmux_start 100 30 "$TRAWL"
tmux_wait_for "messages  reviewed 0/" $((E2E_TIMEOUT * 3)) >/dev/null
i=0
while ! want=$(status_done) && [ $i -lt $((E2E_TIMEOUT * 60)) ]; do
	sleep 0.05
	i=$((i + 1))
done
tmux_screen >"$FIXTURE_DIR/want"
tap_diag "status when loaded: $want ($total messages)"

# --- 1x1 and back, in the list and in a thread.
tmux_resize 1 1
sleep 0.3
tmux_resize 100 30
tap_check "1x1 and back in the list: the same screen" wait_status "$want"
tmux_keys Enter
tmux_wait_for "Subject:" >/dev/null
tmux_screen >"$FIXTURE_DIR/thread"
tmux_resize 1 1
sleep 0.3
tmux_resize 100 30
sleep 0.5
tmux_screen >"$FIXTURE_DIR/thread.after"
if tmux_alive && cmp -s "$FIXTURE_DIR/thread" "$FIXTURE_DIR/thread.after"; then
	tap_ok "1x1 and back in a thread: the same screen"
else
	tap_not_ok "1x1 and back in a thread: the same screen"
	diff "$FIXTURE_DIR/thread" "$FIXTURE_DIR/thread.after" | sed 's/^/# /'
fi
tmux_keys q
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop

# --- The storm, while the list loads (slowed down so that it takes the 5 s).
tmux_start 100 30 env TRAWL_TEST_LOADER_DELAY_US=9000 "$TRAWL"
tmux_wait_for "reviewed" >/dev/null
n=0
end=$(($(date +%s) + 5))
while [ "$(date +%s)" -lt "$end" ]; do
	# Four resizes a call: about 200 a second needs only 50 calls.
	a=$((n % 157 + 1)) b=$((n % 53 + 1)) c=$(((n * 7) % 211 + 1)) d=$(((n * 3) % 61 + 1))
	_tmux resize-window -t e2e -x "$a" -y "$b" \; resize-window -t e2e -x 1 -y 1 \; \
		resize-window -t e2e -x "$c" -y "$d" \; resize-window -t e2e -x "$b" -y "$a" 2>/dev/null
	n=$((n + 4))
done
tap_diag "$n resizes in 5 s"
loading=no
tmux_screen | grep -q "counting\|…/…" && loading=yes
tap_check "trawl lives through the storm" tmux_alive
tmux_resize 100 30
tap_check "afterwards: the status line a session never resized shows" wait_status "$want"
tmux_screen >"$FIXTURE_DIR/got"
if cmp -s "$FIXTURE_DIR/want" "$FIXTURE_DIR/got"; then
	tap_ok "afterwards: the whole screen is the same"
else
	tap_not_ok "afterwards: the whole screen is the same"
	diff "$FIXTURE_DIR/want" "$FIXTURE_DIR/got" | sed 's/^/# /'
fi
tap_diag "still loading when the storm ended: $loading"
tmux_keys G
tap_check "keys still work (G goes to the end)" tmux_wait_for "reviewed 0/"
tmux_keys q
tmux_wait_exit >/dev/null
tap_check "q quits, exit status 0" test "$TMUX_EXIT_STATUS" = 0
tmux_stop
check_sanitizer_logs
exit 0
