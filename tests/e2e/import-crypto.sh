#!/bin/sh
# End-to-end: importing a planted S/MIME message runs no crypto program.
# libnotmuch 0.37 verifies an opaque-signed S/MIME part while indexing it
# (through GMime's gpgme context): `trawl import` then ran gpgsm, which
# made ~/.gnupg, started a gpg-agent and a dirmngr (CRL fetches over the
# network) and left both running.  trawl registers no crypto context
# (render_init), so: the import succeeds, the message is indexed by its
# headers, no ~/.gnupg appears, and no gpg-agent or dirmngr runs with it.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/fixture.sh"
. "$top_srcdir/tests/e2e/lib.sh"

tap_plan 4
fixture_init
SRC=$FIXTURE_DIR/src
C=$FIXTURE_DIR/case
mkdir -p "$SRC"
cp "$top_srcdir/tests/corpus/smime/signed-data.eml" "$SRC/"

tap_check "trawl import of an opaque-signed S/MIME message" \
	"$TRAWL" import --into "$C" "$SRC"
tap_check "the message is in the case" \
	test "$(NOTMUCH_CONFIG=$C/notmuch-config notmuch count subject:signed)" = 1
if [ -e "$HOME/.gnupg" ]; then
	tap_not_ok "no ~/.gnupg made (no gpg or gpgsm ran)"
	ls -la "$HOME/.gnupg" | sed 's/^/# /'
else
	tap_ok "no ~/.gnupg made (no gpg or gpgsm ran)"
fi
if pgrep -f "homedir $HOME/.gnupg" >/dev/null 2>&1; then
	tap_not_ok "no gpg-agent or dirmngr left running"
	pkill -f "homedir $HOME/.gnupg"
else
	tap_ok "no gpg-agent or dirmngr left running"
fi
