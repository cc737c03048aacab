# TAP and tmux helpers for end-to-end tests of the real trawl binary.
# POSIX sh (dash); source it after tests/fixture.sh:
#
#	. "$top_srcdir/tests/fixture.sh"
#	. "$top_srcdir/tests/e2e/lib.sh"
#	tap_plan 3
#	fixture_init; fixture_db
#	tmux_start 100 30 "$TRAWL"
#	tap_check "thread list shown" tmux_wait_for "Quarterly budget review"
#	...
#
# The program runs in a private tmux server (socket in $FIXTURE_DIR, no
# config file, fixed size, TERM fixed, no status line).  Screens are polled,
# never slept on.  Sanitizer reports go to $FIXTURE_DIR/asan.<pid>, since a
# report printed inside a pane is unreadable.

unset TMUX TMUX_PANE
TAP_N=0

# Seconds tmux_wait_* wait by default: $E2E_TIMEOUT if set, else 30 when
# $TRAWL is built with AddressSanitizer, else 10.
if [ -n "${E2E_TIMEOUT:-}" ]; then
	:
elif [ -f "${TRAWL:-}" ] && grep -q __asan_init "$TRAWL" 2>/dev/null; then
	E2E_TIMEOUT=30
else
	E2E_TIMEOUT=10
fi

# ------------------------------------------------------------------- TAP

# tap_plan N: print the TAP plan "1..N" (once per test script).
tap_plan() {
	echo "1..$1"
}

# tap_diag TEXT...: print each line of TEXT as a TAP diagnostic "# ...".
tap_diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# tap_ok DESC: report the next test point as passed.  If $TAP_TODO is set,
# the point is marked "# TODO $TAP_TODO" (so a pass becomes an XPASS).
tap_ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*${TAP_TODO:+ # TODO $TAP_TODO}"
}

# tap_not_ok DESC: report the next test point as failed (an expected
# failure if $TAP_TODO is set).
tap_not_ok() {
	TAP_N=$((TAP_N + 1))
	echo "not ok $TAP_N - $*${TAP_TODO:+ # TODO $TAP_TODO}"
}

# tap_skip REASON: report the next test point as skipped.
tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N # SKIP $*"
}

# tap_check DESC CMD...: run CMD; the test point passes if it exits 0.
# Whatever CMD prints goes to stdout, so it should print only "# ..." lines
# (the tmux_* helpers do).  Returns CMD's exit status.
tap_check() {
	_desc=$1
	shift
	if "$@"; then
		tap_ok "$_desc"
		return 0
	else
		_rc=$?
		tap_not_ok "$_desc"
		tap_diag "exit status $_rc: $*"
		return "$_rc"
	fi
}

# ------------------------------------------------------------------- tmux

# _tmux ARGS...: tmux on the private server.
# fd 7 is where tests keep the writer of the lock holder's FIFO
# (tests/unit/hold-lock holds the lock until its stdin ends): a tmux server
# that inherited it would keep the lock held after the test closes it, to
# the holder's timeout.  No tmux process gets it.
_tmux() {
	tmux -S "$FIXTURE_DIR/tmux.sock" "$@" 7>&-
}

# tmux_start WIDTH HEIGHT CMD...: start CMD in a fresh private tmux server,
# in a WIDTH x HEIGHT pane with TERM=screen-256color.  If $E2E_PIPE is set,
# every byte CMD writes to the terminal is appended to that file (tmux
# pipe-pane; tmux_pipe_close ends it).  The environment is
# passed explicitly (the tmux server's own is not the test's): PATH, HOME,
# NOTMUCH_CONFIG, XDG_*, LANG=LC_ALL=C.UTF-8, TMPDIR, and ASAN_OPTIONS /
# UBSAN_OPTIONS (the caller's, plus log_path=$FIXTURE_DIR/asan).  The pane
# stays after CMD exits (remain-on-exit) so that the exit status can be read
# with tmux_wait_exit.  Call after fixture_init; the tmux server is killed
# on exit.
tmux_start() {
	: "${FIXTURE_DIR:?tmux_start needs fixture_init first}"
	trap 'tmux_stop; fixture_cleanup' EXIT
	trap 'exit 130' INT HUP TERM
	E2E_PANE=e2e
	_tmux_spawn new-session "$@"
}

