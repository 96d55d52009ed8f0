#!/bin/sh
# Checks that every junit.xml under DIR is well-formed XML (xmllint, Debian libxml2-utils).
# usage: xmllint_samples.sh DIR
set -eu
command -v xmllint >/dev/null || { echo "xmllint is missing (Debian: libxml2-utils)" >&2; exit 1; }
set -- "$1"/*/junit.xml
[ -f "$1" ] || { echo "no junit.xml found" >&2; exit 1; }
xmllint --noout "$@"
echo "$# junit.xml files are well-formed"
