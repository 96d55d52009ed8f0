// Reading the swarm parts of report.json (internal to gauntlet::reports): the throwing readers
// behind swarm_metrics_from_json, used by report.cpp's from_json with the path "metrics" so that
// every error names the field from the document's root.
#pragma once

#include <string>

#include "gauntlet/reports/swarm_metrics.hpp"
#include "json_read.hpp"

namespace gauntlet::reports::detail {

/// Throws ReadError naming the field under `path`.
[[nodiscard]] Histogram read_histogram(const Json& json, const std::string& path);
/// Throws ReadError naming the field under `path`; the derived fields are recomputed.
[[nodiscard]] SwarmMetrics read_swarm_metrics(const Json& json, const std::string& path);

}  // namespace gauntlet::reports::detail
