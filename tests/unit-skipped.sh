#!/bin/sh
# Stands in for the unit tests when configure found no cmocka (Makefile.am):
# one TAP plan with a skip directive, so that `make check` counts them as
# skipped, with the reason, instead of failing to build them.
echo "1..0 # SKIP cmocka not found by configure: unit tests not built (apt-get install libcmocka-dev, then configure again)"
