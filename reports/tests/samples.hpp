// Sample reports of every kind and shape, shared by the unit tests and by the sample writer whose
// output the schema test validates. They use every field, so a field the writers forget or the
// schema rejects shows up.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gauntlet/reports/report.hpp"

namespace gauntlet::reports::samples {

/// 2026-11-21T10:00:00.123Z
std::chrono::system_clock::time_point fixed_time();

Report passing();      ///< a run where every case passed
Report failing();      ///< a run with a failure (mismatches, traces, findings) and an error
Report incomplete();   ///< an interrupted run
Report conformance();  ///< statements, skips, a waived case, protocols and levels
/// A swarm run (shard 0 of 1) with a breached SLO (connect failures) and a note.
Report swarm();
/// Shard `index` of a swarm run of `count` shards (scenario "fleet-sharded"): shards 0 and 1 hold
/// overlapping receipts of one shared subscription, so merged they show 10 QoS 1 duplicates and
/// no loss, while shard 0 alone misses 100 QoS 1 messages.
Report swarm_shard(std::uint32_t index, std::uint32_t count);
/// merge_reports of shards 0 and 1 of 2: complete, every case passes.
Report swarm_merged();
Report run_findings();  ///< a passing run with findings outside any case
/// A fuzz campaign against a spawned broker: three findings (a confirmed crash with a verified
/// reproducer, a spec violation whose reproducer was not checked, an unconfirmed hang), the
/// broker's resources in the series (one sample without them), one case per oracle.
Report fuzz();
/// A black-box fuzz campaign that found nothing and stopped at its sequence limit: no optional
/// field set.
Report fuzz_quiet();
Report hostile();  ///< markup, control characters and invalid UTF-8 everywhere

/// Every sample above with a directory name ("passing", ...).
std::vector<std::pair<std::string, Report>> all();

}  // namespace gauntlet::reports::samples
