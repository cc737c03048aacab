#!/bin/sh
# End-to-end: the case's state directory <db>/.notmuch/trawl is read-only
# (a read-only bind mount in a private mount namespace when we are root,
# since root ignores permissions; chmod 0555 otherwise).  trawl starts and
# browses, says the journal is read-only with the reason the system gives,
# and journals tag changes in the XDG state directory instead, where undo
# finds them; the state directory is left as it was.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 6
fixture_init
fixture_db
S=$FIXTURE_DIR/mail/.notmuch/trawl

# A first session makes the state directory.
tmux_start 160 30 "$TRAWL"
tmux_wait_for "4 threads  6 messages" >/dev/null
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop
state_before=$(cd "$S" && ls -la --time-style=+%s . | grep -v ' \.*$')

if [ "$(id -u)" = 0 ]; then
	# shellcheck disable=SC2016
	if unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1"' sh "$S" 2>/dev/null; then
		reason="Read-only file system"
		set -- unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" && shift && exec "$@"' \
			sh "$S" "$TRAWL"
	else
		reason=
	fi
else
	chmod 0555 "$S"
	reason="Permission denied"
	set -- "$TRAWL"
fi
if [ -z "$reason" ]; then
	for i in 1 2 3 4 5 6; do
		tap_skip "root without mount namespaces: cannot make the state directory read-only"
	done
	exit 0
fi

tmux_start 160 30 "$@"
tap_check "trawl starts and browses" tmux_wait_for "4 threads  6 messages"
tap_check "it says the journal is read-only, and why" \
	tmux_wait_for "the journal is read-only: $S: $reason; trawl keeps its journal"
tmux_keys t
tmux_wait_for "tag thread:" >/dev/null
tmux_keys "+rocheck" Enter
i=0
while [ "$(notmuch count tag:rocheck)" != 1 ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
if [ "$(notmuch count tag:rocheck)" = 1 ] &&
	grep -q '+rocheck' "$XDG_STATE_HOME"/trawl/journal/*.log 2>/dev/null; then
	tap_ok "a tag change is written and journalled in the XDG state directory"
else
	tap_not_ok "a tag change is written and journalled in the XDG state directory"
fi
tmux_undo +rocheck >/dev/null
i=0
while [ "$(notmuch count tag:rocheck)" != 0 ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
tap_check "u undoes it" test "$(notmuch count tag:rocheck)" = 0
tmux_keys q
tmux_wait_exit >/dev/null
tmux_stop
chmod 0700 "$S"
state_after=$(cd "$S" && ls -la --time-style=+%s . | grep -v ' \.*$')
if [ "$state_before" = "$state_after" ]; then tap_ok "the state directory is as it was"; else
	tap_not_ok "the state directory is as it was"
	tap_diag "before: $state_before" "after: $state_after"
fi
check_sanitizer_logs
exit 0
