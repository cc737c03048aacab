#!/usr/bin/env python3
"""Checks bytes trawl wrote for anything a hostile message could have planted.

Usage: check-output.py --tty FILE...   bytes the reader wrote to a terminal
       check-output.py --text FILE...  output of `trawl show` (plain text)

--tty: curses' own output is ESC sequences; what no curses output for
TERM=screen-256color holds is refused: OSC, DCS, APC, PM and SOS
introducers (ESC ] ESC P ESC _ ESC ^ ESC X), 8-bit C1 controls (U+0080 to
U+009F in UTF-8, or raw 0x80 to 0x9F outside a valid UTF-8 sequence), CSI
sequences that make a terminal answer (DSR, DA, window reports), a full
reset (ESC c), any CSI whose parameters hold the corpus marker 31337, and
bidi overrides or isolates (U+202A to U+202E, U+2066 to U+2069).

--text: no ESC or other control but newline, tab and form feed, valid
UTF-8, no C1 and no bidi override or isolate.

Prints one line per finding ("FILE: offset N: what: context") and exits 1
if there is any, else 0.
"""

import re
import sys

MAX_REPORTS = 20

TTY_PATTERNS = [
    (re.compile(rb"\x1b[\]P_^X]"), "OSC/DCS/APC/PM/SOS introducer"),
    (re.compile(rb"\x1bc"), "full reset (RIS)"),
    (re.compile(rb"\x1b\[[0-9;?>=<]*31337"), "planted CSI (marker 31337)"),
    # Reports: DSR (n), DA (c), window ops (t), DECREQTPARM (x), DECRQM ($p).
    (re.compile(rb"\x1b\[[0-9;?>=<]*[nctx]"), "CSI that asks the terminal to answer"),
    (re.compile(rb"\x1b\[[0-9;?>=<]*\$p"), "CSI that asks the terminal to answer"),
]

TEXT_PATTERNS = [
    (re.compile(rb"[\x00-\x08\x0b\x0d-\x1f\x7f]"), "control byte"),
]

def context(data, at):
    return repr(data[max(0, at - 24):at + 40])


UNICODE_BAD = re.compile("[\u0080-\u009f\u202a-\u202e\u2066-\u2069]")


def check_unicode(data, report):
    """Invalid UTF-8 holding a raw C1 byte, decoded C1 controls, bidi overrides."""
    i = 0
    n = len(data)
    while i < n:
        try:
            text = data[i:].decode("utf-8")
            end = n
        except UnicodeDecodeError as e:
            text = data[i:i + e.start].decode("utf-8")
            end = i + e.start
        for m in UNICODE_BAD.finditer(text):
            cp = ord(m.group())
            at = i + len(text[:m.start()].encode("utf-8"))
            report(at, ("C1 control U+%04X (UTF-8)" if cp < 0xA0 else "bidi control U+%04X") % cp)
        if end >= n:
            break
        b = data[end]
        if 0x80 <= b <= 0x9F:
            report(end, "raw C1 byte 0x%02X" % b)
        else:
            report(end, "invalid UTF-8 byte 0x%02X" % b)
        i = end + 1


def check(path, mode):
    with open(path, "rb") as f:
        data = f.read()
    found = []

    def report(at, what):
        found.append((at, what))

    for pattern, what in TTY_PATTERNS if mode == "tty" else TEXT_PATTERNS:
        for m in pattern.finditer(data):
            report(m.start(), what)
    check_unicode(data, report)
    found.sort()
    for at, what in found[:MAX_REPORTS]:
        print("%s: offset %d: %s: %s" % (path, at, what, context(data, at)))
    if len(found) > MAX_REPORTS:
        print("%s: ... %d findings in all" % (path, len(found)))
    return len(found)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("--tty", "--text"):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    mode = sys.argv[1][2:]
    bad = 0
    for path in sys.argv[2:]:
        bad += check(path, mode)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
