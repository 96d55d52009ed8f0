// The report model to and from report.json (DESIGN.md §6, reports/schema/report.schema.json).
// to_json writes the fields in the schema's order and leaves out empty optional ones; from_json
// reads back everything to_json writes, checks what the schema requires, and names the first field
// it cannot accept. Unknown fields are ignored, so a reader of /1 loads later additions to /1. The
// top-level "findings" array holds generic findings, except in a fuzz report, where it holds the
// fuzzer's (FuzzFinding) and goes with the "fuzz" object.
#include "gauntlet/reports/report.hpp"

#include <array>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <sstream>
#include <utility>

#include "fuzz_read.hpp"
#include "json_read.hpp"
#include "metrics_read.hpp"

namespace gauntlet::reports {

namespace {

constexpr std::array<std::pair<std::string_view, Kind>, 4> kinds{{
    {"run", Kind::run},
    {"conformance", Kind::conformance},
    {"swarm", Kind::swarm},
    {"fuzz", Kind::fuzz},
}};
constexpr std::array<std::pair<std::string_view, Verdict>, 5> verdicts{{
    {"pass", Verdict::pass},
    {"fail", Verdict::fail},
    {"skip", Verdict::skip},
    {"error", Verdict::error},
    {"waived", Verdict::waived},
}};

}  // namespace

std::string_view to_string(Kind kind) noexcept {
  for (const auto& [name, value] : kinds) {
    if (value == kind) return name;
  }
  return "run";
}

std::string_view to_string(Verdict verdict) noexcept {
  for (const auto& [name, value] : verdicts) {
    if (value == verdict) return name;
  }
  return "error";
}

Summary Report::summary() const {
  Summary s;
  s.total = cases.size();
  for (const Case& c : cases) {
    switch (c.verdict) {
      case Verdict::pass:
        ++s.passed;
        break;
      case Verdict::fail:
        ++s.failed;
        break;
      case Verdict::skip:
        ++s.skipped;
        break;
      case Verdict::error:
        ++s.errors;
        break;
      case Verdict::waived:
        ++s.waived;
        break;
    }
  }
  return s;
}

// --- writing -----------------------------------------------------------------------------------

namespace {

using detail::non_negative;

Json finding_json(const Finding& f) {
  Json out = Json::object();
  if (!f.statement.empty()) out["statement"] = f.statement;
  out["description"] = f.description;
  if (!f.client.empty()) out["client"] = f.client;
  if (!f.packet_hex.empty()) out["packet_hex"] = f.packet_hex;
  return out;
}

Json findings_json(const std::vector<Finding>& findings) {
  Json out = Json::array();
  for (const Finding& f : findings) {
    out.push_back(finding_json(f));
  }
  return out;
}

Json mismatch_json(const Mismatch& m) {
  Json received = Json::array();
  for (const Json& r : m.received) {
    received.push_back(r);
  }
  return Json{{"step", m.step},
              {"client", m.client},
              {"expected", m.expected},
              {"received", std::move(received)},
              {"reason", m.reason}};
}

Json trace_json(const ClientTrace& t) {
  Json packets = Json::array();
  for (const PacketRecord& p : t.packets) {
    Json packet{
        {"direction", p.outbound ? "out" : "in"}, {"at_ms", non_negative(p.at_ms)}, {"hex", p.hex}};
    if (!p.decoded.is_null()) packet["decoded"] = p.decoded;
    packets.push_back(std::move(packet));
  }
  return Json{{"client", t.client}, {"packets", std::move(packets)}};
}

Json case_json(const Case& c) {
  Json out{{"id", c.id}, {"title", c.title}, {"spec", c.spec}};
  if (!c.protocol.empty()) out["protocol"] = c.protocol;
  if (!c.level.empty()) out["level"] = c.level;
  if (!c.area.empty()) out["area"] = c.area;
  if (!c.file.empty()) out["file"] = c.file;
  out["verdict"] = to_string(c.verdict);
  out["detail"] = c.detail;
  out["duration_ms"] = non_negative(c.duration_ms);
  if (!c.mismatches.empty()) {
    Json& mismatches = out["mismatches"] = Json::array();
    for (const Mismatch& m : c.mismatches) {
      mismatches.push_back(mismatch_json(m));
    }
  }
  if (!c.findings.empty()) out["findings"] = findings_json(c.findings);
  if (!c.traces.empty()) {
    Json& traces = out["traces"] = Json::array();
    for (const ClientTrace& t : c.traces) {
      traces.push_back(trace_json(t));
    }
  }
  if (!c.choices.empty()) out["choices"] = c.choices;
  return out;
}

// {"3.1.1": {"MQTT-1.5.3-1": {"verdict": ..., "cases": [...], "reason": ...}, ...}, "5": {...}}:
// grouped by protocol level because the two specs reuse ids for different rules.
Json statements_json(const std::vector<StatementResult>& statements) {
  Json out = Json::object();
  for (const StatementResult& s : statements) {
    Json entry{{"verdict", s.verdict}, {"cases", s.cases}};
    if (!s.reason.empty()) entry["reason"] = s.reason;
    out[s.protocol][s.id] = std::move(entry);
  }
  return out;
}

// Per protocol level: how many statements have each verdict (derived; readers recompute it).
Json statement_counts_json(const std::vector<StatementResult>& statements) {
  Json out = Json::object();
  for (const StatementResult& s : statements) {
    Json& counts = out[s.protocol];
    if (counts.is_null()) {
      counts = Json{{"total", 0}};
      for (const std::string_view verdict : statement_verdicts)
        counts[std::string(verdict)] = 0;
    }
    counts["total"] = counts["total"].get<std::uint64_t>() + 1;
    counts[s.verdict] = counts[s.verdict].get<std::uint64_t>() + 1;
  }
  return out;
}

Json changes_json(const std::vector<Change>& changes) {
  Json out = Json::array();
  for (const Change& c : changes)
    out.push_back(Json{{"subject", c.subject}, {"before", c.before}, {"after", c.after}});
  return out;
}

Json comparison_json(const Comparison& c) {
  return Json{{"baseline", c.baseline},
              {"regressions", changes_json(c.regressions)},
              {"fixes", changes_json(c.fixes)},
              {"other", changes_json(c.other)}};
}

}  // namespace

Json to_json(const Report& report) {
  const Summary s = report.summary();
  Json out{{"schema", schema_id},
           {"kind", to_string(report.kind)},
           {"tool", {{"name", "gauntlet"}, {"version", report.tool_version}}},
           {"target", {{"name", report.target_name}, {"endpoint", report.target_endpoint}}},
           {"started_at", to_rfc3339(report.started_at)},
           {"duration_s", non_negative(report.duration_s)},
           {"complete", report.complete}};
  if (report.seed) out["seed"] = *report.seed;
  out["summary"] = Json{{"total", s.total},     {"passed", s.passed}, {"failed", s.failed},
                        {"skipped", s.skipped}, {"errors", s.errors}, {"waived", s.waived}};
  Json& cases = out["cases"] = Json::array();
  for (const Case& c : report.cases) {
    cases.push_back(case_json(c));
  }
  // A conformance report always has the table, even empty: "no statement covered" is an answer.
  if (report.kind == Kind::conformance || !report.statements.empty()) {
    out["statements"] = statements_json(report.statements);
    out["statement_counts"] = statement_counts_json(report.statements);
  }
  if (report.metrics) out["metrics"] = to_json(*report.metrics);
  if (report.kind == Kind::fuzz) {
    // A fuzz report's "findings" are the fuzzer's (DESIGN.md §6), never generic ones: one shape
    // per kind keeps the array unambiguous for readers and for the schema.
    if (report.fuzz) {
      out["fuzz"] = detail::fuzz_metrics_to_json(*report.fuzz);
      if (!report.fuzz->findings.empty()) {
        Json& findings = out["findings"] = Json::array();
        for (const FuzzFinding& f : report.fuzz->findings) {
          findings.push_back(detail::fuzz_finding_to_json(f));
        }
      }
    }
  } else if (!report.findings.empty()) {
    out["findings"] = findings_json(report.findings);
  }
  if (report.comparison) out["comparison"] = comparison_json(*report.comparison);
  return out;
}

std::string to_json_text(const Report& report) {
  return to_json(report).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

// --- reading -----------------------------------------------------------------------------------

namespace {

using detail::as_array;
using detail::as_bool;
using detail::as_count;
using detail::as_duration;
using detail::as_object;
using detail::as_string;
using detail::element;
using detail::fail;
using detail::find;
using detail::member;
using detail::one_of;
using detail::optional_string;
using detail::read_optional_array;
using detail::ReadError;
using detail::require;

template <typename Enum, std::size_t N>
Enum as_enum(const Json& value, const std::string& path,
             const std::array<std::pair<std::string_view, Enum>, N>& table) {
  const std::string text = as_string(value, path);
  std::string list;
  for (const auto& [name, e] : table) {
    if (name == text) return e;
    list += list.empty() ? "" : ", ";
    list += name;
  }
  fail(path, "expected one of " + list + "; got \"" + text + "\"");
}

Finding read_finding(const Json& value, const std::string& path) {
  as_object(value, path);
  Finding f;
  f.statement = optional_string(value, "statement", path);
  f.description = as_string(require(value, "description", path), member(path, "description"));
  f.client = optional_string(value, "client", path);
  f.packet_hex = optional_string(value, "packet_hex", path);
  return f;
}

std::vector<Finding> read_findings(const Json& value, const std::string& path) {
  std::vector<Finding> out;
  for (std::size_t i = 0; i < as_array(value, path).size(); ++i) {
    out.push_back(read_finding(value[i], element(path, i)));
  }
  return out;
}

Mismatch read_mismatch(const Json& value, const std::string& path) {
  as_object(value, path);
  Mismatch m;
  m.step = as_string(require(value, "step", path), member(path, "step"));
  m.client = as_string(require(value, "client", path), member(path, "client"));
  m.expected = require(value, "expected", path);
  for (const Json& r : as_array(require(value, "received", path), member(path, "received"))) {
    m.received.push_back(r);
  }
  m.reason = as_string(require(value, "reason", path), member(path, "reason"));
  return m;
}

PacketRecord read_packet(const Json& value, const std::string& path) {
  as_object(value, path);
  PacketRecord p;
  p.outbound =
      one_of(require(value, "direction", path), member(path, "direction"), {"out", "in"}) == "out";
  p.at_ms = as_duration(require(value, "at_ms", path), member(path, "at_ms"));
  p.hex = as_string(require(value, "hex", path), member(path, "hex"));
  if (const Json* decoded = find(value, "decoded")) p.decoded = *decoded;
  return p;
}

ClientTrace read_trace(const Json& value, const std::string& path) {
  as_object(value, path);
  ClientTrace t;
  t.client = as_string(require(value, "client", path), member(path, "client"));
  const std::string packets_path = member(path, "packets");
  const Json& packets = as_array(require(value, "packets", path), packets_path);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    t.packets.push_back(read_packet(packets[i], element(packets_path, i)));
  }
  return t;
}

Case read_case(const Json& value, const std::string& path) {
  as_object(value, path);
  Case c;
  c.id = as_string(require(value, "id", path), member(path, "id"));
  c.title = as_string(require(value, "title", path), member(path, "title"));
  const std::string spec_path = member(path, "spec");
  const Json& spec = as_array(require(value, "spec", path), spec_path);
  for (std::size_t i = 0; i < spec.size(); ++i) {
    c.spec.push_back(as_string(spec[i], element(spec_path, i)));
  }
  if (const Json* protocol = find(value, "protocol")) {
    c.protocol = one_of(*protocol, member(path, "protocol"), {"3.1", "3.1.1", "5"});
  }
  if (const Json* level = find(value, "level")) {
    c.level = one_of(*level, member(path, "level"), {"must", "should", "may"});
  }
  c.area = optional_string(value, "area", path);
  c.file = optional_string(value, "file", path);
  c.verdict = as_enum(require(value, "verdict", path), member(path, "verdict"), verdicts);
  c.detail = as_string(require(value, "detail", path), member(path, "detail"));
  c.duration_ms = as_duration(require(value, "duration_ms", path), member(path, "duration_ms"));
  read_optional_array(value, "mismatches", path, c.mismatches, read_mismatch);
  read_optional_array(value, "findings", path, c.findings, read_finding);
  read_optional_array(value, "traces", path, c.traces, read_trace);
  read_optional_array(value, "choices", path, c.choices, as_string);
  return c;
}

StatementResult read_statement(const std::string& protocol, const std::string& id,
                               const Json& value, const std::string& path) {
  as_object(value, path);
  StatementResult s;
  s.protocol = protocol;
  s.id = id;
  s.verdict = one_of(require(value, "verdict", path), member(path, "verdict"),
                     {"pass", "fail", "error", "waived", "skip", "untested", "not_applicable"});
  const std::string cases_path = member(path, "cases");
  const Json& cases = as_array(require(value, "cases", path), cases_path);
  for (std::size_t i = 0; i < cases.size(); ++i)
    s.cases.push_back(as_string(cases[i], element(cases_path, i)));
  s.reason = optional_string(value, "reason", path);
  return s;
}

Change read_change(const Json& value, const std::string& path) {
  as_object(value, path);
  return Change{as_string(require(value, "subject", path), member(path, "subject")),
                as_string(require(value, "before", path), member(path, "before")),
                as_string(require(value, "after", path), member(path, "after"))};
}

Comparison read_comparison(const Json& value, const std::string& path) {
  as_object(value, path);
  Comparison c;
  c.baseline = as_string(require(value, "baseline", path), member(path, "baseline"));
  read_optional_array(value, "regressions", path, c.regressions, read_change);
  read_optional_array(value, "fixes", path, c.fixes, read_change);
  read_optional_array(value, "other", path, c.other, read_change);
  return c;
}

Report read_report(const Json& json) {
  if (!json.is_object()) throw ReadError{"not a JSON object"};
  const std::string root;
  Report r;
  const std::string schema = as_string(require(json, "schema", root), "schema");
  if (schema != schema_id) {
    fail("schema", "expected \"" + std::string(schema_id) + "\", got \"" + schema + "\"");
  }
  r.kind = as_enum(require(json, "kind", root), "kind", kinds);

  const Json& tool = as_object(require(json, "tool", root), "tool");
  if (as_string(require(tool, "name", "tool"), "tool.name") != "gauntlet") {
    fail("tool.name", "expected \"gauntlet\"");
  }
  r.tool_version = as_string(require(tool, "version", "tool"), "tool.version");

  const Json& target = as_object(require(json, "target", root), "target");
  r.target_name = as_string(require(target, "name", "target"), "target.name");
  r.target_endpoint = as_string(require(target, "endpoint", "target"), "target.endpoint");

  const auto started = parse_rfc3339(as_string(require(json, "started_at", root), "started_at"));
  if (!started) fail("started_at", "expected an RFC 3339 date-time");
  r.started_at = *started;
  r.duration_s = as_duration(require(json, "duration_s", root), "duration_s");
  r.complete = as_bool(require(json, "complete", root), "complete");
  if (const Json* seed = find(json, "seed")) r.seed = as_count(*seed, "seed");

  // The summary is derived from the cases; it is checked for shape and not stored.
  const Json& summary = as_object(require(json, "summary", root), "summary");
  for (std::string_view key : {"total", "passed", "failed", "skipped", "errors", "waived"}) {
    (void)as_count(require(summary, key, "summary"), member("summary", key));
  }

  const Json& cases = as_array(require(json, "cases", root), "cases");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    r.cases.push_back(read_case(cases[i], element("cases", i)));
  }
  if (const Json* statements = find(json, "statements")) {
    for (const auto& [protocol, table] : as_object(*statements, "statements").items()) {
      const std::string table_path = member("statements", protocol);
      if (protocol != "3.1" && protocol != "3.1.1" && protocol != "5")
        fail(table_path, "expected a protocol level (3.1, 3.1.1 or 5)");
      for (const auto& [id, entry] : as_object(table, table_path).items()) {
        r.statements.push_back(read_statement(protocol, id, entry, member(table_path, id)));
      }
    }
  }
  if (const Json* metrics = find(json, "metrics"))
    r.metrics = detail::read_swarm_metrics(*metrics, "metrics");
  if (const Json* fuzz = find(json, "fuzz")) {
    if (r.kind != Kind::fuzz) fail("fuzz", "only a report of kind fuzz has fuzz metrics");
    r.fuzz = detail::read_fuzz_metrics(*fuzz, "fuzz");
  }
  if (const Json* findings = find(json, "findings")) {
    if (r.kind != Kind::fuzz) {
      r.findings = read_findings(*findings, "findings");
    } else if (!r.fuzz) {
      fail("findings", "a fuzz report's findings need its \"fuzz\" object");
    } else {
      r.fuzz->findings = detail::read_fuzz_findings(*findings, "findings");
    }
  }
  if (const Json* comparison = find(json, "comparison"))
    r.comparison = read_comparison(*comparison, "comparison");
  return r;
}

}  // namespace

std::optional<Report> from_json(const Json& json, std::string& error) {
  try {
    return read_report(json);
  } catch (const ReadError& e) {
    error = e.message;
    return std::nullopt;
  }
}

std::optional<Report> read_report_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot be read";
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  const Json json = Json::parse(text.str(), nullptr, false);
  if (json.is_discarded()) {
    error = path + ": not JSON";
    return std::nullopt;
  }
  std::string why;
  auto report = from_json(json, why);
  if (!report) error = path + ": not a gauntlet report: " + why;
  return report;
}

}  // namespace gauntlet::reports
