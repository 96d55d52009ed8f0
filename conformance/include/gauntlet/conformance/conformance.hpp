// `gauntlet conformance` without the flag parsing: select the cases (protocol levels, --filter
// globs), run them against the broker of a profile, waive the profile's known deviations, judge
// every statement, and compare with a baseline report.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gauntlet/conformance/suite.hpp"
#include "gauntlet/reports/report.hpp"
#include "gauntlet/scenarios/profile.hpp"
#include "gauntlet/scenarios/runner.hpp"

namespace gauntlet::conformance {

struct ConformanceRequest {
  scenarios::RunRequest run;  ///< target, seed, jobs, pcap, interruption, progress
  std::vector<std::string> protocols = {"3.1.1", "5"};
  std::vector<std::string> filters;          ///< case id globs ("v5-connect-*"); empty: every case
  std::optional<std::string> baseline_file;  ///< a report.json to compare with
  std::optional<std::string> cases_folder;   ///< another suite instead of the built-in one
};

struct ConformanceOutcome {
  enum class Status { ran, bad_input };
  Status status = Status::ran;
  std::vector<std::string> errors;
  reports::Report report;
};

ConformanceOutcome run_conformance(const ConformanceRequest& request);

/// Whether `text` matches the glob (`*` any run of characters, `?` one character).
bool glob_match(std::string_view glob, std::string_view text);

/// The cases of `suite` that the protocol levels and filters select, in suite order.
std::vector<scenarios::Scenario> select_cases(const Suite& suite,
                                              const std::vector<std::string>& protocols,
                                              const std::vector<std::string>& filters);

/// A failing case that the profile lists as a known deviation becomes "waived" (the reason and
/// link lead its detail); a listed case that passes says the deviation is no longer seen.
void apply_known_deviations(std::vector<reports::Case>& cases,
                            const std::vector<scenarios::KnownDeviation>& deviations);

/// The verdict on every statement of `protocols`: not applicable (the suite says why), untested
/// (no case that ran checks it), or the worst verdict of the cases that check it.
std::vector<reports::StatementResult> judge_statements(const Suite& suite,
                                                       const std::vector<reports::Case>& cases,
                                                       const std::vector<std::string>& protocols);

}  // namespace gauntlet::conformance
