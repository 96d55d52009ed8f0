// The report model of DESIGN.md §6 (a contract): what every engine (run, conformance, swarm, fuzz)
// fills in and every writer (report.json, junit.xml, summary.md, report.html) reads. It knows no
// engine: engines depend on it, never the reverse.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gauntlet/reports/fuzz_metrics.hpp"
#include "gauntlet/reports/swarm_metrics.hpp"

namespace gauntlet::reports {

/// Keys keep their insertion order, so report.json reads top-down like the schema.
using Json = nlohmann::ordered_json;

/// The value of report.json's "schema" field; from_json accepts no other.
inline constexpr std::string_view schema_id = "gauntlet.report/1";

enum class Kind { run, conformance, swarm, fuzz };
enum class Verdict { pass, fail, skip, error, waived };

/// A broker behaviour that breaks a normative statement (seen by a client during a case, or a
/// fuzz finding).
struct Finding {
  std::string statement;  ///< "MQTT-3.3.4-9"; empty when the spec does not number it
  std::string description;
  std::string client;      ///< which virtual client saw it
  std::string packet_hex;  ///< the offending packet, when there is one

  friend bool operator==(const Finding&, const Finding&) = default;
};

/// One packet on the wire, kept so that a failing case can show the last packets of each client.
struct PacketRecord {
  bool outbound = false;  ///< sent by the client (true) or by the broker
  double at_ms = 0;       ///< since the case started
  std::string hex;        ///< the raw bytes
  Json decoded;           ///< codec JSON of the packet, or {"error": ...} when it did not decode

  friend bool operator==(const PacketRecord&, const PacketRecord&) = default;
};

struct ClientTrace {
  std::string client;                 ///< "sub[0]"
  std::vector<PacketRecord> packets;  ///< the last few, oldest first

  friend bool operator==(const ClientTrace&, const ClientTrace&) = default;
};

/// What a failing expectation wanted and what arrived instead.
struct Mismatch {
  std::string step;            ///< where in the scenario: "steps[4] (sub: expect publish)"
  std::string client;          ///< "sub[0]"
  Json expected;               ///< the expectation as written (after templates)
  std::vector<Json> received;  ///< decoded candidates that arrived (closest first), maybe none
  std::string reason;          ///< one line: "no PUBLISH within 2000 ms", "payload differs", ...

  friend bool operator==(const Mismatch&, const Mismatch&) = default;
};

struct Case {
  std::string id;  ///< unique within the report: scenario file stem, conformance case id, ...
  std::string title;
  std::vector<std::string> spec;  ///< normative statement ids the case checks
  std::string protocol;           ///< "3.1" | "3.1.1" | "5" (empty: not tied to one)
  std::string level;              ///< "must" | "should" | "may" (empty: none)
  std::string area;               ///< the part of the spec it exercises ("connect"; empty: none)
  std::string file;               ///< the file the case came from, when there is one
  Verdict verdict = Verdict::pass;
  /// Human-readable: for a failure, expected vs received decoded field by field and the raw bytes;
  /// for a skip, the reason; for an error, what went wrong around the broker.
  std::string detail;
  double duration_ms = 0;
  std::vector<Mismatch> mismatches;
  std::vector<Finding> findings;
  std::vector<ClientTrace> traces;  ///< filled for failing and erroring cases
  /// Where the case accepts several behaviours the spec allows, the one the broker chose
  /// ("steps/5 (pub[0]): disconnect reason_code 0x81").
  std::vector<std::string> choices;

  friend bool operator==(const Case&, const Case&) = default;
};

/// The verdict on one normative statement of one protocol level (conformance).
struct StatementResult {
  std::string protocol;  ///< "3.1.1" | "5": ids repeat across the levels with other meanings
  std::string id;        ///< "MQTT-3.1.2-3"
  /// pass | fail | error | waived | skip | untested | not_applicable: the worst verdict of the
  /// cases that check it (fail and error first, then pass, waived, skip).
  std::string verdict;
  std::vector<std::string> cases;  ///< the cases that check it, in the order they ran
  std::string reason;              ///< not_applicable and untested: why

  friend bool operator==(const StatementResult&, const StatementResult&) = default;
};

/// The verdicts a statement can have, in the order the writers show them.
inline constexpr std::string_view statement_verdicts[] = {
    "pass", "fail", "error", "waived", "skip", "untested", "not_applicable"};

/// What changed since a baseline report (`--baseline`, `gauntlet report diff`).
struct Change {
  std::string subject;  ///< "case v5-connect-x" or "statement 5 MQTT-3.1.2-3"
  std::string before;   ///< the verdict in the baseline ("" when absent there)
  std::string after;    ///< the verdict now ("" when absent now)

  friend bool operator==(const Change&, const Change&) = default;
};

struct Comparison {
  std::string baseline;  ///< where the baseline came from (a file name)
  /// A case that passed now fails or errs; a statement that passed now fails or errs.
  std::vector<Change> regressions;
  std::vector<Change> fixes;  ///< failed or erred before, passes now
  std::vector<Change> other;  ///< every other change of verdict, new and removed cases

