#!/usr/bin/env python3
"""Writes trawl's hostile mail corpus: a maildir of messages built to attack
a terminal mail reader.

Usage: gen-corpus.py OUTDIR

OUTDIR/cur/NAME holds one message each, OUTDIR/../hostile.list lists
"NAME<TAB>MESSAGE-ID<TAB>FLAGS" for every thread to open (FLAGS: "big" for
messages that take long to render, "attach" for messages whose attachments
the test saves, "-" for none).  Nothing here is random: the corpus is the
same on every run.

Every planted terminal sequence carries a marker so that a check of the
bytes written to the terminal can tell them from curses' own output: CSI
parameters contain 31337, strings (titles, clipboard, DCS/APC/PM/SOS
bodies) contain PWNED-31337-<kind>.  The families:

  CSI (SGR, cursor moves, modes, and reports: DSR, DA, window ops), OSC 0
  and 2 (window title), OSC 8 (hyperlink), OSC 52 (clipboard), DCS, DECRQSS,
  tmux passthrough (ESC P tmux; ...), APC, PM, SOS, and 8-bit C1 (raw 0x9b,
  0x9d, 0x90, 0x9e, 0x9f, and U+009B / U+009D encoded in UTF-8).

They go into every header trawl shows (From, To, Cc, Subject, Date,
attachment names, and the other headers the headers view shows), raw and in
RFC 2047 encoded words and RFC 2231 parameters; into bodies in every
transfer encoding, into HTML parts and attachment names.  Then come
structural attacks: bidi overrides, zero-width and combining floods,
invalid UTF-8, hostile charsets, huge headers and lines, deep nesting,
reference loops, extreme dates and hostile attachment names.
"""

import base64
import os
import quopri
import sys
import urllib.parse

DOMAIN = "hostile.trawl.test"

# ------------------------------------------------------------ payloads

ESC = "\x1b"
BEL = "\x07"
ST = ESC + "\\"


def mark(kind):
    return "PWNED-31337-" + kind


# Sequences as text (they go through UTF-8 and every encoding).
SEQS = [
    ("csi-sgr", ESC + "[31337m" + ESC + "[1;31337;5m"),
    ("csi-move", ESC + "[31337;31337H" + ESC + "[31337A" + ESC + "[31337J"),
    ("csi-mode", ESC + "[?31337h" + ESC + "[?1049;31337l"),
    # Reports: a terminal answers these by typing into trawl's input.
    ("csi-report", ESC + "[6;31337n" + ESC + "[31337c" + ESC + "[>31337c" + ESC + "[21;31337t"),
    ("osc0", ESC + "]0;" + mark("osc0") + BEL),
    ("osc2", ESC + "]2;" + mark("osc2") + ST),
    ("osc8", ESC + "]8;;http://pwned.example/31337" + ST + mark("osc8") + ESC + "]8;;" + ST),
    ("osc52", ESC + "]52;c;" + base64.b64encode(mark("osc52").encode()).decode() + BEL),
    ("dcs", ESC + "P31337;1q#0;" + mark("dcs") + ST),
    ("decrqss", ESC + "P$qm" + ST + ESC + "P$q31337" + mark("decrqss") + ST),
    ("tmux", ESC + "Ptmux;" + ESC + ESC + "]0;" + mark("tmux") + BEL + ST),
    ("apc", ESC + "_" + mark("apc") + ST),
    ("pm", ESC + "^" + mark("pm") + ST),
    ("sos", ESC + "X" + mark("sos") + ST),
    ("c1-utf8", "\u009b31337m\u009d0;" + mark("c1-utf8") + "\u009c\u0090" + mark("c1-dcs") + "\u009c"),
]
ALL = "".join(s for _, s in SEQS)

# Raw 8-bit C1 bytes: not UTF-8, so read as windows-1252 or shown as U+FFFD.
C1_RAW = (b"\x9b31337m\x9d0;" + mark("c1-raw").encode() + b"\x07"
          + b"\x90" + mark("c1-raw-dcs").encode() + b"\x9c"
          + b"\x9e" + mark("c1-raw-pm").encode() + b"\x9c"
          + b"\x9f" + mark("c1-raw-apc").encode() + b"\x9c")

ALL_BYTES = ALL.encode() + C1_RAW

BIDI = ("\u202e" + "gnp.exe\u202c \u202d\u202a\u202b \u2066\u2067\u2068\u2069 "
        "\u200e\u200f\u061c \u202eevil\u202c")
ZW = "\u200b\u200c\u200d\u2060\ufeff\u180e\u034f"

INVALID_UTF8 = (b"overlong \xc0\xaf \xe0\x80\xaf \xf0\x80\x80\xaf; surrogate \xed\xa0\x80\xed\xbf\xbf; "
                b"too big \xf4\x90\x80\x80 \xf8\x88\x80\x80\x80 \xfc\x84\x80\x80\x80\x80; "
                b"bytes \xfe\xff\xc0\xc1\xf5; lone \x80\xbf; cut \xe2\x82 \xf0\x9f\x98; "
                b"overlong ESC \xc0\x9b \xe0\x80\x9b; overlong C1 \xc1\x9b31337m")

