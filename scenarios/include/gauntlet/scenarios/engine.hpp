// The engine: runs one scenario's client groups on one io_context (no thread per client) and
// turns what happened into a report case — pass, fail with the expectation and what arrived, skip
// with the unmet need, or error when the broker could not be reached.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "gauntlet/reports/report.hpp"
#include "gauntlet/scenarios/model.hpp"
#include "gauntlet/scenarios/profile.hpp"

namespace gauntlet::scenarios {

struct RunOptions {
  /// The value of {run}: distinct per run so that runs never share client ids or topics.
  std::string run_id;
  /// Write each client connection's traffic as DIR/<scenario>/<client>[-<k>].pcap.
  std::optional<std::string> pcap_dir;
  /// Set (by a signal handler) to stop at once; the case then ends as an error "interrupted".
  const std::atomic<bool>* interrupted = nullptr;
  /// How many of each client's last packets a failing case shows.
  std::size_t trace_packets = 12;
};

/// Why `profile` cannot run `scenario` (an endpoint, credentials, protocol level, TLS material or
/// capability it lacks), or nullopt.
std::optional<std::string> unmet_requirement(const Scenario& scenario, const Profile& profile);

/// Runs the scenario to its end (or its first failing step) and reports it as a case.
reports::Case run_scenario(const Scenario& scenario, const Profile& profile,
                           const RunOptions& options);

}  // namespace gauntlet::scenarios
