#!/usr/bin/env bash
# The whole test suite (the README's test command; .ci/run calls exactly this).
#  1. gcc debug build with gcov: every test, then the coverage of codec/;
#  2. clang-format on every file, clang-tidy on the files the newest commit changed;
#  3. clang build with AddressSanitizer + UndefinedBehaviorSanitizer and the libFuzzer targets:
#     every test again under the sanitizers, and each fuzzer for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh

echo "=== 1/3 coverage build (gcc, gcov)"
cmake --preset coverage >/dev/null
cmake --build --preset coverage
ctest --preset coverage
bash ci/coverage.sh build/coverage

echo "=== 2/3 lint"
bash ci/check-format.sh
bash ci/tidy.sh build/coverage

echo "=== 3/3 sanitizer build (clang, ASan + UBSan, libFuzzer)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
ctest --preset fuzz
