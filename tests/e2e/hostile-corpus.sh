#!/bin/sh
# End-to-end: trawl is safe on the hostile corpus that tests/hostile/
# gen-corpus.py writes (terminal sequences in every header and body
# encoding, floods, huge and deeply nested messages, reference loops,
# extreme dates, hostile attachment names).
#
# For each message the reader, under strace, shows the list, the thread
# (every message expanded, scrolled to its end), the headers, HTML and raw
# views, saves every attachment of the messages marked "attach", and quits
# on q q q.  For a big message, keys are also typed ahead while it renders,
# as an impatient reader does: thirty view toggles and q q q must cost
# about what opening it and q q q cost (each toggle once rendered it again
# before the next key was read).  `trawl show` prints every message in
# every mode.  Checked: every step ends in time (see step_timeout); the
# exit status is 0; the pane title stays; every byte written to the
# terminal (tmux pipe-pane) holds no OSC, DCS, APC, PM, SOS, 8-bit C1,
# report request or planted CSI (check-output.py); `trawl show` prints
# plain text; nothing was run, no network socket opened and no file
# written outside the fixture (check-strace.py); the saved attachments
# have safe names; no sanitizer report.
#
# strace and LeakSanitizer both need ptrace: under ASan the reader runs
# with leak checks off, and `trawl show`, which renders every message in
# every mode, runs without strace so that it keeps them.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

hostile=$top_srcdir/tests/hostile
fixture_init
# Whatever trawl makes in TMPDIR stays in the fixture, where it is allowed.
TMPDIR=$FIXTURE_DIR/tmp
export TMPDIR
mkdir -p "$TMPDIR" "$FIXTURE_DIR/out"
out=$FIXTURE_DIR/out

if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP no python3 to generate the corpus"
	exit 0
fi
if ! python3 "$hostile/gen-corpus.py" "$FIXTURE_DIR/corpus"; then
	echo "Bail out! tests/hostile/gen-corpus.py failed"
	exit 1
fi
fixture_db "$FIXTURE_DIR/corpus"
rm -rf "$FIXTURE_DIR/corpus"
list=$FIXTURE_DIR/hostile.list
# HOSTILE_ONLY=REGEX runs the messages whose names match, to debug one.
if [ -n "${HOSTILE_ONLY:-}" ]; then
	grep -E "^($HOSTILE_ONLY)$(printf '\t')" "$list" >"$list.only"
	mv "$list.only" "$list"
fi
n=$(wc -l <"$list")
n_big=$(grep -c 'big' "$list")
tap_plan $((n * 3 + n_big + 3))

# A step may take this long: 5 s, 15 s under ASan.  Messages marked "big"
# get four times as long: rendering one takes seconds (a second or two in
# the gcc build, up to 15 s under ASan, where GMime's parser grows its
# header buffer 64 bytes at a time and every realloc copies it).
step_timeout=${HOSTILE_STEP_TIMEOUT:-$((E2E_TIMEOUT / 2))}
asan=
grep -q __asan_init "$TRAWL" 2>/dev/null && asan=1
# scripts/test-all sets fast_unwind_on_malloc=0: every malloc then unwinds
# the stack the slow way, and opening the 600,000-line message takes half
# a minute.  Error reports keep their full stacks; only the allocation
# stacks in them may be shorter.
if [ -n "$asan" ]; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=1"
	export ASAN_OPTIONS
fi
# The syscalls check-strace.py looks at.
syscalls=execve,execveat,socket,connect,bind,sendto,sendmsg,open,openat,creat,mkdir,mkdirat
syscalls=$syscalls,rename,renameat,renameat2,link,linkat,symlink,symlinkat,unlink,unlinkat,rmdir
trace=
if command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true 2>/dev/null; then
	trace=1
fi

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# traced LOG CMD...: CMD, killed after $st s, under strace into
# LOG if strace works here.
traced() {
	_log=$1
	shift
	if [ -n "$trace" ]; then
		timeout -k 1 "$st" strace -f -y -qq -s 64 -o "$_log" -e trace="$syscalls" "$@"
	else
		timeout -k 1 "$st" "$@"
	fi
}

# reader_start NAME QUERY: trawl QUERY in a fresh tmux server, under strace
# into $out/NAME.strace (leak checks off under ASan, see above), every byte
# it writes into $out/NAME.tty.  The pane is wide enough for the status
# line to show "loading" after the longest query (list_loaded).
reader_start() {
	E2E_PIPE=$out/$1.tty
	if [ -n "$trace" ]; then
		# shellcheck disable=SC2086
		tmux_start 160 30 $trawl_env strace -f -y -qq -s 64 -o "$out/$1.strace" \
			-e trace="$syscalls" "$TRAWL" "$2"
	else
		tmux_start 160 30 "$TRAWL" "$2"
	fi
}