# ------------------------------------------------------------ encodings


def b_word(text, charset="utf-8"):
    """RFC 2047 B encoded words, split so that none is over 75 characters."""
    data = text.encode(charset) if isinstance(text, str) else text
    words = []
    for i in range(0, len(data), 30):
        words.append("=?%s?b?%s?=" % (charset, base64.b64encode(data[i:i + 30]).decode()))
    return " ".join(words).encode()


def q_word(text, charset="utf-8"):
    """RFC 2047 Q encoded words: everything but letters and digits as =XX."""
    data = text.encode(charset) if isinstance(text, str) else text
    words = []
    for i in range(0, len(data), 20):
        chunk = data[i:i + 20]
        enc = "".join(chr(c) if (chr(c).isalnum() and c < 128) else "=%02X" % c for c in chunk)
        words.append("=?%s?q?%s?=" % (charset, enc))
    return " ".join(words).encode()


def p2231(name, text, charset="utf-8"):
    """An RFC 2231 parameter, percent-encoded and split into continuations."""
    data = text.encode(charset) if isinstance(text, str) else text
    enc = urllib.parse.quote_from_bytes(data, safe="")
    parts = [enc[i:i + 60] for i in range(0, len(enc), 60)] or [""]
    out = []
    for i, p in enumerate(parts):
        out.append("%s*%d*=%s%s" % (name, i, (charset + "''") if i == 0 else "", p))
    return ";\n\t".join(out).encode()


def qp(data):
    return quopri.encodestring(data)


def b64(data):
    return base64.encodebytes(data)


# ------------------------------------------------------------ messages

corpus = []  # (name, bytes, flags)


def mid(name):
    return "%s@%s" % (name, DOMAIN)


def message(name, headers=None, body=b"", ctype=b"text/plain; charset=utf-8", cte=None,
            date=b"Mon, 01 Jan 2024 12:00:00 +0000", subject=None, flags="-",
            from_=None, to=None, extra=None):
    """One message: default headers unless given, then body (bytes)."""
    h = []
    h.append((b"From", from_ if from_ is not None else b"Mallory <mallory@example.net>"))
    h.append((b"To", to if to is not None else b"Victim <victim@example.org>"))
    if subject is None:
        subject = ("hostile " + name).encode()
    h.append((b"Subject", subject))
    if date is not None:
        h.append((b"Date", date))
    h.append((b"Message-ID", ("<%s>" % mid(name)).encode()))
    h.append((b"X-Hostile-Corpus", name.encode()))
    h += headers or []
    h.append((b"MIME-Version", b"1.0"))
    if ctype is not None:
        h.append((b"Content-Type", ctype))
    if cte is not None:
        h.append((b"Content-Transfer-Encoding", cte))
    h += extra or []
    raw = b"".join(k + b": " + v + b"\n" for k, v in h) + b"\n" + body
    corpus.append((name, raw, flags))


def multipart(boundary, parts, subtype=b"mixed"):
    """(Content-Type value, body) of a multipart made of (headers bytes, body) parts."""
    b = boundary.encode()
    out = b""
    for hdrs, body in parts:
        out += b"--" + b + b"\n" + hdrs + b"\n" + body + b"\n"
    out += b"--" + b + b"--\n"
    return (b"multipart/" + subtype + b"; boundary=\"" + b + b"\"", out)


def body_lines(prefix=""):
    """One line per sequence family, text."""
    return "".join("%s%s: [%s]\n" % (prefix, kind, seq) for kind, seq in SEQS)


# --- headers: raw bytes in every shown header -------------------------

SHOWN = [b"From", b"To", b"Cc", b"Subject", b"Date"]
OTHER = [b"Reply-To", b"X-Mailer", b"User-Agent", b"Organization", b"List-Id",
         b"Comments", b"Keywords", b"X-Spam-Status", b"Sender", b"Return-Path"]


def header_set(value_for):
    """From, To, Cc, Subject, Date and other headers, each value from value_for(name)."""
    return {n: value_for(n) for n in SHOWN + OTHER}


def hostile_headers(name, value_for, att_name=None, att_ctype_name=None, desc=""):
    vals = header_set(value_for)
    plain = ("Body of %s: the headers hold the payload.\n" % name).encode()
    att_hdrs = b"Content-Type: application/octet-stream"
    if att_ctype_name is not None:
        att_hdrs += b"; name=" + att_ctype_name
    att_hdrs += b"\nContent-Disposition: attachment"
    if att_name is not None:
        att_hdrs += b"; " + att_name
    att_hdrs += b"\nContent-Transfer-Encoding: base64\n"
    ct, body = multipart("hb-" + name, [
        (b"Content-Type: text/plain; charset=utf-8\n", plain),
        (att_hdrs, b64(b"attachment data\n")),
    ])
    extra = [(n, vals[n]) for n in OTHER]
    message(name, from_=vals[b"From"], to=vals[b"To"], subject=vals[b"Subject"],
            date=vals[b"Date"], headers=[(b"Cc", vals[b"Cc"])] + extra, ctype=ct, body=body)


