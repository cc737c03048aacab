#!/bin/sh
# trawl against libnotmuch 0.37's concurrent-writer abort: another process
# commits tags three times while trawl's loader iterates over the thread
# list (slowed down, as a reviewer scrolling would make it).  libnotmuch
# then aborts the loader; trawl must stay up, restart it from the last row
# it has, and end with every thread of the query, each once.
#
# The corpus is ../shared/corpus/repro-concurrent-abort's, cut to
# $STRESS_MESSAGES messages (default 2,000: about 10 s in all).  The full
# repro, by hand, with its 100,000 messages (minutes to index):
#
#   STRESS_MESSAGES=100000 STRESS_DELAY_US=100 make check TESTS=tests/stress/concurrent-abort.sh
#
# A control run first: `notmuch search` read slowly through the same three
# commits.  When this libnotmuch does not abort it (newer than 0.37), there
# is nothing for trawl to restart after, and that check is skipped.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

messages=${STRESS_MESSAGES:-2000}
# The loader's pause per row: about 4 s for the 750 threads of 2,000 messages.
delay_us=${STRESS_DELAY_US:-5000}

if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP no python3 to generate the corpus"
	exit 0
fi
tap_plan 4
fixture_init
mkdir -p "$FIXTURE_DIR/mail/cur" "$FIXTURE_DIR/mail/new" "$FIXTURE_DIR/mail/tmp"
python3 "$top_srcdir/tests/stress/gen-threads.py" "$FIXTURE_DIR/mail/cur" "$messages" || exit 1
cat >"$NOTMUCH_CONFIG" <<CFG
[database]
path=$FIXTURE_DIR/mail
[new]
tags=inbox;
[search]
exclude_tags=
[maildir]
synchronize_flags=false
CFG
notmuch new --quiet >/dev/null || exit 1
# Some tag history, as the repro gives it.
notmuch tag +history -- date:2016..2017 && notmuch tag -history -- date:2016..2017 || exit 1
threads=$(notmuch count --output=threads '*')

# commit3 NAME: three commits of another writer on messages of the last
# month, each adding a tag new to them (NAME-1...: a tag already there
# commits nothing).
commit3() {
	for _c in 1 2 3; do
		notmuch tag "+$1-$_c" -- date:2017-04-01..2017-05-05 || return 1
	done
}
# wait_file FILE [REGEX]: poll (30 s) until FILE exists (and has a line matching REGEX).
wait_file() {
	_i=0
	until [ -f "$1" ] && { [ -z "${2:-}" ] || grep -q "$2" "$1"; }; do
		[ $_i -ge 600 ] && { echo "# timeout waiting for $1${2:+ to match $2}"; return 1; }
		sleep 0.05
		_i=$((_i + 1))
	done
}

# --- Control: notmuch search, whose reader stops after its first bytes
# until the three commits are done (its output, ~200 KB, fills the pipe).
(
	notmuch search --format=json '*' 2>/dev/null
	echo $? >"$FIXTURE_DIR/control.rc"
) | {
	head -c 1 >/dev/null
	: >"$FIXTURE_DIR/control.reading"
	wait_file "$FIXTURE_DIR/control.go" >/dev/null
	cat >/dev/null
} &
control=$!
wait_file "$FIXTURE_DIR/control.reading"
commit3 control
: >"$FIXTURE_DIR/control.go"
wait "$control"
control_rc=$(cat "$FIXTURE_DIR/control.rc")
tap_diag "control: notmuch search exited with status $control_rc (134: libnotmuch aborted it)"

# --- trawl: quits by itself once the list is complete (TRAWL_BENCH_EXIT),
# after writing "rows N restarts-notice yes|no" to the mark file.
mark=$FIXTURE_DIR/mark
tmux_start 200 50 env TRAWL_TEST_LOADER_DELAY_US="$delay_us" \
	TRAWL_BENCH_MARK="$mark" TRAWL_BENCH_EXIT=loaded "$TRAWL"
# The first screen is drawn: the loader is inside its iteration.
wait_file "$mark" '^first-screen '
commit3 trawl
# The load takes about threads x delay: 30 s more before it counts as a hang.
tmux_wait_exit $((threads * delay_us / 1000000 + 30)) >/dev/null
tap_check "trawl stays up through three commits during its load (exit status 0)" \
	[ "$TMUX_EXIT_STATUS" = 0 ]
rows=$(awk '/^rows / { print $2 }' "$mark")
restarted=$(awk '/^rows / { print $4 }' "$mark")
if [ "$rows" = "$threads" ]; then tap_ok "it ends with every thread, each once ($rows)"; else
	tap_not_ok "it ends with every thread, each once"
	tap_diag "rows: ${rows:-none}, threads: $threads"
fi
if [ "$control_rc" != 134 ]; then
	tap_skip "this libnotmuch did not abort the control reader: nothing to restart after"
elif [ "$restarted" = yes ]; then
	tap_ok "its loader was aborted and restarted"
else
	tap_not_ok "its loader was aborted and restarted"
	tap_diag "restarts-notice: ${restarted:-none}: the commits came too late to test anything"
fi
check_sanitizer_logs
exit 0