# tmux_start_other NAME WIDTH HEIGHT CMD...: start CMD as tmux_start does,
# in a second session NAME of the same server (a second terminal: two
# trawl sessions side by side), and make it the one the other tmux_*
# functions act on; tmux_use switches between them.  Its exit status goes
# to $FIXTURE_DIR/exit-status.NAME.
tmux_start_other() {
	E2E_PANE=$1
	shift
	_tmux_spawn new-session "$@"
}

# tmux_use NAME: act on session NAME from now on (e2e is tmux_start's).
tmux_use() {
	E2E_PANE=$1
}

_tmux_status_file() {
	if [ "${E2E_PANE:-e2e}" = e2e ]; then
		echo "$FIXTURE_DIR/exit-status"
	else
		echo "$FIXTURE_DIR/exit-status.$E2E_PANE"
	fi
}

_tmux_spawn() {
	shift
	_w=$1 _h=$2
	shift 2
	_status=$(_tmux_status_file)
	rm -f "$_status"
	# Start a placeholder first and set the options, then respawn the pane
	# with the real command: a program that exits at once must not take
	# the session (and its exit status) with it before remain-on-exit.
	_tmux -f /dev/null new-session -d -s "$E2E_PANE" -x "$_w" -y "$_h" 'cat' \; \
		set-option -g status off \; \
		set-option -g remain-on-exit on \; \
		resize-window -t "$E2E_PANE" -x "$_w" -y "$_h" || return 1
	# Every byte the program writes, from its first, if $E2E_PIPE names a file.
	if [ -n "${E2E_PIPE:-}" ]; then
		rm -f "$E2E_PIPE" "$E2E_PIPE.done"
		_tmux pipe-pane -o -t "$E2E_PANE" "cat >>'$E2E_PIPE'; : >'$E2E_PIPE.done'" || return 1
	fi
	# tmux 3.3 sometimes loses #{pane_dead_status} of a process that exits
	# fast, so a wrapper shell also writes the exit status to a file.
	# shellcheck disable=SC2016
	_tmux respawn-pane -k -t "$E2E_PANE" -- env -i \
		PATH="$PATH" TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 \
		HOME="$HOME" NOTMUCH_CONFIG="${NOTMUCH_CONFIG:-}" \
		XDG_CONFIG_HOME="${XDG_CONFIG_HOME:-$HOME/.config}" \
		XDG_CACHE_HOME="${XDG_CACHE_HOME:-$HOME/.cache}" \
		XDG_STATE_HOME="${XDG_STATE_HOME:-$HOME/.local/state}" \
		XDG_DATA_HOME="${XDG_DATA_HOME:-$HOME/.local/share}" \
		TMPDIR="${TMPDIR:-/tmp}" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$FIXTURE_DIR/asan" \
		UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$FIXTURE_DIR/asan" \
		LSAN_OPTIONS="${LSAN_OPTIONS:-}" \
		E2E_STATUS_FILE="$_status" \
		sh -c '"$@"; echo $? >"$E2E_STATUS_FILE.tmp"; mv "$E2E_STATUS_FILE.tmp" "$E2E_STATUS_FILE"' \
		sh "$@"
}

# tmux_pipe_close [TIMEOUT]: stop piping the pane's output to $E2E_PIPE (see
# tmux_start) and wait until all of it is in the file.  tmux cannot close
# the pipe of a pane whose program has exited: such a pane is killed.
tmux_pipe_close() {
	_tmux pipe-pane -t "${E2E_PANE:-e2e}" 2>/dev/null ||
		_tmux kill-pane -t "${E2E_PANE:-e2e}" 2>/dev/null
	_tmux_deadline "${1:-}"
	while [ ! -f "$E2E_PIPE.done" ]; do
		if [ "$(date +%s)" -ge "$_deadline" ]; then
			echo "# timeout waiting for the pane's output in $E2E_PIPE"
			return 1
		fi
		sleep 0.05
	done
}