# Raw UTF-8 sequences (and raw C1 bytes) straight in the header values.
hostile_headers("hdr-raw",
                lambda n: b"\"Raw " + n + b" " + ALL.encode() + b"\" <raw@example.net>"
                if n in (b"From", b"To", b"Cc", b"Reply-To", b"Sender")
                else (b"Mon, 01 Jan 2024 12:00:00 +0000 " + ALL.encode() if n == b"Date"
                      else n + b" " + ALL.encode()),
                att_name=b"filename=\"raw-" + ALL.encode().replace(b"\"", b"") + b".txt\"",
                att_ctype_name=b"\"raw-" + ALL.encode() + b".bin\"")

# Raw 8-bit C1 bytes only (invalid UTF-8: the windows-1252 fallback maps
# 0x9d to U+009D).
hostile_headers("hdr-c1-raw",
                lambda n: b"\"C1 " + n + b" " + C1_RAW + b"\" <c1@example.net>"
                if n in (b"From", b"To", b"Cc", b"Reply-To", b"Sender")
                else (b"Mon, 01 Jan 2024 12:00:00 +0000 " + C1_RAW if n == b"Date"
                      else n + b" " + C1_RAW),
                att_name=b"filename=\"c1-" + C1_RAW + b".txt\"")


def encoded_headers(name, enc, charset="utf-8", payload=ALL):
    def value(n):
        w = enc(n.decode() + " " + payload, charset)
        if n in (b"From", b"To", b"Cc", b"Reply-To", b"Sender"):
            return w + b" <enc@example.net>"
        if n == b"Date":
            return b"Mon, 01 Jan 2024 12:00:00 +0000 " + w
        return w
    hostile_headers(name, value, att_name=b"filename=\"" + enc("att " + payload, charset) + b"\"",
                    att_ctype_name=b"\"" + enc("name " + payload, charset) + b"\"")


encoded_headers("hdr-2047-b", b_word)
encoded_headers("hdr-2047-q", q_word)
# Latin-1 and windows-1252: byte 0x9b is U+009B in one, and 0x9d in both.
encoded_headers("hdr-2047-latin1", lambda t, c: q_word(t.encode("latin-1", "replace")
                                                      .replace(b"?", b"\x9b") + b"\x9b31337m\x9d0;"
                                                      + mark("latin1").encode() + b"\x07",
                                                      "iso-8859-1"),
                payload="x")
encoded_headers("hdr-2047-cp1252", lambda t, c: b_word(b"\x9d0;" + mark("cp1252").encode()
                                                      + b"\x07\x81\x8d\x8f\x90\x9d" + t.encode(),
                                                      "windows-1252"),
                payload="x")
# UTF-7 spells ESC as +ABs-, 7-bit clean: filters on raw bytes miss it.
encoded_headers("hdr-2047-utf7", lambda t, c: b_word(
    ("%s +ABs-]0;%s+AAc- +ABs-[31337m +AJs-31337m" % (t, mark("utf7"))).encode(), "utf-7"),
    payload="x")

# Broken encoded words: a hostile charset name, bad encodings, an encoded
# word hiding another, a language tag, and a word split in the middle of
# a sequence.
broken = (b"=?" + ALL.encode() + b"?q?x?= =?utf-8?b?G10wO1BXTkVELTMxMzM3LWJyb2tlbgc?= "
          b"=?utf-8?q?=1B]0;" + mark("broken-q").encode() + b"=07?= =?utf-8*en?q?=1B[31337m?= "
          b"=?utf-8?b?" + base64.b64encode(b"=?utf-8?q?=1B]2;" + mark("nested").encode()
                                           + b"=07?=") + b"?= "
          b"=?utf-8?q?=1B]0;PWNED-31337-?= =?utf-8?q?split=07?= =?utf-8?b?!!!?= =?x-unknown?q?=9B31337m?=")
hostile_headers("hdr-2047-broken", lambda n: broken + (b" <b@example.net>"
                                                       if n in (b"From", b"To", b"Cc") else b""),
                att_name=b"filename=\"" + broken + b"\"")

