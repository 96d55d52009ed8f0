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

/// Text for HTML, in element content and attribute values alike: clean_text, then the five
/// characters HTML gives meaning to as references.
[[nodiscard]] std::string html_text(std::string_view text);

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

/// A JSON object as rows: nested objects become dotted names ("publishers.rate"), in the order of
/// the JSON; other values as compact JSON (strings without quotes). The swarm plan is shown so:
/// whatever the engine puts there shows up without a change here.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> json_rows(const Json& object);

// --- swarm numbers for people ---

/// A count with its thousands separated: "600,000".
[[nodiscard]] std::string grouped(std::uint64_t count);
/// A measured number: whole numbers grouped ("1,000"), others with up to three decimals ("0.85").
[[nodiscard]] std::string number(double value);
/// A latency given in µs: "850 µs", "4.1 ms", "2.35 s".
[[nodiscard]] std::string latency(std::uint64_t microseconds);
/// Messages per second: "9,998/s", "12.5/s".
[[nodiscard]] std::string rate(double per_second);
/// An SLO's name for people ("p99 latency", "QoS 1/2 loss"); the name itself when unknown.
[[nodiscard]] std::string_view slo_label(std::string_view name);
/// A value in the SLO's unit: "12.4 ms" for the latency SLOs, "3" for the counts.
[[nodiscard]] std::string slo_value(std::string_view name, double value);

/// The outcome the headlines show: a case failed or erred, or the fuzzer found something. It
/// matches the exit code (DESIGN.md §4) for what the report knows.
/// Against a baseline, only regressions count.
[[nodiscard]] inline bool failed(const Report& report, const Summary& summary) noexcept {
  if (report.comparison) return !report.comparison->regressions.empty();
  return summary.failed + summary.errors > 0 ||
         (report.kind == Kind::fuzz &&
          (!report.findings.empty() || (report.fuzz && !report.fuzz->findings.empty())));
}

/// Whether the case gets a detail section (failures and errors).
[[nodiscard]] inline bool is_problem(Verdict verdict) noexcept {
  return verdict == Verdict::fail || verdict == Verdict::error;
}

}  // namespace gauntlet::reports::detail
