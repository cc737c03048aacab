#!/usr/bin/env bash
# trawl against libnotmuch 0.37's concurrent-writer abort, on the database
# built by ../shared/corpus/repro-concurrent-abort (not part of `make
# check`: the database takes minutes to build).
#
#   ../shared/corpus/repro-concurrent-abort DIR tests/stress/concurrent-abort.sh TRAWL
#
# The script is the repro's READER: it opens trawl on '*' in a private tmux
# server with its loader slowed down (so the iteration is long, as a
# reviewer scrolling would make it), while the repro commits tags three
# times.  It succeeds when trawl stays up and ends with every thread of the
# query, and says whether its loader was restarted.
set -u
trawl=${1:?usage: concurrent-abort.sh TRAWL}
dir=$(mktemp -d)
trap 'tmux -S "$dir/sock" kill-server 2>/dev/null; rm -rf "$dir"' EXIT
tmux -S "$dir/sock" -f /dev/null new-session -d -x 200 -y 50 \
	"env NOTMUCH_CONFIG=$NOTMUCH_CONFIG HOME=$dir TERM=screen-256color TRAWL_TEST_LOADER_DELAY_US=${DELAY_US:-100} TRAWL_BENCH_MARK=$dir/mark TRAWL_BENCH_EXIT=loaded $trawl; echo \$? > $dir/rc"
for _ in $(seq 1 1200); do
	[ -f "$dir/rc" ] && break
	sleep 0.5
done
rc=$(cat "$dir/rc" 2>/dev/null || echo timeout)
rows=$(awk '/^rows/ {print $2}' "$dir/mark" 2>/dev/null)
restarted=$(awk '/^rows/ {print $4}' "$dir/mark" 2>/dev/null)
want=$(notmuch count --output=threads '*')
echo "trawl exit status: $rc; rows: ${rows:-none} of $want threads; loader restarted: ${restarted:-?}"
[ "$rc" = 0 ] && [ "$rows" = "$want" ]
