#!/usr/bin/env bash
# clang-tidy (the repo's .clang-tidy) on the C++ sources changed by the newest commit — or by
# BASE..HEAD when TIDY_BASE is set — using the compile database of BUILD_DIR.
set -euo pipefail
build=${1:-build/coverage}
cd "$(dirname "$0")/.."
base=${TIDY_BASE:-HEAD~1}
if git rev-parse --verify -q "$base" >/dev/null; then
  mapfile -t files < <(git diff --name-only --diff-filter=AMR "$base" HEAD -- '*.cpp')
else
  mapfile -t files < <(git ls-files '*.cpp')  # a first commit: everything is new
fi
checked=()
for f in "${files[@]}"; do
  # Only files the build compiles (fuzz targets need the fuzz preset's database).
  grep -q "\"file\": \"$PWD/$f\"" "$build/compile_commands.json" && checked+=("$f")
done
if ((${#checked[@]} == 0)); then
  echo "tidy: no changed C++ file in this build's compile database"
  exit 0
fi
status=0
# The database may come from a gcc build: clang must not stop at gcc-only warning flags.
output=$(clang-tidy -p "$build" --quiet --extra-arg=-Wno-unknown-warning-option \
  "${checked[@]}" 2>&1) || status=$?
grep -v "warnings generated" <<<"$output" || true
if ((status != 0)); then
  echo "tidy: findings in the changed files above" >&2
  exit 1
fi
echo "tidy: ${#checked[@]} changed files clean"
