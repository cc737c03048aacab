#!/bin/sh
# End-to-end import of archives with the real binary: sources made here
# (python3's zipfile and tarfile, bsdtar for 7z and zstd) that nest
# mbox files, .eml files and a maildir in a zip, a tar.gz in the zip and a
# zip in that; a 7z, a tar.xz, a tar.bz2, a tar.zst, an .mbox.gz; a zip
# with a corrupt member, a truncated tar.gz, a member over the size limit
# and archives nested five deep.  Checked: message counts and folders of
# origin through notmuch, attachments byte for byte, the manifest's
# chain-of-custody columns, the damaged and refused members' rows, a
# re-run that adds nothing, an import killed midway converging on the
# uninterrupted one, a manifest of the first form resumed, and sources
# unchanged.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 13
fixture_init
W=$FIXTURE_DIR
SRC=$W/src
C=$W/cache
PY=$W/check.py
mkdir -p "$SRC"

# make.py: the sources, and next to them the bytes of the members checked.
cat > "$W/make.py" <<'PY'
import gzip, io, os, random, subprocess, sys, tarfile, zipfile

src, work = sys.argv[1], sys.argv[2]
random.seed(7)

def msg(i, body="", extra=""):
    return ("From: sender%d@example.org\nTo: desk@example.org\nSubject: message %d\n"
            "Message-ID: <m%d@leak.example>\nDate: Mon, 04 Jan 2016 10:%02d:00 +0000\n%s\n%s\n"
            % (i, i, i, i % 60, extra, body or "body of message %d" % i)).encode()

def tar_bytes(members, mode):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode=mode) as t:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    return b.getvalue()

def zip_bytes(members, method=zipfile.ZIP_DEFLATED):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method) as z:
        for name, data in members:
            z.writestr(name, data)
    return b.getvalue()

# An attachment whose bytes must survive: binary, base64 in the message.
import base64
blob = bytes(random.randrange(256) for _ in range(3000))
att = ("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n").encode()
with_att = msg(3, "--XX\nContent-Type: text/plain\n\nsee attached\n--XX\n"
               "Content-Type: application/octet-stream; name=a.bin\n"
               "Content-Transfer-Encoding: base64\n\n"
               + base64.encodebytes(blob).decode() + "--XX--\n",
               extra=att.decode())
open(os.path.join(work, "with-attachment.eml"), "wb").write(with_att)
mbox = (b"From sender1@example.org Mon Jan  4 10:01:00 2016\n" + msg(1, "hello\n>From the desk\n")
        + b"\nFrom sender2@example.org Mon Jan  4 10:02:00 2016\n" + msg(2))
nested = zip_bytes([("five.eml", msg(5))])
inner = tar_bytes([("deep/four.eml", msg(4)), ("nested.zip", nested)], "w:gz")
open(os.path.join(work, "four.eml"), "wb").write(msg(4))
leak = zip_bytes([("Inbox/2016.mbox", mbox), ("Sent/with-attachment.eml", with_att),
                  ("inner.tar.gz", inner), ("Maildir/cur/1452000000.1.host:2,S", msg(6)),
                  ("Maildir/tmp/1452000000.2.host", msg(7)), ("notes.txt", b"not mail\n")])
open(os.path.join(src, "leak.zip"), "wb").write(leak)
open(os.path.join(src, "old.mbox.gz"), "wb").write(gzip.compress(
    b"From sender8@example.org Mon Jan  4 10:08:00 2016\n" + msg(8)
    + b"\nFrom sender9@example.org Mon Jan  4 10:09:00 2016\n" + msg(9)))
open(os.path.join(src, "a.tar.xz"), "wb").write(tar_bytes([("x/ten.eml", msg(10))], "w:xz"))
open(os.path.join(src, "a.tar.bz2"), "wb").write(tar_bytes([("b/eleven.eml", msg(11))], "w:bz2"))
# 7z and zstd through bsdtar.
d7 = os.path.join(work, "seven")
os.makedirs(os.path.join(d7, "Archive"))
open(os.path.join(d7, "Archive", "twelve.eml"), "wb").write(msg(12))
subprocess.check_call(["bsdtar", "--format", "7zip", "-cf", os.path.join(src, "mail.7z"), "Archive"], cwd=d7)
subprocess.check_call(["bsdtar", "--zstd", "-cf", os.path.join(src, "mail.tar.zst"), "Archive"], cwd=d7)
# A zip whose second member is corrupt (stored: a flipped byte breaks its CRC).
bad = bytearray(zip_bytes([("z/m20.eml", msg(20)), ("z/m21.eml", msg(21)), ("z/m22.eml", msg(22))],
                          zipfile.ZIP_STORED))
