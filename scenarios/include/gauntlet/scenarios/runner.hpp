// `gauntlet run` without the flag parsing: load every scenario file (all errors before anything
// connects), resolve the broker (profile or URL), run the scenarios on `jobs` threads, and build
// the run report.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "gauntlet/reports/report.hpp"
#include "gauntlet/scenarios/model.hpp"
#include "gauntlet/scenarios/profile.hpp"

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

/// The broker of a request: its --profile file, or the profile made from --broker; otherwise
/// the message that says what is wrong.
std::variant<Profile, std::string> resolve_target(const RunRequest& request);

/// "FILE:1:1: error[duplicate-name]: ..." for each scenario whose name an earlier one has.
std::vector<std::string> duplicate_names(const std::vector<Scenario>& scenarios);

/// Runs checked scenarios on request.jobs threads (request.files is not read) and fills the
/// report's cases (in the given order), target, seed, times and completeness.
void run_scenarios(const std::vector<Scenario>& scenarios, const Profile& profile,
                   const RunRequest& request, reports::Report& report);

/// The value of {run} for one scenario: derived from the seed and the scenario's name, so that a
/// seed repeats a run exactly and scenarios run side by side never share ids or topics.
std::string run_id(std::uint64_t seed, std::string_view scenario_name);

}  // namespace gauntlet::scenarios