# step WHAT KEY...: sends the keys to the thread view, then waits (at
# most $st s) until trawl has handled them and drawn the thread again:
# the help screen asked for after them shows; once it is closed, J (next
# message) says "last message", which only the thread view does (G put
# the cursor in the last message).  A step over a second is noted in
# $slow; a failed one in $failed, with the screens in $diag.
step() {
	_what=$1
	shift
	_t0=$(now_ms)
	[ $# -gt 0 ] && tmux_keys "$@"
	tmux_keys '?'
	if tmux_wait_for "trawl key bindings" "$st" >>"$diag" &&
		tmux_keys '?' J && tmux_wait_for "last message" "$st" >>"$diag"; then
		_ms=$(($(now_ms) - _t0))
		[ "$_ms" -gt 1000 ] && slow="$slow $_what ${_ms}ms"
		return 0
	fi
	failed="$_what"
	return 1
}

# list_loaded: waits until the thread list shows and has loaded its rows
# (keys sent before would find no thread to open).
list_loaded() {
	tmux_wait_for " threads  " "$st" >>"$diag" && tmux_wait_gone " loading " "$st" >>"$diag" &&
		return 0
	failed="the list"
	return 1
}

# save_attachments: saves every attachment of the open message into the
# default directory (~/Downloads/trawl), one prompt after another.
save_attachments() {
	tmux_keys s
	tmux_wait_for "save attachment" "$st" >>"$diag" || { failed="save"; return 1; }
	_n=$(tmux_screen | sed -n 's/.*save attachment (1-\([0-9]*\)).*/\1/p')
	tmux_keys Escape
	_k=1
	while [ "$_k" -le "${_n:-1}" ]; do
		tmux_keys s
		[ -n "$_n" ] && tmux_keys "$_k" Enter
		tmux_wait_for "save attachment $_k to directory: " "$st" >>"$diag" ||
			{ failed="save $_k"; return 1; }
		tmux_keys Enter
		tmux_wait_gone "to directory: " "$st" >>"$diag" || { failed="save $_k"; return 1; }
		if tmux_screen | grep -q "cannot save"; then
			failed="save $_k: $(tmux_screen | grep "cannot save")"
			return 1
		fi
		saved=$((saved + 1))
		_k=$((_k + 1))
	done
}

# quit: q q q ends trawl within $st s, with status 0.
quit() {
	tmux_keys q q q
	if ! tmux_wait_exit "$st" >>"$diag" || [ "$TMUX_EXIT_STATUS" != 0 ]; then
		failed="${failed:+$failed, then }q q q (exit status $TMUX_EXIT_STATUS)"
		return 1
	fi
}

# reader_end: the pane's title must be the one it had when trawl started.
reader_end() {
	_now=$(tmux_title)
	tmux_pipe_close >>"$diag"
	tmux_stop
	[ "$title" = "$_now" ] || failed="${failed:+$failed; }the title became: $_now"
}

# report DESC: the test point, with what failed and the screens seen.
report() {
	if [ -z "$failed" ]; then
		tap_ok "$1"
	else
		tap_not_ok "$1"
		tap_diag "failed at: $failed"
		cat "$diag"
	fi
}

# ahead NAME ID KEYS...: the keys and q q q typed at once as soon as the
# list has loaded; $ahead_ms is the time until trawl exits.
ahead() {
	_name=$1 _id=$2
	shift 2
	reader_start "$_name" "id:$_id"
	title=$(tmux_title)
	list_loaded
	_t0=$(now_ms)
	tmux_keys "$@"
	quit
	ahead_ms=$(($(now_ms) - _t0))
	reader_end
}

saved=0
trawl_env=
[ -n "$asan" ] && [ -n "$trace" ] &&
	trawl_env="env ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0:log_path=$FIXTURE_DIR/asan"

# ------------------------------------------------------------ the reader

while IFS="$(printf '\t')" read -r name id flags; do
	diag=$out/$name.diag
	failed= slow=
	st=$step_timeout
	case $flags in *big*) st=$((step_timeout * 4)) ;; esac
	reader_start "$name" "id:$id"
	title=$(tmux_title)
	list_loaded && step "the thread" Enter G &&
		{ case $flags in *attach*) save_attachments ;; esac } &&
		step "the headers view" h && step "the HTML view" H && step "the raw view" V
	quit
	reader_end
	report "$name: list, thread, headers, HTML and raw views, q q q quits"
	[ -n "$slow" ] && tap_diag "slow steps:$slow"

	# A big message renders for a while, and keys typed meanwhile wait.
	# Toggles typed ahead must not each render it again before q q q is
	# read: thirty of them cost about what opening it alone costs (keys
	# that come in while it draws may cost a layout or two more).
	case $flags in *big*) ;; *) continue ;; esac
	diag=$out/$name.ahead.diag
	failed=
	ahead "$name.ahead1" "$id" Enter G
	one=$ahead_ms
	# shellcheck disable=SC2046
	ahead "$name.ahead30" "$id" Enter G $(for _ in 1 2 3 4 5 6 7 8 9 10; do echo h H V; done)
	many=$ahead_ms
	[ -z "$failed" ] && [ "$many" -gt $((one * 3 + 3000)) ] &&
		failed="thirty toggles took $many ms, opening alone $one ms"
	report "$name: Enter G and thirty toggles typed ahead, then q q q, in time"
	tap_diag "typed ahead: Enter G q q q $one ms; with thirty toggles $many ms"
