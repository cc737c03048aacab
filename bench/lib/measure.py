#!/usr/bin/env python3
"""bench/lib/measure.py: the measurements behind bench/run (see bench/README.md).

Runs trawl and the references on one cache, several times each, and writes a
Markdown report.  Invoked by bench/run; not meant to be run by hand (but it
can be: --help)."""

import argparse
import datetime
import glob
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tmux import Tmux  # noqa: E402
import report  # noqa: E402

W, H = 200, 50
SECTIONS = ["first", "load", "keys", "thread", "bulk", "follow", "import", "callgrind"]


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def read_meta(path):
    meta = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    meta[k] = v
    return meta


def write_meta(path, key, value):
    with open(path, "a") as f:
        f.write("%s=%s\n" % (key, value))


# --- marks ---------------------------------------------------------------

def read_marks(path):
    """[(kind, name, time)] from a TRAWL_BENCH_MARK file."""
    out = []
    try:
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) >= 2:
                    try:
                        t = float(p[-1])
                    except ValueError:
                        continue
                    out.append((p[0], " ".join(p[1:-1]), t))
    except FileNotFoundError:
        pass
    return out


def mark_time(marks, kind, name=None, nth=0):
    hits = [t for k, n, t in marks if k == kind and (name is None or n == name)]
    return hits[nth] if len(hits) > nth else None


def percentiles(lat):
    """"; p90 …, p95 …, N over 50 ms" of key latencies in seconds, or "" without any."""
    srt = sorted(lat)
    if not srt:
        return ""
    return "; p90 %.1f ms, p95 %.1f ms, %d over 50 ms" % (
        1000 * srt[int(len(srt) * 0.9)], 1000 * srt[int(len(srt) * 0.95)],
        sum(1 for x in srt if x > 0.05))


def wait_mark(path, kind, name=None, nth=0, timeout=120, alive=None):
    end = time.time() + timeout
    while time.time() < end:
        t = mark_time(read_marks(path), kind, name, nth)
        if t is not None:
            return t
        if alive is not None and not alive():
            # one last look: the mark may have been written just before exit
            return mark_time(read_marks(path), kind, name, nth)
        time.sleep(0.005)
    return None


# --- processes -----------------------------------------------------------

def children_of(pid):
    """All descendants of pid (scan of /proc)."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    s = f.read()
                ppid = int(s[s.rindex(")") + 2:].split()[1])
                parent[int(d)] = ppid
            except (OSError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c, pp in parent.items():
            if pp == p:
                out.append(c)
                todo.append(c)
    return out


def comm_of(pid):
    """The process name: trawl names its children trawl-ROLE (bg_start)."""
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return None


# --- the thread list on a captured screen ----------------------------------

LIST_ROW = re.compile("([\u2022\u25cc ]) (\\S.*)$")
ROW_TAGS = re.compile(r"\(([^()]*)\)\s*$")


def list_rows(txt):
    """The thread list's rows on a captured screen (the sidebar, if shown, cut off at
    its bar): [(unreviewed dot shown, [tags] or None)].  Tags are the last "(...)"
    of the row; None when the row is too long for them to show whole.  The dot is
    "queued" (true) while the row shows a review change not yet committed (◌)."""
    rows = []
    for line in txt.splitlines()[:H - 2]:  # below: the status and message lines
        part = line.split("\u2502", 1)[1] if "\u2502" in line else line
        m = LIST_ROW.match(part)
        if not m:
            continue
        t = ROW_TAGS.search(m.group(2))
        dot = "queued" if m.group(1) == "\u25cc" else m.group(1) == "\u2022"
        rows.append((dot, t.group(1).split() if t else None))
    return rows


def children_by_name(pid):
    """{pid: process name} of pid's children (trawl's background jobs: trawl-ROLE)."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = [int(c) for c in f.read().split()]
    except OSError:
        return {}
    return {c: comm_of(c) for c in kids}


def vm_kb(pid, field="VmHWM"):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class KeyPresser(threading.Thread):
    """Presses j and k in turn every 0.5 s, timing each key to its frame mark."""

    def __init__(self, tm, win, mark, alive, interval=0.5):
        super().__init__(daemon=True)
        self.tm, self.win, self.mark, self.alive = tm, win, mark, alive
        self.interval = interval
        self.stop_flag = False
        self.lat = []

    def run(self):
        seen = {}
        for kind, name, _ in read_marks(self.mark):
            if kind == "key":
                seen[name] = seen.get(name, 0) + 1
        key = "j"
        self.how = set()
        while not self.stop_flag:
            ts, how = self.tm.press(self.win, key.encode())
            self.how.add(how)
            tk = wait_mark(self.mark, "key", key, nth=seen.get(key, 0), timeout=10,
                           alive=self.alive)
            seen[key] = seen.get(key, 0) + 1
            if tk is None:
                break
            self.lat.append(tk - ts)
            key = "k" if key == "j" else "j"
            time.sleep(self.interval)


class SpacedKeys(threading.Thread):
    """Presses key n times, gap seconds after each key's frame mark, recording
    (time before the press, time of the mark) for each."""

    def __init__(self, tm, win, mark, alive, key="j", n=20, gap=0.05):
        super().__init__(daemon=True)
        self.tm, self.win, self.mark, self.alive = tm, win, mark, alive
        self.key, self.n, self.gap = key, n, gap
        self.presses = []
        self.how = set()

    def run(self):
        base = len([1 for k, n, _ in read_marks(self.mark) if k == "key" and n == self.key])
        for i in range(self.n):
            ts, how = self.tm.press(self.win, self.key.encode())
            self.how.add(how)
            tk = wait_mark(self.mark, "key", self.key, nth=base + i, timeout=30,
                           alive=self.alive)
            if tk is None:
                break
            self.presses.append((ts, tk))
            time.sleep(self.gap)


class HwmSampler(threading.Thread):
    """Polls VmHWM of a process tree: the root (trawl's UI) and its descendants."""

    def __init__(self, root_fn, interval=0.05):
        super().__init__(daemon=True)
        self.root_fn = root_fn
        self.interval = interval
        self.stop_flag = False
        self.root = None
        self.root_hwm = 0
        self.child_hwm = {}
        self.child_role = {}

    def run(self):
        while not self.stop_flag:
            if self.root is None:
                self.root = self.root_fn()
            if self.root:
                h = vm_kb(self.root)
                if h:
                    self.root_hwm = max(self.root_hwm, h)
                for c in children_of(self.root):
                    h = vm_kb(c)
                    if h:
                        self.child_hwm[c] = max(self.child_hwm.get(c, 0), h)
                        # named by bg_start just after the fork: until then "trawl"
                        if not (self.child_role.get(c) or "").startswith("trawl-"):
                            self.child_role[c] = comm_of(c)
            time.sleep(self.interval)

    def role_peaks(self):
        """{role: peak kB} over the children, by process name (trawl-loader, ...)."""
        out = {}
        for c, h in self.child_hwm.items():
            role = self.child_role.get(c) or "?"
            role = role[len("trawl-"):] if role.startswith("trawl-") else "other"
            out[role] = max(out.get(role, 0), h)
        return out


def timed(argv, env, stdout=subprocess.DEVNULL, cwd=None):
    t0 = time.time()
    r = subprocess.run(argv, env=env, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd)
    return time.time() - t0, r


