// Reading the fuzz parts of report.json (internal to gauntlet::reports): the throwing readers
// behind fuzz_metrics_from_json, used by report.cpp's from_json with the paths "fuzz" and
// "findings" so that every error names the field from the document's root.
#pragma once

#include <string>
#include <vector>

#include "gauntlet/reports/fuzz_metrics.hpp"
#include "json_read.hpp"

namespace gauntlet::reports::detail {

/// The "fuzz" object without its findings. Throws ReadError naming the field under `path`.
[[nodiscard]] FuzzMetrics read_fuzz_metrics(const Json& json, const std::string& path);
/// The "findings" array of a fuzz report. Throws ReadError naming the field under `path`
/// ("findings[2].kind: ...").
[[nodiscard]] std::vector<FuzzFinding> read_fuzz_findings(const Json& json,
                                                          const std::string& path);

}  // namespace gauntlet::reports::detail
