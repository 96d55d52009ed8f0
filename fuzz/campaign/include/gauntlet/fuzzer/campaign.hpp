// `gauntlet fuzz` without the flag parsing (DESIGN.md §8): batches of sequences from the generator
// run side by side against the broker; sequences that show a new response shape join the corpus;
// after every batch the oracles look for a crash (the broker unreachable, or the spawned process
// gone), a hang (the liveness probe unanswered), resource growth (RSS and descriptors of a spawned
// broker) and spec violations (the strict clients' findings). Each finding is replayed to confirm
// it, minimised (steps first, then bytes), deduplicated by its signature, and written as a scenario
// file that `gauntlet run` replays — which the campaign checks by running it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "gauntlet/fuzzer/executor.hpp"
#include "gauntlet/fuzzer/generator.hpp"
#include "gauntlet/reports/report.hpp"
#include "gauntlet/scenarios/runner.hpp"

namespace gauntlet::fuzzer {

struct CampaignConfig {
  Target target;
  /// The profile endpoint name the reproducers' clients use ("plain", "tls", ...).
  std::string endpoint_name = "plain";
  /// Run the broker: the fuzzer starts it, restarts it after a crash or a hang, and watches its
  /// exit status, sanitizer output and resources.
  std::optional<std::string> spawn_command;
  /// Black box: a command that restarts the broker (the profile's lifecycle), so that findings
  /// can still be replayed; empty: a black-box broker that crashes ends the run.
  std::string restart_command;
  std::uint64_t seed = 0;
  double duration_s = 60;
  std::uint64_t max_sequences = 0;  ///< 0: no limit
  std::uint32_t lanes = 16;         ///< sequences run side by side
  GeneratorConfig generator;
  ExecutorConfig executor;
  Milliseconds probe_deadline{1000};
  /// How long a spawned (or restarted) broker may take to answer its first probe.
  Milliseconds start_deadline{15000};
  std::uint32_t confirm_replays = 3;
  /// Seconds one finding's minimisation may take (the run may outlast --duration by this much).
  double triage_budget_s = 60;
  /// Resource growth: a suspect sequence replayed this many times must grow the descriptors by
  /// half as many, or the RSS by `leak_rss_kib` per replay.
  std::uint32_t leak_replays = 8;
  std::uint64_t leak_rss_kib = 1536;
  /// Growth over the baseline that makes the last batch suspect.
  std::uint64_t suspect_fds = 1;
  std::uint64_t suspect_rss_kib = 16384;
  /// Seconds between two resource triages (each replays a whole batch on fresh brokers).
  double resource_cooldown_s = 30;
  /// Where findings/ (reproducers), broker/ (logs) and corpus/ go.
  std::string report_dir = "gauntlet-report";
  /// Corpus entries (scenario files) to start from; new entries are also written there.
  std::optional<std::string> corpus_dir;
  /// For checking reproducers with the scenario runner: the profile file or the broker URL.
  scenarios::RunRequest replay_request;
  const std::atomic<bool>* interrupted = nullptr;
  std::string tool_version;
  std::string target_name;
  std::string target_display;
  /// Called about once a second.
  std::function<void(const reports::FuzzSample&)> on_progress;
  /// Called as each finding has been triaged.
  std::function<void(const reports::FuzzFinding&)> on_finding;
};

struct CampaignResult {
  enum class Status { ran, infrastructure };
  Status status = Status::ran;
  std::string error;  ///< infrastructure: why (the broker could not be started or reached)
  reports::Report report;
};

CampaignResult run_campaign(const CampaignConfig& config);

}  // namespace gauntlet::fuzzer
