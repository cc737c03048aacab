"""The Markdown report of one bench/run size: the table, the targets, notes."""

import datetime
import os
import platform
import statistics
import subprocess

ORDER = ["first", "load", "keys", "thread", "rss", "bulk", "follow", "import", "callgrind"]
TITLES = {
    "first": "First screen (process start → first full screen, 200x50)",
    "load": "End of the list",
    "keys": "Key latency while `*` is still loading",
    "thread": "Largest thread",
    "rss": "Memory",
    "bulk": "Bulk tagging (on copies of the database)",
    "follow": "Following another program's commit (on a copy of the database)",
    "import": "Import",
    "callgrind": "Instruction count",
}


def fmt(v, unit):
    if unit == "s":
        return "%.3f" % v if v < 10 else "%.1f" % v
    if unit == "msgs/s":
        return "%.0f" % v
    if unit == "MiB":
        return "%.1f" % v
    if unit == "Ir":
        return "{:,}".format(int(v))
    return "%.3g" % v


def med(rows, op, tool, prefix=False):
    for r in rows:
        if (r[1].startswith(op) if prefix else r[1] == op) and r[2] == tool and r[4]:
            return statistics.median(r[4])
    return None


def col(rows, op, tool, how):
    for r in rows:
        if r[1] == op and r[2] == tool and r[4]:
            return how(r[4])
    return None


def sh(argv):
    try:
        return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def versions(b):
    rev = sh(["git", "-C", b.a.repo, "rev-parse", "--short", "HEAD"])
    dirty = sh(["git", "-C", b.a.repo, "status", "--porcelain", "--untracked-files=no"])
    nm = sh(["notmuch", "--version"])
    alot = sh(["alot", "--version"]) if b.refs else "-"
    neo = sh(["neomutt", "-v"]).splitlines()[0] if b.refs else "-"
    return rev + (" + uncommitted changes" if dirty else ""), nm, alot, neo


def targets(b):
    rows = b.rows
    out = []

    def check(name, value, limit, ok, show):
        if value is None or limit is None:
            out.append("| %s | – | – | SKIP (no data) |" % name)
            return
        verdict = "PASS" if ok(value, limit) else "MISS"
        out.append("| %s | %s | %s | %s |" % (name, show(value), show(limit), verdict +
                                               ("" if verdict == "PASS" else
                                                " (%.1f× the limit)" % (value / limit)
                                                if value >= limit else
                                                " (%.0f%% of the needed)" % (100 * value / limit))))

    secs = lambda v: "%.3f s" % v  # noqa: E731
    le = lambda v, l: v <= l  # noqa: E731
    for q in ("*", "from:<frequent>"):
        op = "first screen, %s" % q
        t = med(rows, op, "trawl")
        a = med(rows, op, "alot")
        f = med(rows, op, "notmuch search --limit=50")
        check("first screen `%s` ≤ 0.2 × alot" % q, t, a * 0.2 if a else None, le, secs)
        check("first screen `%s` ≤ 1.5 × `--limit=50`" % q, t, f * 1.5 if f else None, le, secs)
        # trawl's time includes starting it through tmux; the floor's does not.
        h = med(rows, "harness: tmux launch → program runs", "tmux+sh")
        check("first screen `%s` less the tmux launch ≤ 1.5 × `--limit=50`" % q,
              t - h if t is not None and h is not None else None,
              f * 1.5 if f else None, le, secs)
        r = med(rows, op + ", reopened", "trawl")
        check("first screen `%s`, reopened (head cache) ≤ 1.5 × `--limit=50`" % q, r,
              f * 1.5 if f else None, le, secs)
    check("last screen: G at first screen → last screen ≤ 200 ms",
          med(rows, "G pressed at first screen → last screen, *", "trawl"), 0.2, le, secs)
    check("last screen: G on a loaded list ≤ 200 ms",
          med(rows, "G on a complete list → frame, *", "trawl"), 0.2, le, secs)
    op = "key j → frame, during the load of *"
    check("key latency while loading < 50 ms (median)", med(rows, op, "trawl"), 0.05,
          lambda v, l: v < l, secs)
    check("key latency while loading < 50 ms (max)", col(rows, op, "trawl", max), 0.05,
          lambda v, l: v < l, secs)
    check("key latency during the bulk tag < 50 ms (max)",
          col(rows, "key j/k → frame, during the bulk tag", "trawl", max), 0.05,
          lambda v, l: v < l, secs)
    check("RSS at end of `*` < 200 MiB (UI + children)",
          med(rows, "peak RSS at end of *: UI + children", "trawl"), 200.0, lambda v, l: v < l,
          lambda v: "%.1f MiB" % v)
    op = "key j → frame, while the rows follow a commit"
    p95 = lambda v: sorted(v)[int(len(v) * 0.95)]  # noqa: E731
    for what, how in (("median", statistics.median), ("p95", p95), ("max", max)):
        check("key latency while the rows follow a commit < 50 ms (%s)" % what,
              col(rows, op, "trawl", how), 0.05, lambda v, l: v < l, secs)
    check("R → the row's unreviewed mark gone < 100 ms (median, quiet list)",
          med(rows, "R on the first row → its unreviewed mark gone, quiet list", "trawl"), 0.1,
          lambda v, l: v < l, secs)
    check("R → the row's unreviewed mark gone < 100 ms (median, during a refresh)",
          med(rows, "R as soon as the rows show +benchx → its mark gone", "trawl"), 0.1,
          lambda v, l: v < l, secs)
    t = med(rows, "bulk tag +benchx on *", "trawl")
    n = med(rows, "bulk tag +benchx on *", "notmuch tag")
    check("bulk tagging ≥ `notmuch tag`", t, n, lambda v, l: v >= l, lambda v: "%.0f msgs/s" % v)
    return out


