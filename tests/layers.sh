#!/bin/sh
# The module layers hold: each layer includes only the headers of the
# layers below it, so arrows point down and app, views and commands form
# no cycle (doc/DESIGN.md).  From the bottom:
#   models   threadlist thread filters feed review versionmap stats  (index, bg, hints...)
#   app      the session state and its jobs
#   views    view view-*                            (app, models)
#   cmd      cmd cmd-*                              (views, app, models)
#   main
: "${top_srcdir:?}"
. "$top_srcdir/tests/e2e/lib.sh"

src=$top_srcdir/src
inc=$top_srcdir/include/trawl
tap_plan 5

# includes FILE...: the trawl headers the files include, one per line.
includes() {
	sed -n 's|^#include "trawl/\([a-z-]*\)\.h".*|\1|p' "$@" | sort -u
}
# check NAME FORBIDDEN-REGEX FILE...: none of the files includes a forbidden header.
check() {
	_name=$1 _re=$2
	shift 2
	_bad=$(for f in "$@"; do
		includes "$f" | grep -E "^($_re)\$" | sed "s|^|$(basename "$f") includes |"
	done)
	if [ -z "$_bad" ]; then tap_ok "$_name"; else
		tap_not_ok "$_name"
		echo "$_bad" | sed 's/^/# /'
	fi
}
check "models include no app, view or cmd header" 'app|view|cmd|cmd-.*|ui-curses' \
	"$src/threadlist.c" "$src/thread.c" "$src/filters.c" "$src/feed.c" "$src/review.c" \
	"$src/versionmap.c" "$src/stats.c" "$src/addrbook.c" \
	"$inc/threadlist.h" "$inc/thread.h" "$inc/filters.h" "$inc/feed.h" "$inc/review.h" \
	"$inc/versionmap.h" "$inc/stats.h" "$inc/addrbook.h"
check "the app includes no view or cmd header" 'view|cmd|cmd-.*|ui-curses' \
	"$src/app.c" "$inc/app.h"
check "views include no cmd header" 'cmd|cmd-.*|ui-curses' \
	"$src"/view*.c "$inc/view.h"
check "commands include no curses" 'ui-curses' "$src"/cmd*.c "$inc"/cmd*.h

# The extract module is the only caller of poppler, libarchive and
# libmagic: the parsers of hostile documents stay in the files that run
# in its child process.  import-archive.c reads leaked archives with
# libarchive, likewise only in a child process with limits.
bad=$(grep -lE '^#include <(poppler[^>]*|archive[^>]*|magic)\.h>' "$src"/*.c "$src"/*.h "$inc"/*.h |
	grep -vE '/(extract[a-z-]*|import-archive)\.[ch]$')
if [ -z "$bad" ]; then tap_ok "only extract*.c and import-archive.c include poppler, libarchive or libmagic"; else
	tap_not_ok "only extract*.c and import-archive.c include poppler, libarchive or libmagic"
	echo "$bad" | sed 's/^/# /'
fi
