#!/usr/bin/env bash
# The whole test suite (the README's test command; .ci/run calls exactly this).
#  1. gcc debug build with gcov: every test, then the coverage of codec/;
#  2. clang-format on every file, clang-tidy on the files the newest commit changed;
#  3. the optimised build the quick start uses (gcc -O3, warnings as errors);
#  4. clang build with AddressSanitizer + UndefinedBehaviorSanitizer and the libFuzzer targets:
#     every test again under the sanitizers, and each fuzzer for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh

echo "=== 1/4 coverage build (gcc, gcov)"
cmake --preset coverage >/dev/null
cmake --build --preset coverage
ctest --preset coverage
bash ci/coverage.sh build/coverage

echo "=== 2/4 lint"
bash ci/check-format.sh
bash ci/tidy.sh build/coverage

echo "=== 3/4 release build (the quick start's)"
cmake --preset release >/dev/null
cmake --build --preset release

echo "=== 4/4 sanitizer build (clang, ASan + UBSan, libFuzzer)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
ctest --preset fuzz
