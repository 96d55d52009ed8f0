// The fuzz report (kind fuzz): report.json's "fuzz" object and findings both ways, the errors that
// name the field, and what summary.md, report.html and junit.xml make of it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gauntlet/reports/report.hpp"
#include "samples.hpp"
#include "test_support.hpp"

namespace gauntlet::reports {
namespace {

using testing::count;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A count as the writers put it: "300,125".
std::string grouped(std::uint64_t value) {
  std::string digits = std::to_string(value);
  for (auto at = digits.size(); at > 3; at -= 3)
    digits.insert(at - 3, ",");
  return digits;
}

// A rate of 100/s or more as the writers put it: "229/s".
std::string rate(double per_second) {
  EXPECT_GE(per_second, 100) << "the test formats only rates of 100/s and more";
  return grouped(static_cast<std::uint64_t>(std::llround(per_second))) + "/s";
}

// One finding with every field set, none of them at its default.
FuzzFinding every_field() {
  FuzzFinding f;
  f.id = "spec_violation-12345678";
  f.kind = "spec_violation";
  f.signature = "MQTT-3.8.3-4 | subscribe no filters -> suback";
  f.summary = "answered a SUBSCRIBE without topic filters with a SUBACK";
  f.detail = "line one\nline two";
  f.statement = "MQTT-3.8.3-4";
  f.found_at_s = 12.75;
  f.sequence = 4242;
  f.occurrences = 17;
  f.replays = 5;
  f.reproduced = 4;
  f.confirmed = true;
  f.packets_before = 20;
  f.packets_after = 2;
  f.bytes_before = 900;
  f.bytes_after = 18;
  f.reproducer = "findings/spec_violation-12345678.json";
  f.reproducer_verified = false;
  return f;
}

Report round_trip(const Report& report) {
  std::string error;
  auto back = from_json(to_json(report), error);
  EXPECT_TRUE(back) << error;
  return back ? *back : Report{};
}

// --- report.json ---------------------------------------------------------------------------------

TEST(FuzzReportJson, FuzzObjectHoldsEveryFieldButTheFindings) {
  const Report report = samples::fuzz();
  const Json j = to_json(report);
  const Json& fuzz = j["fuzz"];
  std::vector<std::string> keys;
  for (const auto& [key, value] : fuzz.items())
    keys.push_back(key);
  const std::vector<std::string> expected{
      "mode",         "spawn_command",   "sequences", "packets",        "bytes",
      "mutated",      "sequences_per_s", "fuzzing_s", "triage_s",       "corpus_initial",
      "corpus_final", "restarts",        "probes",    "probe_failures", "sequence_limit",
      "stop_reason",  "shapes",          "series"};
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(fuzz["spawn_command"], "mosquitto -c /tmp/gauntlet-fuzz/mosquitto.conf");
  EXPECT_EQ(fuzz["sequences"], report.fuzz->sequences);
  EXPECT_EQ(fuzz["shapes"][3]["shape"], "pubrel unknown id -> pubcomp 0x92");
  EXPECT_EQ(fuzz["shapes"][3]["first_seen_s"], 61.25);
  EXPECT_EQ(fuzz["series"].size(), 30U);
  EXPECT_EQ(fuzz["series"][0]["broker_fds"], *report.fuzz->series[0].broker_fds);
  EXPECT_FALSE(fuzz["series"][14].contains("broker_rss_kib"));  // the sample that missed them
  EXPECT_FALSE(fuzz["series"][14].contains("broker_fds"));
  // The findings are the top-level array (DESIGN.md §6), after the fuzz object.
  ASSERT_EQ(j["findings"].size(), 3U);
  EXPECT_EQ(j["findings"][0]["id"], "crash-3f9a01c2");
  EXPECT_EQ(j["findings"][0]["kind"], "crash");
  EXPECT_EQ(j["findings"][0]["reproducer_verified"], true);
  EXPECT_FALSE(j["findings"][0].contains("statement"));
  EXPECT_EQ(j["findings"][1]["statement"], "MQTT-3.3.1-4");
  EXPECT_FALSE(j["findings"][1].contains("reproducer_verified"));  // not checked
  EXPECT_EQ(j["findings"][2]["confirmed"], false);
  EXPECT_EQ(j["findings"][2]["reproducer_verified"], false);
  std::vector<std::string> order;
  for (const auto& [key, value] : j.items())
    order.push_back(key);
  EXPECT_EQ(order.back(), "findings");
  EXPECT_EQ(order[order.size() - 2], "fuzz");
}

TEST(FuzzReportJson, EveryFindingFieldIsWritten) {
  Report report = samples::fuzz();
  report.fuzz->findings = {every_field()};
  const Json f = to_json(report)["findings"][0];
  const std::vector<std::string> expected{
      "id",          "kind",       "signature",          "summary",       "detail",
      "statement",   "found_at_s", "sequence",           "occurrences",   "replays",
      "reproduced",  "confirmed",  "packets_before",     "packets_after", "bytes_before",
      "bytes_after", "reproducer", "reproducer_verified"};
  std::vector<std::string> keys;
  for (const auto& [key, value] : f.items())
    keys.push_back(key);
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(f["found_at_s"], 12.75);
  EXPECT_EQ(f["bytes_after"], 18);
  EXPECT_EQ(f["reproducer_verified"], false);
}

TEST(FuzzReportJson, OptionalFieldsAreLeftOut) {
  const Json j = to_json(samples::fuzz_quiet());
  EXPECT_EQ(j["fuzz"]["mode"], "broker");
  EXPECT_FALSE(j["fuzz"].contains("spawn_command"));
  EXPECT_FALSE(j["fuzz"].contains("findings"));
  EXPECT_FALSE(j.contains("findings"));  // none: left out, never []
  for (const Json& sample : j["fuzz"]["series"]) {
    EXPECT_FALSE(sample.contains("broker_rss_kib"));
    EXPECT_FALSE(sample.contains("broker_fds"));
  }
  FuzzFinding bare = every_field();
  bare.statement.clear();
  bare.reproducer.clear();
  bare.reproducer_verified.reset();
  Report report = samples::fuzz_quiet();
  report.fuzz->findings = {bare};
  const Json f = to_json(report)["findings"][0];
  EXPECT_FALSE(f.contains("statement"));
  EXPECT_FALSE(f.contains("reproducer"));
  EXPECT_FALSE(f.contains("reproducer_verified"));
}

TEST(FuzzReportJson, FuzzObjectOnlyInAFuzzReport) {
  Report run = samples::passing();
  run.fuzz = samples::fuzz().fuzz;  // a misuse of the model: not written for another kind
  EXPECT_FALSE(to_json(run).contains("fuzz"));
  EXPECT_FALSE(to_json(run).contains("findings"));
  Report fuzz = samples::fuzz();
  fuzz.fuzz.reset();
  EXPECT_FALSE(to_json(fuzz).contains("fuzz"));
  EXPECT_FALSE(to_json(fuzz).contains("findings"));
}

TEST(FuzzReportJson, RoundTripsWithEveryFieldAndWithout) {
  Report full = samples::fuzz();
  full.fuzz->findings.push_back(every_field());
  const std::vector<std::pair<std::string, Report>> reports{
      {"every field", full}, {"optionals absent", samples::fuzz_quiet()}, {"no fuzz object", [] {
                                                                             Report r =
                                                                                 samples::fuzz();
                                                                             r.fuzz.reset();
                                                                             return r;
                                                                           }()}};
  for (const auto& [what, report] : reports) {
    const Report back = round_trip(report);
    EXPECT_EQ(back, report) << what;
    EXPECT_EQ(to_json(back), to_json(report)) << what;
    // Through the text too: what `gauntlet report render` reads.
    std::string error;
    const auto parsed = from_json(Json::parse(to_json_text(report)), error);
    ASSERT_TRUE(parsed) << what << ": " << error;
    EXPECT_EQ(to_json_text(*parsed), to_json_text(report)) << what;
  }
}

TEST(FuzzReportJson, PublicReaderOfTheFuzzObject) {
  const Json fuzz = to_json(samples::fuzz())["fuzz"];
  std::string error;
  const auto metrics = detail::fuzz_metrics_from_json(fuzz, error);
  ASSERT_TRUE(metrics) << error;
  FuzzMetrics expected = *samples::fuzz().fuzz;
  expected.findings.clear();  // they are the report's "findings"
  EXPECT_EQ(*metrics, expected);
  Json bad = fuzz;
  bad["series"][3]["t_s"] = "soon";
  EXPECT_FALSE(detail::fuzz_metrics_from_json(bad, error));
  EXPECT_EQ(error, "fuzz.series[3].t_s: expected a number >= 0");
}

struct BadDocument {
  const char* what;
  std::function<void(Json&)> edit;
  const char* error;  // the whole message
};

TEST(FuzzReportJson, RejectsDocumentsNamingTheField) {
  const std::vector<BadDocument> cases = {
      {"unknown finding kind", [](Json& j) { j["findings"][2]["kind"] = "oops"; },
       "findings[2].kind: expected one of crash, hang, resource_growth, spec_violation; got "
       "\"oops\""},
      {"finding without id", [](Json& j) { j["findings"][1].erase("id"); },
       "missing required field \"findings[1].id\""},
      {"empty finding id", [](Json& j) { j["findings"][1]["id"] = ""; },
       "findings[1].id: expected a non-empty string"},
      {"finding id twice", [](Json& j) { j["findings"][2]["id"] = "crash-3f9a01c2"; },
       "findings[2].id: \"crash-3f9a01c2\" appears twice: findings are deduplicated"},
      {"a generic finding in a fuzz report",
       [](Json& j) {
         j["findings"][0] = Json{{"description", "x"}};
       },
       "missing required field \"findings[0].id\""},
      {"more reproduced than replayed", [](Json& j) { j["findings"][0]["reproduced"] = 4; },
       "findings[0].reproduced: expected at most the replays (3)"},
      {"confirmed without a reproduction", [](Json& j) { j["findings"][2]["confirmed"] = true; },
       "findings[2].confirmed: expected false: no replay reproduced it"},
      {"reproduced but not confirmed", [](Json& j) { j["findings"][0]["confirmed"] = false; },
       "findings[0].confirmed: expected true: a replay reproduced it"},
      {"replays beyond 32 bits", [](Json& j) { j["findings"][0]["replays"] = 1ULL << 32; },
       "findings[0].replays: expected an integer below 2^32"},
      {"negative found_at_s", [](Json& j) { j["findings"][1]["found_at_s"] = -1; },
       "findings[1].found_at_s: expected a number >= 0"},
      {"verified as text", [](Json& j) { j["findings"][0]["reproducer_verified"] = "yes"; },
       "findings[0].reproducer_verified: expected true or false"},
      {"findings not an array", [](Json& j) { j["findings"] = Json::object(); },
       "findings: expected an array"},
      {"findings without the fuzz object", [](Json& j) { j.erase("fuzz"); },
       "findings: a fuzz report's findings need its \"fuzz\" object"},
      {"fuzz object not an object", [](Json& j) { j["fuzz"] = 1; }, "fuzz: expected an object"},
      {"unknown mode", [](Json& j) { j["fuzz"]["mode"] = "remote"; },
       "fuzz.mode: expected one of broker, spawn; got \"remote\""},
      {"unknown stop reason", [](Json& j) { j["fuzz"]["stop_reason"] = "tired"; },
       "fuzz.stop_reason: expected one of duration, sequence_limit, interrupted, broker_lost; "
       "got \"tired\""},
      {"missing sequences", [](Json& j) { j["fuzz"].erase("sequences"); },
       "missing required field \"fuzz.sequences\""},
      {"negative rate", [](Json& j) { j["fuzz"]["sequences_per_s"] = -3; },
       "fuzz.sequences_per_s: expected a number >= 0"},
      {"missing series", [](Json& j) { j["fuzz"].erase("series"); },
       "missing required field \"fuzz.series\""},
      {"sample time as text", [](Json& j) { j["fuzz"]["series"][3]["t_s"] = "soon"; },
       "fuzz.series[3].t_s: expected a number >= 0"},
      {"time going back", [](Json& j) { j["fuzz"]["series"][5]["t_s"] = 1; },
       "fuzz.series[5].t_s: time must not go back: 1.000000 after 300.000000"},
      {"negative descriptors", [](Json& j) { j["fuzz"]["series"][4]["broker_fds"] = -1; },
       "fuzz.series[4].broker_fds: expected an integer >= 0"},
      {"a shape twice",
       [](Json& j) { j["fuzz"]["shapes"][2]["shape"] = "connect v5 -> connack 0x00"; },
       "fuzz.shapes[2].shape: \"connect v5 -> connack 0x00\" appears twice"},
      {"shape without count", [](Json& j) { j["fuzz"]["shapes"][1].erase("count"); },
       "missing required field \"fuzz.shapes[1].count\""},
      {"fuzz object in a run report", [](Json& j) { j["kind"] = "run"; },
       "fuzz: only a report of kind fuzz has fuzz metrics"},
  };
  for (const auto& bad : cases) {
    Json j = to_json(samples::fuzz());
    bad.edit(j);
    std::string error;
    EXPECT_FALSE(from_json(j, error)) << bad.what;
    EXPECT_EQ(error, bad.error) << bad.what;
  }
  // A run report's findings are generic: a fuzz finding there lacks their description.
  Json run = to_json(samples::run_findings());
  run["findings"][0] = to_json(samples::fuzz())["findings"][0];
  std::string error;
  EXPECT_FALSE(from_json(run, error));
  EXPECT_EQ(error, "missing required field \"findings[0].description\"");
}

// --- summary.md ----------------------------------------------------------------------------------

TEST(FuzzReportMarkdown, FuzzingSectionWithTheFigures) {
  const Report report = samples::fuzz();
  const FuzzMetrics& m = *report.fuzz;
  const std::string md = to_markdown(report);
  EXPECT_TRUE(md.starts_with("## FAIL · gauntlet fuzz · mosquitto: 4 cases, 1 passed, 3 failed"))
      << md;
  EXPECT_TRUE(contains(md, " · seed 1234567890123 · 3 findings\n"));
  EXPECT_TRUE(contains(md, "### Fuzzing: 3 findings in " + grouped(m.sequences) + " sequences\n"))
      << md;
  EXPECT_TRUE(contains(md,
                       "| mode | sequences | sequences/s | packets | corpus | response shapes | "
                       "restarts | probes | stopped |\n"));
  EXPECT_TRUE(contains(md, "| spawned broker | " + grouped(m.sequences) + " | " +
                               rate(m.sequences_per_s) + " | " + grouped(m.packets) + " (" +
                               grouped(m.mutated) + " mutated) | 120 → " + grouped(m.corpus_final) +
                               " (+" + grouped(m.corpus_final - 120) +
                               ") | 4 | 2 | 4,123 (2 failed) | duration reached |\n"))
      << md;
  EXPECT_TRUE(contains(md, "Fuzzing 30 min 00 s · triage 29.5 s · " + grouped(m.bytes) +
                               " bytes sent · sequence limit 1,000,000 · broker command "
                               "`mosquitto -c /tmp/gauntlet-fuzz/mosquitto.conf`\n"))
      << md;
}

TEST(FuzzReportMarkdown, FindingsTableAndDetails) {
  const std::string md = to_markdown(samples::fuzz());
  EXPECT_TRUE(contains(md,
                       "| finding | kind | summary | confirmed | minimised | reproducer |\n"
                       "|---|---|---|---|---|---|\n"
                       "| `crash-3f9a01c2` | crash | broker aborted (SIGABRT) after PUBREL from "
                       "client 1 | yes, 3 of 3 replays | 14 → 3 packets, 512 → 41 bytes | "
                       "`findings/crash-3f9a01c2.json` (verified) |\n"
                       "| `spec_violation-0b17e5d4` | spec violation | accepted a PUBLISH with "
                       "QoS 3 instead of closing the connection | yes, 1 of 1 replay | 2 → 2 "
                       "packets, 24 → 24 bytes | `findings/spec_violation-0b17e5d4.json` (not "
                       "checked) |\n"
                       "| `hang-77aa0c13` | hang | no answer to a liveness probe for 5 s after a "
                       "SUBSCRIBE | no, 0 of 3 replays | 9 → 9 packets, 300 → 300 bytes | "
                       "`findings/hang-77aa0c13.json` (not reproduced by gauntlet run) |\n"))
      << md;
  EXPECT_TRUE(contains(md,
                       "#### crash `crash-3f9a01c2`: broker aborted (SIGABRT) after PUBREL from "
                       "client 1\n\nfound after 10 min 12 s at sequence 140,233 · seen in 4 "
                       "sequences · signature `asan heap-use-after-free | "
                       "RetainedAliasTable::release | Qos2Flow::on_pubrel`\n\n```text\nexit: "
                       "killed by SIGABRT\n==4242==ERROR: AddressSanitizer: heap-use-after-free"))
      << md;
  EXPECT_TRUE(contains(md, "#### spec violation `spec_violation-0b17e5d4`: accepted a PUBLISH"));
  EXPECT_TRUE(contains(md,
                       "MQTT-3.3.1-4 · found after 3.2 s at sequence 700 · seen in 1,811 "
                       "sequences · "));
  EXPECT_TRUE(contains(md, "found after 20 min 05 s at sequence 277,001 · seen in 1 sequence · "));
  // The section comes before the cases.
  EXPECT_LT(md.find("### Fuzzing"), md.find("| verdict | case |"));
}

TEST(FuzzReportMarkdown, NoFindingIsSaidPlainly) {
  const Report report = samples::fuzz_quiet();
  const std::string md = to_markdown(report);
  const std::string sequences = grouped(report.fuzz->sequences);
  EXPECT_TRUE(md.starts_with("## PASS · gauntlet fuzz")) << md;
  EXPECT_TRUE(contains(md, "### Fuzzing: no finding in " + sequences + " sequences\n"));
  EXPECT_TRUE(contains(md, "\nNo finding in " + sequences +
                               " sequences: no crash, no hang, no resource growth, no spec "
                               "violation.\n"))
      << md;
  EXPECT_FALSE(contains(md, "| finding | kind |"));
  EXPECT_FALSE(contains(md, "broker command"));
  EXPECT_TRUE(contains(md, "| black box | "));
  EXPECT_TRUE(contains(md, "| sequence limit reached |"));
}

TEST(FuzzReportMarkdown, ManyFindingsStayWithinACommentsSize) {
  Report report = samples::fuzz();
  const FuzzFinding first = report.fuzz->findings.front();
  report.fuzz->findings.clear();
  for (int i = 0; i < 300; ++i) {
    FuzzFinding f = first;
    f.id = "crash-" + std::to_string(10000000 + i);
    f.detail = std::string(10000, 'x');
    report.fuzz->findings.push_back(f);
  }
  const std::string md = to_markdown(report);
  EXPECT_LT(md.size(), 65536U);
  EXPECT_EQ(count(md, "| `crash-1"), 50U);
  EXPECT_TRUE(contains(md, "\n250 more findings are not listed; report.html lists them all.\n"));
  EXPECT_TRUE(contains(md, "more findings are in report.html."));
  EXPECT_TRUE(contains(md, "(cut: "));                  // each detail block is cut short
  EXPECT_TRUE(contains(md, "#### FAIL `fuzz-crash`"));  // the failing cases still have room
}

TEST(FuzzReportMarkdown, AFindingFailsTheHeadlineEvenWithoutAFailingCase) {
  Report report = samples::fuzz();
  for (Case& c : report.cases)
    c.verdict = Verdict::pass;
  EXPECT_TRUE(to_markdown(report).starts_with("## FAIL · gauntlet fuzz")) << to_markdown(report);
  report.fuzz->findings.clear();
  EXPECT_TRUE(to_markdown(report).starts_with("## PASS · gauntlet fuzz"));
}

// --- report.html ---------------------------------------------------------------------------------

TEST(FuzzReportHtml, HeadlineCardsAndFindings) {
  const Report report = samples::fuzz();
  const std::string html = to_html(report);
  EXPECT_TRUE(contains(html, R"(<h1>gauntlet fuzz <span class="v v-fail">FAIL</span></h1>)"));
  EXPECT_TRUE(contains(html, "<section id=\"fuzz\"><h2>Fuzzing · spawned broker · 30 min 00 s"));
  // The outcome sentence comes first, then the cards.
  const auto verdict =
      html.find(R"(<p class="verdict-line" id="fuzz-verdict">3 findings in )" +
                grouped(report.fuzz->sequences) + " sequences; 2 of them confirmed by a replay; ");
  ASSERT_NE(verdict, std::string::npos) << html;
  EXPECT_LT(verdict, html.find("id=\"card-fuzz-findings\""));
  EXPECT_TRUE(contains(html, "stopped: duration reached.</p>"));
  EXPECT_TRUE(contains(html, R"(<li class="card v-fail" id="card-fuzz-findings"><b>3</b>findings)"
                             "<small>2 confirmed</small></li>"));
  EXPECT_TRUE(contains(html, R"(<li class="card v-fail" id="card-fuzz-probes"><b>2</b>)"));
  EXPECT_TRUE(contains(html, R"(<tr data-kind="crash"><td><a href="#finding-crash-3f9a01c2">)"
                             "<code>crash-3f9a01c2</code></a></td><td>crash</td><td>broker aborted "
                             "(SIGABRT) after PUBREL from client 1</td><td>yes, 3 of 3 replays</td>"
                             "<td>14 → 3 packets, 512 → 41 bytes</td><td><code>findings/"
                             "crash-3f9a01c2.json</code> (verified)</td></tr>"))
      << html;
  EXPECT_TRUE(contains(html, R"(<article class="finding" id="finding-hang-77aa0c13">)"));
  // Table, charts, then each finding's details.
  EXPECT_LT(html.find("<table id=\"fuzz-findings\""), html.find("<svg id=\"chart-fuzz-corpus\""));
  EXPECT_LT(html.find("<svg id=\"chart-fuzz-broker\""), html.find("<article class=\"finding\""));
  EXPECT_TRUE(contains(html, "<pre>exit: killed by SIGABRT\n==4242==ERROR"));
  EXPECT_TRUE(contains(html, "<details id=\"fuzz-shapes\"><summary>4 response shapes"));
  EXPECT_TRUE(contains(html, "<code>publish qos2 retain alias -&gt; pubrec 0x00</code>"));
}

TEST(FuzzReportHtml, ChartsFromTheSeries) {
  const Report report = samples::fuzz();
  const std::string html = to_html(report);
  for (const char* id : {"chart-fuzz-corpus", "chart-fuzz-rate", "chart-fuzz-broker"}) {
    EXPECT_TRUE(contains(html, std::string("<svg id=\"") + id + "\" class=\"chart\"")) << id;
  }
  EXPECT_TRUE(contains(html,
                       "<title id=\"chart-fuzz-corpus-title\">Corpus and response shapes "
                       "over time</title>"));
  EXPECT_TRUE(contains(html, "<title id=\"chart-fuzz-rate-title\">Sequences per second</title>"));
  EXPECT_TRUE(contains(html,
                       "<title id=\"chart-fuzz-broker-title\">Broker RSS and "
                       "descriptors</title>"));
  EXPECT_EQ(count(html, "<figcaption>"), 3U);
  // The rate of each interval between two samples, at the interval's end.
  const std::vector<FuzzSample>& series = report.fuzz->series;
  for (const std::size_t i : {std::size_t{1}, std::size_t{7}, std::size_t{29}}) {
    const double per_second = static_cast<double>(series[i].sequences - series[i - 1].sequences) /
                              (series[i].t_s - series[i - 1].t_s);
    const std::string band = "<title>at " + grouped(static_cast<std::uint64_t>(series[i].t_s)) +
                             " s\nsequences/s: " + rate(per_second) + "</title>";
    EXPECT_TRUE(contains(html, band)) << band;
  }
  // The first interval starts with the run.
  EXPECT_TRUE(contains(html, "<title>at 60 s\nsequences/s: " +
                                 rate(static_cast<double>(series[0].sequences) / 60) + "</title>"));
  EXPECT_TRUE(contains(html, "<title>at 120 s\ncorpus: " + grouped(series[1].corpus) +
                                 "\nresponse shapes (right): " + grouped(series[1].shapes) +
                                 "</title>"));
  // The sample without the broker's figures is a gap: two stretches of line each.
  EXPECT_TRUE(contains(html, "<title>at 900 s\nRSS (MiB): none\ndescriptors (right): none"));
  EXPECT_EQ(count(html, "class=\"line s0 series-rss\""), 2U);
  EXPECT_EQ(count(html, "class=\"line s1 series-fds\""), 2U);
}

TEST(FuzzReportHtml, RatesOfHandMadeSamples) {
  Report report = samples::fuzz_quiet();
  report.fuzz->series.clear();
  for (const auto& [t, sequences] : std::vector<std::pair<double, std::uint64_t>>{
           {0.5, 100}, {1.5, 400}, {1.5, 400}, {2.5, 400}, {4.5, 1000}}) {
    FuzzSample s;
    s.t_s = t;
    s.sequences = sequences;
    report.fuzz->series.push_back(s);
  }
  const std::string html = to_html(report);
  EXPECT_TRUE(contains(html, "<title>at 0.5 s\nsequences/s: 200/s</title>")) << html;
  EXPECT_TRUE(contains(html, "<title>at 1.5 s\nsequences/s: 300/s</title>"));
  EXPECT_TRUE(contains(html, "<title>at 2.5 s\nsequences/s: 0/s</title>"));
  EXPECT_TRUE(contains(html, "<title>at 4.5 s\nsequences/s: 300/s</title>"));
}

TEST(FuzzReportHtml, NoFindingNoBrokerChart) {
  const Report report = samples::fuzz_quiet();
  const std::string html = to_html(report);
  EXPECT_TRUE(contains(html, R"(<h1>gauntlet fuzz <span class="v v-pass">PASS</span></h1>)"));
  EXPECT_TRUE(contains(html, R"(<p class="verdict-line" id="fuzz-verdict">No finding in )" +
                                 grouped(report.fuzz->sequences) + " sequences; "));
  EXPECT_TRUE(contains(
      html, "; " + grouped(static_cast<std::uint64_t>(std::llround(report.fuzz->sequences_per_s))) +
                " sequences per second over 24.5 s; corpus 0 → " +
                grouped(report.fuzz->corpus_final) + " (+" + grouped(report.fuzz->corpus_final) +
                "); 1 response shape; stopped: sequence limit reached.</p>"))
      << html;
  EXPECT_TRUE(contains(html, R"(<p id="fuzz-no-finding">No finding in )"));
  EXPECT_FALSE(contains(html, "<table id=\"fuzz-findings\""));
  EXPECT_TRUE(contains(html, "<svg id=\"chart-fuzz-corpus\""));
  EXPECT_TRUE(contains(html, "<svg id=\"chart-fuzz-rate\""));
  EXPECT_FALSE(contains(html, "chart-fuzz-broker"));
  EXPECT_FALSE(contains(html, "no broker restart"));  // black box: the fuzzer restarts nothing
}

TEST(FuzzReportHtml, EscapesEverythingFromTheFuzzer) {
  Report report = samples::fuzz();
  FuzzMetrics& m = *report.fuzz;
  m.spawn_command = "<i>broker</i> --flag \"x\"";
  m.shapes[0].shape = "<b>shape</b> -> closed";
  FuzzFinding& f = m.findings[0];
  f.id = "crash-\"><script>alert(7)</script>";
  f.summary = "<script>alert(5)</script>";
  f.detail = "</pre><img src=x onerror=alert(6)>";
  f.signature = "<svg onload=alert(8)>";
  f.reproducer = "findings/<x>.json";
  const std::string html = to_html(report);
  EXPECT_EQ(count(html, "<script"), 1U);  // the page's own
  EXPECT_FALSE(contains(html, "<img"));
  EXPECT_FALSE(contains(html, "<svg onload"));
  EXPECT_FALSE(contains(html, "<i>broker"));
  EXPECT_FALSE(contains(html, "<b>shape"));
  EXPECT_TRUE(contains(html, "<td>&lt;script&gt;alert(5)&lt;/script&gt;</td>"));
  EXPECT_TRUE(contains(html, "<pre>&lt;/pre&gt;&lt;img src=x onerror=alert(6)&gt;</pre>"));
  EXPECT_TRUE(contains(html, R"(id="finding-crash-&quot;&gt;&lt;script&gt;alert(7))"));
  EXPECT_TRUE(contains(html, "<code>findings/&lt;x&gt;.json</code>"));
  const std::string md = to_markdown(report);
  // Markdown: text escaped; the id in a code span, where markup is shown as it is.
  EXPECT_TRUE(contains(md, R"(| \<script\>alert(5)\</script\> |)")) << md;
  EXPECT_TRUE(contains(md, "`crash-\"><script>alert(7)</script>`")) << md;
}

TEST(FuzzReportHtml, InterruptedCampaignIsMarked) {
  Report report = samples::fuzz();
  report.complete = false;
  report.fuzz->stop_reason = "interrupted";
  const std::string html = to_html(report);
  EXPECT_TRUE(contains(html,
                       "<b>Incomplete run.</b> The fuzzer was interrupted before its end: "
                       "the numbers and findings cover the 30 min 00 s of fuzzing that "
                       "ran."));
  EXPECT_TRUE(contains(html, "stopped: interrupted.</p>"));
}

// --- junit.xml -----------------------------------------------------------------------------------

TEST(FuzzReportJunit, FindingsGoToTheirOraclesCase) {
  const std::string xml = to_junit_xml(samples::fuzz());
  EXPECT_TRUE(contains(xml, R"(tests="4" failures="3" errors="0" skipped="0")")) << xml;
  const auto crash = xml.find("name=\"fuzz-crash\"");
  const auto hang = xml.find("name=\"fuzz-hang\"");
  ASSERT_NE(crash, std::string::npos);
  ASSERT_NE(hang, std::string::npos);
  const std::string crash_case = xml.substr(crash, hang - crash);
  EXPECT_TRUE(contains(crash_case,
                       "<system-out>finding crash-3f9a01c2 [crash]: broker aborted (SIGABRT) "
                       "after PUBREL from client 1\n  replays: 3 of 3 reproduced it; minimised "
                       "to 3 packets, 41 bytes\n  reproducer: findings/crash-3f9a01c2.json "
                       "(verified)\n</system-out>"))
      << crash_case;
  EXPECT_FALSE(contains(crash_case, "hang-77aa0c13"));
  EXPECT_TRUE(contains(xml,
                       "finding spec_violation-0b17e5d4 [spec_violation]: accepted a "
                       "PUBLISH with QoS 3 instead of closing the connection\n  statement: "
                       "MQTT-3.3.1-4\n"));
  const auto growth = xml.find("name=\"fuzz-resource-growth\"");
  ASSERT_NE(growth, std::string::npos);
  EXPECT_FALSE(contains(xml.substr(growth, xml.find("</testcase>", growth) - growth), "finding"));
  // Every finding is listed once: under its case here, none left for the suite.
  EXPECT_EQ(count(xml, "finding crash-3f9a01c2"), 1U);
  EXPECT_FALSE(contains(xml, "\n    <system-out>finding"));
}

TEST(FuzzReportJunit, AFindingWithoutItsCaseGoesToTheSuite) {
  Report report = samples::fuzz();
  report.cases.clear();
  const std::string xml = to_junit_xml(report);
  EXPECT_TRUE(contains(xml, "\n    <system-out>finding crash-3f9a01c2 [crash]: ")) << xml;
  EXPECT_EQ(count(xml, "finding hang-77aa0c13 [hang]"), 1U);
}

// --- the files on disk
// -----------------------------------------------------------------------------

TEST(FuzzReportFiles, WriteAllAndReadBack) {
  const testing::TempDir dir;
  const Report report = samples::fuzz();
  ASSERT_FALSE(write_all(dir.path().string(), report));
  std::string error;
  const auto back = read_report_file(dir / "report.json", error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, report);
  EXPECT_TRUE(contains(testing::read_file(dir / "report.html"), "chart-fuzz-rate"));
  EXPECT_TRUE(contains(testing::read_file(dir / "summary.md"), "### Fuzzing: 3 findings"));
}

}  // namespace
}  // namespace gauntlet::reports
