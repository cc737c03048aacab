#!/bin/sh
# End-to-end: the timeline and correspondents panes (issue 17) on the demo
# cache, part of it reviewed: narrowing by a month and by a sender gives
# the query and counts `notmuch count` gives, BSpace steps back out;
# `trawl stats --json` agrees with counts computed apart by the notmuch CLI
# (notmuch count, notmuch address); hostile display names and addresses
# are neutralised in the pane and in `trawl stats`.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 18
fixture_init
# The demo cache: `trawl --demo` makes it, then wants a terminal.
"$TRAWL" --demo </dev/null >/dev/null 2>&1
DEMO=$XDG_CACHE_HOME/trawl/demo
export NOTMUCH_CONFIG="$DEMO/notmuch-config"
if [ -f "$NOTMUCH_CONFIG" ]; then tap_ok "the demo cache is made"; else
	tap_not_ok "the demo cache is made"; exit 1; fi
notmuch tag +reviewed -- date:2014-01..2015-06
# N with thousands separators, as the status line writes it.
group() {
	echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'
}
total=$(group "$(notmuch count '*')")

tmux_start 120 30 "$TRAWL" --demo
tmux_wait_for "$total messages" >/dev/null

# ---- narrowing by a month
tmux_keys v
tap_check "the timeline is shown" tmux_wait_for "Timeline of *"
# Counted: the title ends in the count, with no "[counting …]" or
# "[updating …]" after it (a slow machine shows those for a while).
counted() {
	tmux_wait_match "$1 of \\*.* [0-9,]+ messages *\$" 120 >/dev/null
	tmux_wait_gone "reading" >/dev/null
}
counted Timeline
# The info line: "2016-12  138 messages, 0 reviewed (0%)   peak ..."
info=$(tmux_screen | sed -n '2p')
period=$(echo "$info" | awk '{ print $1 }')
shown=$(echo "$info" | awk '{ print $2 }' | tr -d ,)
want=$(notmuch count "date:$period..$period")
if [ -n "$period" ] && [ "$shown" = "$want" ]; then tap_ok "the cursor's period counts as notmuch count ($period: $want)"; else
	tap_not_ok "the cursor's period counts as notmuch count"; tap_diag "info: $info" "notmuch: $want"; fi
tmux_keys Enter
threads=$(notmuch count --output=threads "date:$period..$period")
tap_check "Enter narrows to the month" tmux_wait_for "date:$period..$period  $threads threads  $want messages"
tap_check "the timeline follows the narrowed query" tmux_wait_for "Timeline of date:$period..$period"
tmux_keys BSpace
tap_check "BSpace steps back out" tmux_wait_for "Timeline of *"
tap_check "... to every message" tmux_wait_for "$total messages  reviewed"

# ---- narrowing by a sender
tmux_keys c
tap_check "the correspondents are shown" tmux_wait_for "Recipients (To/Cc/Bcc)"
counted Correspondents
# The first sender's row: "  1  address  name  count  pct%"
row=$(tmux_screen | grep -m1 '^  1  ')
addr=$(echo "$row" | awk '{ print $2 }')
shown=$(echo "$row" | awk '{ print $(NF-1) }' | tr -d ,)
want=$(notmuch count "from:$addr")
if [ -n "$addr" ] && [ "$shown" = "$want" ]; then tap_ok "the top sender counts as notmuch count ($addr: $want)"; else
	tap_not_ok "the top sender counts as notmuch count"; tap_diag "row: $row" "notmuch: $want"; fi
tmux_keys Enter
threads=$(notmuch count --output=threads "from:$addr")
tap_check "Enter narrows to the sender" tmux_wait_for "from:\"$addr\"  $threads threads  $want messages"
tmux_keys BSpace q
tap_check "q closes the pane, the list shows again" tmux_wait_for "$total messages  reviewed"
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop

# ---- trawl stats --json against the notmuch CLI
"$TRAWL" stats --json --top 15 '*' > "$FIXTURE_DIR/stats.json"
notmuch address --output=sender --output=count --deduplicate=address '*' > "$FIXTURE_DIR/senders.txt"
notmuch address --output=recipients --output=count --deduplicate=address '*' > "$FIXTURE_DIR/recipients.txt"
if python3 - "$FIXTURE_DIR" <<'PY'
import collections, json, re, subprocess, sys
d = sys.argv[1]
s = json.load(open(d + "/stats.json"))
def count(q):
    return int(subprocess.check_output(["notmuch", "count", q]).decode())
assert s["messages"] == count("*"), s["messages"]
assert s["reviewed"] == count("tag:reviewed"), s["reviewed"]
assert sum(p["messages"] for p in s["timeline"]) + s["undated"] == s["messages"]
for p in s["timeline"]:
    assert p["messages"] == count(p["query"]), p
    assert p["reviewed"] == count("(%s) and tag:reviewed" % p["query"]), p