# RFC 2231 parameters: file names, a language tag and a charset parameter.
_ct, _body = multipart("p2231", [
    (b"Content-Type: text/plain; charset=utf-8\n", b"RFC 2231 parameters hold the payload.\n"),
    (b"Content-Type: application/octet-stream; " + p2231("name", "ct " + ALL) +
     b"\nContent-Disposition: attachment; " + p2231("filename", "utf8 " + ALL) +
     b"\nContent-Transfer-Encoding: base64\n", b64(b"one\n")),
    (b"Content-Type: application/octet-stream\nContent-Disposition: attachment; " +
     p2231("filename", b"latin1 \x9b31337m \x9d0;" + mark("2231-latin1").encode() + b"\x07",
           "iso-8859-1") + b"\nContent-Transfer-Encoding: base64\n", b64(b"two\n")),
    (b"Content-Type: application/octet-stream\nContent-Disposition: attachment; " +
     p2231("filename", "charset " + ALL, "utf-8") + b"; " + b"name*=" +
     urllib.parse.quote(ALL).encode() + b"''x\nContent-Transfer-Encoding: base64\n", b64(b"three\n")),
    (b"Content-Type: application/octet-stream\nContent-Disposition: attachment; "
     b"filename*=utf-8'" + urllib.parse.quote(ALL).encode() + b"'x%1B%5D0%3B" +
     urllib.parse.quote(mark("2231-lang")).encode() + b"%07\n"
     b"Content-Transfer-Encoding: base64\n", b64(b"four\n")),
    (b"Content-Type: text/plain; " + p2231("charset", ALL) + b"\n"
     b"Content-Disposition: attachment; filename*0=\"plain-" + ALL.encode().replace(b"\"", b"") +
     b"\"; filename*1*=%1B%5D2%3B" + urllib.parse.quote(mark("2231-cont")).encode() + b"%07\n",
     b"a text attachment with a hostile charset parameter\n"),
])
message("param-2231", ctype=_ct, body=_body, flags="attach")

# Header names and odd header forms: a name holding ESC (GMime refuses it;
# trawl shows it as X-Trawl-Invalid-Header), sequences folded across lines,
# and the payload in Message-ID-like headers the headers view lists.
message("hdr-names",
        extra=[(b"X-" + ESC.encode() + b"]0;" + mark("hdr-name").encode() + BEL.encode(), b"value"),
               (b"X-Folded", b"start " + ESC.encode() + b"]0;" + mark("fold").encode() + b"\n\t" +
                BEL.encode() + b" end " + ESC.encode() + b"\n [31337m"),
               (b"In-Reply-To", b"<" + ALL.encode().replace(b">", b"") + b"@x>"),
               (b"X-Empty", b""),
               (b"Received", b"from " + ALL_BYTES + b" by mx; Mon, 01 Jan 2024 12:00:00 +0000"),
               (b"X-Trawl-Invalid-Header", ALL.encode())],
        body=b"Header names and folded headers hold the payload.\n")

# --- bodies ----------------------------------------------------------

BODY = ("Every planted sequence on its own line, then all at once.\n" + body_lines() +
        "all: [" + ALL + "]\n").encode()
BODY_C1 = b"raw C1: [" + C1_RAW + b"]\n"

message("body-8bit", cte=b"8bit", body=BODY + BODY_C1)
message("body-8bit-nocharset", ctype=b"text/plain", cte=b"8bit", body=BODY + BODY_C1)
message("body-qp", cte=b"quoted-printable", body=qp(BODY + BODY_C1))
message("body-base64", cte=b"base64", body=b64(BODY + BODY_C1))
message("body-latin1", ctype=b"text/plain; charset=iso-8859-1", cte=b"quoted-printable",
        body=qp(b"latin1 C1: [\x9b31337m \x9d0;" + mark("body-latin1").encode() +
                b"\x07 \x90" + mark("body-latin1-dcs").encode() + b"\x9c]\n" +
                BODY.decode().encode("latin-1", "replace")))
message("body-cp1252", ctype=b"text/plain; charset=windows-1252", cte=b"8bit",
        body=b"cp1252 undefined bytes: [\x81\x8d\x8f\x90\x9d0;" + mark("body-cp1252").encode() +
        b"\x07]\n")
message("body-utf7", ctype=b"text/plain; charset=utf-7", cte=b"7bit",
        body=b"utf-7: +ABs-]0;" + mark("body-utf7").encode() + b"+AAc- +ABs-[31337m +AJs-31337m "
        b"+AJ0-0;" + mark("body-utf7-c1").encode() + b"+AAc-\n")
# C0 controls besides ESC, DEL, NUL and CR tricks that overwrite a line.
message("body-controls", cte=b"8bit",
        body=b"".join(b"ctrl %02x: [%c]\n" % (c, c) for c in list(range(0, 9)) + list(range(11, 32)) + [127])
        + b"overwrite: safe text\r" + ESC.encode() + b"[31337mPWNED-31337-cr\n"
        + b"backspaces: PWNED-31337-bs" + b"\x08" * 20 + b"safe\n"
        + b"form feed\x0cvertical tab\x0bend\n")

