#!/bin/sh
# End-to-end import and export with the real binary: the handmade sources
# in tests/corpus/import (an mbox with >From quoting and a Content-Length,
# a maildir with a subfolder, tmp/ and a second copy of a Message-ID, loose
# .eml files, files that are not mail, two messages with the same content
# and different Message-IDs) always, and every folder of ../shared/corpora
# and its mbox files when they are there.  Checked: counts against what the
# sources hold (maildir files, mbox separators), the manifest against the
# cache files and the database, sources unchanged, re-import a no-op, an
# import killed (kill -9) midway converging on the uninterrupted result,
# export then re-import giving the same Message-IDs and bytes, and the CSV
# index read back with Python's csv module.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 34
fixture_init
W=$FIXTURE_DIR
HAND=$top_srcdir/tests/corpus/import
CORPORA=$top_srcdir/../shared/corpora
PY=$W/check.py

# check.py: the independent side of the checks (counting source messages,
# reading manifests and CSV files, hashing trees).
cat > "$PY" <<'PY'
import csv, hashlib, os, re, subprocess, sys

def is_from(line):
    """An mbox separator: "From ", a word, then nothing or text with a digit."""
    if not line.startswith(b"From "):
        return False
    rest = line[5:].lstrip(b" ").rstrip(b"\r")
    m = re.match(rb"[^ \t\r]+", rest)
    if not m:
        return False
    tail = rest[m.end():]
    return tail.strip() == b"" or re.search(rb"[0-9]", tail) is not None

def content_length(d, start):
    """The Content-Length of the header block at d[start:], and where the body starts."""
    end = start
    while True:
        nl = d.find(b"\n", end)
        if nl < 0:
            return None, len(d)
        line = d[end:nl].rstrip(b"\r")
        if line == b"":
            body = nl + 1
            break
        end = nl + 1
    for line in d[start:body].split(b"\n"):
        m = re.match(rb"(?i)content-length:[ \t]*([0-9]+)\s*$", line)
        if m:
            return int(m.group(1)), body
    return None, body

def starts_with_header(d, l):
    """Whether the line after the one at l starts with a header field."""
    nl = d.find(b"\n", l)
    return nl >= 0 and re.match(rb"[!-9;-~]+[ \t]*:", d[nl + 1:nl + 1 + 1000]) is not None

def messages_in(path, in_maildir):
    """How many source messages (manifest rows) a file holds."""
    if in_maildir or not os.path.isfile(path) or os.path.islink(path):
        return 1
    if os.path.splitext(path)[1].lower() in (".eml", ".msg"):
        return 1
    # An Outlook store holds what readpst finds in it (import-pst.sh checks
    # those rows): one row at least, for its items or for the store.
    with open(path, "rb") as f:
        if f.read(4) == b"!BDN":
            return None
    d = open(path, "rb").read()
    pos = 3 if d.startswith(b"\xef\xbb\xbf") else 0
    if not is_from(d[pos:].split(b"\n", 1)[0]):
        return 1
    n = 0
    lines = [m.start() for m in re.finditer(rb"(?m)^", d)]
    while pos < len(d):
        n += 1
        nl = d.find(b"\n", pos)
        start = len(d) if nl < 0 else nl + 1
        cl, body = content_length(d, start)
        nxt = next((l for l in lines if l >= start and is_from(d[l:].split(b"\n", 1)[0])), len(d))
        # Content-Length counts only when it reaches past a separator.
        if cl is not None and nxt < body + cl <= len(d) and not any(
                is_from(d[l:].split(b"\n", 1)[0]) and starts_with_header(d, l)
                for l in lines if nxt <= l < body + cl):
            # ...and never past a separator a header follows (a message of its own).
            e = body + cl
            p = e
            while p < len(d) and d[p:p + 1] in (b"\n", b"\r"):
                p += 1
            if (e == body or d[e - 1:e] == b"\n") and (p == len(d) or is_from(d[p:].split(b"\n", 1)[0])):
                nxt = p
        pos = nxt
    return n

