// The report model: summary counting, names, RFC 3339 times, and report.json both ways.
#include "gauntlet/reports/report.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "samples.hpp"

namespace gauntlet::reports {
namespace {

using namespace std::chrono;

Case with_verdict(Verdict v) {
  Case c;
  c.id = std::string(to_string(v));
  c.verdict = v;
  return c;
}

TEST(ReportSummary, CountsEveryVerdict) {
  Report r;
  for (Verdict v : {Verdict::pass, Verdict::pass, Verdict::pass, Verdict::fail, Verdict::fail,
                    Verdict::skip, Verdict::error, Verdict::waived, Verdict::waived}) {
    r.cases.push_back(with_verdict(v));
  }
  EXPECT_EQ(
      r.summary(),
      (Summary{.total = 9, .passed = 3, .failed = 2, .skipped = 1, .errors = 1, .waived = 2}));
}

TEST(ReportSummary, EmptyReportCountsNothing) {
  EXPECT_EQ(Report{}.summary(), Summary{});
}

TEST(ReportNames, KindsAndVerdicts) {
  EXPECT_EQ(to_string(Kind::run), "run");
  EXPECT_EQ(to_string(Kind::conformance), "conformance");
  EXPECT_EQ(to_string(Kind::swarm), "swarm");
  EXPECT_EQ(to_string(Kind::fuzz), "fuzz");
  EXPECT_EQ(to_string(Verdict::pass), "pass");
  EXPECT_EQ(to_string(Verdict::fail), "fail");
  EXPECT_EQ(to_string(Verdict::skip), "skip");
  EXPECT_EQ(to_string(Verdict::error), "error");
  EXPECT_EQ(to_string(Verdict::waived), "waived");
}

// --- RFC 3339 ----------------------------------------------------------------------------------

TEST(ReportRfc3339, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(to_rfc3339(samples::fixed_time()), "2026-11-21T10:00:00.123Z");
  EXPECT_EQ(to_rfc3339(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(to_rfc3339(sys_days{2024y / February / 29} + hours{23} + minutes{59} + seconds{59} +
                       milliseconds{7}),
            "2024-02-29T23:59:59.007Z");
}

TEST(ReportRfc3339, TruncatesBelowMillisecondsAndBefore1970) {
  const auto almost = samples::fixed_time() + microseconds{999};
  EXPECT_EQ(to_rfc3339(time_point_cast<system_clock::duration>(almost)),
            "2026-11-21T10:00:00.123Z");
  EXPECT_EQ(to_rfc3339(system_clock::time_point{} - milliseconds{1}), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(to_rfc3339(system_clock::time_point{} - microseconds{1}), "1969-12-31T23:59:59.999Z");
}

TEST(ReportRfc3339, ParsesWhatItWritesAndOtherForms) {
  EXPECT_EQ(parse_rfc3339("2026-11-21T10:00:00.123Z"), samples::fixed_time());
  EXPECT_EQ(parse_rfc3339("2026-11-21t10:00:00.123z"), samples::fixed_time());
  EXPECT_EQ(parse_rfc3339("2026-11-21T12:30:00.123+02:30"), samples::fixed_time());
  EXPECT_EQ(parse_rfc3339("2026-11-21T09:00:00.123-01:00"), samples::fixed_time());
  EXPECT_EQ(parse_rfc3339("2026-11-21T10:00:00.1230000000001Z"), samples::fixed_time());
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), system_clock::time_point{});
  const auto nanos = parse_rfc3339("1970-01-01T00:00:00.000000123Z");
  ASSERT_TRUE(nanos);
  EXPECT_EQ(duration_cast<nanoseconds>(nanos->time_since_epoch()).count(), 123);
  // A leap second reads as the first second of the next minute.
  EXPECT_EQ(parse_rfc3339("2016-12-31T23:59:60Z"), parse_rfc3339("2017-01-01T00:00:00Z"));
}

TEST(ReportRfc3339, RejectsMalformedText) {
  for (const char* text :
       {"", "2026-11-21", "2026-11-21T10:00:00", "2026-11-21 10:00:00Z", "2026-02-30T10:00:00Z",
        "2026-13-01T10:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21T10:60:00Z",
        "2026-11-21T10:00:61Z", "2026-11-21T10:00:00.Z", "2026-11-21T10:00:00+0200",
        "2026-11-21T10:00:00+24:00", "2026-11-21T10:00:00Zjunk", "26-11-21T10:00:00Z",
        "2026-11-21T1:00:00Z", "2026-1a-21T10:00:00Z"}) {
    EXPECT_FALSE(parse_rfc3339(text)) << text;
  }
}

// --- report.json ---------------------------------------------------------------------------------

std::vector<std::string> keys(const Json& object) {
  std::vector<std::string> out;
  for (const auto& [key, value] : object.items()) {
    out.push_back(key);
  }
  return out;
}

TEST(ReportJson, WritesTheContractFieldsInOrder) {
  const Json j = to_json(samples::passing());
  EXPECT_EQ(keys(j),
            (std::vector<std::string>{"schema", "kind", "tool", "target", "started_at",
                                      "duration_s", "complete", "seed", "summary", "cases"}));
  EXPECT_EQ(j["schema"], "gauntlet.report/1");
  EXPECT_EQ(j["kind"], "run");
  EXPECT_EQ(j["tool"], (Json{{"name", "gauntlet"}, {"version", "0.1.0"}}));
  EXPECT_EQ(j["target"], (Json{{"name", "mosquitto"}, {"endpoint", "mqtt://127.0.0.1:1883"}}));
  EXPECT_EQ(j["started_at"], "2026-11-21T10:00:00.123Z");
  EXPECT_EQ(j["duration_s"], 2.5);
  EXPECT_EQ(j["complete"], true);
  EXPECT_EQ(j["seed"], 42);
  EXPECT_EQ(j["summary"], (Json{{"total", 2},
                                {"passed", 2},
                                {"failed", 0},
                                {"skipped", 0},
                                {"errors", 0},
                                {"waived", 0}}));
  EXPECT_EQ(keys(j["cases"][0]),
            (std::vector<std::string>{"id", "title", "spec", "protocol", "file", "verdict",
                                      "detail", "duration_ms"}));
}

TEST(ReportJson, WritesEveryPartOfAFailingCase) {
  const Json j = to_json(samples::failing());
  const Json& c = j["cases"][1];
  EXPECT_EQ(keys(c), (std::vector<std::string>{"id", "title", "spec", "protocol", "level", "file",
                                               "verdict", "detail", "duration_ms", "mismatches",
                                               "findings", "traces"}));
  EXPECT_EQ(c["verdict"], "fail");
  EXPECT_EQ(c["mismatches"][0]["reason"], "no PUBLISH within 2000 ms");
  EXPECT_EQ(c["findings"][0], (Json{{"statement", "MQTT-4.3.3-2"},
                                    {"description", "the broker sent PUBREL before PUBREC"},
                                    {"client", "sub[0]"},
                                    {"packet_hex", "62 02 00 01"}}));
  const Json& packets = c["traces"][0]["packets"];
  EXPECT_EQ(packets[0]["direction"], "out");
  EXPECT_EQ(packets[1]["direction"], "in");
  EXPECT_EQ(packets[1]["at_ms"], 1.75);
  EXPECT_FALSE(packets[2].contains("decoded"));  // null: left out
  EXPECT_EQ(j["cases"][2]["verdict"], "error");
  EXPECT_FALSE(j.contains("seed"));
}

TEST(ReportJson, OptionalSectionsFollowTheKind) {
  Report conformance = samples::conformance();
  conformance.statements.clear();
  EXPECT_EQ(to_json(conformance)["statements"], Json::object());  // always, even empty
  EXPECT_FALSE(to_json(samples::passing()).contains("statements"));
  EXPECT_FALSE(to_json(samples::passing()).contains("metrics"));
  EXPECT_FALSE(to_json(samples::passing()).contains("findings"));
  const Report swarm = samples::swarm();
  EXPECT_EQ(to_json(swarm)["metrics"]["scenario"], "fleet");
  EXPECT_EQ(to_json(swarm)["metrics"]["latency_us"]["p99"],
            swarm.metrics->end_to_end.percentile(99));
  EXPECT_FALSE(to_json(samples::conformance()).contains("metrics"));
  EXPECT_EQ(to_json(samples::run_findings())["findings"].size(), 2U);
  EXPECT_FALSE(to_json(samples::run_findings())["findings"][0].contains("statement"));
  EXPECT_FALSE(to_json(samples::run_findings()).contains("fuzz"));
  // A fuzz report's findings are the fuzzer's, beside its "fuzz" object.
  EXPECT_EQ(to_json(samples::fuzz())["findings"].size(), 3U);
  EXPECT_EQ(to_json(samples::fuzz())["findings"][0]["kind"], "crash");
  EXPECT_EQ(to_json(samples::fuzz())["fuzz"]["mode"], "spawn");
  EXPECT_EQ(to_json(samples::fuzz())["seed"], 1234567890123ULL);
  EXPECT_FALSE(to_json(samples::fuzz_quiet()).contains("findings"));
}

TEST(ReportJson, StatementsAreGroupedByProtocolLevelAndCounted) {
  const Json j = to_json(samples::conformance());
  EXPECT_EQ(j["statements"]["3.1.1"]["MQTT-3.9.3-1"]["verdict"], "fail");
  EXPECT_EQ(j["statements"]["5"]["MQTT-3.1.2-3"]["verdict"], "not_applicable");
  EXPECT_EQ(j["statements"]["5"]["MQTT-3.1.2-3"]["reason"], "binds the client only");
  EXPECT_EQ(j["statement_counts"]["3.1.1"]["total"], 5);
  EXPECT_EQ(j["statement_counts"]["3.1.1"]["untested"], 1);
  EXPECT_EQ(j["statement_counts"]["5"]["not_applicable"], 1);
  EXPECT_EQ(j["comparison"]["regressions"][0]["before"], "pass");
  EXPECT_EQ(j["cases"][0]["area"], "connect");
  EXPECT_EQ(j["cases"][0]["choices"][0], "steps/3 (client[0]): closed (cause closed)");
}

TEST(ReportCompare, OnlyWhatPassedAndNowFailsIsARegression) {
  Report before = samples::conformance();
  before.comparison.reset();
  Report after = before;
  after.cases[0].verdict = Verdict::fail;  // passed -> fails: regression
  after.cases[1].verdict = Verdict::pass;  // failed -> passes: fixed
  after.cases[2].verdict = Verdict::fail;  // erred -> fails: other
  after.statements[0].verdict = "error";   // statement passed -> errs: regression
  after.statements[1].verdict = "pass";    // statement failed -> passes: fixed
  after.statements[2].verdict = "fail";    // skipped -> fails: not a regression
  after.cases.pop_back();                  // removed: other
  const Comparison c = compare(before, after, "last.json");
  EXPECT_EQ(c.baseline, "last.json");
  ASSERT_EQ(c.regressions.size(), 2U);
  EXPECT_EQ(c.regressions[0].subject, "case " + before.cases[0].id);
  EXPECT_EQ(c.regressions[1].subject, "statement 3.1.1 MQTT-3.1.2-3");
  ASSERT_EQ(c.fixes.size(), 2U);  // the case and its statement
  EXPECT_EQ(c.other.size(), 3U);
  EXPECT_TRUE(compare(before, before, "same").regressions.empty());
  const std::string md = to_markdown(c);
  EXPECT_NE(md.find("**Regressions** (2)"), std::string::npos) << md;
}

TEST(ReportJson, IncompleteRunIsMarked) {
  EXPECT_EQ(to_json(samples::incomplete())["complete"], false);
  EXPECT_EQ(to_json(samples::incomplete())["summary"]["total"], 1);
}

TEST(ReportJson, NonFiniteOrNegativeDurationsBecomeZero) {
  Report r = samples::passing();
  r.duration_s = std::numeric_limits<double>::quiet_NaN();
  r.cases[0].duration_ms = -3;
  const Json j = to_json(r);
  EXPECT_EQ(j["duration_s"], 0.0);
  EXPECT_EQ(j["cases"][0]["duration_ms"], 0.0);
}

TEST(ReportJson, RoundTripsEverySample) {
  for (const auto& [name, report] : samples::all()) {
    std::string error;
    const auto back = from_json(to_json(report), error);
    ASSERT_TRUE(back) << name << ": " << error;
    EXPECT_EQ(*back, report) << name;
  }
}

TEST(ReportJson, RoundTripsThroughText) {
  for (const auto& [name, report] : samples::all()) {
    if (name == "hostile") continue;  // its invalid UTF-8 becomes U+FFFD on the way: see below
    const std::string text = to_json_text(report);
    EXPECT_EQ(text.back(), '\n');
    std::string error;
    const auto back = from_json(Json::parse(text), error);
    ASSERT_TRUE(back) << name << ": " << error;
    EXPECT_EQ(*back, report) << name;
  }
}

TEST(ReportJson, TextReplacesInvalidUtf8InsteadOfThrowing) {
  const std::string text = to_json_text(samples::hostile());
  const Json parsed = Json::parse(text);  // valid JSON, valid UTF-8
  EXPECT_NE(parsed["cases"][1]["title"].get<std::string>().find("\xEF\xBF\xBD"), std::string::npos);
  std::string error;
  EXPECT_TRUE(from_json(parsed, error)) << error;
}

TEST(ReportJson, RoundTripKeepsMilliseconds) {
  Report r = samples::passing();
  r.started_at += microseconds{456};  // below what report.json keeps
  std::string error;
  const auto back = from_json(to_json(r), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->started_at, samples::fixed_time());
}

struct BadDocument {
  const char* what;
  std::function<void(Json&)> edit;
  const char* error;  // a part of the message: the field
};

TEST(ReportJson, RejectsDocumentsNamingTheField) {
  const std::vector<BadDocument> cases = {
      {"not an object", [](Json& j) { j = Json::array(); }, "not a JSON object"},
      {"wrong schema", [](Json& j) { j["schema"] = "gauntlet.report/2"; },
       "schema: expected \"gauntlet.report/1\", got \"gauntlet.report/2\""},
      {"no schema", [](Json& j) { j.erase("schema"); }, "missing required field \"schema\""},
      {"schema not a string", [](Json& j) { j["schema"] = 1; }, "schema: expected a string"},
      {"no kind", [](Json& j) { j.erase("kind"); }, "missing required field \"kind\""},
      {"bad kind", [](Json& j) { j["kind"] = "bench"; },
       "kind: expected one of run, conformance, swarm, fuzz; got \"bench\""},
      {"other tool", [](Json& j) { j["tool"]["name"] = "other"; }, "tool.name"},
      {"no tool version", [](Json& j) { j["tool"].erase("version"); },
       "missing required field \"tool.version\""},
      {"no endpoint", [](Json& j) { j["target"].erase("endpoint"); },
       "missing required field \"target.endpoint\""},
      {"target not an object", [](Json& j) { j["target"] = "x"; }, "target: expected an object"},
      {"bad time", [](Json& j) { j["started_at"] = "yesterday"; },
       "started_at: expected an RFC 3339 date-time"},
      {"no duration", [](Json& j) { j.erase("duration_s"); },
       "missing required field \"duration_s\""},
      {"negative duration", [](Json& j) { j["duration_s"] = -1; }, "duration_s: expected a number"},
      {"no complete", [](Json& j) { j.erase("complete"); }, "missing required field \"complete\""},
      {"complete as text", [](Json& j) { j["complete"] = "yes"; }, "complete: expected true"},
      {"negative seed", [](Json& j) { j["seed"] = -5; }, "seed: expected an integer"},
      {"no summary", [](Json& j) { j.erase("summary"); }, "missing required field \"summary\""},
      {"summary count missing", [](Json& j) { j["summary"].erase("waived"); },
       "missing required field \"summary.waived\""},
      {"no cases", [](Json& j) { j.erase("cases"); }, "missing required field \"cases\""},
      {"case not an object", [](Json& j) { j["cases"][0] = 3; }, "cases[0]: expected an object"},
      {"no case id", [](Json& j) { j["cases"][1].erase("id"); },
       "missing required field \"cases[1].id\""},
      {"bad verdict", [](Json& j) { j["cases"][1]["verdict"] = "maybe"; },
       "cases[1].verdict: expected one of pass, fail, skip, error, waived; got \"maybe\""},
      {"bad protocol", [](Json& j) { j["cases"][1]["protocol"] = "4"; }, "cases[1].protocol"},
      {"bad level", [](Json& j) { j["cases"][1]["level"] = "shall"; }, "cases[1].level"},
      {"spec not strings", [](Json& j) { j["cases"][1]["spec"][1] = 7; },
       "cases[1].spec[1]: expected a string"},
      {"mismatch without reason", [](Json& j) { j["cases"][1]["mismatches"][0].erase("reason"); },
       "missing required field \"cases[1].mismatches[0].reason\""},
      {"bad direction",
       [](Json& j) { j["cases"][1]["traces"][0]["packets"][1]["direction"] = "sideways"; },
       "cases[1].traces[0].packets[1].direction"},
      {"finding without description",
       [](Json& j) { j["cases"][1]["findings"][0].erase("description"); },
       "missing required field \"cases[1].findings[0].description\""},
      {"bad statement status",
       [](Json& j) {
         j["statements"] =
             Json{{"5", {{"MQTT-1.5.3-1", {{"verdict", "ok"}, {"cases", Json::array()}}}}}};
       },
       "statements.5.MQTT-1.5.3-1.verdict"},
      {"statements of an unknown protocol level",
       [](Json& j) {
         j["statements"] = Json{{"4", Json::object()}};
       },
       "statements.4"},
      {"comparison without baseline", [](Json& j) { j["comparison"] = Json::object(); },
       "missing required field \"comparison.baseline\""},
      {"metrics not an object", [](Json& j) { j["metrics"] = Json::array(); },
       "metrics: expected an object"},
      {"findings not an array", [](Json& j) { j["findings"] = Json::object(); },
       "findings: expected an array"},
  };
  for (const auto& bad : cases) {
    Json j = to_json(samples::failing());
    bad.edit(j);
    std::string error;
    EXPECT_FALSE(from_json(j, error)) << bad.what;
    EXPECT_NE(error.find(bad.error), std::string::npos)
        << bad.what << ": \"" << error << "\" does not contain \"" << bad.error << "\"";
  }
}

TEST(ReportJson, IgnoresUnknownFieldsAndRecomputesTheSummary) {
  Json j = to_json(samples::failing());
  j["added_in_a_later_1_x"] = true;
  j["cases"][0]["note"] = "x";
  j["summary"]["total"] = 99;  // derived from the cases, never trusted
  std::string error;
  const auto back = from_json(j, error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, samples::failing());
  EXPECT_EQ(back->summary().total, 3U);
}

}  // namespace
}  // namespace gauntlet::reports