# HTML: the payload as text, in attributes, in URLs (trawl lists link URLs),
# as numeric character references (&#155; is U+009B to libxml2), plus
# everything that would fetch: meta refresh, remote images, stylesheets,
# frames, scripts.
HTML = ("<!DOCTYPE html><html><head><title>" + ALL + "</title>"
        "<meta http-equiv=\"refresh\" content=\"0; url=http://pwned.example/31337/refresh\">"
        "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=" + ALL + "\">"
        "<link rel=\"stylesheet\" href=\"http://pwned.example/31337/style.css\">"
        "<base href=\"http://pwned.example/31337/\">"
        "<script src=\"http://pwned.example/31337/x.js\">document.title='PWNED-31337'</script>"
        "<style>body{background:url(http://pwned.example/31337/bg.png)}</style></head>"
        "<body background=\"http://pwned.example/31337/body.png\">"
        "<p>HTML text: " + ALL + "</p>"
        "<p>entities: &#27;]0;" + mark("html-ent") + "&#7; &#x1b;[31337m &#155;31337m "
        "&#x9d;0;" + mark("html-ent-c1") + "&#7; &#x202e;gnp.exe &#0; &#x110000; &#xd800;</p>"
        "<img src=\"http://pwned.example/31337/pixel.gif\" alt=\"" + ALL + "\" title=\"" + ALL + "\">"
        "<img src=http://pwned.example/31337/unquoted.gif>"
        "<img srcset=\"http://pwned.example/31337/a.png 2x\">"
        "<iframe src=\"http://pwned.example/31337/frame\"></iframe>"
        "<object data=\"http://pwned.example/31337/obj\"></object>"
        "<video poster=\"http://pwned.example/31337/poster.png\"></video>"
        "<a href=\"http://pwned.example/" + ALL + "\">link text " + ALL + "</a> "
        "<a href=\"javascript:" + ALL + "\">js</a> "
        "<a href=\"http://pwned.example/%1B]0;" + mark("html-href-pct") + "%07\">pct</a>"
        "<pre>" + body_lines("pre ") + "</pre>"
        "<table><tr><td>" + ALL + "</td><td>" + BIDI + "</td></tr></table>"
        "<form action=\"http://pwned.example/31337/form\"><input value=\"" + ALL + "\"></form>"
        "</body></html>\n")

_ct, _body = multipart("alt", [
    (b"Content-Type: text/plain; charset=utf-8\n", b"The plain alternative; the HTML one holds the payload.\n"),
    (b"Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n", HTML.encode() + BODY_C1),
], b"alternative")
message("html-alternative", ctype=_ct, body=_body)
message("html-only", ctype=b"text/html; charset=utf-8", cte=b"8bit", body=HTML.encode())
message("html-qp", ctype=b"text/html; charset=utf-8", cte=b"quoted-printable", body=qp(HTML.encode()))
message("html-base64", ctype=b"text/html; charset=utf-8", cte=b"base64", body=b64(HTML.encode()))
message("html-latin1", ctype=b"text/html; charset=iso-8859-1", cte=b"8bit",
        body=b"<html><body><p>latin1 \x9b31337m \x9d0;" + mark("html-latin1").encode() +
        b"\x07</p></body></html>\n")
message("html-refresh-images", ctype=b"text/html; charset=utf-8",
        body=b"<html><head><meta http-equiv=refresh content=\"0;URL='http://pwned.example/31337/r'\">"
        b"<meta http-equiv=\"set-cookie\" content=\"PWNED=31337\"></head><body>"
        + b"".join(b"<img src=http://pwned.example/31337/%d.gif>" % i for i in range(200))
        + b"<img src=\"https://pwned.example/31337/s.gif\"><img src=\"//pwned.example/31337/p.gif\">"
        b"<img src=\"cid:x@y\"><img src=\"file:///etc/passwd\">"
        b"<link rel=prefetch href=http://pwned.example/31337/pf><link rel=dns-prefetch href=//pwned.example>"
        b"<p>remote images above and below</p><svg><image href=\"http://pwned.example/31337/svg.png\"/>"
        b"</svg><audio src=\"http://pwned.example/31337/a.mp3\" autoplay></audio></body></html>\n")
# An HTML part whose entity expansion and nesting are hostile to the parser.
message("html-deep", ctype=b"text/html; charset=utf-8",
        body=b"<!DOCTYPE x [<!ENTITY a \"" + ESC.encode() + b"]0;" + mark("xml-entity").encode()
        + b"\x07\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
        b"<!ENTITY ext SYSTEM \"http://pwned.example/31337/ext\">]>"
        b"<html><body><p>&c; &ext;</p>" + b"<div>" * 20000 + b"deep" + b"</div>" * 20000
        + b"<p>" + b"<b>" * 5000 + b"unclosed</body></html>\n")

# --- attachments -----------------------------------------------------

LONG_NAME = ("long-" + "x" * 9990 + ".txt")
NAMES = [
    ("dotdot", "../../../../tmp/PWNED-31337-dotdot.txt"),
    ("dotdot-bs", "..\\..\\..\\PWNED-31337-backslash.txt"),
    ("absolute", "/tmp/PWNED-31337-absolute.txt"),
    ("home", "~/.bashrc"),
    ("newline", "evil\nPWNED-31337-newline.txt"),
    ("crlf", "evil\r\nX-Injected: PWNED-31337-crlf.txt"),
    ("dash", "-rf PWNED-31337-dash.txt"),
    ("dashdash", "--help"),
    ("dot", "."),
    ("dotdot-only", ".."),
    ("hidden", ".PWNED-31337-hidden"),
    ("empty", ""),
    ("slashes", "////"),
    ("nul", "nul\x00PWNED-31337-after-nul.txt"),
    ("bidi", "invoice\u202etxt.exe"),
    ("esc", "esc-" + ALL + ".txt"),
    ("long", LONG_NAME),
]


