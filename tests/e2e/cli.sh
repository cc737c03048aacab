#!/bin/sh
# End-to-end test of trawl's command line: --help, --version, a bad option,
# and the one-line errors for a missing config and a missing database.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 11
fixture_init
# sanitizer reports of every run below go to files (ASan builds only)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$FIXTURE_DIR/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$FIXTURE_DIR/asan"
out=$FIXTURE_DIR/out
err=$FIXTURE_DIR/err

# run ARGS...: run trawl with stdin from /dev/null and a 10 s guard (a
# reader that wrongly starts its UI must not hang the test); sets $rc.
run() {
	rc=0
	timeout 10 "$TRAWL" "$@" </dev/null >"$out" 2>"$err" || rc=$?
}

# nlines FILE: number of lines in FILE, counting an unterminated last one.
nlines() {
	awk 'END { print NR }' "$1"
}

show() {
	echo "# exit status $rc"
	sed 's/^/# stdout: /' "$out"
	sed 's/^/# stderr: /' "$err"
}

# --help
run --help
if [ "$rc" -eq 0 ]; then tap_ok "--help exits 0"; else tap_not_ok "--help exits 0"; show; fi
if grep -q '^usage: trawl' "$out" && [ ! -s "$err" ]; then
	tap_ok "--help prints usage on stdout"
else
	tap_not_ok "--help prints usage on stdout"; show
fi

# --version
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
run --version
if [ "$rc" -eq 0 ] && [ "$(cat "$out")" = "trawl $version" ]; then
	tap_ok "--version prints \"trawl $version\""
else
	tap_not_ok "--version prints \"trawl $version\""; show
fi

# an unknown option
run --no-such-option
if [ "$rc" -eq 2 ]; then tap_ok "unknown option exits 2"; else tap_not_ok "unknown option exits 2"; show; fi
if grep -q 'usage: trawl' "$err" && [ ! -s "$out" ]; then
	tap_ok "unknown option prints usage on stderr only"
else
	tap_not_ok "unknown option prints usage on stderr only"; show
fi

# a missing config file
missing=$FIXTURE_DIR/no-such-config
fixture_config=$NOTMUCH_CONFIG
NOTMUCH_CONFIG=$missing
run
NOTMUCH_CONFIG=$fixture_config
if [ "$rc" -eq 1 ]; then tap_ok "missing config exits 1"; else tap_not_ok "missing config exits 1"; show; fi
if [ "$(nlines "$err")" -eq 1 ] && grep -qF "$missing" "$err"; then
	tap_ok "missing config: one line on stderr naming $missing"
else
	tap_not_ok "missing config: one line on stderr naming $missing"; show
fi

# a config whose database.path is not a notmuch database
nodb=$FIXTURE_DIR/not-a-database
mkdir -p "$nodb"
printf '[database]\npath=%s\n' "$nodb" >"$NOTMUCH_CONFIG"
run
if [ "$rc" -eq 1 ]; then tap_ok "no database exits 1"; else tap_not_ok "no database exits 1"; show; fi
if [ "$(nlines "$err")" -eq 1 ] && grep -qF "$nodb" "$err"; then
	tap_ok "no database: one line on stderr naming $nodb"
else
	tap_not_ok "no database: one line on stderr naming $nodb"; show
fi

# opening a directory that is not a database must not make it one
if [ ! -e "$nodb/.notmuch" ]; then
	tap_ok "no database created behind the user's back"
else
	tap_not_ok "no database created behind the user's back"
fi

check_sanitizer_logs
exit 0