def expected(src):
    src = os.path.realpath(src)
    if not os.path.isdir(src):
        return {src: messages_in(src, False)}
    out = {}
    for root, dirs, files in os.walk(src):
        in_maildir = os.path.basename(root) in ("cur", "new") or os.path.basename(root) == "tmp"
        for f in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            p = os.path.join(root, f)
            out[p] = messages_in(p, in_maildir)
    return out

def unescape(s):
    return re.sub(r"\\(x[0-9a-f]{2}|.)", lambda m: {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(
        m.group(1), chr(int(m.group(1)[1:], 16)) if m.group(1)[0] == "x" else m.group(1)), s)

def manifest(cache):
    rows = []
    with open(os.path.join(cache, "manifest.tsv"), encoding="utf-8", errors="surrogateescape") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            rows.append(dict(zip(header, line.rstrip("\n").split("\t"))))
    return rows

def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()

def notmuch(cache, *args):
    env = dict(os.environ, NOTMUCH_CONFIG=os.path.join(cache, "notmuch-config"))
    return subprocess.run(["notmuch"] + list(args), env=env, check=True,
                          capture_output=True).stdout.decode("utf-8", "surrogateescape")

def fail(msg):
    print("# " + msg)
    sys.exit(1)

def cmd_check(cache, *sources):
    """Counts, manifest against files and database, statuses."""
    rows = manifest(cache)
    per_source = {}
    for r in rows:
        per_source.setdefault(unescape(r["source"]), []).append(r)
    want = {}
    for s in sources:
        want.update(expected(s))
    for path, n in want.items():
        got = len(per_source.get(path, []))
        if got != n and not (n is None and got >= 1):
            fail("%s: %d source messages, %d manifest rows" % (path, n, got))
    extra = set(per_source) - set(want)
    if extra:
        fail("manifest rows for unknown sources: %r" % sorted(extra)[:3])
    ids, files = set(), set()
    for r in rows:
        if r["status"] not in ("imported", "duplicate", "skipped", "error"):
            fail("bad status %r" % r["status"])
        if r["status"] == "error":
            fail("error row: %r" % r)
        if r["status"] in ("imported", "duplicate"):
            path = os.path.join(cache, unescape(r["cache_file"]))
            if sha(path) != r["sha256"]:
                fail("%s: sha256 differs from the manifest" % path)
            ids.add(unescape(r["message_id"]))
            files.add(path)
        elif not r["detail"]:
            fail("skipped without a reason: %r" % r)
    n_ids = int(notmuch(cache, "count", "*"))
    n_files = int(notmuch(cache, "count", "--output=files", "*"))
    if n_ids != len(ids) or n_files != len(files):
        fail("database: %d messages, %d files; manifest: %d ids, %d files" % (
            n_ids, n_files, len(ids), len(files)))
    db_ids = set(l[3:] for l in notmuch(cache, "search", "--output=messages", "*").splitlines())
    if db_ids != ids:
        fail("message ids differ between the database and the manifest")
    statuses = {}
    for r in rows:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    print("# %d rows: %s; %d messages, %d files" % (len(rows), statuses, n_ids, n_files))

def cmd_treehash(*dirs):
    h = hashlib.sha256()
    for d in dirs:
        for root, subdirs, files in sorted(os.walk(d)):
            subdirs.sort()
            for f in sorted(files):
                p = os.path.join(root, f)
                h.update(p.encode("utf-8", "surrogateescape") + b"\0")
                if not os.path.islink(p):
                    h.update(sha(p).encode())
    print(h.hexdigest())

def cmd_rows(cache):
    """The manifest as sorted lines, for comparing runs."""
    with open(os.path.join(cache, "manifest.tsv"), "rb") as f:
        lines = f.read().split(b"\n")
    sys.stdout.buffer.write(b"\n".join(sorted(l for l in lines if l)) + b"\n")

def cache_bytes(cache, normalise):
    """The sha256s of each message's files, by id (to compare a round trip)."""
    out = {}
    for r in manifest(cache):
        if r["status"] in ("imported", "duplicate"):
            data = open(os.path.join(cache, unescape(r["cache_file"])), "rb").read()
            if normalise and not data.endswith(b"\n"):
                data += b"\n"
            out.setdefault(unescape(r["message_id"]), set()).add(hashlib.sha256(data).hexdigest())
    return out

def cmd_roundtrip(orig, again, mode):
    """Same Message-IDs after export and re-import, each with the bytes of one of its files."""
    a = cache_bytes(orig, mode == "mbox")
    b = cache_bytes(again, mode == "mbox")
    if mode == "mbox":
        # A message without a final newline gains one in an mbox, so an id
        # notmuch made from the bytes (no Message-ID) may change with it.
        a = {k: v for k, v in a.items() if not k.startswith("notmuch-sha1-")}
        b = {k: v for k, v in b.items() if not k.startswith("notmuch-sha1-")}
    if set(a) != set(b):
        fail("ids differ: %d vs %d, e.g. %r" % (len(a), len(b), sorted(set(a) ^ set(b))[:3]))
    bad = [k for k in a if len(b[k]) != 1 or not b[k] <= a[k]]
    if bad:
        fail("%d messages changed, e.g. %r" % (len(bad), bad[:3]))
    print("# %d messages identical" % len(a))

def cmd_csv(csv_path, out, cache, query):
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    cols = ["date", "from", "to", "cc", "subject", "tags", "message_id", "folder", "source",
            "sha256", "path", "offset", "note"]
    if not rows or list(rows[0].keys()) != cols:
        fail("columns: %r" % (list(rows[0].keys()) if rows else None))
    ids = set(l[3:] for l in notmuch(cache, "search", "--output=messages", query).splitlines())
    if set(r["message_id"] for r in rows) != ids or len(rows) != len(ids):
        fail("CSV: %d rows, %d messages match" % (len(rows), len(ids)))
    for r in rows:
        if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", r["date"]):
            fail("date %r" % r["date"])
        if os.path.isdir(out):
            if sha(os.path.join(out, r["path"])) != r["sha256"]:
                fail("%s: sha256 differs from the CSV" % r["path"])
        elif r["path"] != os.path.basename(out) or not r["offset"].isdigit():
            fail("mbox path/offset %r %r" % (r["path"], r["offset"]))
    print("# %d CSV rows" % len(rows))

globals()["cmd_" + sys.argv[1]](*sys.argv[2:])
PY

# ok_if DESC CMD...: a test point from a command's status (its output shown as diagnostics).
ok_if() {
	_d=$1
	shift
	if _out=$("$@" 2>&1); then
		tap_ok "$_d"
	else
		tap_not_ok "$_d"
	fi
	[ -n "$_out" ] && printf '%s\n' "$_out" | sed 's/^\([^#]\)/# \1/'
	return 0
}

nm() {
	_c=$1
	shift
	NOTMUCH_CONFIG=$_c/notmuch-config notmuch "$@"
}

# Everything that identifies a cache's result, for comparing two runs.
fingerprint() {
	python3 "$PY" rows "$1"
	nm "$1" count '*'
	nm "$1" count --output=files '*'
	nm "$1" search --output=messages '*' | sort
	nm "$1" dump --include=tags --include=properties | sort
	(cd "$1" && find mail -path mail/.notmuch -prune -o -type f -print | sort)
}

# ------------------------------------------------------------ handmade sources
SRC=$W/src
cp -R "$HAND" "$SRC"
chmod -R a-w "$SRC" # opened read-only: a write would fail
before=$(python3 "$PY" treehash "$SRC")
C=$W/hand
"$TRAWL" import --into "$C" "$SRC" > "$W/out" 2> "$W/err"
rc=$?
if [ $rc = 0 ] && grep -q '^8 imported, 2 duplicates, 3 skipped, 0 errors' "$W/out"; then
	tap_ok "import of the handmade sources: 8 imported, 2 duplicates, 3 skipped"
else
	tap_not_ok "import of the handmade sources"
	tap_diag "exit $rc: $(cat "$W/out" "$W/err")"
fi
ok_if "manifest accounts for every source message; matches the files and the database" \
	python3 "$PY" check "$C" "$SRC"
[ "$(python3 "$PY" treehash "$SRC")" = "$before" ] && tap_ok "sources unchanged" ||
	tap_not_ok "sources unchanged"
grep -q 'synchronize_flags=false' "$C/notmuch-config" && [ "$(nm "$C" count '*')" = 9 ] &&
	tap_ok "the notmuch CLI works with the cache's notmuch-config" ||
	tap_not_ok "the notmuch CLI works with the cache's notmuch-config"
[ "$(nm "$C" count 'folder:src/box.mbox')" = 3 ] && [ "$(nm "$C" count 'folder:src/maildir/.Sent')" = 1 ] &&
	[ "$(nm "$C" count 'folder:src/loose')" = 3 ] && [ "$(nm "$C" count 'path:src/maildir/**')" = 3 ] &&
	tap_ok "folders of origin: folder: and path: find them" ||
	tap_not_ok "folders of origin: folder: and path: find them"
[ "$(nm "$C" search --output=messages tag:duplicate)" = "id:contract-renewal-1@example.org" ] &&
	[ "$(nm "$C" count 'property:trawl.duplicate-of=contract-renewal-resent@example.org')" = 1 ] &&
	[ "$(nm "$C" count 'not tag:duplicate')" = 8 ] &&
	tap_ok "same content, other Message-ID: tagged duplicate, pointing to the first" ||
	tap_not_ok "same content, other Message-ID: tagged duplicate, pointing to the first"
[ "$(nm "$C" count --output=files id:site-visit@example.org)" = 2 ] &&
	[ "$(nm "$C" count 'property:"trawl.source='"$(cd "$SRC" && pwd -P)"'/maildir/new/1000000003.M3P3.host"')" = 1 ] &&
	tap_ok "same Message-ID twice: one message, both files, both sources" ||
	tap_not_ok "same Message-ID twice: one message, both files, both sources"
f=$(grep -l '^Message-ID: <board-minutes@' "$C"/mail/src/box.mbox/cur/*)
if grep -qx 'From the archive of 2003: nothing to add.' "$f" && grep -qx '>From a quoted quote.' "$f" &&
	grep -qx 'From 2003 to 2005 the budget was frozen.' "$C"/mail/src/box.mbox/cur/* &&
	! grep -q '^From alice' "$f"; then
	tap_ok "mbox: >From unquoted, Content-Length followed, envelope line dropped"
else
	tap_not_ok "mbox: >From unquoted, Content-Length followed, envelope line dropped"
fi
grep -q 'readme.txt.*skipped.*not mail' "$C/manifest.tsv" && grep -q "tmp/.*skipped.*tmp/" "$C/manifest.tsv" &&
	grep -q 'skipped .*readme.txt: not mail' "$W/err" &&
	tap_ok "what is not mail is listed as skipped, with the reason" ||
	tap_not_ok "what is not mail is listed as skipped, with the reason"
tmux_start 100 20 "$TRAWL" --cache "$C" 'folder:src/box.mbox'
if tmux_wait_for 'Minutes of the board'; then
	tmux_keys Q
	tmux_wait_exit > /dev/null
	tap_ok "trawl --cache DIR opens the cache"
else
	tap_not_ok "trawl --cache DIR opens the cache"
fi
tmux_stop
fingerprint "$C" > "$W/fp1"
"$TRAWL" import --into "$C" "$SRC" > "$W/out" 2>&1
fingerprint "$C" > "$W/fp2"
grep -q '^nothing new: every source message (13) is already in the cache' "$W/out" && cmp -s "$W/fp1" "$W/fp2" &&
	tap_ok "re-import adds nothing and says so" || { tap_not_ok "re-import adds nothing and says so"; tap_diag "$(cat "$W/out")"; }

# Progress: shown when asked for (a terminal), quiet otherwise.
TRAWL_TEST_PROGRESS=1 "$TRAWL" import --into "$W/prog" "$SRC/loose" > /dev/null 2> "$W/err1"
"$TRAWL" import --into "$W/prog2" "$SRC/loose" > /dev/null 2> "$W/err2"
grep -q 'importing: files 4/4 \[#' "$W/err1" && grep -q 'messages/s' "$W/err1" && ! grep -q "$(printf '\r')" "$W/err2" &&
	tap_ok "progress bar on a terminal only" || tap_not_ok "progress bar on a terminal only"

# Usage and runtime errors.
"$TRAWL" import > /dev/null 2>&1
r1=$?
"$TRAWL" import --into "$W/x" "$W/no-such-source" > /dev/null 2> "$W/err"
r2=$?
mkdir "$W/notcache" && touch "$W/notcache/file"
"$TRAWL" import --into "$W/notcache" "$SRC" > /dev/null 2> "$W/err3"
r3=$?
[ $r1 = 2 ] && [ $r2 = 1 ] && [ "$(wc -l < "$W/err")" = 1 ] && [ ! -e "$W/x" ] && [ $r3 = 1 ] &&
	grep -q 'not a trawl cache' "$W/err3" &&
	tap_ok "usage error 2; missing source and foreign folder: error 1, one line, nothing made" ||
	tap_not_ok "usage error 2; missing source and foreign folder: error 1, one line, nothing made"

# ------------------------------------------------------------ kill -9 midway
K=$W/kill-src
mkdir "$K" && cp -R "$HAND" "$K/hand" && cp -R "$top_srcdir/tests/corpus/mail" "$K/fixture"
"$TRAWL" import --into "$W/kref" "$K" > /dev/null 2>&1
fingerprint "$W/kref" > "$W/kref.fp"
# Each run gets half a second (about five messages, one or two batches of
# three) before kill -9, until one finishes.
n_kills=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	TRAWL_TEST_IMPORT_BATCH=3 TRAWL_TEST_IMPORT_DELAY_US=100000 "$TRAWL" import --into "$W/kcache" "$K" > "$W/kout" 2>&1 &
	pid=$!
	sleep 0.5
	kill -9 $pid 2> /dev/null && n_kills=$((n_kills + 1))
	wait $pid 2> /dev/null && break
done
"$TRAWL" import --into "$W/kcache" "$K" >> "$W/kout" 2>&1
fingerprint "$W/kcache" > "$W/kcache.fp"
if [ $n_kills -ge 2 ] && cmp -s "$W/kref.fp" "$W/kcache.fp"; then
	tap_ok "killed $n_kills times midway, then finished: the same cache as one run"
else
	tap_not_ok "killed midway then finished: the same cache as one run"
	tap_diag "kills: $n_kills; $(cat "$W/kout")"
	diff "$W/kref.fp" "$W/kcache.fp" | head -20 | sed 's/^/# /'
fi
TRAWL_TEST_IMPORT_BATCH=4 TRAWL_TEST_IMPORT_KILL_AFTER=2 "$TRAWL" import --into "$W/kc2" "$K" > /dev/null 2>&1
r=$?
"$TRAWL" import --into "$W/kc2" "$K" > /dev/null 2>&1
fingerprint "$W/kc2" > "$W/kc2.fp"
[ $r = 137 ] && cmp -s "$W/kref.fp" "$W/kc2.fp" &&
	tap_ok "killed between a commit and its manifest rows: the next run completes the manifest" ||
	tap_not_ok "killed between a commit and its manifest rows: the next run completes the manifest"

# ------------------------------------------------------------ export
E=$W/export
mkdir "$E"
"$TRAWL" export --cache "$C" '*' --mbox "$E/all.mbox" --csv "$E/all.csv" > "$W/out" 2>&1 &&
	"$TRAWL" export --cache "$C" '*' --dir "$E/eml" --csv "$E/eml.csv" >> "$W/out" 2>&1 &&
	grep -q '^9 messages exported to' "$W/out" && [ "$(ls "$E/eml" | wc -l)" = 9 ] &&
	tap_ok "export as mbox and as .eml files" || { tap_not_ok "export as mbox and as .eml files"; tap_diag "$(cat "$W/out")"; }
ok_if "CSV index (mbox) parses with python's csv and lists the query's messages" \
	python3 "$PY" csv "$E/all.csv" "$E/all.mbox" "$C" '*'
ok_if "CSV index (.eml) parses, and its SHA-256s are the files'" \
	python3 "$PY" csv "$E/eml.csv" "$E/eml" "$C" '*'
"$TRAWL" import --into "$W/rt-mbox" "$E/all.mbox" > /dev/null 2>&1
ok_if "mbox export, re-imported: same Message-IDs, same bytes" python3 "$PY" roundtrip "$C" "$W/rt-mbox" mbox
"$TRAWL" import --into "$W/rt-eml" "$E/eml" > /dev/null 2>&1
ok_if ".eml export, re-imported: same Message-IDs, same bytes" python3 "$PY" roundtrip "$C" "$W/rt-eml" eml
cp "$E/all.mbox" "$W/all.mbox.before"
"$TRAWL" export --cache "$C" 'tag:duplicate' --mbox "$E/all.mbox" > /dev/null 2> "$W/err"
r1=$?
"$TRAWL" export --cache "$C" 'tag:duplicate' --dir "$E/eml" > /dev/null 2>> "$W/err"
r2=$?
cmp -s "$W/all.mbox.before" "$E/all.mbox"
same=$?
"$TRAWL" export --cache "$C" 'tag:duplicate' --mbox "$E/all.mbox" --force > /dev/null 2>> "$W/err"
r3=$?
[ $r1 = 1 ] && [ $r2 = 1 ] && [ $same = 0 ] && [ $r3 = 0 ] &&
	[ "$(grep -c '^From ' "$E/all.mbox")" = 1 ] && [ "$(ls "$E/eml" | wc -l)" = 9 ] &&
	tap_ok "export refuses to overwrite without --force; --force overwrites" ||
	{ tap_not_ok "export refuses to overwrite without --force; --force overwrites"; tap_diag "$r1 $r2 $r3 $(cat "$W/err")"; }
# The reader's E: prompts for the destination, exports the current query in a child.
tmux_start 120 20 "$TRAWL" --cache "$C" 'folder:src/box.mbox'
if tmux_wait_for 'Minutes of the board' && tmux_keys E && tmux_wait_for 'export to' &&
	tmux_keys "$E/reader.mbox" Enter && tmux_wait_for 'exported 3 messages' &&
	[ "$(grep -c '^From ' "$E/reader.mbox")" = 3 ] && [ -f "$E/reader.csv" ] &&
	tmux_keys E && tmux_wait_for 'export to' && tmux_keys "$E/reader.mbox" Enter &&
	tmux_wait_for 'overwrite reader.mbox and reader.csv? y/n' && tmux_keys n && tmux_wait_for 'not exported'; then
	tap_ok "E in the reader exports the query (mbox and CSV), and asks before overwriting"
else
	tap_not_ok "E in the reader exports the query (mbox and CSV), and asks before overwriting"
fi
tmux_keys Q
tmux_stop
NOTMUCH_CONFIG=$C/notmuch-config "$TRAWL" export 'from:alice' --mbox "$E/alice.mbox" > /dev/null 2>&1 &&
	[ "$(grep -c '^From ' "$E/alice.mbox")" = 2 ] &&
	tap_ok "export takes the database from NOTMUCH_CONFIG without --cache" ||
	tap_not_ok "export takes the database from NOTMUCH_CONFIG without --cache"

# ------------------------------------------------------------ shared corpora
if [ -d "$CORPORA" ]; then
	set --
	for d in "$CORPORA"/*/; do
		d=${d%/}
		[ "${d##*/}" = mbox-files ] || set -- "$@" "$d"
	done
	before=$(python3 "$PY" treehash "$CORPORA")
	CC=$W/corpora
	start=$(date +%s)
	"$TRAWL" import --into "$CC" "$@" > "$W/cout" 2> "$W/cerr"
	r=$?
	secs=$(($(date +%s) - start))
	[ $r = 0 ] && tap_ok "import of the $# corpora folders ($secs s): $(head -1 "$W/cout")" ||
		{ tap_not_ok "import of the corpora folders"; tap_diag "$(tail -5 "$W/cerr")"; }
	ok_if "corpora: counts match the sources; manifest, files and database agree" \
		python3 "$PY" check "$CC" "$@"
	fingerprint "$CC" > "$W/cc1"
	"$TRAWL" import --into "$CC" "$@" > "$W/cout" 2>&1
	fingerprint "$CC" > "$W/cc2"
	grep -q '^nothing new' "$W/cout" && cmp -s "$W/cc1" "$W/cc2" && tap_ok "corpora: re-import is a no-op" ||
		tap_not_ok "corpora: re-import is a no-op"
	"$TRAWL" export --cache "$CC" '*' --dir "$W/cc-eml" --csv "$W/cc-eml.csv" > /dev/null 2>&1
	ok_if "corpora: CSV index of the .eml export parses and matches the files" \
		python3 "$PY" csv "$W/cc-eml.csv" "$W/cc-eml" "$CC" '*'
	"$TRAWL" import --into "$W/cc-rt" "$W/cc-eml" > /dev/null 2>&1
	ok_if "corpora: .eml export re-imported: same Message-IDs, same bytes" \
		python3 "$PY" roundtrip "$CC" "$W/cc-rt" eml
	"$TRAWL" export --cache "$CC" '*' --mbox "$W/cc.mbox" > /dev/null 2>&1
	"$TRAWL" import --into "$W/cc-rt2" "$W/cc.mbox" > /dev/null 2>&1
	ok_if "corpora: mbox export re-imported: same Message-IDs, same bytes (final newline aside)" \
		python3 "$PY" roundtrip "$CC" "$W/cc-rt2" mbox
else
	for i in 1 2 3 4 5 6; do tap_skip "no shared corpora at $CORPORA"; done
fi
if [ -d "$CORPORA/mbox-files" ]; then
	MB=$W/mbox
	"$TRAWL" import --into "$MB" "$CORPORA/mbox-files" > "$W/mout" 2> "$W/merr" &&
		tap_ok "import of the corpora's mbox files: $(head -1 "$W/mout")" ||
		{ tap_not_ok "import of the corpora's mbox files"; tap_diag "$(tail -3 "$W/mout")"; }
	ok_if "mbox files: one message per From_ separator; manifest, files and database agree" \
		python3 "$PY" check "$MB" "$CORPORA/mbox-files"
	fingerprint "$MB" > "$W/mb1"
	for delay in 0.5 1.5; do
		TRAWL_TEST_IMPORT_BATCH=20 TRAWL_TEST_IMPORT_DELAY_US=3000 "$TRAWL" import --into "$W/mb-k" "$CORPORA/mbox-files" > /dev/null 2>&1 &
		pid=$!
		sleep $delay
		kill -9 $pid 2> /dev/null
		wait $pid 2> /dev/null
	done
	"$TRAWL" import --into "$W/mb-k" "$CORPORA/mbox-files" > /dev/null 2>&1
	fingerprint "$W/mb-k" > "$W/mb2"
	cmp -s "$W/mb1" "$W/mb2" && tap_ok "mbox files: killed midway, then finished: the same cache" ||
		{ tap_not_ok "mbox files: killed midway, then finished: the same cache"; diff "$W/mb1" "$W/mb2" | head | sed 's/^/# /'; }
	"$TRAWL" export --cache "$MB" '*' --dir "$W/mb-eml" > /dev/null 2>&1
	"$TRAWL" import --into "$W/mb-rt" "$W/mb-eml" > /dev/null 2>&1
	ok_if "mbox files: .eml export re-imported: same Message-IDs, same bytes" \
		python3 "$PY" roundtrip "$MB" "$W/mb-rt" eml
	[ "$(python3 "$PY" treehash "$CORPORA")" = "$before" ] && tap_ok "corpora unchanged by import and export" ||
		tap_not_ok "corpora unchanged by import and export"
else
	for i in 1 2 3 4 5; do tap_skip "no mbox files at $CORPORA/mbox-files"; done
fi
chmod -R u+w "$W"