def render(b, started):
    rows = b.rows
    rev, nm, alot, neo = versions(b)
    cpu = os.cpu_count()
    L = []
    L.append("# trawl benchmarks: %s cache, %s" % (b.size, started.strftime("%Y-%m-%d %H:%M")))
    L.append("")
    L.append("- cache: `%s` (%d messages, %d threads; gen-corpus --seed 1 --count %d)"
             % (b.cache, b.messages, b.threads, b.a.count))
    L.append("- trawl: `%s` (%s, sha256 %s…, built %s); repository at %s"
             % (b.trawl, sh([b.trawl, "--version"]).splitlines()[0] if b.trawl else "?",
                sh(["sha256sum", b.trawl]).split()[0][:12],
                datetime.datetime.fromtimestamp(os.path.getmtime(b.trawl)).strftime(
                    "%Y-%m-%d %H:%M"), rev))
    L.append("- references: %s; alot %s; %s" % (nm, alot, neo))
    L.append("- frequent sender: `%s` (%d messages, %d threads); largest thread: %s messages"
             % (b.sender_q, b.sender_messages, b.sender_threads,
                b.meta.get("largest_thread_messages", "?")))
    L.append("- machine: %d cores, %s, kernel %s; shared with other builds. load average "
             "(1/5/15 min): %s" % (cpu, platform.machine(), platform.release(),
                                   "; ".join("%s %s" % (k, v) for k, v in b.loads)))
    L.append("- runs: %d per measurement (bulk %d, follow %d, import %d); warm page cache; "
             "terminal 200x50 in a private tmux server; times are wall clock"
             % (b.runs, getattr(b, "bulk_runs", b.a.bulk_runs),
                getattr(b, "follow_runs", b.a.follow_runs), b.a.import_runs))
    L.append("")
    L.append("Ratios are trawl ÷ reference for the same operation (for msgs/s, above 1 "
             "means trawl is faster; for s and MiB, below 1 means trawl is faster).")
    L.append("")
    for sec in ORDER:
        srows = [r for r in rows if r[0] == sec]
        if not srows:
            continue
        L.append("## " + TITLES[sec])
        L.append("")
        L.append("| operation | tool | median | min – max | n | trawl ÷ ref | note |")
        L.append("| --- | --- | ---: | ---: | ---: | ---: | --- |")
        for r in srows:
            _, op, tool, unit, vals, note = r
            if vals:
                m = statistics.median(vals)
                cell = "%s %s" % (fmt(m, unit), unit)
                rng = "%s – %s" % (fmt(min(vals), unit), fmt(max(vals), unit))
            else:
                m, cell, rng = None, "–", "–"
            ratio = ""
            if tool != "trawl" and m:
                t = med(rows, op, "trawl")
                if t is not None:
                    ratio = "%.2f" % (t / m)
            L.append("| %s | %s | %s | %s | %d | %s | %s |"
                     % (op, tool, cell, rng, len(vals), ratio, note.replace("|", "\\|")))
        L.append("")
    L.append("## Targets")
    L.append("")
    L.append("| target | trawl | limit | verdict |")
    L.append("| --- | ---: | ---: | --- |")
    L += targets(b)
    L.append("")
    if b.notes:
        L.append("## Notes")
        L.append("")
        L += ["- " + n for n in b.notes]
        L.append("")
    for x in b.extra:
        L.append(x)
        L.append("")
    cmd = "bench/run --size %s --runs %d" % (b.size, b.runs)
    if b.a.follow_runs:
        cmd += " --follow-runs %d" % b.a.follow_runs
    if b.only_arg != "all":
        cmd += " --only " + b.only_arg
    if not b.refs:
        cmd += " --no-refs"
    L.append("Made by `%s` (see bench/README.md)." % cmd)
    return "\n".join(L) + "\n"