done <"$list"

# ------------------------------------------------------------ trawl show

show_env=
[ -n "$asan" ] && show_env="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$FIXTURE_DIR/asan"
while IFS="$(printf '\t')" read -r name id flags; do
	bad=
	st=$step_timeout
	case $flags in *big*) st=$((step_timeout * 4)) ;; esac
	for mode in text headers raw html; do
		# (Text is the default: the option in its place is a second --width.)
		opt=--$mode
		[ "$mode" = text ] && opt=--width=100
		o=$out/$name.show-$mode
		if [ -n "$asan" ]; then
			# shellcheck disable=SC2086
			env $show_env timeout -k 1 "$st" "$TRAWL" show --width 100 "$opt" \
				"id:$id" >"$o.out" 2>"$o.err"
		else
			traced "$o.strace" "$TRAWL" show --width 100 "$opt" "id:$id" \
				>"$o.out" 2>"$o.err"
		fi
		rc=$?
		[ "$rc" = 0 ] || bad="$bad $mode: exit status $rc;"
		[ -s "$o.out" ] || bad="$bad $mode: no output;"
	done
	if [ -z "$bad" ]; then
		tap_ok "$name: trawl show in every mode"
	else
		tap_not_ok "$name: trawl show in every mode"
		tap_diag "$bad"
	fi
done <"$list"

# ------------------------------------------------------------ the bytes

# One run of each checker over every file; each message gets its findings.
python3 "$hostile/check-output.py" --tty "$out"/*.tty >"$out/tty.findings"
# trawl show --raw into a file writes the message file's exact bytes (only a
# terminal gets them neutralised: tests/e2e/show.sh), so its output is
# checked against the file, not for planted bytes.
python3 "$hostile/check-output.py" --text $(ls "$out"/*.show-*.out | grep -v '\.show-raw\.out$') \
	"$out"/*.show-*.err >"$out/show.findings"
while IFS="$(printf '\t')" read -r name id flags; do
	f=$(notmuch search --output=files "id:$id" | head -1)
	if [ -n "$f" ] && ! head -c "$(wc -c <"$f")" "$out/$name.show-raw.out" | cmp -s - "$f"; then
		echo "$out/$name.show-raw.out: not the file's exact bytes" >>"$out/show.findings"
	fi
done <"$list"
while IFS="$(printf '\t')" read -r name id flags; do
	found=$(grep -F -e "$out/$name.tty:" -e "$out/$name.ahead1.tty:" -e "$out/$name.ahead30.tty:" \
		-e "$out/$name.show-" "$out/tty.findings" "$out/show.findings" | cut -d: -f2-)
	if [ -z "$found" ]; then
		tap_ok "$name: nothing planted reaches the terminal or trawl show's output"
	else
		tap_not_ok "$name: nothing planted reaches the terminal or trawl show's output"
		printf '%s\n' "$found" | head -20 | cut -c1-300 | sed 's/^/# /'
	fi
done <"$list"

if [ -z "$trace" ]; then
	tap_skip "strace cannot run here: programs, network and files not checked"
elif python3 "$hostile/check-strace.py" "$FIXTURE_DIR" "$out"/*.strace >"$out/strace.findings"; then
	tap_ok "no program run, no network, no file written outside the fixture (strace)"
else
	tap_not_ok "no program run, no network, no file written outside the fixture (strace)"
	head -40 "$out/strace.findings" | cut -c1-300 | sed 's/^/# /'
fi

# Saved attachments: all in the default directory, one file each, with
# names that are safe in a shell (no control, no leading dot or dash).
dir=$HOME/Downloads/trawl
count=$(find "$dir" -type f 2>/dev/null | wc -l)
odd=$(find "$dir" -type f 2>/dev/null | LC_ALL=C grep -n "$(printf '[\001-\037\177]')\|/[.-][^/]*$")
if ! grep -q attach "$list"; then
	tap_skip "no message with attachments to save among those run"
elif [ "$count" -eq "$saved" ] && [ "$saved" -gt 0 ] && [ -z "$odd" ]; then
	tap_ok "$saved attachments saved under ~/Downloads/trawl, with safe names"
else
	tap_not_ok "$saved attachments saved under ~/Downloads/trawl, with safe names"
	tap_diag "files there: $count; odd names: $odd"
	find "$dir" -type f 2>/dev/null | cut -c1-200 | sed 's/^/# /'
fi
check_sanitizer_logs
exit 0
