#!/usr/bin/env bash
# expect.sh RC REGEX CMD... : runs CMD, passes when it exits with RC and its output (stdout and
# stderr) matches the extended regular expression REGEX. The output is matched as one text, so
# a pattern may span lines ('.' matches a newline).
set -u
want_rc=$1 regex=$2
shift 2
output=$("$@" 2>&1)
rc=$?
printf '%s\n' "$output"
if [[ $rc -ne $want_rc ]]; then
  echo "expect.sh: exit code $rc, wanted $want_rc" >&2
  exit 1
fi
if ! grep -Ezq -- "$regex" <<<"$output"; then
  echo "expect.sh: output does not match /$regex/" >&2
  exit 1
fi
