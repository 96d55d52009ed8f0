// `gauntlet run` without the flag parsing: load every scenario file (all errors before anything
// connects), resolve the broker (profile or URL), run the scenarios on `jobs` threads, and build
// the run report.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gauntlet/reports/report.hpp"

namespace gauntlet::scenarios {

struct RunRequest {
  std::vector<std::string> files;
  std::optional<std::string> profile_file;
  std::optional<std::string> broker_url;
  std::string ca_file;  ///< with broker_url: the CA for mqtts:// and wss://
  std::optional<std::uint64_t> seed;
  unsigned jobs = 1;
  std::optional<std::string> pcap_dir;
  const std::atomic<bool>* interrupted = nullptr;
  std::string tool_version;
  /// Called (on the calling thread, in file order) as each case ends.
  std::function<void(const reports::Case&)> on_case;
};

struct RunOutcome {
  enum class Status { ran, bad_input };
  Status status = Status::ran;
  std::vector<std::string> errors;  ///< bad_input: "FILE:LINE:COLUMN: error[RULE]: ..." each
  reports::Report report;
};

RunOutcome run_files(const RunRequest& request);

/// The value of {run} for one scenario: derived from the seed and the scenario's name, so that a
/// seed repeats a run exactly and scenarios run side by side never share ids or topics.
std::string run_id(std::uint64_t seed, std::string_view scenario_name);

}  // namespace gauntlet::scenarios