def attachment_part(i, kind, name, how):
    """A part whose file name is name, declared raw, as RFC 2047 or as RFC 2231."""
    if how == "raw":
        param = b"filename=\"" + name.encode().replace(b"\"", b"").replace(b"\n", b"\n\t") + b"\""
        ctn = b"name=\"" + name.encode().replace(b"\"", b"").replace(b"\n", b"\n\t") + b"\""
    elif how == "2047":
        param = b"filename=\"" + b_word(name) + b"\""
        ctn = b"name=\"" + b_word(name) + b"\""
    else:
        param = p2231("filename", name)
        ctn = p2231("name", name)
    return (b"Content-Type: application/octet-stream; " + ctn + b"\n"
            b"Content-Disposition: attachment; " + param + b"\n"
            b"Content-Transfer-Encoding: base64\n",
            b64(("attachment %d (%s) " % (i, kind)).encode() + ALL.encode() + b"\n"))


for how in ("raw", "2047", "2231"):
    parts = [(b"Content-Type: text/plain; charset=utf-8\n",
              ("Attachment names (%s): ../, absolute paths, newlines, a leading -, 10,000 bytes.\n"
               % how).encode())]
    for i, (kind, name) in enumerate(NAMES):
        if how == "raw" and "\x00" in name:
            continue
        parts.append(attachment_part(i + 1, kind, name, how))
    _ct, _body = multipart("att-" + how, parts)
    message("attach-names-" + how, ctype=_ct, body=_body, flags="attach")

# Attachments whose type and description are hostile: the note shows the type.
_ct, _body = multipart("att-types", [
    (b"Content-Type: text/plain; charset=utf-8\n", b"Attachment types hold the payload.\n"),
    (b"Content-Type: application/" + ESC.encode() + b"]0;" + mark("mime-type").encode() + BEL.encode()
     + b"\nContent-Disposition: attachment; filename=a.bin\n", b"x\n"),
    (b"Content-Type: " + ALL.encode() + b"\nContent-Description: " + ALL.encode()
     + b"\nContent-Disposition: attachment; filename=b.bin\n", b"y\n"),
    (b"Content-Type: text/plain; charset=utf-8\nContent-Disposition: inline\n"
     b"Content-Description: " + ALL.encode() + b"\n", BODY),
    (b"Content-Type: text/x-" + b"\x9b31337m" + b"\nContent-Disposition: attachment; filename=c.txt\n", BODY),
])
message("attach-types", ctype=_ct, body=_body)

# A forwarded message (message/rfc822) whose headers and body are hostile:
# the thread view shows nested headers.
INNER = (b"From: \"Inner " + ALL.encode() + b"\" <inner@example.net>\nTo: " + ALL.encode()
         + b"\nCc: " + C1_RAW + b"\nSubject: inner " + ALL.encode() + b"\nDate: " + ALL.encode()
         + b"\nX-Inner: " + ALL.encode() + b"\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
         + BODY)
_ct, _body = multipart("fwd", [
    (b"Content-Type: text/plain; charset=utf-8\n", b"A forwarded message follows.\n"),
    (b"Content-Type: message/rfc822; name=\"" + ALL.encode().replace(b"\"", b"") + b".eml\"\n"
     b"Content-Disposition: inline\n", INNER),
])
message("rfc822-hostile", ctype=_ct, body=_body)

# --- unicode ---------------------------------------------------------

message("bidi", from_=("\"" + BIDI + "\" <bidi@example.net>").encode(),
        subject=("bidi " + BIDI).encode(), cte=b"8bit",
        headers=[(b"Cc", b_word("cc " + BIDI) + b" <cc@example.net>")],
        body=("Bidi controls: " + BIDI + "\n" + ("\u202e" * 2000) + "PWNED-31337-rlo-flood\n"
              + ("\u2067" * 2000) + "isolates\n").encode())
message("zero-width", from_=("\"" + ZW * 500 + "zw\" <zw@example.net>").encode(),
        subject=("zero " + ZW * 5000).encode(), cte=b"8bit",
        body=(("zero-width flood: " + ZW * 100000 + "end\n") + ("\u200b" * 3000 + "\n") * 100).encode())
message("combining", from_=("\"" + "a" + "\u0301" * 2000 + "\" <comb@example.net>").encode(),
        subject=("combining " + "Z" + "\u0336\u0301\u0310\u0353" * 20000).encode(), cte=b"8bit",
        body=("combining flood: e" + "\u0301" * 100000 + "\n"
              + " ".join("x" + "\u0300\u0301\u0302\u0303\u0304\u0305" * 30 for _ in range(2000))
              + "\n" + "\u3099" * 5000 + "\n" + ("\u1100\u1161\u11a8" * 3000) + "\n"
              + ("\U0001F469\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466" * 2000) + "\n"
              + ("\ufe0f" * 5000) + "\n").encode())