# tmux_keys KEYS...: send keys to the pane (tmux send-keys syntax: "q",
# "Enter", "C-c", "Down", or text).
tmux_keys() {
	_tmux send-keys -t "${E2E_PANE:-e2e}" "$@"
}

# tmux_screen: print the visible pane text (capture-pane -p).
tmux_screen() {
	_tmux capture-pane -p -t "${E2E_PANE:-e2e}"
}

# _tmux_diag_screen: the screen as TAP diagnostics, framed.
_tmux_diag_screen() {
	echo "# ---- screen ----"
	tmux_screen 2>&1 | awk '{ l[NR] = $0; if ($0 != "") n = NR }
		END { for (i = 1; i <= n; i++) print "# |" l[i] }'
	echo "# ----------------"
}

# _tmux_deadline [TIMEOUT]: set _deadline to now + TIMEOUT s (default
# $E2E_TIMEOUT).
_tmux_deadline() {
	_deadline=$(($(date +%s) + ${1:-$E2E_TIMEOUT}))
}

# _tmux_exited: print the program's exit status if it has exited.
_tmux_exited() {
	_f=$(_tmux_status_file)
	[ -f "$_f" ] && cat "$_f"
}

# _tmux_wait GREP-FLAG PATTERN SHOWN [TIMEOUT]: poll the screen every 50 ms
# until grep GREP-FLAG finds PATTERN on it.  On timeout, or if the program
# exits first, print SHOWN and the screen as TAP diagnostics and return 1.
_tmux_wait() {
	_tmux_deadline "${4:-}"
	while :; do
		_exited=$(_tmux_exited)
		tmux_screen 2>/dev/null | grep -q"$1" -- "$2" && return 0
		[ -n "$_exited" ] && break
		[ "$(date +%s)" -ge "$_deadline" ] && break
		sleep 0.05
	done
	if [ -n "$_exited" ]; then
		echo "# the program exited (status $_exited) without showing: $3"
	else
		echo "# timeout waiting for: $3"
	fi
	_tmux_diag_screen
	return 1
}

# tmux_wait_for TEXT [TIMEOUT]: poll until the screen contains TEXT (a
# fixed string); see _tmux_wait.
tmux_wait_for() {
	_tmux_wait F "$1" "$1" "${2:-}"
}

# tmux_wait_match REGEX [TIMEOUT]: as tmux_wait_for, for an extended
# regular expression matched against each line of the screen.
tmux_wait_match() {
	_tmux_wait E "$1" "/$1/" "${2:-}"
}

# tmux_wait_gone TEXT [TIMEOUT]: poll until the screen no longer contains
# TEXT.  On timeout, or if the program exits first, print the screen as TAP
# diagnostics and return 1.
tmux_wait_gone() {
	_tmux_deadline "${2:-}"
	while :; do
		_exited=$(_tmux_exited)
		tmux_screen 2>/dev/null | grep -qF -- "$1" || return 0
		[ -n "$_exited" ] && break
		[ "$(date +%s)" -ge "$_deadline" ] && break
		sleep 0.05
	done
	if [ -n "$_exited" ]; then
		echo "# the program exited (status $_exited) still showing: $1"
	else
		echo "# timeout waiting for this to go: $1"
	fi
	_tmux_diag_screen
	return 1
}

# tmux_wait_exit [TIMEOUT]: poll until the program has exited; return its
# exit status (128+N if killed by signal N), also left in $TMUX_EXIT_STATUS.
# On timeout print the screen as TAP diagnostics, set TMUX_EXIT_STATUS to
# "timeout" and return 255.
tmux_wait_exit() {
	_tmux_deadline "${1:-}"
	TMUX_EXIT_STATUS=timeout
	while :; do
		_f=$(_tmux_status_file)
		if [ -f "$_f" ]; then
			TMUX_EXIT_STATUS=$(cat "$_f")
			return "$TMUX_EXIT_STATUS"
		fi
		[ "$(date +%s)" -ge "$_deadline" ] && break
		sleep 0.05
	done
	echo "# timeout waiting for the program to exit"
	_tmux_diag_screen
	return 255
}

