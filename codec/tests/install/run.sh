#!/usr/bin/env bash
# Installs the project from BUILD_DIR into a temporary prefix, then configures, builds and runs the
# consumer against it with find_package(gauntlet). Extra arguments go to the consumer's configure.
set -euo pipefail
build_dir=$1 consumer_dir=$2 compiler=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$consumer_dir" -B "$work/build" -G Ninja -DCMAKE_CXX_COMPILER="$compiler" \
  -DCMAKE_PREFIX_PATH="$work/prefix" "$@" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer"
