#!/usr/bin/env python3
"""Renders the shared real-world corpora with render-dump and compares the
text/plain parts with what `notmuch show --format=json` makes of them.

Called by tests/corpora.sh inside a fixture (HOME and NOTMUCH_CONFIG pinned
to a temp dir); prints TAP.  Usage:

    corpora-compare.py CORPORA RENDER_DUMP WORKDIR

Every message file of CORPORA (everything but mbox-files/, MANIFEST*,
DUPLICATES-REMOVED*, README*, *.md, *.txt, *.tsv) is copied into a maildir
under WORKDIR and indexed by notmuch; render-dump renders each copy in
every mode.  The test fails if render-dump crashes or hangs, if any result
breaks an invariant (UTF-8, safe names, line bounds), if a message takes
longer than the limit (TRAWL_RENDER_LIMIT_MS, default 1000 ms, tripled
for an AddressSanitizer build) in a mode,
if GMime complained, or if the share of text/plain parts whose text
matches notmuch's falls below TRAWL_MATCH_MIN (default 100 %).

A part "matches" when the texts are equal after normalising line ends
(CR removed, trailing blanks of each line and trailing empty lines
dropped), or when the difference is one of render's documented choices,
each counted on its own line of the report:

  raw-8bit     notmuch leaves text with no (or an unknown) charset
               undecoded; render reads it as UTF-8 if valid, else as
               windows-1252.  Applying that rule to notmuch's bytes gives
               render's text.
  invalid-utf8 iconv drops bytes that are not valid in the charset;
               render shows U+FFFD for invalid UTF-8.  Equal once U+FFFD
               is removed from both.
  mislabelled  ISO-8859-1 or US-ASCII declared, but the bytes are valid
               UTF-8: render reads UTF-8, notmuch produces mojibake (or
               drops the bytes, for US-ASCII).  Re-encoding render's text
               and decoding it as notmuch would gives notmuch's text.
  8bit-ascii   US-ASCII declared with 8-bit bytes: notmuch drops them,
               render reads windows-1252.  Equal once non-ASCII is removed
               from render's text.

Parts render deliberately does not show inline (text/plain with
Content-Disposition: attachment, listed as attachments instead; the
content of S/MIME signed-data, which notmuch unwraps with gpgsm while
render runs no crypto) are counted on their own and left out of the
rate, as are messages notmuch show crashes on.
"""
import json
import os
import shutil
import subprocess
import sys
import time

SKIP_NAMES = ("MANIFEST", "DUPLICATES-REMOVED", "README")
SKIP_EXT = (".md", ".txt", ".tsv")

# WHATWG windows-1252: 0x80-0x9F, undefined bytes map to the C1 code point.
CP1252 = [0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
          0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
          0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
          0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178]

LATIN1_NAMES = {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1",
                "l1", "8859-1", "iso-ir-100", "ibm819", "cp819",
                "iso_8859-1:1987", "csisolatin1"}
ASCII_NAMES = {"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us",
               "646", "iso-ir-6", "cp367", "ibm367", "csascii"}


def tap(ok, n, desc, diag=()):
    print("%s %d - %s" % ("ok" if ok else "not ok", n, desc))
    for line in diag:
        print("# " + line)
    sys.stdout.flush()


def message_files(corpora):
    out = []
    for root, dirs, files in os.walk(corpora):
        dirs.sort()
        rel = os.path.relpath(root, corpora)
        if rel == "mbox-files" or rel.startswith("mbox-files" + os.sep):
            dirs[:] = []
            continue
        for name in sorted(files):
            if name.startswith(SKIP_NAMES) or name.endswith(SKIP_EXT):
                continue
            path = os.path.join(root, name)
            if os.path.isfile(path) and not os.path.islink(path):
                out.append(path)
    return out


def cp1252(raw):
    return "".join(chr(CP1252[b - 0x80]) if 0x80 <= b < 0xA0 else chr(b) for b in raw)


def glibc_cp1252(raw):
    """What iconv's CP1252 makes of raw: undefined bytes are dropped (GMime skips EILSEQ)."""
    undefined = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
    return "".join(chr(CP1252[b - 0x80]) if 0x80 <= b < 0xA0 else chr(b)
                   for b in raw if b not in undefined)