  friend bool operator==(const Comparison&, const Comparison&) = default;
};

struct Summary {
  std::uint64_t total = 0, passed = 0, failed = 0, skipped = 0, errors = 0, waived = 0;

  friend bool operator==(const Summary&, const Summary&) = default;
};

struct Report {
  Kind kind = Kind::run;
  std::string tool_version;
  std::string target_name;      ///< profile name, or the broker URL's host
  std::string target_endpoint;  ///< the URL without password
  std::chrono::system_clock::time_point started_at{};
  double duration_s = 0;
  /// false when the run was interrupted (Ctrl-C, a deadline): what was measured is still written.
  bool complete = true;
  std::optional<std::uint64_t> seed;
  std::vector<Case> cases;
  /// Conformance: every statement of the protocol levels that ran, in the spec's order.
  std::vector<StatementResult> statements;
  std::optional<SwarmMetrics> metrics;  ///< swarm: DESIGN.md §6 metrics
  std::optional<FuzzMetrics> fuzz;      ///< fuzz: DESIGN.md §6 findings + metrics
  /// Findings outside any case (run, conformance, swarm). Empty in a fuzz report: its findings
  /// are fuzz->findings, which report.json's top-level "findings" array holds for kind fuzz; these
  /// are not written there (nor is `fuzz` in a report of another kind).
  std::vector<Finding> findings;
  std::optional<Comparison> comparison;  ///< against a baseline report, when one was given

  /// Counts the cases by verdict.
  [[nodiscard]] Summary summary() const;

  friend bool operator==(const Report&, const Report&) = default;
};

[[nodiscard]] std::string_view to_string(Kind kind) noexcept;
[[nodiscard]] std::string_view to_string(Verdict verdict) noexcept;

/// "2026-11-21T10:00:00.123Z": RFC 3339 in UTC, milliseconds truncated (report.json's started_at).
[[nodiscard]] std::string to_rfc3339(std::chrono::system_clock::time_point at);
/// Any RFC 3339 date-time ("T" or "t", "Z" or a ±hh:mm offset, up to nanoseconds); nullopt when
/// the text is not one.
[[nodiscard]] std::optional<std::chrono::system_clock::time_point> parse_rfc3339(
    std::string_view text);

/// report.json as DESIGN.md §6 and reports/schema/report.schema.json describe it.
[[nodiscard]] Json to_json(const Report& report);
/// Reads a report.json back (for `gauntlet report diff|merge|render`); nullopt and `error` set
/// when the file is not a gauntlet.report/1 document.
[[nodiscard]] std::optional<Report> from_json(const Json& json, std::string& error);
/// Reads a report.json file; nullopt and `error` ("FILE: cannot be read", "FILE: not JSON",
/// "FILE: not a gauntlet report: ...") when it is not one.
[[nodiscard]] std::optional<Report> read_report_file(const std::string& path, std::string& error);
/// The text of report.json: to_json indented by two spaces, ending in a newline. Bytes that are not
/// UTF-8 become U+FFFD (a plain dump() would throw on them).
[[nodiscard]] std::string to_json_text(const Report& report);

/// The changes from `baseline` to `current`: cases by id, statements by protocol level and id.
[[nodiscard]] Comparison compare(const Report& baseline, const Report& current,
                                 std::string baseline_name);
/// The comparison as Markdown (a heading, the regressions, the fixes, then the rest).
[[nodiscard]] std::string to_markdown(const Comparison& comparison);

/// The verdicts of a swarm run as cases: "delivery-qos1-2" (fails on any QoS 1/2 loss),
/// "duplicates-qos2" (fails on any QoS 2 duplicate), then one "slo-<name>" case per SLO, each
/// with a detail that states the measured value against the limit.
[[nodiscard]] std::vector<Case> swarm_cases(const SwarmMetrics& metrics);

/// Merges the reports of the shards of one swarm run (`gauntlet report merge`): metrics merge
/// exactly (merge_into), SLOs are evaluated again and the cases rebuilt from the merged metrics;
/// started_at is the earliest, duration_s the longest, complete only if every shard was complete
/// and every shard index of the count is present (a missing one is named in metrics.notes).
/// The merged report has no seed (each shard has its own, in metrics.shards), takes its version
/// and target from the first report, and lists every report's findings.
/// nullopt and `error` when the reports are not shards of one swarm run; the error names the
/// input by its position, "report 2: ..." (1-based), for the caller to name the file.
[[nodiscard]] std::optional<Report> merge_reports(const std::vector<Report>& shards,
                                                  std::string& error);

[[nodiscard]] std::string to_junit_xml(const Report& report);
[[nodiscard]] std::string to_markdown(const Report& report);
[[nodiscard]] std::string to_html(const Report& report);

/// Writes `content` to `path` through a temporary file in the same directory and a rename, so a
/// reader never sees half a report. Returns an error message, or nullopt on success.
std::optional<std::string> write_atomically(const std::string& path, std::string_view content);

/// Creates `dir` if needed and writes report.json, junit.xml, summary.md and report.html into it
/// (each atomically). Returns an error message naming the file, or nullopt.
std::optional<std::string> write_all(const std::string& dir, const Report& report);

}  // namespace gauntlet::reports