message("wide", subject=("wide " + "\u4e2d" * 3000).encode(), cte=b"8bit",
        body=(("\u4e2d\u6587" * 20000) + "\n" + ("\U0001F600" * 20000) + "\n" + "a\u4e2d" * 10000 + "\n").encode())
message("invalid-utf8", from_=b"\"bad " + INVALID_UTF8 + b"\" <bad@example.net>",
        subject=b"invalid " + INVALID_UTF8, cte=b"8bit",
        headers=[(b"Cc", INVALID_UTF8), (b"X-Bad", INVALID_UTF8)],
        body=b"invalid UTF-8: " + INVALID_UTF8 + b"\n" + bytes(range(128, 256)) * 100 + b"\n")
message("invalid-utf8-b64", cte=b"base64", body=b64(INVALID_UTF8 * 1000 + b"\n" + bytes(range(256)) * 100))

# Hostile charsets: names with sequences in them, a path, a huge name,
# stateful and wide encodings, charsets whose decoders produce ESC.
CHARSETS = [
    (ALL.replace("\"", ""), b"named by the payload"),
    ("../../../../../../etc/passwd", b"a path as a charset"),
    ("x" * 10000, b"a 10,000-byte charset name"),
    ("utf-7", b"+ABs-]0;" + mark("cs-utf7").encode() + b"+AAc-"),
    ("utf-16", b"\xff\xfe\x1b\x00]\x000\x00;\x00P\x00W\x00N\x00E\x00D\x00\x07\x00\x9b\x00odd"),
    ("utf-16be", b"\x00\x1b\x00]\x000\x00;" + b"\x00" + b"\x00".join(bytes([c]) for c in mark("cs-utf16").encode())
     + b"\x00\x07\xd8\x00\x00\x41"),
    ("utf-32le", b"\x1b\x00\x00\x00\x9b\x00\x00\x00\x00\x00\x11\x00\xff\xff\xff\xff"),
    ("iso-2022-jp", b"\x1b$B$3$s\x1b(B \x1b]0;" + mark("cs-2022").encode() + b"\x07 \x1b$B\x1b[31337m"),
    ("x-user-defined", b"\x9b31337m\x9d0;" + mark("cs-userdef").encode() + b"\x07"),
    ("ebcdic-us", b"\x27\xc1\xc2\xc3"),
    ("utf-8\x00latin1", b"\x9b31337m"),
    ("", b"\x9b31337m empty charset"),
    ("unicode-1-1-utf-7", b"+ABs-[31337m"),
    ("cp437", b"\x1b[31337m\x9b"),
    ("gb18030", b"\x81\x30\x81\x30\x1b]0;" + mark("cs-gb").encode() + b"\x07"),
]
parts = []
for cs, data in CHARSETS:
    if "\x00" in cs:
        continue
    parts.append((b"Content-Type: text/plain; charset=\"" + cs.encode() + b"\"\n"
                  b"Content-Transfer-Encoding: base64\n", b64(data + b"\n")))
_ct, _body = multipart("charsets", parts)
message("charsets", ctype=_ct, body=_body,
        subject=b"=?" + ("x" * 5000).encode() + b"?q?long_charset?= =?utf-7?q?+ABs-[31337m?=")

# --- size ------------------------------------------------------------

message("subject-100k", subject=("100 KB subject " + ("word" + ALL + " ") * 10)
        .encode() + b" " + b"s" * 100 * 1024, flags="big",
        body=b"The subject is 100 KB long.\n")
message("subject-100k-folded", subject=b"\n ".join([b"folded" * 10] * 1700), flags="big",
        body=b"The subject is 100 KB long, folded into 1,700 lines.\n")
message("recipients-20k", to=b",\n ".join(b"\"R%05d\" <r%05d@example.org>" % (i, i) for i in range(20000)),
        headers=[(b"Cc", b", ".join(b"c%05d@example.org" % i for i in range(20000)))],
        flags="big", body=b"20,000 recipients in To, 20,000 in Cc (on one line).\n")
message("line-5mb", cte=b"8bit", flags="big",
        body=b"start " + (b"x" * 1000 + b" " + ESC.encode() + b"[31337m ") * 5000 + b" end\n")
message("line-5mb-nospace", cte=b"8bit", flags="big", body=b"y" * (5 << 20) + b"\n")
message("lines-many", cte=b"8bit", flags="big", body=b"\n" * 600000 + b"after 600,000 empty lines\n")
message("header-1mb", extra=[(b"X-Huge", b"h" * (1 << 20))], flags="big",
        body=b"One header is 1 MB long.\n")
message("headers-many", extra=[(b"X-Many-%d" % i, ALL.encode()) for i in range(5000)],
        flags="big", body=b"5,000 headers, each with the payload.\n")

# --- nesting ---------------------------------------------------------


