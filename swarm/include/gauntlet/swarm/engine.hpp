// The swarm engine behind `gauntlet swarm`: runs a load scenario's clients on one event loop per
// core (each loop owns its clients, schedules and receipt logs; nothing is shared on the hot
// path), then adds the loops' measurements into one SwarmMetrics.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "gauntlet/reports/report.hpp"
#include "gauntlet/scenarios/profile.hpp"
#include "gauntlet/swarm/load.hpp"

namespace gauntlet::swarm {

struct Shard {
  std::uint32_t index = 0;  ///< 0-based
  std::uint32_t count = 1;
};

/// The run so far, about once a second (for a progress line): totals since the start.
struct Progress {
  std::uint64_t second = 0;  ///< since the first client connected
  std::uint64_t connections = 0;
  std::uint64_t peak_connections = 0;
  std::uint64_t published = 0;
  std::uint64_t expected = 0;  ///< copies owed to the subscribers so far
  std::uint64_t delivered = 0;
  std::uint64_t acknowledged = 0;
  std::uint64_t inflight = 0;
};

struct SwarmRequest {
  const scenarios::Scenario* scenario = nullptr;
  const LoadPlan* plan = nullptr;
  const scenarios::Profile* profile = nullptr;
  Shard shard;
  std::uint64_t seed = 1;
  std::optional<double> duration_s;  ///< overrides the plan's publish phase
  /// When the publish phase begins (the same instant for every shard of a distributed run, so
  /// that every shard's subscribers are in before any shard publishes); default: as soon as this
  /// process's clients are connected and subscribed.
  std::optional<std::chrono::system_clock::time_point> publish_at;
  std::uint32_t threads = 0;              ///< event loops; 0: one per core
  std::optional<std::uint32_t> batch_us;  ///< overrides the plan's I/O batching window (µs)
  /// The broker's pid, to report its CPU time next to ours (/proc/PID/stat).
  std::optional<int> broker_pid;
  /// Set (by a signal handler or a deadline) to stop early: the run then reports what it measured,
  /// marked incomplete.
  const std::atomic<bool>* stop = nullptr;
  /// Called about once a second (progress on a terminal or in a log).
  std::function<void(const Progress&)> progress;
};

/// Runs the load and returns the report (kind swarm, metrics and the SLO cases). Infrastructure
/// problems that stop the run before it starts (no client could be set up) come back in `error`.
reports::Report run_swarm(const SwarmRequest& request, std::string& error);

/// The client indices of one shard: every index i of a group with i % count == index, so that
/// every group is spread evenly and shards never overlap.
[[nodiscard]] bool in_shard(std::uint64_t index, const Shard& shard) noexcept;

}  // namespace gauntlet::swarm
