// The exit codes every gauntlet command shares (DESIGN.md §4, a contract).
#pragma once

namespace gauntlet::cli {

enum ExitCode : int {
  exit_ok = 0,              ///< all passed, no finding
  exit_failed = 1,          ///< a test failed, an SLO was breached, a violation was found
  exit_usage = 2,           ///< bad usage or bad input file
  exit_infrastructure = 3,  ///< the broker could not be reached, or another infrastructure failure
};

}  // namespace gauntlet::cli
