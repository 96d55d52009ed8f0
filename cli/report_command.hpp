#pragma once

#include <CLI/CLI.hpp>

namespace gauntlet::cli {

/// Adds `gauntlet report diff|render|merge`; the command's exit code is written to `exit_code`.
void add_report_command(CLI::App& app, int& exit_code);

}  // namespace gauntlet::cli