def timed_rss(argv, env, tmpfile):
    """Wall time and max RSS (kB) of one command, via /usr/bin/time."""
    t0 = time.time()
    r = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", tmpfile] + argv, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.time() - t0
    with open(tmpfile) as f:
        rss = int(f.read().split()[-1])
    return dt, rss, r


# --- the benchmark -------------------------------------------------------

class Bench:
    def __init__(self, a):
        self.a = a
        self.size = a.size
        self.cache = os.path.realpath(a.cache)
        self.cfg = os.path.join(self.cache, "notmuch-config")
        self.mail = os.path.join(self.cache, "mail")
        self.work = a.work
        os.makedirs(self.work, exist_ok=True)
        self.home = os.path.join(self.work, "home")
        os.makedirs(os.path.join(self.home, "Mail"), exist_ok=True)
        os.makedirs(os.path.join(self.home, ".config", "alot"), exist_ok=True)
        self.meta_path = a.meta
        self.meta = read_meta(a.meta)
        self.trawl = a.trawl
        self.runs = a.runs
        self.only = SECTIONS if a.only == "all" else a.only.split(",")
        self.only_arg = a.only
        self.refs = a.refs == "1"
        self.rows = []  # (section, op, tool, unit, [values], note)
        self.notes = []
        self.extra = []  # extra Markdown blocks (profiles)
        self.loads = []
        self.tm = None

    # environment for every tool: private HOME/XDG so nothing touches the user's files
    def env(self, cfg=None, **extra):
        e = dict(os.environ)
        e.update(HOME=self.home, XDG_STATE_HOME=os.path.join(self.home, ".local/state"),
                 XDG_CONFIG_HOME=os.path.join(self.home, ".config"),
                 XDG_CACHE_HOME=os.path.join(self.home, ".cache"),
                 XDG_DATA_HOME=os.path.join(self.home, ".local/share"),
                 NOTMUCH_CONFIG=cfg or self.cfg, LANG="C.UTF-8", LC_ALL="C.UTF-8")
        e.update(extra)
        return e

    def tenv(self, cfg=None, **extra):
        """The subset passed to programs started in tmux."""
        e = {"HOME": self.home, "XDG_STATE_HOME": os.path.join(self.home, ".local/state"),
             "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
             "XDG_CACHE_HOME": os.path.join(self.home, ".cache"),
             "XDG_DATA_HOME": os.path.join(self.home, ".local/share"),
             "NOTMUCH_CONFIG": cfg or self.cfg, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        e.update(extra)
        return e

    def add(self, section, op, tool, unit, values, note=""):
        values = [v for v in values if v is not None]
        self.rows.append((section, op, tool, unit, values, note))
        if values:
            log("%-38s %-22s median %.4g %s (n=%d)" % (op, tool, statistics.median(values), unit,
                                                       len(values)))
        else:
            log("%-38s %-22s no data %s" % (op, tool, note))

    def note(self, msg):
        self.notes.append(msg)
        log("note: " + msg)

    def want(self, s):
        return s in self.only

    def nm(self, *args, cfg=None):
        r = subprocess.run(["notmuch"] + list(args), env=self.env(cfg), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, encoding="utf-8",
                           errors="replace")
        if r.returncode != 0:
            raise RuntimeError("notmuch %s: %s" % (" ".join(args), r.stderr.strip()))
        return r.stdout

    # -- facts about the cache, found once
    def facts(self):
        self.messages = int(self.nm("count", "*"))
        self.threads = int(self.nm("count", "--output=threads", "*"))
        if "sender" not in self.meta:
            log("finding a frequent sender (notmuch address, once)")
            out = self.nm("address", "--output=sender", "--output=count",
                          "--deduplicate=address", "*")
            best = max((l.split("\t", 1) for l in out.splitlines() if "\t" in l),
                       key=lambda p: int(p[0]))
            m = re.search(r"<([^>]+)>", best[1])
            addr = m.group(1) if m else best[1].strip()
            self.meta["sender"] = addr
            write_meta(self.meta_path, "sender", addr)
        if "largest_thread" not in self.meta or "last_subject" not in self.meta:
            log("finding the largest thread and the last row (notmuch search, once)")
            out = json.loads(self.nm("search", "--format=json", "--output=summary", "*"))
            best = max(out, key=lambda t: t["total"])
            # The last row of the newest-first list: its subject and year identify
            # the last screen (the first screen holds only the newest year).
            last = out[-1]
            for k, v in (("largest_thread", best["thread"]),
                         ("largest_thread_messages", str(best["total"])),
                         ("last_subject", last["subject"].replace("\n", " ")),
                         ("last_year", time.strftime("%Y", time.localtime(last["timestamp"])))):
                self.meta[k] = v
                write_meta(self.meta_path, k, v)
        self.sender_q = "from:" + self.meta["sender"]
        self.sender_threads = int(self.nm("count", "--output=threads", self.sender_q))
        self.sender_messages = int(self.nm("count", self.sender_q))
        self.thread_q = "thread:" + self.meta["largest_thread"]
        log("%d messages, %d threads; %s: %d messages in %d threads; largest thread %s messages"
            % (self.messages, self.threads, self.sender_q, self.sender_messages,
               self.sender_threads, self.meta["largest_thread_messages"]))

    # -- trawl in tmux
    def trawl_launch(self, query, mark, exit_at=None, cfg=None, wrap=None):
        if os.path.exists(mark):
            os.unlink(mark)
        extra = {"TRAWL_BENCH_MARK": mark}
        if exit_at:
            extra["TRAWL_BENCH_EXIT"] = exit_at
        argv = (wrap or []) + [self.trawl, query]
        return self.tm.launch(argv, self.tenv(cfg, **extra))

    def launch_floor(self):
        """The harness's own cost: tmux new-window until a trivial program runs."""
        vals = []
        f = os.path.join(self.work, "floor")
        for _ in range(self.runs):
            if os.path.exists(f):
                os.unlink(f)
            t0, win = self.tm.launch(["sh", "-c", "date +%%s.%%N > %s" % f])
            end = time.time() + 10
            while time.time() < end:
                try:
                    with open(f) as fh:
                        s = fh.read().strip()
                    if s:
                        vals.append(float(s) - t0)
                        break
                except FileNotFoundError:
                    pass
                time.sleep(0.002)
            self.tm.wait_gone(win)
        self.add("first", "harness: tmux launch → program runs", "tmux+sh", "s", vals)

    def head_kept(self, query):
        """Whether trawl's head cache holds query's list at the database's current commit
        (see src/headcache.c: the stamp is the bytes of Xapian's version file)."""
        if not hasattr(self, "db_path"):  # polled every 10 ms: one notmuch run, not one a poll
            self.db_path = self.nm("config", "get", "database.path").strip()
        db = self.db_path
        stamp = None
        for p in (os.path.join(db, ".notmuch/xapian/iamglass"),
                  os.path.join(db, "xapian/iamglass")):
            if os.path.exists(p):
                with open(p, "rb") as f:
                    stamp = f.read()
                break
        if stamp is None:
            return False
        head = b"trawl-heads 1\nS %d\n" % len(stamp) + stamp + b"\n"
        # Beside the database since the case keeps its state; the XDG cache when it cannot.
        xdg = os.path.join(self.home, ".cache/trawl/heads")
        files = [os.path.join(db, ".notmuch/trawl/heads")]
        if os.path.isdir(xdg):
            files += [os.path.join(xdg, n) for n in os.listdir(xdg)]
        for path in files:
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                continue
            if data.startswith(head) and (b"\x1f" + query.encode() + b"\x1f") in data:
                return True
        return False

    def touch_db(self):
        """A commit by another program (notmuch tag on one message, alternately + and -):
        the database the head cache was kept at is gone."""
        if not hasattr(self, "touch_id"):
            self.touch_id = self.nm("search", "--output=messages", "--limit=1", "*").strip()
            self.touched = False
        self.touched = not self.touched
        self.nm("tag", ("+" if self.touched else "-") + "benchtouch", "--", self.touch_id)

    def first_screen(self, query, label):
        """Two starts per run: right after another program's commit (trawl finds the head
        through libnotmuch: the first opening of a list, or any opening after a change by
        anyone), and a reopening of a list on a database nobody changed since trawl last
        had it open (the head comes from trawl's head cache).  Between them, one start that
        stays until its loader has kept the head, as a reviewer's session does."""
        mark = os.path.join(self.work, "mark")
        after_commit, reopened, unkept = [], [], 0
        # One run first, not counted: it leaves the hints (the database's newest
        # date) that a reviewer's later starts find, as the page cache is warm
        # for every tool.
        t0, win = self.trawl_launch(query, mark, exit_at="first-screen")
        wait_mark(mark, "first-screen", timeout=120)
        time.sleep(0.3)
        if not self.tm.wait_gone(win, 30):
            self.tm.kill(win)
        for _ in range(self.runs):
            self.touch_db()
            t0, win = self.trawl_launch(query, mark, exit_at="first-screen")
            t = wait_mark(mark, "first-screen", timeout=120)
            after_commit.append(t - t0 if t else None)
            if not self.tm.wait_gone(win, 30):
                self.tm.kill(win)
            t0, win = self.trawl_launch(query, mark)
            wait_mark(mark, "first-screen", timeout=120)
            end = time.time() + 60
            while time.time() < end and not self.head_kept(query):
                time.sleep(0.01)
            self.tm.kill(win)
            if not self.head_kept(query):
                unkept += 1
                continue
            t0, win = self.trawl_launch(query, mark, exit_at="first-screen")
            t = wait_mark(mark, "first-screen", timeout=120)
            reopened.append(t - t0 if t else None)
            if not self.tm.wait_gone(win, 30):
                self.tm.kill(win)
        if self.touched:
            self.touch_db()
        self.add("first", "first screen, %s" % label, "trawl", "s", after_commit,
                 "after another program's commit")
        self.add("first", "first screen, %s, reopened" % label, "trawl", "s", reopened,
                 "head cache; %d runs found it not kept" % unkept if unkept else "head cache")

    # -- references: notmuch CLI
    def nm_refs(self, query, label):
        e = self.env()
        for op, argv in [
            ("first screen, %s" % label,
             ["notmuch", "search", "--format=json", "--limit=50", query]),
            ("whole list, %s" % label, ["notmuch", "search", query]),
            ("thread count, %s" % label, ["notmuch", "count", "--output=threads", query]),
        ]:
            tool = {"first": "notmuch search --limit=50", "whole": "notmuch search (all)",
                    "thread": "notmuch count --output=threads"}[op.split()[0]]
            n = self.runs
            vals = []
            for _ in range(n):
                dt, r = timed(argv, e)
                vals.append(dt if r.returncode == 0 else None)
            self.add("first" if op.startswith("first") else "load", op, tool, "s", vals)

    # -- references: alot and neomutt, first screen by polling the pane
    def poll_screen(self, win, pred, timeout, interval=0.02):
        end = time.time() + timeout
        while time.time() < end:
            txt = self.tm.capture(win)
            if pred(txt):
                return time.time(), txt
            if not self.tm.alive(win):
                return None, txt
            time.sleep(interval)
        return None, self.tm.capture(win)

    def alot_first(self, query, label, nthreads):
        if not shutil.which("alot"):
            self.add("first", "first screen, %s" % label, "alot", "s", [], "alot not installed")
            return
        want = min(H - 1, nthreads)
        vals, rss = [], []
        for _ in range(self.runs):
            t0, win = self.tm.launch(["alot", "-n", self.cfg, "search", query], self.tenv())
            t, txt = self.poll_screen(
                win, lambda s: len(re.findall(r"^\s*\S.*\(\d+\)", s, re.M)) >= want, 120)
            vals.append(t - t0 if t else None)
            pid = self.tm.pid(win)
            if pid and label == "*":
                rss.append(vm_kb(pid))
            if t is None:
                self.note("alot %s: no full screen seen; last screen: %r" % (label, txt[-300:]))
            self.tm.kill(win)
        self.add("first", "first screen, %s" % label, "alot", "s", vals,
                 "pane polled every 20 ms")
        if rss:
            self.add("rss", "peak RSS at first screen of *", "alot", "MiB",
                     [r / 1024 for r in rss if r], "alot loads lazily: not the whole list")

    def neomutt_first(self, query, label, nmsgs, runs):
        if not shutil.which("neomutt"):
            self.add("first", "first screen, %s" % label, "neomutt", "s", [],
                     "neomutt not installed")
            return
        rc = os.path.join(self.work, "muttrc")
        url = "notmuch://%s?query=%s" % (self.mail, query)
        with open(rc, "w") as f:
            f.write('set nm_default_url="notmuch://%s"\n' % self.mail)
            f.write('virtual-mailboxes "bench" "%s"\n' % url)
            f.write('set spoolfile="%s"\n' % url)
            f.write("set sort=threads\nset sort_aux=reverse-last-date-received\n")
            f.write("set mail_check_stats=no\nset nm_db_limit=0\nset wait_key=no\n")
        want = min(H - 3, nmsgs)
        vals, rss = [], []
        for _ in range(runs):
            t0, win = self.tm.launch(["neomutt", "-n", "-F", rc], self.tenv())
            t, txt = self.poll_screen(
                win, lambda s: (len(re.findall(r"^\s*\d+ .{4,}", s, re.M)) >= want
                                or "yes]/no" in s),
                1800, interval=0.05)
            if t is not None and "yes]/no" in txt:
                self.note("neomutt asked a question: %r" % txt.strip()[-200:])
                t = None
            vals.append(t - t0 if t else None)
            pid = self.tm.pid(win)
            if pid and label == "*":
                rss.append(vm_kb(pid))
            self.tm.kill(win)
        self.add("first", "first screen, %s" % label, "neomutt", "s", vals,
                 "reads every message of the query first; pane polled every 50 ms")
        if rss:
            self.add("rss", "peak RSS at first screen of *", "neomutt", "MiB",
                     [r / 1024 for r in rss if r], "neomutt has the whole list then")

    # -- 2 + 4: the end of the list (G during the load), jump latency, RSS
    def load_and_rss(self):
        mark = os.path.join(self.work, "mark")
        tfile = os.path.join(self.work, "time-v")
        ends, g_load, g_jump, ui_rss, sum_rss, timev_rss = [], [], [], [], [], []
        role_rss = {}
        verified = []
        for i in range(self.runs):
            if os.path.exists(tfile):
                os.unlink(tfile)
            holder = {}
            sampler = HwmSampler(lambda: self._trawl_pid(holder))
            t0, win = self.trawl_launch("*", mark, wrap=["/usr/bin/time", "-v", "-o", tfile])
            holder["win"] = win
            sampler.start()
            alive = lambda: self.tm.alive(win)  # noqa: E731
            fs = wait_mark(mark, "first-screen", timeout=120, alive=alive)
            if fs is None:
                self.note("load run %d: no first screen" % i)
                sampler.stop_flag = True
                self.tm.kill(win)
                continue
            tg, _ = self.tm.send(win, "G")
            tv, txt = self.poll_screen(win, self.last_screen_shown, 3600, interval=0.01)
            ld = wait_mark(mark, "loaded", timeout=3600, alive=alive)
            if tv is not None:
                g_load.append(tv - tg)
            else:
                self.note("load run %d: the last row never showed after G: %r" % (i, txt[-400:]))
            if ld is None:
                self.note("load run %d: never loaded" % i)
            else:
                ends.append(ld - t0)
                # a jump on a complete list: g, then G
                self.tm.send(win, "g")
                nth = len([1 for k, n, t in read_marks(mark) if k == "key" and n == "G"])
                wait_mark(mark, "key", "g", timeout=30, alive=alive)
                tj, _ = self.tm.send(win, "G")
                kj = wait_mark(mark, "key", "G", nth=nth, timeout=30, alive=alive)
                if kj:
                    g_jump.append(kj - tj)
                time.sleep(0.05)
                verified.append(self.last_screen_shown(self.tm.capture(win)))
            pid = holder.get("pid")
            if pid:
                h = vm_kb(pid)
                if h:
                    sampler.root_hwm = max(sampler.root_hwm, h)
            sampler.stop_flag = True
            sampler.join()
            if pid:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            if not self.tm.wait_gone(win, 30):
                self.tm.kill(win)
            if sampler.root_hwm:
                ui_rss.append(sampler.root_hwm / 1024)
            peaks = sampler.role_peaks()
            for role in ("loader", "counter"):
                role_rss.setdefault(role, []).append(peaks.pop(role, 0) / 1024)
            role_rss.setdefault("other", []).append(max(peaks.values() or [0]) / 1024)
            if sampler.root_hwm:
                sum_rss.append((sampler.root_hwm + sum(sampler.role_peaks().values())) / 1024)
            try:
                with open(tfile) as f:
                    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
                if m:
                    timev_rss.append(int(m.group(1)) / 1024)
            except FileNotFoundError:
                pass
        self.add("load", "end of list (loaded mark), *", "trawl", "s", ends)
        self.add("load", "G pressed at first screen → last screen, *", "trawl", "s", g_load,
                 "until the last row (subject and year) is on screen; pane polled every 10 ms")
        self.add("load", "G on a complete list → frame, *", "trawl", "s", g_jump)
        if verified and not all(verified):
            self.note("after g, G on the loaded list the last row (%r) was not on screen in %d "
                      "of %d runs" % (self.meta.get("last_subject", "")[:24],
                                      verified.count(False), len(verified)))
        self.add("rss", "peak RSS at end of *: UI process (VmHWM)", "trawl", "MiB", ui_rss,
                 "/proc/PID/status VmHWM just before exit")
        for role, what in (("loader", "loader child (trawl-loader)"),
                           ("counter", "counter child (trawl-counter)"),
                           ("other", "largest other child (filters, tail)")):
            self.add("rss", "peak RSS at end of *: %s" % what, "trawl", "MiB",
                     role_rss.get(role, []), "VmHWM sampled every 50 ms while it lived: a lower bound")
        self.add("rss", "peak RSS at end of *: UI + children", "trawl", "MiB", sum_rss,
                 "sum of each process's peak, which need not coincide: an upper bound")
        self.add("rss", "max RSS of trawl or any waited child (time -v)", "trawl", "MiB",
                 timev_rss, "/usr/bin/time -v: max over the process and waited-for children")
        if self.refs:
            vals = []
            for _ in range(self.runs):
                _, rss, r = timed_rss(["notmuch", "search", "*"], self.env(),
                                      os.path.join(self.work, "rss"))
                vals.append(rss / 1024 if r.returncode == 0 else None)
            self.add("rss", "peak RSS, whole list of *", "notmuch search (all)", "MiB", vals)

    def last_screen_shown(self, txt):
        subj = self.meta.get("last_subject", "")[:20]
        year = self.meta.get("last_year", "")
        return any(subj in l and year in l for l in txt.splitlines())

    def _trawl_pid(self, holder):
        win = holder.get("win")
        if not win:
            return None
        tpid = self.tm.pid(win)  # /usr/bin/time
        if not tpid:
            return None
        kids = children_of(tpid)
        if kids:
            holder["pid"] = kids[0]  # trawl: the direct child of time (listed first)
            return holder["pid"]
        return None

    # -- 3: key latency while loading
    def key_latency(self):
        mark = os.path.join(self.work, "mark")
        lat, lat_tmux, during, total, how = [], [], 0, 0, set()
        est = self.load_estimate or 2.0
        interval = min(0.3, max(0.02, est * 0.6 / 20))
        for i in range(self.runs):
            t0, win = self.trawl_launch("*", mark)
            alive = lambda: self.tm.alive(win)  # noqa: E731
            if wait_mark(mark, "first-screen", timeout=120, alive=alive) is None:
                self.tm.kill(win)
                continue
            for k in range(20):
                # Every other press through a tmux client, for comparison with earlier files.
                if k % 2:
                    ts, _ = self.tm.send(win, "j")
                else:
                    ts, h = self.tm.press(win, b"j")
                    how.add(h)
                tk = wait_mark(mark, "key", "j", nth=k, timeout=30, alive=alive)
                if tk is None:
                    break
                ld = mark_time(read_marks(mark), "loaded")
                total += 1
                if ld is None or tk < ld:
                    during += 1
                    (lat_tmux if k % 2 else lat).append(tk - ts)
                time.sleep(interval)
            self.tm.kill(win)
        self.add("keys", "key j → frame, during the load of *", "trawl", "s", lat,
                 "%d of %d presses landed during the load; these typed into the pane's tty "
                 "(%s), timed from just before%s" % (during, total, "/".join(sorted(how)),
                                                      percentiles(lat)))
        self.add("keys", "same, sent with `tmux send-keys`", "trawl", "s", lat_tmux,
                 "timed from before the tmux client starts (its start is counted)%s"
                 % percentiles(lat_tmux))

    # -- 2b: the largest thread
    def thread_open(self):
        mark = os.path.join(self.work, "mark")
        fs, op = [], []
        for _ in range(self.runs):
            t0, win = self.trawl_launch(self.thread_q, mark)
            alive = lambda: self.tm.alive(win)  # noqa: E731
            t = wait_mark(mark, "first-screen", timeout=120, alive=alive)
            if t is None:
                self.tm.kill(win)
                continue
            fs.append(t - t0)
            te, _ = self.tm.send(win, "Enter")
            k = wait_mark(mark, "key", "Enter", timeout=120, alive=alive)
            if k:
                op.append(k - te)
            self.tm.kill(win)
        n = self.meta["largest_thread_messages"]
        self.add("thread", "first screen, largest thread (%s msgs)" % n, "trawl", "s", fs)
        self.add("thread", "Enter → thread shown, largest thread", "trawl", "s", op)
        if self.refs:
            vals = []
            for _ in range(self.runs):
                dt, r = timed(["notmuch", "show", "--format=json", "--entire-thread=true",
                               self.thread_q], self.env())
                vals.append(dt if r.returncode == 0 else None)
            self.add("thread", "Enter → thread shown, largest thread",
                     "notmuch show --format=json", "s", vals, "whole process")

    # -- 5: bulk tagging on copies of the database
    def shadow(self, name):
        """A copy of the database whose mail is symlinked to the cache's (tags
        only: no file is read or renamed, synchronize_flags=false)."""
        root = os.path.join(self.work, name)
        mail = os.path.join(root, "mail")
        cfg = os.path.join(root, "notmuch-config")
        if not os.path.isdir(os.path.join(mail, ".notmuch")):
            log("copying the database to %s" % root)
            shutil.rmtree(root, ignore_errors=True)
            os.makedirs(mail)
            subprocess.run(["cp", "-a", os.path.join(self.mail, ".notmuch"), mail], check=True)
            for entry in os.listdir(self.mail):
                if entry != ".notmuch":
                    os.symlink(os.path.join(self.mail, entry), os.path.join(mail, entry))
        with open(cfg, "w") as f:
            f.write("[database]\npath=%s\n[new]\ntags=unread;inbox\n[search]\nexclude_tags=\n"
                    "[maildir]\nsynchronize_flags=false\n" % mail)
        left = int(self.nm("count", "tag:benchx", cfg=cfg))
        if left:
            self.nm("tag", "-benchx", "--", "tag:benchx", cfg=cfg)
        return cfg

    def wait_count(self, cfg, query, want, timeout, interval=0.2):
        end = time.time() + timeout
        while time.time() < end:
            try:
                n = int(self.nm("count", query, cfg=cfg))
            except (RuntimeError, ValueError):
                n = -1
            if n == want:
                return time.time()
            time.sleep(interval)
        return None

    def bulk_trawl_once(self, cfg, total, mark):
        """One bulk tag and its undo in trawl; returns (tag msgs/s, undo msgs/s)."""
        shutil.rmtree(os.path.join(self.home, ".local/state"), ignore_errors=True)
        t0, win = self.trawl_launch("*", mark, cfg=cfg)
        alive = lambda: self.tm.alive(win)  # noqa: E731
        try:
            # Wait for the whole list so the loader does not compete with the writer.
            if wait_mark(mark, "loaded", timeout=3600, alive=alive) is None:
                self.note("bulk: the list never loaded")
                return None, None
            time.sleep(1)  # and for the counts that follow
            self.tm.send(win, "*")
            t, txt = self.poll_screen(win, lambda s: "tag all messages of" in s, 30)
            if t is None:
                self.note("bulk: no tag prompt after *: %r" % txt[-300:])
                return None, None
            self.tm.send(win, "+benchx", literal=True)
            self.tm.send(win, "Enter")
            t, txt = self.poll_screen(win, lambda s: "y/n" in s, 30)
            if t is None:
                self.note("bulk: no y/n prompt: %r" % txt[-300:])
                return None, None
            self.tm.send(win, "y", literal=True)
            ts, _ = self.tm.send(win, "Enter")
            presser = KeyPresser(self.tm, win, mark, alive)
            presser.start()
            try:
                te = self.wait_count(cfg, "tag:benchx", total, 3600)
            finally:
                presser.stop_flag = True
                presser.join()
            self.bulk_keys.extend(presser.lat)
            if te is None:
                self.note("bulk: tag:benchx never reached %d" % total)
                return None, None
            tag = total / (te - ts)
            time.sleep(0.3)  # let trawl see its job finish before undo
            tu, _ = self.tm.send(win, "u")
            te = self.wait_count(cfg, "tag:benchx", 0, 3600)
            if te is None:
                self.note("bulk: undo did not bring tag:benchx to 0: %r"
                          % self.tm.capture(win)[-300:])
                return tag, None
            return tag, total / (te - tu)
        finally:
            self.tm.kill(win)
            left = int(self.nm("count", "tag:benchx", cfg=cfg))
            if left:
                self.nm("tag", "-benchx", "--", "tag:benchx", cfg=cfg)

    def bulk(self):
        self.bulk_keys = []
        cfg = self.shadow("bulk-trawl")
        cfg2 = self.shadow("bulk-notmuch") if self.refs else None
        total = int(self.nm("count", "*", cfg=cfg))
        mark = os.path.join(self.work, "mark")
        tag_r, undo_r, t_add, t_del = [], [], [], []
        # trawl and notmuch tag alternate, so a change in the machine's load
        # falls on both
        for i in range(self.bulk_runs):
            tag, undo = self.bulk_trawl_once(cfg, total, mark)
            tag_r.append(tag)
            undo_r.append(undo)
            if cfg2:
                dt, r = timed(["notmuch", "tag", "+benchx", "--", "*"], self.env(cfg2))
                t_add.append(total / dt if r.returncode == 0 else None)
                dt, r = timed(["notmuch", "tag", "-benchx", "--", "*"], self.env(cfg2))
                t_del.append(total / dt if r.returncode == 0 else None)
        note = "%d messages; list loaded first; from the confirming Enter until `notmuch " \
               "count tag:benchx` agrees (polled every 0.2 s)" % total
        self.add("bulk", "bulk tag +benchx on *", "trawl", "msgs/s", tag_r, note)
        self.add("bulk", "undo of the bulk tag", "trawl", "msgs/s", undo_r)
        self.add("bulk", "key j/k → frame, during the bulk tag", "trawl", "s", self.bulk_keys,
                 "a key every 0.5 s while the writer runs, typed into the pane's tty "
                 "(TIOCSTI; send-keys where refused), timed from just before"
                 + percentiles(self.bulk_keys))
        if cfg2:
            self.add("bulk", "bulk tag +benchx on *", "notmuch tag", "msgs/s", t_add,
                     "run alternately with trawl's")
            self.add("bulk", "undo of the bulk tag", "notmuch tag", "msgs/s", t_del,
                     "notmuch tag -benchx -- '*'")

    # -- 6: following another program's commit (issue 14)
    def wait_quiet(self, pid, timeout=60):
        """Until trawl has no background job (loader, counter, updater, writer...)."""
        end = time.time() + timeout
        while time.time() < end:
            if not children_by_name(pid):
                return True
            time.sleep(0.02)
        return False

    def review_dot_gone(self, win, row, timeout=30, interval=0.005):
        """R on row (the cursor must be there), then polls until that row's • is gone
        (committed).  Returns (seconds until the row's mark first changed: queued ◌ or
        gone, seconds until it is gone), from just before the key; None when not."""
        rows = list_rows(self.tm.capture(win))
        if len(rows) <= row or rows[row][0] is not True:
            self.note("follow: row %d shows no unreviewed mark before R" % row)
            return None, None
        ts, _ = self.tm.press(win, b"R")
        end = ts + timeout
        seen = None
        while time.time() < end:
            rows = list_rows(self.tm.capture(win))
            if seen is None and len(rows) > row and rows[row][0] is not True:
                seen = time.time() - ts
            if len(rows) > row and not rows[row][0]:
                return seen, time.time() - ts
            time.sleep(interval)
        self.note("follow: row %d's unreviewed mark still shown %d s after R" % (row, timeout))
        return seen, None

    def follow_commit(self, cfg, win, pid, mark, add, keys=False, review_row=None,
                      timeout=900, interval=0.015):
        """Another program's `notmuch tag ±benchx -- '*'` while trawl shows `*`.  Times,
        in seconds from the end of that command (its commit is done when it returns):
        rows: every list row on screen shows the change (polled every interval); seen:
        the updater for this commit was first seen; gone: that updater exited (every
        changed thread re-read).  keys: j pressed from the end of the commit on (a
        SpacedKeys).  review_row: R on that row as soon as the rows show the change."""
        want = add
        argv = ["notmuch", "tag", ("+" if add else "-") + "benchx", "--", "*"]
        # One commit, at the end: by itself Xapian commits every 10,000 changes,
        # and trawl would follow those while notmuch tag runs.
        env = self.env(cfg, XAPIAN_FLUSH_THRESHOLD=str(10 * self.messages))
        t0 = time.time()
        r = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        te = time.time()
        if r.returncode != 0:
            self.note("follow: %s failed: %s" % (" ".join(argv),
                                                 r.stderr.decode(errors="replace")[-200:]))
            return None
        presser = None
        if keys:
            presser = SpacedKeys(self.tm, win, mark, lambda: self.tm.alive(win))
            presser.start()
        res = {"te": te, "commit": te - t0, "rows": None, "seen": None, "gone": None,
               "review": None}
        # Updaters already running (for commits made while notmuch tag ran) are not ours.
        old = {p for p, c in children_by_name(pid).items() if c == "trawl-updater"}
        ours = None
        first = True
        tr = None
        end = te + timeout
        while time.time() < end:
            kids = children_by_name(pid)
            rows = list_rows(self.tm.capture(win))
            now = time.time()
            if first:
                res["on_screen"] = len(rows)
                res["unchecked"] = sum(1 for d, t in rows if t is None)
                res["already"] = sum(1 for d, t in rows if t is not None
                                     and ("benchx" in t) == want)
                first = False
            if ours is None:
                new = [p for p, c in kids.items() if c == "trawl-updater" and p not in old]
                if new:
                    ours = min(new)
                    res["seen"] = now - te
            elif res["gone"] is None and ours not in kids:
                res["gone"] = now - te
            checked = [t for d, t in rows if t is not None]
            if res["rows"] is None and checked and all(("benchx" in t) == want
                                                       for t in checked):
                res["rows"] = now - te
                if review_row is not None:
                    if len(rows) > review_row and rows[review_row][0]:
                        tr, _ = self.tm.press(win, b"R")
                    else:
                        self.note("follow: row %d shows no unreviewed mark after the refresh"
                                  % review_row)
            if tr is not None and res["review"] is None:
                if len(rows) > review_row and not rows[review_row][0]:
                    res["review"] = now - tr
                elif now - tr > 60:
                    self.note("follow: row %d's unreviewed mark still shown 60 s after R"
                              % review_row)
                    tr = None
            updated = res["gone"] is not None or (
                ours is None and not any(c == "trawl-updater" for c in kids.values()))
            if res["rows"] is not None and updated and (tr is None or res["review"] is not None):
                break
            time.sleep(interval)
        if presser:
            presser.join()
            res["keys"] = presser.presses
            res["how"] = presser.how
        if res["rows"] is None:
            self.note("follow: the rows on screen did not show %s benchx within %d s: %r"
                      % ("+" if add else "-", timeout, self.tm.capture(win)[-400:]))
        return res

    def follow(self):
        cfg = self.shadow("follow")
        total = int(self.nm("count", "*", cfg=cfg))
        mark = os.path.join(self.work, "mark")
        tag_add, tag_del, rows_a, seen_a, gone_a, rows_b = [], [], [], [], [], []
        r_first, r_next, r_busy, keys, late, pressed, how = [], [], [], [], 0, 0, set()
        r_seen = []
        on_screen, already, unchecked = [], [], 0
        quiet_r = 3  # R presses on the quiet list; each leaves the cursor a row lower

        def unreview():
            if int(self.nm("count", "tag:reviewed", cfg=cfg)):
                self.nm("tag", "-reviewed", "--", "tag:reviewed", cfg=cfg)

        unreview()
        for i in range(self.follow_runs):
            shutil.rmtree(os.path.join(self.home, ".local/state"), ignore_errors=True)
            t0, win = self.trawl_launch("*", mark, cfg=cfg)
            alive = lambda: self.tm.alive(win)  # noqa: E731
            try:
                # The whole list first, so that its loader and counters are not measured.
                if wait_mark(mark, "loaded", timeout=3600, alive=alive) is None:
                    self.note("follow run %d: the list never loaded" % i)
                    continue
                pid = self.tm.pid(win)
                # (c) R on the first rows of a quiet list: trawl's own commit, followed.
                for row in range(quiet_r):
                    self.wait_quiet(pid)
                    time.sleep(0.3)
                    seen, gone = self.review_dot_gone(win, row)
                    (r_next if row else r_first).append(gone)
                    r_seen.append(seen)
                self.wait_quiet(pid)
                time.sleep(0.3)
                # (a) another program tags every message; then R on the row the
                # cursor went to as soon as the rows on screen show the tag.
                a = self.follow_commit(cfg, win, pid, mark, True, review_row=quiet_r)
                if a:
                    tag_add.append(a["commit"])
                    rows_a.append(a["rows"])
                    seen_a.append(a["seen"])
                    gone_a.append(a["gone"])
                    r_busy.append(a["review"])
                    on_screen.append(a["on_screen"])
                    already.append(a["already"])
                    unchecked += a["unchecked"]
                self.wait_quiet(pid, timeout=900)
                time.sleep(0.3)
                # (b) the tag taken off again, j pressed while the rows follow.
                b = self.follow_commit(cfg, win, pid, mark, False, keys=True)
                if b:
                    tag_del.append(b["commit"])
                    rows_b.append(b["rows"])
                    already.append(b["already"])
                    unchecked += b["unchecked"]
                    how |= b["how"]
                    # presses whose frame came before the refresh was over count
                    over = b["gone"] if b["gone"] is not None else b["rows"]
                    for ts, tk in b["keys"]:
                        if over is not None and tk <= b["te"] + over:
                            keys.append(tk - ts)
                        else:
                            late += 1
                    pressed += len(b["keys"])
                fmt = lambda v: "-" if v is None else "%.3f" % v  # noqa: E731
                log("follow run %d: R %s/%s; +benchx: tag %s, rows %s, updater %s-%s, R %s; "
                    "-benchx: tag %s, rows %s, keys max %s"
                    % (i, fmt(r_first[-1]), fmt(r_next[-1]),
                       *(fmt(a and a[k]) for k in ("commit", "rows", "seen", "gone", "review")),
                       *(fmt(b and b[k]) for k in ("commit", "rows")),
                       fmt(max((tk - ts for ts, tk in b["keys"]), default=None) if b else None)))
            finally:
                self.tm.kill(win)
                unreview()
                left = int(self.nm("count", "tag:benchx", cfg=cfg))
                if left:
                    self.nm("tag", "-benchx", "--", "tag:benchx", cfg=cfg)
        med = lambda v: statistics.median(v) if v else 0  # noqa: E731
        self.add("follow", "another program's `notmuch tag +benchx -- '*'` (%d msgs)" % total,
                 "notmuch tag", "s", tag_add, "on a copy of the database, trawl open on `*`; "
                 "XAPIAN_FLUSH_THRESHOLD=%d, so it commits once, at its end"
                 % (10 * self.messages))
        self.add("follow", "another program's `notmuch tag -benchx -- '*'`", "notmuch tag", "s",
                 tag_del)
        self.add("follow", "commit → every list row on screen shows +benchx", "trawl", "s",
                 rows_a, "from the end of `notmuch tag` (its commit) to the capture showing "
                 "the tag in all %d rows (pane polled every 15 ms); %.0f of them showed it "
                 "already then%s"
                 % (med(on_screen), med(already),
                    "; %d rows' tags cut off by the width, not checked" % unchecked
                    if unchecked else ""))
        self.add("follow", "commit → the updater for it runs", "trawl", "s", seen_a,
                 "first seen in /proc (trawl-updater); the change feed looks every 200 ms")
        self.add("follow", "commit → the updater has re-read every changed thread", "trawl",
                 "s", gone_a, "until that trawl-updater exits (the rows off screen too)")
        self.add("follow", "commit → every list row on screen drops benchx, keys pressed",
                 "trawl", "s", rows_b, "the `-benchx` commit, with the key presses below")
        self.add("follow", "key j → frame, while the rows follow a commit", "trawl", "s", keys,
                 "20 presses a run, 50 ms after each frame, from the end of `notmuch tag "
                 "-benchx`, typed into the pane's tty (%s), timed from just before; %d of %d "
                 "came before the updater exited, only those count%s"
                 % ("/".join(sorted(how)) or "-", pressed - late, pressed, percentiles(keys)))
        self.add("follow", "R on a row → its mark changes (queued ◌ or gone), quiet list",
                 "trawl", "s", r_seen, "the three quiet Rs below; from just before the key to "
                 "the first capture whose row no longer shows the • (polled every 5 ms)")
        self.add("follow", "R on the first row → its unreviewed mark gone, quiet list", "trawl",
                 "s", r_first, "the session's first R; list loaded, no background job; from "
                 "just before the key to the capture without the • (polled every 5 ms)")
        self.add("follow", "R on the next rows → mark gone, quiet list", "trawl", "s", r_next,
                 "the session's second and third R, each once trawl has no background job "
                 "(after an R its counter runs)")
        self.add("follow", "R as soon as the rows show +benchx → its mark gone", "trawl", "s",
                 r_busy, "on the row the quiet Rs left the cursor on (the %s), while the "
                 "updater still re-reads the rows off screen" % ["first", "second", "third",
                                                                "fourth"][quiet_r])

    # -- 7: import
    def import_(self):
        if self.size != "10k":
            return
        r = subprocess.run([self.trawl, "import", "--help"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, env=self.env())
        src = os.path.join(self.work, "import-src")
        if not os.path.isdir(src):
            os.makedirs(src)
            for d in ("cur", "new", "tmp"):
                if os.path.isdir(os.path.join(self.mail, d)):
                    subprocess.run(["cp", "-a", os.path.join(self.mail, d), src], check=True)
        nfiles = sum(len(os.listdir(os.path.join(src, d))) for d in ("cur", "new")
                     if os.path.isdir(os.path.join(src, d)))
        vals, refs = [], []
        skip = None
        if r.returncode not in (0,) or "import" not in r.stdout:
            skip = "`trawl import --help` failed (%d): %s" % (r.returncode,
                                                               r.stdout.strip()[:200])
        for _ in range(self.a.import_runs):
            if skip is None:
                dst = os.path.join(self.work, "import-dst")
                shutil.rmtree(dst, ignore_errors=True)
                dt, rr = timed([self.trawl, "import", "--into", dst, src], self.env())
                if rr.returncode != 0:
                    skip = "`trawl import` failed (%d): %s" % (
                        rr.returncode, rr.stderr.decode(errors="replace").strip()[-300:])
                else:
                    vals.append(nfiles / dt)
            if self.refs:
                nd = os.path.join(self.work, "nm-new")
                shutil.rmtree(nd, ignore_errors=True)
                os.makedirs(nd)
                subprocess.run(["cp", "-a", src, os.path.join(nd, "mail")], check=True)
                cfg = os.path.join(nd, "notmuch-config")
                with open(cfg, "w") as f:
                    f.write("[database]\npath=%s/mail\n[new]\ntags=unread;inbox\n"
                            "[search]\nexclude_tags=\n[maildir]\nsynchronize_flags=false\n"
                            % nd)
                dt, rr = timed(["notmuch", "new", "--quiet"], self.env(cfg))
                refs.append(nfiles / dt if rr.returncode == 0 else None)
                shutil.rmtree(nd, ignore_errors=True)
        self.add("import", "import of the %s maildir (%d files)" % (self.size, nfiles), "trawl",
                 "msgs/s", vals, skip or "trawl import --into DIR SRC")
        if skip:
            self.note("import skipped: " + skip)
        if self.refs:
            self.add("import", "import of the %s maildir (%d files)" % (self.size, nfiles),
                     "notmuch new", "msgs/s", refs, "fresh copy, same config as the cache")
        if "index_seconds" in self.meta:
            self.add("import", "indexing reference when the cache was made", "notmuch new",
                     "msgs/s", [self.messages / float(self.meta["index_seconds"])],
                     "%s s once (load then %s)" % (self.meta["index_seconds"],
                                                   self.meta.get("index_load", "?")))

    # -- 8: callgrind of the first-screen path
    def _cg_run(self, out, extra):
        """trawl '*' under callgrind until the first-screen mark; dump every process
        there.  Returns (seconds to the mark, [(pid, is_ui, dump file)])."""
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        mark = os.path.join(self.work, "mark")
        wrap = ["valgrind", "--tool=callgrind", "--trace-children=yes",
                "--callgrind-out-file=%s/callgrind.%%p" % out] + extra
        t0, win = self.trawl_launch("*", mark, wrap=wrap)
        alive = lambda: self.tm.alive(win)  # noqa: E731
        fs = wait_mark(mark, "first-screen", timeout=1200, alive=alive)
        if fs is None:
            self.tm.kill(win)
            return None, []
        ui = self.tm.pid(win)
        kids = children_of(ui) if ui else []
        for p in [ui] + kids:
            subprocess.run(["callgrind_control", "-d", "first-screen", str(p)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.time() + 120
        while time.time() < end and len(glob.glob(out + "/callgrind.*.1")) < 1 + len(kids):
            time.sleep(0.2)
        time.sleep(0.5)
        self.tm.kill(win)
        procs = [(p, p == ui, "%s/callgrind.%d.1" % (out, p)) for p in [ui] + kids]
        return fs - t0, [x for x in procs if os.path.exists(x[2])]

    @staticmethod
    def _cg_functions(path):
        """[(inclusive Ir, file, function)], biggest first, without loader/libc frames."""
        r = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", path],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        fns, seen = [], set()
        for l in r.stdout.splitlines():
            m = re.match(r"^\s*([\d,]+) \(\s*([\d.]+)%\)\s+(\S+)", l)
            if not m:
                continue
            name = "TOTALS" if m.group(3) == "PROGRAM" else m.group(3)
            fn = name.rsplit(":", 1)[-1]
            where = os.path.basename(name.rsplit(":", 1)[0]) if ":" in name else ""
            if fn in seen or fn.startswith("0x") or "(below" in name or "libc_start" in name \
                    or fn.startswith("_dl_") or fn == "dl_main":
                continue
            seen.add(fn)
            fns.append((int(m.group(1).replace(",", "")), where, fn))
        return fns

    def callgrind(self):
        if not shutil.which("valgrind"):
            self.note("callgrind skipped: no valgrind")
            return
        # Run 1 counts the UI process.  A forked child inherits its parent's
        # counters, so run 2 collects only inside bg_start: in the parent that is a
        # fork, in a child it is the whole job (the job function never returns).
        t_ui, p1 = self._cg_run(os.path.join(self.work, "callgrind-ui"), [])
        t_ch, p2 = self._cg_run(os.path.join(self.work, "callgrind-children"),
                                ["--toggle-collect=bg_start"])
        if t_ui is None or t_ch is None:
            self.note("callgrind: no first screen within 20 min")
            return
        procs = []
        for pid, is_ui, f in p1:
            if is_ui:
                fns = self._cg_functions(f)
                procs.append(("UI process", fns[0][0] if fns else None, fns))
        for pid, is_ui, f in p2:
            if not is_ui:
                fns = self._cg_functions(f)
                # the job: the deepest frame that still holds (nearly) all the work
                top = fns[0][0] if fns else 0
                jobs = [fn for n, w, fn in fns if n >= 0.95 * top
                        and re.search(r"loader|counter|child|snapshot|writer", fn)]
                jobs = [j for j in jobs if "start" not in j] or jobs
                job = jobs[-1] if jobs else "?"
                # list only the job and what it called, not the frames above it
                names = [fn for n, w, fn in fns]
                below = fns[names.index(job):] if job in names else fns
                procs.append(("child `%s`" % job, fns[0][0] if fns else None, below))
        lines = ["### callgrind: trawl's first screen of `*` (%s)" % self.size, "",
                 "`valgrind --tool=callgrind --trace-children=yes` on trawl without "
                 "TRAWL_BENCH_EXIT; at the first-screen mark (%.1f s / %.1f s after start "
                 "under valgrind) `callgrind_control -d` dumps every process, so each count "
                 "runs to slightly past the first screen.  The UI process is counted in one "
                 "run; the forked children in a second run with `--toggle-collect=bg_start` "
                 "(a fork inherits its parent's counters, so this counts only the child's "
                 "own job)." % (t_ui, t_ch), "",
                 "| process | Ir to the first screen |", "| --- | ---: |"]
        total = 0
        for role, ir, fns in procs:
            lines.append("| %s | %s |" % (role, "{:,}".format(ir) if ir else "?"))
            total += ir or 0
        lines.append("| **sum** | **{:,}** |".format(total))
        lines.append("")
        for role, ir, fns in procs:
            lines += ["%s: top functions by inclusive Ir:" % role, "", "```"]
            for n, w, fn in [x for x in fns if x[2] != "TOTALS"][:24]:
                lines.append("%15s %5.1f%%  %s%s" % ("{:,}".format(n), 100.0 * n / (ir or 1),
                                                     (w + ":") if w else "", fn))
            lines += ["```", ""]
        self.extra.append("\n".join(lines))
        for role, ir, fns in procs:
            self.add("callgrind", "first screen of *: Ir, %s" % role, "trawl", "Ir",
                     [ir] if ir else [])
        self.add("callgrind", "first screen of *: Ir, sum of processes", "trawl", "Ir",
                 [total] if total else [])

    # -- everything
    def run(self):
        self.loads.append(("start", loadavg()))
        self.tm = Tmux(os.path.join(self.work, "tmux.sock"), W, H)
        try:
            self.facts()
            # notmuch tag runs at ~600 msgs/s here: one run each on big caches
            self.bulk_runs = self.a.bulk_runs or (min(self.runs, 3) if self.messages <= 20000
                                                  else 1)
            # two commits of every message a run: notmuch tag manages ~600 msgs/s
            self.follow_runs = self.a.follow_runs or (self.runs if self.messages <= 20000
                                                      else min(self.runs, 3))
            self.load_estimate = None
            if self.want("first"):
                log("== first screen")
                self.launch_floor()
                self.first_screen("*", "*")
                self.first_screen(self.sender_q, "from:<frequent>")
                if self.refs:
                    self.nm_refs("*", "*")
                    self.nm_refs(self.sender_q, "from:<frequent>")
                    self.alot_first("*", "*", self.threads)
                    self.alot_first(self.sender_q, "from:<frequent>", self.sender_threads)
                    nm_runs = self.runs if self.messages <= 20000 else 1
                    self.neomutt_first("*", "*", self.messages, nm_runs)
                    self.neomutt_first(self.sender_q, "from:<frequent>", self.sender_messages,
                                       self.runs)
                self.loads.append(("after first screen", loadavg()))
            if self.want("load"):
                log("== end of list, G, RSS")
                self.load_and_rss()
                self.loads.append(("after load/RSS", loadavg()))
            ends = [r for r in self.rows if r[1].startswith("end of list") and r[4]]
            self.load_estimate = statistics.median(ends[0][4]) if ends else None
            if self.want("keys"):
                log("== key latency")
                self.key_latency()
                self.loads.append(("after keys", loadavg()))
            if self.want("thread"):
                log("== largest thread")
                self.thread_open()
            if self.want("bulk"):
                log("== bulk tagging")
                self.bulk()
                self.loads.append(("after bulk", loadavg()))
            if self.want("follow"):
                log("== following another program's commit")
                self.follow()
                self.loads.append(("after follow", loadavg()))
            if self.want("import"):
                log("== import")
                self.import_()
            if self.want("callgrind") and self.a.callgrind == "1":
                log("== callgrind")
                self.callgrind()
        finally:
            self.tm.close()
        self.loads.append(("end", loadavg()))


def main():
    p = argparse.ArgumentParser(description=__doc__)
    for opt in ("size", "cache", "meta", "work", "trawl", "repo", "results"):
        p.add_argument("--" + opt, required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--bulk-runs", type=int, default=0, help="0: 3 (1 above 20k messages)")
    p.add_argument("--follow-runs", type=int, default=0,
                   help="0: --runs (3 at most above 20k messages)")
    p.add_argument("--import-runs", type=int, default=1)
    p.add_argument("--only", default="all")
    p.add_argument("--refs", default="1")
    p.add_argument("--callgrind", default="1")
    a = p.parse_args()
    b = Bench(a)
    started = datetime.datetime.now()
    b.run()
    md = report.render(b, started)
    day = started.strftime("%Y-%m-%d")
    if a.only == "all" and a.refs == "1":
        path = os.path.join(a.results, "%s-%s.md" % (day, a.size))
    else:
        # partial runs do not replace the day's full result
        path = os.path.join(a.work, "partial-%s.md" % started.strftime("%Y%m%d-%H%M%S"))
    with open(path, "w") as f:
        f.write(md)
    raw = os.path.join(a.work, "raw-%s.json" % started.strftime("%Y%m%d-%H%M%S"))
    with open(raw, "w") as f:
        json.dump({"rows": b.rows, "notes": b.notes, "loads": b.loads, "meta": b.meta}, f,
                  indent=1)
    print(md)
    log("wrote %s (raw numbers: %s)" % (path, raw))


if __name__ == "__main__":
    main()