# tmux_undo OPS: press u until trawl takes the undo (it refuses while the
# change is still being written), that is until it says "undo OPS".
tmux_undo() {
	_n=0
	while [ $_n -lt "$E2E_TIMEOUT" ]; do
		tmux_keys u
		tmux_wait_for "undo $1" 2 >/dev/null && return 0
		_n=$((_n + 1))
	done
	echo "# u was not taken: undo $1"
	_tmux_diag_screen
	return 1
}

# tmux_alive: succeed if the program is still running.
tmux_alive() {
	[ ! -f "$(_tmux_status_file)" ]
}

# tmux_resize WIDTH HEIGHT: resize the pane (the program gets SIGWINCH).
tmux_resize() {
	_tmux resize-window -t "${E2E_PANE:-e2e}" -x "$1" -y "$2"
}

# tmux_title: print the pane title (as set by the program with OSC 0/2).
tmux_title() {
	_tmux display-message -p -t "${E2E_PANE:-e2e}" '#{pane_title}'
}

# tmux_stop: kill the private tmux server (and the program); idempotent.
tmux_stop() {
	[ -S "${FIXTURE_DIR:-/nonexistent}/tmux.sock" ] || return 0
	_tmux kill-server 2>/dev/null
	rm -f "$FIXTURE_DIR/tmux.sock"
	return 0
}

# check_sanitizer_logs: one test point, failed (with the reports printed as
# diagnostics) if any $FIXTURE_DIR/asan.* sanitizer report exists.
check_sanitizer_logs() {
	# Empty files hold no report (see scripts/test-all): not counted.
	_logs=$(find "$FIXTURE_DIR" -maxdepth 1 -name 'asan.*' -type f -size +0 2>/dev/null)
	if [ -z "$_logs" ]; then
		tap_ok "no sanitizer reports"
		return 0
	fi
	tap_not_ok "no sanitizer reports"
	for _f in $_logs; do
		echo "# ---- $_f ----"
		sed 's/^/# /' "$_f"
	done
	return 1
}

# wait_count N QUERY: poll (E2E_TIMEOUT) until `notmuch count QUERY` is N;
# on a timeout say what it is and return 1.  (The database may be gone for
# a while: notmuch's complaints meanwhile are not shown.)
wait_count() {
	_i=0
	while [ "$(notmuch count "$2" 2>/dev/null)" != "$1" ] && [ $_i -lt $((E2E_TIMEOUT * 20)) ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	[ "$(notmuch count "$2" 2>/dev/null)" = "$1" ] ||
		{ echo "# notmuch count $2: $(notmuch count "$2" 2>&1), want $1"; return 1; }
}

# hold_lock [SECONDS]: another writer holds the database's write lock
# (tests/unit/hold-lock, at most SECONDS, default 120) until release_lock.
# It holds it until its stdin, a FIFO whose writer is fd 7, ends: _tmux
# keeps fd 7 from every tmux server, so closing it is the release.
hold_lock() {
	rm -f "$FIXTURE_DIR/hold" "$FIXTURE_DIR/hold.out"
	mkfifo "$FIXTURE_DIR/hold"
	"$top_builddir/tests/unit/hold-lock" "${1:-120}" <"$FIXTURE_DIR/hold" >"$FIXTURE_DIR/hold.out" &
	_holder=$!
	exec 7>"$FIXTURE_DIR/hold"
	_i=0
	while ! grep -q locked "$FIXTURE_DIR/hold.out" 2>/dev/null && [ $_i -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
}

# release_lock: ends hold_lock's holder; returns 1 (and kills it) when it
# did not say "released" within 10 s, that is when something else kept its
# FIFO open and only its timeout would have ended it.
release_lock() {
	exec 7>&-
	_i=0
	while ! grep -qx released "$FIXTURE_DIR/hold.out" 2>/dev/null; do
		if [ $_i -ge 200 ]; then
			echo "# the lock holder did not release the lock: $(cat "$FIXTURE_DIR/hold.out")"
			kill "$_holder" 2>/dev/null
			wait "$_holder"
			return 1
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	wait "$_holder"
}
