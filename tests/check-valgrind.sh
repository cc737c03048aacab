#!/bin/sh
# make check-valgrind: every unit test, then a short soak (tests/soak/run)
# on the demo cache, under valgrind's memcheck with tests/valgrind.supp.
#
#   tests/check-valgrind.sh UNIT-TEST...
#
# Environment (the Makefile sets them): top_srcdir, top_builddir, TRAWL,
# VALGRIND (default valgrind), PYTHON (default python3), SOAK_SECONDS (the
# soak's length, default 120; 0 skips it), VALGRIND_LOGS (default
# $top_builddir/tests/valgrind-logs, emptied first).
#
# A test fails if it fails, or if valgrind reports anything in any of its
# processes (the background jobs are forked, so valgrind follows them; each
# process logs to LOGS/NAME.PID).  Only definite leaks count: see the head
# of tests/valgrind.supp.  Exit status 0 if all passed, 1 otherwise.
: "${top_srcdir:?}" "${top_builddir:?}"
VALGRIND=${VALGRIND:-valgrind}
PYTHON=${PYTHON:-python3}
SOAK_SECONDS=${SOAK_SECONDS:-120}
logs=${VALGRIND_LOGS:-$top_builddir/tests/valgrind-logs}
supp=$top_srcdir/tests/valgrind.supp

if ! command -v "$VALGRIND" >/dev/null 2>&1; then
	echo "check-valgrind: $VALGRIND not found (apt-get install valgrind)" >&2
	exit 1
fi
rm -rf "$logs"
mkdir -p "$logs" || exit 1

# Timing assertions of the unit tests are stretched (tests/unit/fixture.h).
TRAWL_TEST_TIME_FACTOR=${TRAWL_TEST_TIME_FACTOR:-50}
CMOCKA_MESSAGE_OUTPUT=TAP
export TRAWL_TEST_TIME_FACTOR CMOCKA_MESSAGE_OUTPUT top_srcdir top_builddir TRAWL

# valgrind_errors NAME: the log files of NAME's processes that hold an error.
valgrind_errors() {
	for _f in "$logs/$1".*; do
		[ -s "$_f" ] || continue
		case $_f in *.out) continue ;; esac
		grep -qE '^==[0-9]+== +(Invalid |Conditional jump|Use of uninit|Syscall param|Mismatched free|Source and destination|Argument |[0-9,]+ (\([0-9, a-z]+\) )?bytes in [0-9,]+ blocks are definitely lost|Process terminating)|ERROR SUMMARY: [1-9]' "$_f" &&
			echo "$_f"
	done
}

pass=0 fail=0
report() {
	_name=$1 _rc=$2
	_bad=$(valgrind_errors "$_name")
	if [ "$_rc" = 0 ] && [ -z "$_bad" ]; then
		pass=$((pass + 1))
		echo "PASS: $_name"
	else
		fail=$((fail + 1))
		echo "FAIL: $_name (exit status $_rc)"
		[ -z "$_bad" ] || echo "  valgrind reports: $_bad"
		echo "  output: $logs/$_name.out"
	fi
}

for t in "$@"; do
	name=$(basename "$t")
	start=$(date +%s)
	"$VALGRIND" -q --error-exitcode=99 --leak-check=full \
		--show-leak-kinds=definite --errors-for-leak-kinds=definite \
		--num-callers=40 --gen-suppressions=all --suppressions="$supp" \
		--log-file="$logs/$name.%p" "$top_builddir/$t" >"$logs/$name.out" 2>&1
	rc=$?
	report "$name" "$rc"
	echo "  ($(($(date +%s) - start)) s)"
done

if [ "$SOAK_SECONDS" != 0 ]; then
	start=$(date +%s)
	"$PYTHON" "$top_srcdir/tests/soak/run" --demo --valgrind --valgrind-cmd "$VALGRIND" \
		--trawl "$TRAWL" --duration "$SOAK_SECONDS" --baseline $((SOAK_SECONDS / 4)) \
		--out "$logs/soak" --force \
		>"$logs/soak.out" 2>&1
	rc=$?
	sed -n '/^trawl: /,$p' "$logs/soak.out" | sed 's/^/  /'
	report soak "$rc"
	echo "  ($(($(date +%s) - start)) s; work directory $logs/soak)"
fi

echo "check-valgrind: $pass passed, $fail failed (logs in $logs)"
[ "$fail" = 0 ]
