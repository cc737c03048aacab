#!/bin/sh
# The module layers hold: every file of src/ and include/trawl/ is in a
# layer of doc/layers.txt, includes only the headers its layer may, uses
# the guarded libraries (libnotmuch, GMime, libxml2, curses, poppler,
# libarchive, libmagic) only where the table says, and the views neither
# include nor call the index.  The table's known violations are allowed,
# and each must still be one.  doc/DESIGN.md explains the layers.
#
# TAP: one point for the coverage of the table, one per layer, one per
# library rule, one per never and nocall rule, one for the known list.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top_srcdir/tests/e2e/lib.sh"

rules=${LAYERS_RULES:-$top_srcdir/doc/layers.txt}
# Patterns such as view-* are matched with case, never expanded.
files=$(ls "$top_srcdir"/src/*.c "$top_srcdir"/src/*.h "$top_srcdir"/include/trawl/*.h)
set -f
tmp=$(mktemp -d "${TMPDIR:-/tmp}/trawl-layers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The directives of the table, one a line, continuations joined.
sed 's/#.*//' "$rules" | awk '
	/^[ \t]/ { if (cur != "") cur = cur " " $0; next }
	{ if (cur != "") print cur; cur = $0 }
	END { if (cur != "") print cur }' | tr -s ' \t' '  ' | sed 's/ *$//' | grep -v '^$' >"$tmp/rules"

# "NAME|ALLOWED LAYERS|MODULES" per layer, "FILE WHAT|REASON" per known.
awk '$1 == "layer" {
	line = $0; sub(/^layer /, "", line)
	name = line; sub(/:.*/, "", name)
	rest = line; sub(/^[^:]*: */, "", rest)
	n = split(rest, w, " "); below = ""; mods = ""
	for (i = 1; i <= n; i++) {
		if (w[i] in seen) below = below " " w[i]; else mods = mods " " w[i]
	}
	seen[name] = 1
	print name "|" below "|" mods
}' "$tmp/rules" >"$tmp/layers"
awk '$1 == "known" { line = $0; sub(/^known /, "", line); k = line; sub(/:.*/, "", k)
	r = line; sub(/^[^:]*: */, "", r); print k "|" r }' "$tmp/rules" >"$tmp/known"
: >"$tmp/used"

# module FILE: the module of a file (its name without .c or .h).
module() {
	_m=${1##*/}
	echo "${_m%.[ch]}"
}
# layer_of MODULE: the layers whose patterns match it, one a line.
layer_of() {
	while IFS='|' read -r _name _below _mods; do
		for _p in $_mods; do
			case $1 in $_p) echo "$_name"; break ;; esac
		done
	done <"$tmp/layers"
}
# matches MODULE PATTERN...: whether a pattern matches the module.
matches() {
	_x=$1
	shift
	for _p in "$@"; do
		case $_x in $_p) return 0 ;; esac
	done
	return 1
}
# known FILE WHAT: whether the violation is a known one (and note that it was met).
known() {
	if grep -qxF "$1 $2" "$tmp/known.keys"; then
		echo "$1 $2" >>"$tmp/used"
		return 0
	fi
	return 1
}
cut -d'|' -f1 "$tmp/known" >"$tmp/known.keys"
# trawl_includes FILE: the trawl headers it includes, as modules.
trawl_includes() {
	sed -n 's/^[ \t]*#[ \t]*include[ \t]*"\(trawl\/\)\{0,1\}\([A-Za-z0-9_-]*\)\.h".*/\2/p' "$1"
}
# system_includes FILE: the <...> headers it includes.
system_includes() {
	sed -n 's/^[ \t]*#[ \t]*include[ \t]*<\([^>]*\)>.*/\1/p' "$1"
}
# report NAME VIOLATIONS: one TAP point.
report() {
	if [ -z "$2" ]; then
		tap_ok "$1"
	else
		tap_not_ok "$1"
		printf '%s\n' "$2" | sed 's/^/# /'
	fi
}

