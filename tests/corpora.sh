#!/bin/sh
# Renders every message of the shared real-world corpora (../shared/corpora
# next to the source tree, or $TRAWL_CORPORA) in every mode and compares
# the text/plain parts with notmuch show: see tests/corpora-compare.py.
# Skipped when the corpora, python3 or notmuch are missing.
: "${top_srcdir:?}" "${top_builddir:?}"
corpora=${TRAWL_CORPORA:-$top_srcdir/../shared/corpora}
dump=$top_builddir/tests/unit/render-dump

if [ ! -d "$corpora" ]; then
	echo "1..0 # SKIP no corpora at $corpora"
	exit 0
fi
for tool in python3 notmuch; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool not found"
		exit 0
	fi
done

. "$top_srcdir/tests/fixture.sh"
fixture_init
# Not exec: the fixture's EXIT trap removes the copy of the corpora.
rc=0
python3 "$top_srcdir/tests/corpora-compare.py" "$corpora" "$dump" "$FIXTURE_DIR" || rc=$?
exit $rc