def nested_multipart(depth):
    body = b"innermost text part at depth %d\n" % depth
    ctype = b"text/plain; charset=utf-8"
    for d in range(depth, 0, -1):
        b = b"n%d" % d
        body = (b"--" + b + b"\nContent-Type: " + ctype + b"\n\n" + body + b"\n--" + b + b"--\n")
        ctype = b"multipart/mixed; boundary=\"" + b + b"\""
    return ctype, body


_ct, _body = nested_multipart(2000)
message("multipart-2000", ctype=_ct, body=_body, flags="big")


def nested_rfc822(depth):
    inner = (b"From: level%d@example.net\nSubject: level %d " % (depth, depth) + ALL.encode()
             + b"\nMIME-Version: 1.0\nContent-Type: text/plain\n\ninnermost\n")
    for d in range(depth - 1, 0, -1):
        inner = (b"From: level%d@example.net\nSubject: level %d\nMIME-Version: 1.0\n"
                 b"Content-Type: message/rfc822\n\n" % (d, d) + inner)
    return inner


message("rfc822-300", ctype=b"message/rfc822", body=nested_rfc822(300), flags="big")
# Many small parts side by side (RENDER_MAX_PARTS is 1000).
_ct, _body = multipart("wide", [(b"Content-Type: text/plain\n", b"part %d\n" % i) for i in range(3000)])
message("multipart-3000-wide", ctype=_ct, body=_body, flags="big")
# A boundary that never closes, and one that is a prefix of the other.
message("multipart-unclosed", ctype=b"multipart/mixed; boundary=\"a\"",
        body=b"--a\nContent-Type: multipart/mixed; boundary=\"a\"\n\n--a\nContent-Type: text/plain\n\n"
        + ALL.encode() + b"\n--aa\n--a-\n")

# --- threading -------------------------------------------------------

message("refs-loop-a", headers=[(b"References", ("<%s>" % mid("refs-loop-b")).encode()),
                                (b"In-Reply-To", ("<%s>" % mid("refs-loop-b")).encode())],
        body=b"A refers to B.\n")
message("refs-loop-b", headers=[(b"References", ("<%s>" % mid("refs-loop-a")).encode()),
                                (b"In-Reply-To", ("<%s>" % mid("refs-loop-a")).encode())],
        body=b"B refers to A.\n")
message("refs-self", headers=[(b"References", ("<%s> <%s>" % (mid("refs-self"), mid("refs-self"))).encode()),
                              (b"In-Reply-To", ("<%s>" % mid("refs-self")).encode())],
        body=b"This message refers to itself.\n")
for x, y in (("c1", "c2"), ("c2", "c3"), ("c3", "c1")):
    message("refs-cycle-" + x, headers=[(b"In-Reply-To", ("<%s>" % mid("refs-cycle-" + y)).encode()),
                                        (b"References", ("<%s> <%s>" % (mid("refs-cycle-" + y), mid("refs-cycle-" + x))).encode())],
            body=("%s replies to %s.\n" % (x, y)).encode())
message("refs-many", headers=[(b"References", b" ".join(b"<r%d@%s>" % (i, DOMAIN.encode()) for i in range(10000)))],
        body=b"10,000 references.\n")

# --- dates -----------------------------------------------------------

message("date-year-1", date=b"Mon, 01 Jan 0001 00:00:00 +0000", body=b"Year 1.\n")
message("date-year-9999", date=b"Fri, 31 Dec 9999 23:59:59 +0000", body=b"Year 9999.\n")
message("date-missing", date=None, body=b"No Date header.\n")
message("date-garbage", date=b"Mon, 99 Foo 99999999999999999999 99:99:99 +9999", body=b"A garbage date.\n")
message("date-epoch-minus", date=b"Wed, 31 Dec 1969 23:59:59 +0000", body=b"One second before the epoch.\n")
message("date-2038", date=b"Tue, 19 Jan 2038 03:14:08 +0000", body=b"Past 2038.\n")
message("date-tz", date=b"Mon, 01 Jan 2024 12:00:00 -9959", body=b"A huge time zone.\n")

# --- raw source ------------------------------------------------------

# Not a message at all: trawl shows it as raw text.
message("nul-bytes", cte=b"8bit", body=b"before NUL\x00after NUL " + ESC.encode() + b"]0;"
        + mark("nul").encode() + b"\x07\n" + b"\x00" * 1000 + b"\n")
message("crlf-mixed", cte=b"8bit", body=b"crlf line\r\nbare cr\rline " + ALL.encode() + b"\r\n\r\r\n")

# ------------------------------------------------------------ output


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: gen-corpus.py OUTDIR\n")
        return 2
    out = sys.argv[1]
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    seen = set()
    listing = []
    for name, raw, flags in corpus:
        assert name not in seen, name
        seen.add(name)
        with open(os.path.join(out, "cur", name + ":2,"), "wb") as f:
            f.write(raw)
        listing.append("%s\t%s\t%s\n" % (name, mid(name), flags))
    with open(os.path.join(os.path.dirname(os.path.abspath(out)), "hostile.list"), "w") as f:
        f.writelines(listing)
    return 0


if __name__ == "__main__":
    sys.exit(main())