def render_rule(raw):
    """render's reading of undeclared 8-bit text."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return cp1252(raw)


def normalise(text):
    lines = text.replace("\r", "").replace("\0", "\ufffd").split("\n")
    lines = [l.rstrip(" \t") for l in lines]
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines)


def nm_bytes(content):
    return content.encode("utf-8", "surrogateescape")


def nm_text(content):
    return nm_bytes(content).decode("utf-8", "replace")


def classify(ours, nm_content, charset):
    """Returns the category of the comparison, or None if it does not match."""
    a = normalise(ours)
    b = normalise(nm_text(nm_content))
    if a == b:
        return "exact"
    cs = charset.lower()
    raw = nm_bytes(nm_content)
    if (not cs or cs not in LATIN1_NAMES | ASCII_NAMES) and \
            normalise(render_rule(raw)) == a:
        return "raw-8bit"
    if a.replace("\ufffd", "") == b.replace("\ufffd", ""):
        return "invalid-utf8"
    if cs in LATIN1_NAMES or cs in ASCII_NAMES:
        guess = ours.encode("utf-8")
        if cs in ASCII_NAMES:
            emul = guess.decode("ascii", "ignore")
        elif any(0x80 <= c < 0xA0 for c in guess):
            emul = glibc_cp1252(guess)
        else:
            emul = guess.decode("latin-1")
        if normalise(emul) == b:
            return "mislabelled"
        if cs in ASCII_NAMES and normalise(ours.encode("ascii", "ignore").decode()) == b:
            return "8bit-ascii"
    return None


def id_query(ids):
    return " or ".join('id:"%s"' % i.replace('"', '""') for i in ids)


def notmuch_show(ids, args, crashed):
    """The messages of ids, shown in batches; a batch notmuch cannot show
    (notmuch 0.37 crashes on an empty message/rfc822 part) is split until
    the culprit is found and recorded in crashed."""
    out = []
    todo = [ids[i:i + 200] for i in range(0, len(ids), 200)]
    while todo:
        batch = todo.pop()
        proc = subprocess.run(["notmuch", "show", "--format=json", "--entire-thread=false",
                               "--body=true"] + args + [id_query(batch)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
        try:
            if proc.returncode != 0:
                raise ValueError("exit status %d" % proc.returncode)
            walk_messages(json.loads(proc.stdout.decode("utf-8", "surrogateescape")), out)
        except ValueError:
            if len(batch) == 1:
                crashed.append(batch[0])
            else:
                todo += [batch[:len(batch) // 2], batch[len(batch) // 2:]]
    return out


def walk_messages(node, out):
    """Flattens notmuch's thread/reply nesting (message lists are shallow)."""
    stack = [node]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            if "id" in x and "body" in x:
                out.append(x)
        elif isinstance(x, list):
            stack.extend(x)


def text_parts(body):
    parts = {}
    stack = list(body)
    while stack:
        p = stack.pop()
        if not isinstance(p, dict):
            continue
        content = p.get("content")
        if isinstance(content, list):
            stack.extend(content)
        elif isinstance(content, dict):
            stack.extend(content.get("body", []))
        elif isinstance(content, str) and p.get("content-type", "").lower() == "text/plain":
            parts[p["id"]] = content
    return parts


