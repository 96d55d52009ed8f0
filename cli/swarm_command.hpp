// `gauntlet swarm SCENARIO.json [--profile FILE | --broker URL] [--duration S] [--shard I/N]
// [--report-dir DIR]` (DESIGN.md §4): runs a load scenario; the work is gauntlet::swarm.
#pragma once

#include <CLI/CLI.hpp>

namespace gauntlet::cli {

void add_swarm_command(CLI::App& app, int& exit_code);

}  // namespace gauntlet::cli