# Each file's layer, "FILE MODULE LAYER".
for f in $files; do
	m=$(module "$f")
	echo "$f $m $(layer_of "$m" | tr '\n' ' ')"
done >"$tmp/map"

n_layers=$(wc -l <"$tmp/layers")
n_rules=$(grep -cE '^(only|never|nocall) ' "$tmp/rules")
tap_plan $((n_layers + n_rules + 2))

bad=$(awk 'NF != 3 { sub(/.*\//, "", $1); print $1 (NF < 3 ? " is in no layer: add it to doc/layers.txt" : " is in several layers: " $3 " " $4) }' "$tmp/map")
report "every file of src/ and include/trawl/ is in one layer of doc/layers.txt" "$bad"

# layer_of_header MODULE: the layer of an included header (its file's).
while IFS='|' read -r name below mods; do
	bad=$(while read -r f m l; do
		[ "$l" = "$name" ] || continue
		for h in $(trawl_includes "$f"); do
			hl=$(awk -v h="$h" '$2 == h { print $3; exit }' "$tmp/map")
			[ -n "$hl" ] || continue
			matches "$hl" "$name" $below && continue
			known "${f##*/}" "$h" && continue
			echo "${f##*/} ($name) includes $h.h ($hl)"
		done
	done <"$tmp/map")
	report "layer $name includes only headers of its own layer${below:+ and of$below}" "$bad"
done <"$tmp/layers"

grep '^only ' "$tmp/rules" >"$tmp/only"
while read -r line; do
	re=${line#only }
	re=${re%%:*}
	mods=${line#*: }
	bad=$(while read -r f m l; do
		for h in $(system_includes "$f"); do
			printf '%s\n' "$h" | grep -qE -- "$re" || continue
			matches "$m" $mods && continue
			known "${f##*/}" "$h" && continue
			echo "${f##*/} includes <$h>"
		done
	done <"$tmp/map")
	report "only $mods include <$re>" "$bad"
done <"$tmp/only"

grep '^never ' "$tmp/rules" >"$tmp/never"
while read -r line; do
	pats=${line#never }
	pats=${pats%%:*}
	heads=${line#*: }
	bad=$(while read -r f m l; do
		matches "$m" $pats || continue
		for h in $(trawl_includes "$f"); do
			matches "$h" $heads || continue
			known "${f##*/}" "$h" && continue
			echo "${f##*/} includes $h.h"
		done
	done <"$tmp/map")
	report "$pats never include $heads" "$bad"
done <"$tmp/never"

grep '^nocall ' "$tmp/rules" >"$tmp/nocall"
while read -r line; do
	pats=${line#nocall }
	pats=${pats%%:*}
	prefix=${line#*: }
	bad=$(while read -r f m l; do
		case $f in *.c) ;; *) continue ;; esac
		matches "$m" $pats || continue
		# Comments left out: a comment may name a function.
		for fn in $(sed -e 's|/\*.*\*/||g' -e '/^[ \t]*\*/d' -e '/^[ \t]*\/\*/d' -e 's|//.*||' "$f" |
			grep -oE "(^|[^A-Za-z0-9_])$prefix[A-Za-z0-9_]* *\(" |
			sed -e 's/^[^A-Za-z_]//' -e 's/ *($//' | sort -u); do
			known "${f##*/}" "$fn" && continue
			echo "${f##*/} calls $fn()"
		done
	done <"$tmp/map")
	report "$pats call no $prefix function" "$bad"
done <"$tmp/nocall"

# A known violation that is gone must leave the table, or it would hide its return.
bad=$(while IFS='|' read -r k r; do
	grep -qxF "$k" "$tmp/used" || echo "known '$k' is no longer a violation: remove it from doc/layers.txt"
done <"$tmp/known")
report "every known violation in doc/layers.txt is still one" "$bad"
while IFS='|' read -r k r; do
	tap_diag "known: $k: $r"
done <"$tmp/known"
