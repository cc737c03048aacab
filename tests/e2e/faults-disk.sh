#!/bin/sh
# End-to-end: the disk fills up.  Small tmpfs file systems, mounted in a
# private mount namespace (so they vanish with the test; root only, else
# skipped), hold the mail and database, then the state directory alone,
# then a cache being imported:
# - a bulk tag on a full disk: one line says the disk is full, browsing
#   goes on, nothing is half-written; with space back the change lands,
#   journalled whole, and undoes;
# - the journal's disk full: no change is committed without its journal
#   lines; with space back it lands;
# - trawl import when the disk fills while the database is made, and half
#   way: one line, no crash, nothing half-written, and the run after space
#   comes back gives the same cache as an import that never failed.
: "${top_srcdir:?}" "${top_builddir:?}"
if [ -z "${TRAWL_FAULTS_NS:-}" ] && [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	TRAWL_FAULTS_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 17
fixture_init

# The file systems mounted here go before the directory holding them.
FAULTS_MOUNTS=
fixture_cleanup() {
	for _m in $FAULTS_MOUNTS; do umount "$_m" 2>/dev/null; done
	[ -n "${FIXTURE_KEEP:-}" ] && { echo "# kept $FIXTURE_DIR"; return; }
	[ -n "${FIXTURE_DIR:-}" ] && rm -rf "$FIXTURE_DIR"
}
# small_fs DIR SIZE: a tmpfs of SIZE at DIR (made if needed).
small_fs() {
	mkdir -p "$1" && mount -t tmpfs -o "size=$2,mode=0700" tmpfs "$1" 2>/dev/null &&
		FAULTS_MOUNTS="$1 $FAULTS_MOUNTS"
}
# fill DIR: fill DIR's file system up.
fill() {
	dd if=/dev/zero of="$1/.filler" bs=4k 2>/dev/null
	return 0
}

if [ -z "${TRAWL_FAULTS_NS:-}" ] || ! small_fs "$FIXTURE_DIR/mail" 4m; then
	for i in $(seq 17); do tap_skip "needs root and mount namespaces for small tmpfs file systems"; done
	exit 0
fi
M=$FIXTURE_DIR/mail
fixture_db

# --- A bulk tag on a full disk.
tmux_start 200 30 "$TRAWL"
tmux_wait_for "4 threads  6 messages" >/dev/null
fill "$M"
tmux_keys '*'
tmux_wait_for "tag all messages of" >/dev/null
tmux_keys "+full" Enter
tmux_wait_for "y/n" >/dev/null
tmux_keys y
tap_check "bulk tag on a full disk: the status line says the disk is full" \
	tmux_wait_for "[1 change waiting: the disk is full ("
tmux_keys '?'
tap_check "browsing goes on (help opens)" tmux_wait_for "trawl key bindings"
tmux_keys q
tap_check "nothing is half-written" test "$(notmuch count tag:full)" = 0
rm -f "$M/.filler"
tap_check "with space back the change lands" wait_count 6 tag:full
tmux_wait_gone "[" >/dev/null
"$TRAWL" log >"$FIXTURE_DIR/log" 2>&1
if grep -q "+full  on '\*'  6/6 messages  done" "$FIXTURE_DIR/log" && [ "$(grep -c . "$FIXTURE_DIR/log")" = 1 ]; then
	tap_ok "journalled whole: one entry, 6/6 done"
else
	tap_not_ok "journalled whole: one entry, 6/6 done"
	sed 's/^/# /' "$FIXTURE_DIR/log"
fi
tmux_undo +full >/dev/null
tap_check "... and u undoes it" wait_count 0 tag:full
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop

# 120 messages of 7 KB, for a bulk change whose journal lines need more
# than what is left in the journal's last page, and for the imports below.
src=$FIXTURE_DIR/src
mkdir -p "$src/cur" "$src/new" "$src/tmp"
i=0
while [ $i -lt 120 ]; do
	{
		printf 'From: Sender %d <s%d@example.org>\nTo: r@example.org\n' $i $((i % 7))
		printf 'Subject: Import message %d\nDate: Mon, 1 May 2017 10:%02d:00 +0000\n' $i $((i % 60))
		printf 'Message-ID: <import-%d@example.org>\n\n' $i
		j=0
		while [ $j -lt 120 ]; do
			printf 'Line %d of message %d, words enough to fill the disk %d.\n' $j $i $((i * j))
			j=$((j + 1))
		done
	} >"$src/cur/$i.eml"
	i=$((i + 1))
done

# --- The journal's disk is full; the database's is not.
cp -R "$src" "$M/generated"
notmuch new --quiet
total=$(notmuch count '*')
S=$M/.notmuch/trawl
mv "$S" "$S.before"
small_fs "$S" 256k
cp -a "$S.before/." "$S/"
tmux_start 200 30 "$TRAWL"
tmux_wait_for "messages  reviewed 0/$total" >/dev/null
fill "$S"
tmux_keys '*'
tmux_wait_for "tag all messages of" >/dev/null
tmux_keys "+jfull" Enter
tmux_wait_for "y/n" >/dev/null
tmux_keys y
tap_check "journal disk full: the status line says so" \
	tmux_wait_for "[1 change waiting: the disk is full ("
tap_check "no change is committed without its journal lines" test "$(notmuch count tag:jfull)" = 0
rm -f "$S/.filler"
tap_check "with space back the change lands" wait_count "$total" tag:jfull
tmux_wait_gone "[" >/dev/null
"$TRAWL" log >"$FIXTURE_DIR/log" 2>&1
tap_check "... journalled whole: $total/$total done" grep -q "+jfull  on '\*'  $total/$total messages  done" "$FIXTURE_DIR/log"
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop

# --- trawl import: a full disk while the database is made, and half way.
"$TRAWL" import --into "$FIXTURE_DIR/ref" "$src" >/dev/null 2>&1
ref_dump=$(NOTMUCH_CONFIG=$FIXTURE_DIR/ref/notmuch-config notmuch dump | sort)
ref_files=$(cd "$FIXTURE_DIR/ref" && find mail -path mail/.notmuch -prune -o -type f -print | sort)
for size in 8k 400k; do
	C=$FIXTURE_DIR/import-$size
	small_fs "$C" $size
	"$TRAWL" import --into "$C/cache" "$src" >"$FIXTURE_DIR/out" 2>&1
	rc=$?
	if [ $rc = 1 ] && [ "$(grep -c 'import stopped: ' "$FIXTURE_DIR/out")" = 1 ] &&
		grep -q 'import stopped: .*the disk is full (' "$FIXTURE_DIR/out" &&
		! grep -q 'terminate called' "$FIXTURE_DIR/out"; then
		tap_ok "import, disk full at $size: one line says the disk is full, exit status 1"
	else
		tap_not_ok "import, disk full at $size: one line says the disk is full, exit status 1"
		tap_diag "exit status $rc"
		sed 's/^/# /' "$FIXTURE_DIR/out"
	fi
	half=$(find "$C/cache" -path '*/tmp/*' -type f -o -name '*.trawl-new' -print)
	if [ -z "$half" ]; then tap_ok "... nothing half-written"; else
		tap_not_ok "... nothing half-written"
		tap_diag "$half"
	fi
	mount -o remount,size=64m "$C"
	"$TRAWL" import --into "$C/cache" "$src" >"$FIXTURE_DIR/out" 2>&1
	rc=$?
	dump=$(NOTMUCH_CONFIG=$C/cache/notmuch-config notmuch dump 2>&1 | sort)
	files=$(cd "$C/cache" && find mail -path mail/.notmuch -prune -o -type f -print | sort)
	if [ $rc = 0 ] && [ "$dump" = "$ref_dump" ] && [ "$files" = "$ref_files" ]; then
		tap_ok "... the run after space comes back gives the whole cache"
	else
		tap_not_ok "... the run after space comes back gives the whole cache"
		tap_diag "exit status $rc"
		sed 's/^/# /' "$FIXTURE_DIR/out"
	fi
done
check_sanitizer_logs
exit 0
