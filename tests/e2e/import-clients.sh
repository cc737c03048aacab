#!/bin/sh
# End-to-end import of what mail clients leave on disk, made here: Apple
# Mail's .emlx and .partial.emlx (a byte count, the message, a property
# list) and its table_of_contents; an MH folder with .mh_sequences; a
# Thunderbird profile (an mbox "Inbox", its .msf summary, subfolders in
# Inbox.sbd/, search copies in Inbox.mozmsgs/); a Claws Mail folder with
# .claws_cache and .claws_mark.  Checked: the counts, the folders of
# origin, the .emlx messages imported without their property list, the
# index files listed as ignored (not "not mail", not on stderr), a .emlx
# shorter than its count listed as damaged, a re-run that adds nothing,
# and sources unchanged.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 7
fixture_init
W=$FIXTURE_DIR
SRC=$W/cl
C=$W/cache

mkdir -p "$SRC/Mail/Inbox.mbox/Messages" "$SRC/mh/inbox" "$SRC/tb/Local/Inbox.sbd" \
	"$SRC/tb/Local/Inbox.mozmsgs" "$SRC/claws/inbox"
python3 - "$SRC" "$W" <<'PY'
import os, sys
src, work = sys.argv[1], sys.argv[2]
os.chdir(src)
def m(i):
    return ("From: e%d@example.org\nSubject: client %d\nMessage-ID: <e%d@x>\n"
            "Date: Mon, 04 Jan 2016 10:00:00 +0000\n\nbody %d\n" % (i, i, i, i)).encode()
plist = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
         b'"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n<dict>\n'
         b'\t<key>flags</key>\n\t<integer>8590195713</integer>\n</dict>\n</plist>\n')
for i, n in ((1, "101.emlx"), (2, "102.partial.emlx")):
    b = m(i)
    open("Mail/Inbox.mbox/Messages/" + n, "wb").write(b"%d        \n" % len(b) + b + plist)
    open(os.path.join(work, n), "wb").write(b)
b = m(3)
open("Mail/Inbox.mbox/Messages/103.emlx", "wb").write(b"%d\n" % (len(b) + 500) + b)
open("Mail/Inbox.mbox/table_of_contents", "wb").write(b"\0\1\2binary")
for i in (1, 2):
    open("mh/inbox/%d" % i, "wb").write(m(10 + i))
open("mh/inbox/.mh_sequences", "w").write("unseen: 1-2\n")
mb = lambda a, b: b"".join(b"From x@example.org Mon Jan  4 10:00:00 2016\n" + m(i) + b"\n" for i in range(a, b))
open("tb/Local/Inbox", "wb").write(mb(20, 22))
open("tb/Local/Inbox.msf", "w").write('// <!-- <mdb:mork:z v="1.4"/> -->\n< <(a=c)> >\n')
open("tb/Local/Inbox.sbd/Sub", "wb").write(mb(22, 23))
open("tb/Local/Inbox.sbd/Sub.msf", "w").write('// <!-- <mdb:mork:z v="1.4"/> -->\n')
open("tb/Local/Inbox.mozmsgs/x.mozeml", "wb").write(m(20))
for i in (1, 2):
    open("claws/inbox/%d" % i, "wb").write(m(30 + i))
open("claws/inbox/.claws_cache", "wb").write(b"\0\0\0\2binary")
open("claws/inbox/.claws_mark", "wb").write(b"\0\0\0\2binary")
PY
tree_sum() {
	(cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}
nm() {
	NOTMUCH_CONFIG=$C/notmuch-config notmuch "$@"
}
tree_sum "$SRC" > "$W/before"

"$TRAWL" import --into "$C" "$SRC" > "$W/out" 2> "$W/err"
rc=$?
ok=1
for q in '*=9' 'folder:"cl/Mail/Inbox.mbox/Messages"=2' 'folder:"cl/mh/inbox"=2' \
	'folder:"cl/tb/Local/Inbox"=2' 'folder:"cl/tb/Local/Inbox/Sub"=1' 'folder:"cl/claws/inbox"=2'; do
	got=$(nm count "${q%=*}")
	[ "$got" = "${q##*=}" ] || { ok=0; echo "# $q: $got"; }
done
[ $rc = 0 ] && [ $ok = 1 ] && tap_ok "client folders imported: counts and folders of origin" ||
	{ tap_not_ok "client folders imported: counts and folders of origin (exit $rc)"; sed 's/^/# /' "$W/out" "$W/err"; }

ok=1
for n in 101.emlx 102.partial.emlx; do
	f=$(awk -F'\t' -v n="$n" '$1 ~ n"$" {print $5}' "$C/manifest.tsv")
	b=$(awk -F'\t' -v n="$n" '$1 ~ n"$" {print $11}' "$C/manifest.tsv")
	{ [ -n "$f" ] && cmp -s "$C/$f" "$W/$n" && [ "$b" = copied ]; } || { ok=0; echo "# $n: $f $b"; }
done
grep -rl 'plist' "$C/mail" --exclude-dir=.notmuch > /dev/null && { ok=0; echo "# a plist in the cache"; }
[ $ok = 1 ] && tap_ok ".emlx and .partial.emlx: exactly the counted bytes, copied, no property list" ||
	tap_not_ok ".emlx and .partial.emlx: exactly the counted bytes, copied, no property list"

awk -F'\t' '$1 ~ /103.emlx$/ && $7 == "skipped" && $8 ~ /^damaged: / {f=1} END {exit !f}' \
	"$C/manifest.tsv" && tap_ok "an .emlx shorter than its count is listed as damaged" ||
	tap_not_ok "an .emlx shorter than its count is listed as damaged"

ign=$(awk -F'\t' '$7 == "skipped" && $8 ~ /^ignored: / {n++} END {print n + 0}' "$C/manifest.tsv")
notmail=$(awk -F'\t' '$8 ~ /^not mail/ {n++} END {print n + 0}' "$C/manifest.tsv")
if [ "$ign" = 7 ] && [ "$notmail" = 0 ] && ! grep -q 'ignored' "$W/err"; then
	tap_ok "index files (.msf, .mh_sequences, .claws_*, table_of_contents, .mozmsgs) ignored, quietly"
else
	tap_not_ok "index files ignored, quietly ($ign ignored, $notmail not mail)"
	sed 's/^/# /' "$W/err"
fi

cp "$C/manifest.tsv" "$W/m1"
"$TRAWL" import --into "$C" "$SRC" > "$W/out2" 2>&1
grep -q '^nothing new' "$W/out2" && cmp -s "$C/manifest.tsv" "$W/m1" &&
	tap_ok "re-import adds nothing" || tap_not_ok "re-import adds nothing"

[ "$(nm count 'id:e20@x')" = 1 ] && [ "$(nm search --output=files id:e20@x | wc -l)" = 1 ] &&
	tap_ok "the .mozmsgs copy is not imported as another file" ||
	tap_not_ok "the .mozmsgs copy is not imported as another file"

tree_sum "$SRC" > "$W/after"
cmp -s "$W/before" "$W/after" && tap_ok "sources unchanged (SHA-256 of every file)" ||
	tap_not_ok "sources unchanged (SHA-256 of every file)"
