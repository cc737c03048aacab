#!/bin/sh
# Every fuzz target, built by the ordinary compiler with fuzz/replay.c as
# its main(), runs once over its seeds: fuzz/corpus/<name>/ and the shared
# seeds its fuzz/<target>.options names (tests/corpus when it names none),
# as fuzz/run gives them to libFuzzer.  A target that stopped compiling
# fails the build; an invariant that a seed (or a kept crash) breaks fails
# here.  TAP, one line per target.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${top_builddir:-.}

targets=
for f in "$builddir"/fuzz/fuzz-*; do
	case $f in *.o | *.c | *.h | *.log | *.trs | *.dict | *.options) continue ;; esac
	[ -f "$f" ] && [ -x "$f" ] && targets="$targets $f"
done
if [ -z "$targets" ]; then
	echo "1..0 # SKIP no fuzz targets built"
	exit 0
fi
set -- $targets
echo "1..$#"
n=0
log=$(mktemp "${TMPDIR:-/tmp}/trawl-replay.XXXXXX")
trap 'rm -f "$log" "$log.out"' EXIT
for t in "$@"; do
	n=$((n + 1))
	name=$(basename "$t")
	shared="tests/corpus"
	if [ -f "$srcdir/fuzz/$name.options" ]; then
		# "seeds = DIR..." under [trawl]; empty means none.
		line=$(sed -n '/^\[trawl\]/,/^\[/{s/#.*//;/^[ \t]*seeds[ \t]*=/p}' "$srcdir/fuzz/$name.options")
		[ -n "$line" ] && shared=${line#*=}
	fi
	dirs=
	for d in "fuzz/corpus/${name#fuzz-}" $shared; do
		[ -d "$srcdir/$d" ] && dirs="$dirs $srcdir/$d"
	done
	# shellcheck disable=SC2086
	if "$t" $dirs >"$log.out" 2>"$log"; then
		echo "ok $n - $name replays its seeds: $(tail -n 1 "$log.out")"
	else
		echo "not ok $n - $name failed on a seed"
		tail -n 40 "$log" | sed 's/^/# /'
	fi
done