def main():
    corpora, dump, work = sys.argv[1:4]
    limit_ms = float(os.environ.get("TRAWL_RENDER_LIMIT_MS", "1000"))
    match_min = float(os.environ.get("TRAWL_MATCH_MIN", "100"))
    print("1..5")

    files = message_files(corpora)
    maildir = os.path.join(work, "mail")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    copies = {}
    for i, path in enumerate(files):
        copy = os.path.join(maildir, "cur", "%05d:2," % i)
        shutil.copyfile(path, copy)
        copies[copy] = os.path.relpath(path, corpora)

    # 1: render every file in every mode, in one process.
    t0 = time.time()
    proc = subprocess.run([dump, "--corpus"], input="\n".join(copies) + "\n",
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False)
    elapsed = time.time() - t0
    rows = {}
    warnings = None
    sanitized = False
    for line in proc.stdout.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            # A record cut short: render-dump stopped in the middle of it.
            print("# render-dump output cut: %r" % line[:200])
            print("# render-dump stderr: %s" % proc.stderr.strip()[:500])
            continue
        if "file" in obj:
            rows[obj["file"]] = obj
        elif "gmime_warnings" in obj:
            warnings = obj["gmime_warnings"]
            sanitized = bool(obj.get("sanitized"))
    # ASan's realloc makes GMime's header parser slow on huge headers (a
    # 200 KB header: 14 ms natively, 0.8 s under ASan): allow for it.
    if sanitized and "TRAWL_RENDER_LIMIT_MS" not in os.environ:
        limit_ms *= 3
    crashed = proc.returncode not in (0, 1) or warnings is None
    missing = len(copies) - len(rows)
    tap(not crashed and missing == 0, 1,
        "render-dump rendered %d of %d messages in 4 modes (%.1f s)"
        % (len(rows), len(copies), elapsed),
        ["exit status %d" % proc.returncode] + proc.stderr.splitlines()[-5:]
        if crashed or missing else [])

    # 2: invariants.
    bad = ["%s: %s" % (copies[f], r["bad"]) for f, r in sorted(rows.items()) if r["bad"]]
    tap(not bad, 2, "every result is valid UTF-8 with safe names and bounded lines", bad[:20])

    # 3: time.
    slow = sorted(rows.values(), key=lambda r: -r["max_ms"])
    over = ["%s: %.0f ms" % (copies[r["file"]], r["max_ms"]) for r in slow if r["max_ms"] > limit_ms]
    diag = ["slowest: %s: %.1f ms (text %.1f, html %.1f, headers %.1f, raw %.1f)"
            % ((copies[r["file"]], r["max_ms"]) + tuple(r["ms"])) for r in slow[:3]]
    tap(not over, 3, "every message within %.0f ms in every mode (max %.1f ms)"
        % (limit_ms, slow[0]["max_ms"] if slow else 0), over[:20] + diag)

    # 4: GMime never complained (a warning means render misused it).
    tap(warnings == 0, 4, "no GMime warnings or criticals (%s)" % warnings)

    # 5: text/plain parts against notmuch.
    env_cfg = os.environ["NOTMUCH_CONFIG"]
    with open(env_cfg, "w") as cfg:
        cfg.write("[database]\npath=%s\n[new]\ntags=unread;inbox\nignore=.keep\n"
                  "[search]\nexclude_tags=\n[maildir]\nsynchronize_flags=false\n" % maildir)
    subprocess.run(["notmuch", "new", "--quiet"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    shown = {}  # file -> {part id: text/plain content}
    dups = {}   # message id -> number of files
    crashed = []
    ids = json.loads(subprocess.run(["notmuch", "search", "--format=json", "--output=messages",
                                     "*"], stdout=subprocess.PIPE, check=True).stdout)
    msgs = notmuch_show(ids, [], crashed)
    for m in msgs:
        names = m.get("filename", [])
        if len(names) > 1:
            dups[m["id"]] = len(names)
        idx = m.get("duplicate", 1) - 1
        if 0 <= idx < len(names):
            shown[names[idx]] = text_parts(m["body"])
    # Files sharing a Message-ID: notmuch shows one; ask for each of the others.
    for k in range(2, max(dups.values(), default=1) + 1):
        more = notmuch_show([i for i, n in dups.items() if n >= k], ["--duplicate=%d" % k],
                            crashed)
        for m in more:
            names = m.get("filename", [])
            idx = m.get("duplicate", k) - 1
            if 0 <= idx < len(names):
                shown[names[idx]] = text_parts(m["body"])

    counts = {}
    not_shown = []
    opaque = []
    mismatches = []
    compared = 0
    for f, nm_parts in sorted(shown.items()):
        r = rows.get(f)
        if r is None or "parts" not in r:
            continue
        ours = {p["id"]: p for p in r["parts"]}
        for pid, content in sorted(nm_parts.items()):
            p = ours.get(pid)
            if p is not None and p["type"] == "text/plain" and not p["shown"]:
                not_shown.append("%s part %d" % (copies[f], pid))
                continue
            # notmuch has gpgsm unwrap S/MIME signed-data; render runs no crypto.
            if p is None and any(q["type"] in ("application/pkcs7-mime",
                                               "application/x-pkcs7-mime")
                                 for q in ours.values()):
                opaque.append("%s part %d" % (copies[f], pid))
                continue
            compared += 1
            cat = None
            if p is not None and p["type"] == "text/plain":
                cat = classify(p["text"], content, p["charset"])
            if cat is None:
                why = "no such part" if p is None else \
                    "is %s" % p["type"] if p["type"] != "text/plain" else \
                    "charset %r read as %r" % (p["charset"], p["as"])
                mismatches.append("%s part %d: %s" % (copies[f], pid, why))
            else:
                counts[cat] = counts.get(cat, 0) + 1
    matched = sum(counts.values())
    rate = 100.0 * matched / compared if compared else 100.0
    diag = ["%d messages in notmuch's database, %d files with text/plain parts"
            % (len(msgs), len(shown)),
            "%d text/plain parts compared, %d match (%.2f %%): %s"
            % (compared, matched, rate,
               ", ".join("%s %d" % kv for kv in sorted(counts.items()))),
            "%d not shown inline by render (Content-Disposition: attachment)"
            % len(not_shown),
            "%d inside S/MIME signed-data, which only crypto can unwrap: %s"
            % (len(opaque), ", ".join(opaque)),
            "%d messages notmuch show crashed on, left out: %s"
            % (len(crashed), ", ".join(sorted(set(crashed))))]
    diag += ["mismatch: " + m for m in mismatches[:30]]
    tap(rate >= match_min, 5, "text/plain parts match notmuch show: %.2f %% (min %.2f %%)"
        % (rate, match_min), diag)
    return 0


if __name__ == "__main__":
    sys.exit(main())