k = bad.find(b"body of message 21")
bad[k] = ord("B")
open(os.path.join(src, "bad.zip"), "wb").write(bytes(bad))
# A tar.gz cut in the middle: 40 members of 8 KB, half the bytes kept.
cut = tar_bytes([("cut/m%d.eml" % (100 + i),
                  msg(100 + i, "".join(random.choice("abcdefghij klmnop\n") for _ in range(8000))))
                 for i in range(40)], "w:gz")
open(os.path.join(src, "cut.tar.gz"), "wb").write(cut[:len(cut) // 2])
# A member over the limit the test sets (200,000 bytes), and archives five deep.
open(os.path.join(src, "big.zip"), "wb").write(
    zip_bytes([("big.eml", msg(30, "x" * 300000)), ("small.eml", msg(31))]))
deep = zip_bytes([("deepest.eml", msg(40))])
for level in range(4):
    deep = zip_bytes([("level%d.zip" % level, deep)])
open(os.path.join(src, "deep.zip"), "wb").write(deep)
PY

# check.py: reads the manifest and compares bytes.
cat > "$PY" <<'PY'
import hashlib, os, sys

def rows(cache):
    lines = open(os.path.join(cache, "manifest.tsv"), "rb").read().decode().split("\n")
    head = lines[0].split("\t")
    out = []
    for l in lines[1:]:
        if l:
            f = l.split("\t")
            out.append(dict(zip(head, f + [""] * (len(head) - len(f)))))
    return head, out

def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()

cmd, cache = sys.argv[1], sys.argv[2]
head, rs = rows(cache)
if cmd == "columns":
    src = sys.argv[3]
    assert head[-3:] == ["member", "bytes", "source_sha256"], head
    for r in rs:
        assert r["source_sha256"] == sha(r["source"]), r
        if r["cache_file"]:
            assert r["bytes"] in ("copied", "reconstructed"), r
            assert sha(os.path.join(cache, r["cache_file"])) == r["sha256"], r
    by = {(os.path.basename(r["source"]), r["member"], r["offset"]): r for r in rs}
    assert by[("leak.zip", "Inbox/2016.mbox", "0")]["bytes"] == "reconstructed"  # >From
    assert by[("leak.zip", "Inbox/2016.mbox", [r["offset"] for r in rs if r["member"] == "Inbox/2016.mbox" and r["offset"] != "0"][0])]["bytes"] == "copied"
    assert by[("leak.zip", "inner.tar.gz!nested.zip!five.eml", "")]["status"] == "imported"
    assert by[("leak.zip", "inner.tar.gz!deep/four.eml", "")]["bytes"] == "copied"
    assert by[("old.mbox.gz", "old.mbox", "0")]["status"] == "imported"
    assert by[("leak.zip", "notes.txt", "")]["detail"].startswith("not mail"), by[("leak.zip", "notes.txt", "")]
    assert by[("leak.zip", "Maildir/tmp/1452000000.2.host", "")]["status"] == "skipped"
elif cmd == "same":
    want = open(sys.argv[4], "rb").read()
    r = [r for r in rs if r["member"] == sys.argv[3]][0]
    got = open(os.path.join(cache, r["cache_file"]), "rb").read()
    assert got == want, (len(got), len(want))
elif cmd == "row":
    # row SOURCE MEMBER-PREFIX STATUS DETAIL-PART: one row matches
    m = [r for r in rs if os.path.basename(r["source"]) == sys.argv[3]
         and r["member"].startswith(sys.argv[4]) and r["status"] == sys.argv[5]
         and sys.argv[6] in r["detail"]]
    assert len(m) == 1, (m, [r for r in rs if os.path.basename(r["source"]) == sys.argv[3]])
elif cmd == "count":
    # count SOURCE STATUS: how many rows
    print(sum(1 for r in rs if os.path.basename(r["source"]) == sys.argv[3] and r["status"] == sys.argv[4]))
elif cmd == "sorted":
    print("\n".join(sorted("\t".join(r[h] for h in head) for r in rs)))
elif cmd == "old-form":
    # Rewrites the manifest as the first form wrote it: nine columns.
    lines = open(os.path.join(cache, "manifest.tsv")).read().split("\n")
    open(os.path.join(cache, "manifest.tsv"), "w").write(
        "\n".join("\t".join(l.split("\t")[:9]) for l in lines))
PY

tree_sum() {
	(cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}
nm() {
	NOTMUCH_CONFIG=$C/notmuch-config notmuch "$@"
}

python3 "$W/make.py" "$SRC" "$W" || echo "# the sources could not be made"
tree_sum "$SRC" > "$W/before"
export TRAWL_TEST_IMPORT_MEMBER_MAX=200000

"$TRAWL" import --into "$C" "$SRC" > "$W/out" 2> "$W/err"
rc=$?
# 1-6 from leak.zip and its archives (7, in its tmp/, is not), 8-9 from the
# .mbox.gz, 10-12 from tar.xz, tar.bz2 and 7z (12 again from the tar.zst:
# one message, two files), 20 and 22, 31 (not 30, too big, nor 40, too
# deep), and what the cut tar.gz gives.
n=$(nm count '*')
cut_n=$(python3 "$PY" count "$C" cut.tar.gz imported)
want=$((14 + cut_n))
if [ "$rc" = 0 ] && [ "$n" = "$want" ] && [ "$cut_n" -ge 10 ]; then
	tap_ok "archives imported: $n messages ($cut_n from the truncated tar.gz)"
else
	tap_not_ok "archives imported: $n messages, want $want (exit $rc)"
	sed 's/^/# /' "$W/out" "$W/err"
fi

ok=1
for q in 'folder:"src/leak.zip/Inbox/2016.mbox"=2' 'folder:"src/leak.zip/Sent"=1' \
	'folder:"src/leak.zip/inner.tar.gz/deep"=1' 'folder:"src/leak.zip/inner.tar.gz/nested.zip"=1' \
	'folder:"src/leak.zip/Maildir"=1' 'folder:"src/old.mbox.gz"=2' 'folder:"src/a.tar.xz/x"=1' \
	'folder:"src/a.tar.bz2/b"=1' 'folder:"src/mail.7z/Archive"=1' 'folder:"src/mail.tar.zst/Archive"=1' \
	'folder:"src/deep.zip/level3.zip/level2.zip/level1.zip"=0'; do
	got=$(nm count "${q%=*}")
	[ "$got" = "${q##*=}" ] || { ok=0; echo "# $q: $got"; }
done
[ "$(nm search --output=files id:m12@leak.example | wc -l)" = 2 ] || { ok=0; echo "# m12 not in two files"; }
[ $ok = 1 ] && tap_ok "folders of origin are the paths inside the archives" ||
	tap_not_ok "folders of origin are the paths inside the archives"

if python3 "$PY" same "$C" Sent/with-attachment.eml "$W/with-attachment.eml" &&
	python3 "$PY" same "$C" 'inner.tar.gz!deep/four.eml' "$W/four.eml"; then
	tap_ok "members kept byte for byte (a binary attachment, a member of a nested tar.gz)"
else
	tap_not_ok "members kept byte for byte (a binary attachment, a member of a nested tar.gz)"
fi

python3 "$PY" columns "$C" "$SRC" 2>&1 | sed 's/^/# /'
[ "$(python3 "$PY" columns "$C" "$SRC" 2>&1)" = "" ] &&
	nm dump --include=properties id:m5@leak.example |
	grep -q 'trawl.member=inner.tar.gz%21nested.zip%21five.eml' &&
	tap_ok "manifest: member (nested with !), bytes copied/reconstructed, source_sha256; trawl.member" ||
	tap_not_ok "manifest: member (nested with !), bytes copied/reconstructed, source_sha256; trawl.member"

if python3 "$PY" row "$C" bad.zip z/m21.eml skipped "damaged: ZIP bad CRC" &&
	[ "$(python3 "$PY" count "$C" bad.zip imported)" = 2 ]; then
	tap_ok "a corrupt zip member is listed as damaged, the others imported"
else
	tap_not_ok "a corrupt zip member is listed as damaged, the others imported"
fi

python3 "$PY" row "$C" cut.tar.gz cut/ skipped "the rest is unreadable" &&
	tap_ok "a truncated tar.gz: what is readable imported, where it broke listed as damaged" ||
	tap_not_ok "a truncated tar.gz: what is readable imported, where it broke listed as damaged"

python3 "$PY" row "$C" big.zip big.eml skipped "larger than 200000 bytes" &&
	[ "$(nm count id:m31@leak.example)" = 1 ] &&
	tap_ok "a member over the size limit is not read, and says so" ||
	tap_not_ok "a member over the size limit is not read, and says so"

python3 "$PY" row "$C" deep.zip 'level3.zip!level2.zip!level1.zip!level0.zip' skipped "inside more archives" &&
	[ "$(nm count id:m40@leak.example)" = 0 ] &&
	tap_ok "archives nested five deep: the fifth is not opened, and says so" ||
	tap_not_ok "archives nested five deep: the fifth is not opened, and says so"

cp "$C/manifest.tsv" "$W/manifest.1"
"$TRAWL" import --into "$C" "$SRC" > "$W/out2" 2>&1
if grep -q '^nothing new' "$W/out2" && cmp -s "$C/manifest.tsv" "$W/manifest.1"; then
	tap_ok "re-import of the archives adds nothing"
else
	tap_not_ok "re-import of the archives adds nothing"
	sed 's/^/# /' "$W/out2"
fi

# Killed after the second batch of two (committed, not in the manifest), then resumed.
TRAWL_TEST_IMPORT_BATCH=2 TRAWL_TEST_IMPORT_KILL_AFTER=2 "$TRAWL" import --into "$W/killed" "$SRC" \
	> /dev/null 2>&1
r1=$?
TRAWL_TEST_IMPORT_BATCH=2 TRAWL_TEST_IMPORT_KILL_AFTER=5 "$TRAWL" import --into "$W/killed" "$SRC" \
	> /dev/null 2>&1
r2=$?
"$TRAWL" import --into "$W/killed" "$SRC" > /dev/null 2>&1
python3 "$PY" sorted "$C" > "$W/rows.a"
python3 "$PY" sorted "$W/killed" > "$W/rows.b"
if [ $r1 = 137 ] && [ $r2 = 137 ] && cmp -s "$W/rows.a" "$W/rows.b" &&
	[ "$(NOTMUCH_CONFIG=$W/killed/notmuch-config notmuch count '*')" = "$n" ]; then
	tap_ok "killed twice inside archives, then finished: the same manifest and messages"
else
	tap_not_ok "killed twice inside archives, then finished: the same manifest and messages ($r1 $r2)"
	diff "$W/rows.a" "$W/rows.b" | head -20 | sed 's/^/# /'
fi

# A cache made before the custody columns: resumed, it gains the header, keeps its rows.
mkdir -p "$W/plain"
printf 'From: p@example.org\nSubject: plain\nMessage-ID: <plain@x>\n\nplain\n' > "$W/plain/p.eml"
"$TRAWL" import --into "$W/oldc" "$W/plain" > /dev/null 2>&1
python3 "$PY" old-form "$W/oldc"
"$TRAWL" import --into "$W/oldc" "$W/plain" "$SRC/old.mbox.gz" > "$W/out3" 2>&1
head=$(head -n 1 "$W/oldc/manifest.tsv")
if [ "$(printf '%s' "$head" | awk -F'\t' '{print NF}')" = 12 ] &&
	[ "$(wc -l < "$W/oldc/manifest.tsv")" = 4 ] &&
	[ "$(sed -n 2p "$W/oldc/manifest.tsv" | awk -F'\t' '{print NF}')" = 9 ] &&
	grep -q '^2 imported' "$W/out3"; then
	tap_ok "a manifest of the first form is resumed: new header, old rows kept and settled"
else
	tap_not_ok "a manifest of the first form is resumed: new header, old rows kept and settled"
	sed 's/^/# /' "$W/out3" "$W/oldc/manifest.tsv"
fi

tree_sum "$SRC" > "$W/after"
cmp -s "$W/before" "$W/after" && tap_ok "sources unchanged (SHA-256 of every file)" ||
	tap_not_ok "sources unchanged (SHA-256 of every file)"

# Nothing unpacked outside the cache, and no file left in the cache but its own.
left=$(find "$C" -type f ! -path "$C/mail/*" ! -name manifest.tsv ! -name notmuch-config | head -5)
[ -z "$left" ] && tap_ok "nothing but the cache's own files in the cache" ||
	{ tap_not_ok "nothing but the cache's own files in the cache"; echo "$left" | sed 's/^/# /'; }