def addresses(path):
    # notmuch address: "COUNT<TAB>Name <addr>"; grouped here by address, case-insensitively.
    c = collections.Counter()
    for line in open(path, encoding="utf-8", errors="replace"):
        n, _, rest = line.rstrip("\n").partition("\t")
        m = re.search(r"<([^<>]*)>\s*$", rest)
        c[(m.group(1) if m else rest.strip()).lower()] += int(n)
    return c
for key, path in (("senders", "senders.txt"), ("recipients", "recipients.txt")):
    want = addresses(d + "/" + path)
    for e in s[key]:
        assert e["messages"] == want[e["address"]], (key, e, want[e["address"]])
    # The top of each list is the top of notmuch's (ties broken by address).
    top = sorted(want.items(), key=lambda kv: (-kv[1], kv[0]))[:len(s[key])]
    assert [e["address"] for e in s[key]] == [a for a, _ in top], (key, top)
for key in ("senders", "recipients", "domains", "pairs", "tags", "mimetypes", "folders", "years"):
    for e in s[key]:
        assert e["messages"] == count(e["query"]), (key, e)
        assert e["unreviewed"] == count("(%s) and not tag:reviewed" % e["query"]), (key, e)
assert s["pairs"] and s["tags"] and s["mimetypes"] and s["folders"] and s["years"]
PY
then tap_ok "trawl stats --json agrees with notmuch count and notmuch address"; else
	tap_not_ok "trawl stats --json agrees with notmuch count and notmuch address"; fi
"$TRAWL" stats --by year '*' > "$FIXTURE_DIR/stats.txt"
if grep -q "^Messages by year" "$FIXTURE_DIR/stats.txt" && grep -q "^  peak: " "$FIXTURE_DIR/stats.txt" &&
	grep -q "^Sender → recipient" "$FIXTURE_DIR/stats.txt"; then tap_ok "trawl stats prints the tables"; else
	tap_not_ok "trawl stats prints the tables"; sed 's/^/# /' "$FIXTURE_DIR/stats.txt"; fi

# ---- hostile names and addresses
export NOTMUCH_CONFIG="$FIXTURE_DIR/notmuch-config"
mkdir -p "$FIXTURE_DIR/hostile/cur"
big=$(head -c 10240 /dev/zero | tr '\0' 'N')
printf 'From: "\033]0;pwned\007Mallory \342\200\256gpj.exe" <mallory@evil.example>\nTo: "%s" <big@example.org>, "\033[2J" <"\033[31m"@evil.example>\nSubject: x\nDate: Mon, 01 Feb 2016 10:00:00 +0000\nMessage-ID: <h1@evil.example>\n\nx\n' \
	"$big" > "$FIXTURE_DIR/hostile/cur/1.eml"
fixture_db "$FIXTURE_DIR/hostile"
tmux_start 100 30 "$TRAWL" 'from:mallory@evil.example'
tmux_wait_for "1 message" >/dev/null
title_before=$(tmux_title)
tmux_keys c
tap_check "a hostile name shows neutralised" tmux_wait_for "^[]0;pwned^GMallory <U+202E>gpj.exe"
tap_check "a 10 KB name leaves the pane drawn (its address row shows)" tmux_wait_for "big@example.org"
case "$(tmux_title)" in
*pwned*) tap_not_ok "the pane title is unchanged"; tap_diag "title: $(tmux_title)" ;;
*) [ "$(tmux_title)" = "$title_before" ] && tap_ok "the pane title is unchanged" ||
	tap_not_ok "the pane title is unchanged" ;;
esac
tmux_keys q q
tmux_wait_exit >/dev/null
tmux_stop
"$TRAWL" stats --top 5 'from:mallory@evil.example' > "$FIXTURE_DIR/hostile.txt"
"$TRAWL" stats --json 'from:mallory@evil.example' > "$FIXTURE_DIR/hostile.json"
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$FIXTURE_DIR/hostile.txt" "$FIXTURE_DIR/hostile.json" ||
	LC_ALL=C grep -q "$(printf '\342\200\256')" "$FIXTURE_DIR/hostile.txt" "$FIXTURE_DIR/hostile.json" ||
	[ "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$FIXTURE_DIR/hostile.txt")" -gt 400 ] ||
	! python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert "\u202e" in s["senders"][0]["name"]' "$FIXTURE_DIR/hostile.json"; then
	tap_not_ok "trawl stats neutralises names (tables) and keeps them exact, escaped (JSON)"
	sed 's/^/# /' "$FIXTURE_DIR/hostile.txt"
else
	tap_ok "trawl stats neutralises names (tables) and keeps them exact, escaped (JSON)"
fi
check_sanitizer_logs
