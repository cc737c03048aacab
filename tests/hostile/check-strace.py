#!/usr/bin/env python3
"""Checks an strace log of trawl for what reading hostile mail must never do.

Usage: check-strace.py ROOT LOG...

The logs come from `strace -f -y -o LOG -e trace=...` (the syscalls named
below).  Refused:

  - any execve other than the first one of the log (trawl's own): forked
    children are fine, running another program is not;
  - a socket of any family but AF_UNIX, and a connect, bind, sendto or
    sendmsg to an address of any family but AF_UNIX: no network;
  - creating, writing, renaming, linking or removing a file outside ROOT
    (the test's fixture directory; /dev is allowed for the terminal and
    /dev/null), whether or not the call succeeded (but for a mkdir that
    finds the directory there: mkdir -p tries every ancestor).

Prints one line per finding and exits 1 if there is any, else 0.
"""

import os
import re
import sys

MAX_REPORTS = 20

STRING = r'"((?:[^"\\]|\\.)*)"(?:\.\.\.)?'
# A descriptor argument decoded by -y: "AT_FDCWD</cwd>" or "3</path>".
DIRFD = r"(?:AT_FDCWD|-?\d+)(?:<([^>]*)>)?"
WRITE_FLAGS = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND|O_TMPFILE")

# Syscalls taking (dirfd, path) pairs, and the indexes of the pairs.
PATH_CALLS = {
    "creat": [(None, 0)], "mkdir": [(None, 0)], "rename": [(None, 0), (None, 1)],
    "link": [(None, 0), (None, 1)], "symlink": [(None, 1)], "unlink": [(None, 0)],
    "rmdir": [(None, 0)], "mkdirat": [(0, 0)], "unlinkat": [(0, 0)],
    "renameat": [(0, 0), (1, 1)], "renameat2": [(0, 0), (1, 1)],
    "linkat": [(0, 0), (1, 1)], "symlinkat": [(0, 1)],
}


def unescape(s):
    return bytes(s, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8", "replace")


def join_lines(lines):
    """Joins "<unfinished ...>" lines with their "<... resumed>" ends, per pid."""
    pending = {}
    for line in lines:
        line = line.rstrip("\n")
        m = re.match(r"(\d+)\s+(.*)", line)
        if not m:
            continue
        pid, rest = m.group(1), m.group(2)
        if rest.endswith("<unfinished ...>"):
            pending[pid] = rest[: -len("<unfinished ...>")]
            continue
        r = re.match(r"<\.\.\. \w+ resumed>(.*)", rest)
        if r and pid in pending:
            rest = pending.pop(pid) + r.group(1)
        yield pid, rest


def inside(path, roots):
    path = os.path.normpath(path)
    return any(path == r or path.startswith(r + "/") for r in roots)


def check(log, roots):
    found = []
    execs = 0
    with open(log, encoding="utf-8", errors="replace") as f:
        lines = list(join_lines(f))
    cwd = {}
    for pid, call in lines:
        # Relative paths without a dirfd are resolved from the cwd AT_FDCWD showed last.
        at = re.search(r"AT_FDCWD<([^>]*)>", call)
        if at:
            cwd[pid] = cwd[""] = at.group(1)
        here = cwd.get(pid, cwd.get("", os.getcwd()))
        m = re.match(r"(\w+)\((.*)\)\s+=\s+(.*)$", call)
        if not m:
            continue
        name, args, ret = m.groups()
        if name in ("execve", "execveat"):
            execs += 1
            if execs > 1:
                found.append("pid %s runs a program: %s" % (pid, call[:200]))
        elif name == "socket":
            if not re.match(r"AF_(UNIX|LOCAL)\b", args):
                found.append("pid %s opens a network socket: %s" % (pid, call[:200]))
        elif name in ("connect", "bind", "sendto", "sendmsg"):
            fam = re.search(r"sa_family=(AF_\w+)", args)
            if fam and fam.group(1) not in ("AF_UNIX", "AF_LOCAL"):
                found.append("pid %s talks to the network: %s" % (pid, call[:200]))
        elif name in ("open", "openat"):
            if not WRITE_FLAGS.search(args):
                continue
            got = re.match(r"\d+<([^>]*)>", ret)
            if got:
                path = got.group(1)
            else:
                dm = re.match(r"(?:" + DIRFD + r",\s*)?" + STRING, args)
                if not dm:
                    continue
                base, rel = (dm.group(1) or here), unescape(dm.group(2))
                path = rel if rel.startswith("/") else os.path.join(base, rel)
            if not inside(path, roots):
                found.append("pid %s writes outside the fixture: %s" % (pid, call[:200]))
        elif name in PATH_CALLS:
            # mkdir -p of a path: its existing ancestors are tried, and left alone.
            if name in ("mkdir", "mkdirat") and ret.startswith("-1 EEXIST"):
                continue
            fds = re.findall(r"(?:AT_FDCWD|-?\d+)<([^>]*)>", args)
            strs = [unescape(s) for s in re.findall(STRING, args)]
            for fd_i, s_i in PATH_CALLS[name]:
                if s_i >= len(strs):
                    continue
                rel = strs[s_i]
                if rel.startswith("/"):
                    path = rel
                else:
                    base = fds[fd_i] if fd_i is not None and fd_i < len(fds) else None
                    if base is None:
                        base = fds[0] if fds else here
                    path = os.path.join(base, rel)
                if not inside(path, roots):
                    found.append("pid %s changes a file outside the fixture: %s" % (pid, call[:200]))
    for line in found[:MAX_REPORTS]:
        print("%s: %s" % (log, line))
    if len(found) > MAX_REPORTS:
        print("%s: ... %d findings in all" % (log, len(found)))
    if execs == 0:
        print("%s: no execve at all: not a log of strace -f -e trace=execve,..." % log)
        return 1
    return len(found)


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: check-strace.py ROOT LOG...\n")
        return 2
    roots = [os.path.realpath(sys.argv[1]), os.path.normpath(sys.argv[1]), "/dev"]
    bad = 0
    for log in sys.argv[2:]:
        bad += check(log, roots)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
