// `gauntlet fuzz [--profile FILE | --broker URL | --spawn CMD] [--duration S] [--seed N]
// [--corpus DIR] [--report-dir DIR]` (DESIGN.md §4, §8): the stateful network fuzzer; the work is
// gauntlet::fuzzer (docs/fuzzing.md).
#pragma once

#include <CLI/CLI.hpp>

namespace gauntlet::cli {

void add_fuzz_command(CLI::App& app, int& exit_code);

}  // namespace gauntlet::cli
