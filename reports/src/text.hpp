// Text helpers the four writers share (internal to gauntlet::reports). Report strings come from
// brokers and scenario files: any byte may appear, so every writer passes text through clean_text
// before its own escaping.
#pragma once

#include <cstdint>
#include <map>
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

/// The statements of one protocol level, counted by verdict.
struct StatementCounts {
  std::string protocol;
  std::uint64_t total = 0;
  std::map<std::string, std::uint64_t, std::less<>> by_verdict;

  [[nodiscard]] std::uint64_t of(std::string_view verdict) const;
  /// Statements a broker can be seen to break: all but the not applicable ones.
  [[nodiscard]] std::uint64_t observable() const { return total - of("not_applicable"); }
  /// Observable statements that cases check (whatever their verdict in this run).
  [[nodiscard]] std::uint64_t checked() const { return observable() - of("untested"); }
  /// checked() as a percentage of observable() (0 when nothing is observable).
  [[nodiscard]] double checked_percent() const {
    return observable() == 0
               ? 0.0
               : 100.0 * static_cast<double>(checked()) / static_cast<double>(observable());
  }
};
/// One entry per protocol level, in the order the levels first appear.
[[nodiscard]] std::vector<StatementCounts> count_statements(const Report& report);

/// The swarm metrics as rows: nested objects become dotted names ("latency_us.p99"), in the order
/// of the JSON. Whatever a later swarm adds shows up without a change here.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> metric_rows(const Json& metrics);

/// The outcome the headlines show: a case failed or erred, or the fuzzer found something. It
/// matches the exit code (DESIGN.md §4) for what the report knows.
/// Against a baseline, only regressions count.
[[nodiscard]] inline bool failed(const Report& report, const Summary& summary) noexcept {
  if (report.comparison) return !report.comparison->regressions.empty();
  return summary.failed + summary.errors > 0 ||
         (report.kind == Kind::fuzz && !report.findings.empty());
}

/// Whether the case gets a detail section (failures and errors).
[[nodiscard]] inline bool is_problem(Verdict verdict) noexcept {
  return verdict == Verdict::fail || verdict == Verdict::error;
}

}  // namespace gauntlet::reports::detail
