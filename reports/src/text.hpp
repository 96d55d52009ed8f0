// Text helpers the four writers share (internal to gauntlet::reports). Report strings come from
// brokers and scenario files: any byte may appear, so every writer passes text through clean_text
// before its own escaping.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gauntlet/reports/report.hpp"

namespace gauntlet::reports::detail {

/// Valid UTF-8 without C0 control characters: ill-formed bytes and the noncharacters U+FFFE/U+FFFF
/// become U+FFFD; a control character other than tab, line feed and carriage return becomes the
/// visible text "\xNN" (XML 1.0 forbids them, and terminals and browsers hide them).
[[nodiscard]] std::string clean_text(std::string_view text);

/// The text up to the first line break.
[[nodiscard]] std::string_view first_line(std::string_view text);

/// "PASS", "FAIL", "SKIP", "ERROR", "WAIVED": the label the human-readable writers show.
[[nodiscard]] std::string_view label(Verdict verdict) noexcept;

/// A duration for people: "850 ms", "12.4 s", "3 min 05 s".
[[nodiscard]] std::string human_duration(double seconds);

/// The counts of the conformance statements map, by status.
struct StatementCounts {
  std::uint64_t pass = 0, fail = 0, untested = 0, other = 0;
};
[[nodiscard]] StatementCounts count_statements(const Report& report);

/// The swarm metrics as rows: nested objects become dotted names ("latency_us.p99"), in the order
/// of the JSON. Whatever a later swarm adds shows up without a change here.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> metric_rows(const Json& metrics);

/// The outcome the headlines show: a case failed or erred, or the fuzzer found something. It
/// matches the exit code (DESIGN.md §4) for what the report knows.
[[nodiscard]] inline bool failed(const Report& report, const Summary& summary) noexcept {
  return summary.failed + summary.errors > 0 ||
         (report.kind == Kind::fuzz && !report.findings.empty());
}

/// Whether the case gets a detail section (failures and errors).
[[nodiscard]] inline bool is_problem(Verdict verdict) noexcept {
  return verdict == Verdict::fail || verdict == Verdict::error;
}

}  // namespace gauntlet::reports::detail
