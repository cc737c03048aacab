# Shared fixture for shell tests: a throwaway notmuch database built from
# tests/corpus/mail in a temp dir, with HOME, NOTMUCH_CONFIG and the XDG
# directories pinned inside it so no test can touch a real user's mail.
#
# Usage: . "$top_srcdir/tests/fixture.sh"; fixture_init; fixture_db
: "${top_srcdir:?}" "${top_builddir:?}"
TRAWL=${TRAWL:-$top_builddir/trawl}

fixture_init() {
	FIXTURE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/trawl-test.XXXXXX")
	trap 'fixture_cleanup' EXIT
	export HOME="$FIXTURE_DIR/home"
	export XDG_CONFIG_HOME="$HOME/.config" XDG_CACHE_HOME="$HOME/.cache"
	export XDG_STATE_HOME="$HOME/.local/state" XDG_DATA_HOME="$HOME/.local/share"
	export NOTMUCH_CONFIG="$FIXTURE_DIR/notmuch-config"
	unset NOTMUCH_PROFILE NOTMUCH_DATABASE
	mkdir -p "$HOME"
}

fixture_cleanup() {
	[ -n "${FIXTURE_KEEP:-}" ] && { echo "# kept $FIXTURE_DIR"; return; }
	[ -n "${FIXTURE_DIR:-}" ] && rm -rf "$FIXTURE_DIR"
}

# fixture_db [SRC]: copy a maildir (default tests/corpus/mail) and index it.
fixture_db() {
	src=${1:-$top_srcdir/tests/corpus/mail}
	mkdir -p "$FIXTURE_DIR/mail"
	cp -R "$src/." "$FIXTURE_DIR/mail/"
	chmod -R u+w "$FIXTURE_DIR/mail"
	mkdir -p "$FIXTURE_DIR/mail/new" "$FIXTURE_DIR/mail/tmp" "$FIXTURE_DIR/mail/cur"
	cat > "$NOTMUCH_CONFIG" <<CFG
[database]
path=$FIXTURE_DIR/mail
[new]
tags=unread;inbox
ignore=.keep
[search]
exclude_tags=
[maildir]
synchronize_flags=false
CFG
	notmuch new --quiet >/dev/null
}
