// summary.md: the headline, the case table and its escaping, failure sections, and the parts that
// depend on the kind.
#include <gtest/gtest.h>

#include "gauntlet/reports/report.hpp"
#include "samples.hpp"
#include "test_support.hpp"

namespace gauntlet::reports {
namespace {

using testing::count;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    out.push_back(text.substr(start, end - start));
  }
  out.push_back(text.substr(start));
  return out;
}

// The cell separators of a table row: `|` not preceded by a backslash.
std::size_t separators(const std::string& row) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (row[i] == '|' && (i == 0 || row[i - 1] != '\\')) ++n;
  }
  return n;
}

TEST(ReportMarkdown, HeadlineHasTheOutcomeCountsAndTarget) {
  const std::string md = to_markdown(samples::failing());
  EXPECT_TRUE(
      md.starts_with("## FAIL · gauntlet run · mosquitto: 3 cases, 1 passed, 1 failed, 1 "
                     "errors, 0 skipped, 0 waived\n"))
      << md;
  EXPECT_TRUE(contains(md,
                       "Target `mqtt://127.0.0.1:1883` · started 2026-11-21T10:00:00.123Z · "
                       "took 2.5 s · gauntlet 0.1.0"));
  EXPECT_TRUE(to_markdown(samples::passing()).starts_with("## PASS · gauntlet run"));
  EXPECT_TRUE(contains(to_markdown(samples::passing()), " · seed 42"));
  EXPECT_TRUE(to_markdown(samples::fuzz()).starts_with("## FAIL · gauntlet fuzz"));
}

TEST(ReportMarkdown, WarnsAboutAnIncompleteRun) {
  EXPECT_TRUE(contains(to_markdown(samples::incomplete()), "> **Warning: incomplete run.**"));
  EXPECT_FALSE(contains(to_markdown(samples::passing()), "incomplete"));
}

TEST(ReportMarkdown, TableHasARowPerCase) {
  const std::string md = to_markdown(samples::failing());
  EXPECT_TRUE(contains(md,
                       "| verdict | case | title | spec | protocol | level | time |\n"
                       "|---|---|---|---|---|---|---:|\n"));
  EXPECT_TRUE(contains(md,
                       "| FAIL | `qos2-resume` | QoS 2 flow resumes after a reconnect | "
                       "MQTT-4.3.3-2, MQTT-4.4.0-1 | 3.1.1 | must | 2.0 s |\n"));
  EXPECT_TRUE(contains(md, "| ERROR | `broker-gone` | connection refused |  |  |  | 0.5 ms |\n"));
  // Columns nobody uses are left out.
  Report none = samples::passing();
  none.cases.clear();
  EXPECT_TRUE(contains(to_markdown(none), "No cases ran."));
}

TEST(ReportMarkdown, EscapesTableCells) {
  const std::string md = to_markdown(samples::hostile());
  EXPECT_TRUE(contains(md, R"(\<script\>alert(1)\</script\> \| title with \\x02 control)")) << md;
  EXPECT_TRUE(contains(md, "``pipe\\|and`tick<b>``"));  // code span with a longer fence
  EXPECT_FALSE(contains(md, "<script>"));
  const auto all = lines(md);
  const auto header = std::find_if(all.begin(), all.end(),
                                   [](const std::string& l) { return l.starts_with("| verdict"); });
  ASSERT_NE(header, all.end());
  for (auto row = header; row != all.end() && row->starts_with("|"); ++row) {
    EXPECT_EQ(separators(*row), separators(*header)) << *row;
  }
  // The metrics table escapes too.
  EXPECT_TRUE(contains(md, R"(| \<b\>extra\|metric\</b\> | \<script\>alert(3)\</script\> |)"));
}

TEST(ReportMarkdown, FailureSectionsShowTheDetailInACodeBlock) {
  const std::string md = to_markdown(samples::failing());
  EXPECT_TRUE(contains(md,
                       "### Failures\n\n#### FAIL `qos2-resume`: QoS 2 flow resumes after a "
                       "reconnect\n\nMQTT-4.3.3-2 · MQTT-4.4.0-1 · MQTT 3.1.1 · must · file "
                       "`scenarios/examples/qos2-resume.json` · packet traces in report.html"
                       "\n\n```text\nsteps[4] (sub: expect publish): no PUBLISH within 2000 "
                       "ms\n"))
      << md;
  EXPECT_TRUE(contains(md,
                       "#### ERROR `broker-gone`: connection refused\n\n```text\nconnect to "
                       "127.0.0.1:1883: Connection refused\n```\n"));
  EXPECT_TRUE(contains(md,
                       "- **MQTT-4.3.3-2** (sub\\[0\\]) the broker sent PUBREL before PUBREC: "
                       "`62 02 00 01`"));
  EXPECT_FALSE(contains(to_markdown(samples::passing()), "### Failures"));
}

TEST(ReportMarkdown, FenceIsLongerThanAnyBacktickRunInTheDetail) {
  Report r = samples::failing();
  r.cases[1].detail = "before\n````\ninside\n````\nafter";
  const std::string md = to_markdown(r);
  EXPECT_TRUE(contains(md, "`````text\nbefore\n````\ninside\n````\nafter\n`````\n")) << md;
}

TEST(ReportMarkdown, ConformanceShowsStatementCounts) {
  const std::string md = to_markdown(samples::conformance());
  EXPECT_TRUE(contains(md, "| 3.1.1 | 5 | 0 | 4 (80 %) | 1 | 1 | 0 | 1 | 1 | 1 |\n")) << md;
  EXPECT_TRUE(contains(md, "| 5 | 1 | 1 | 0 (0 %) | 0 | 0 | 0 | 0 | 0 | 0 |\n")) << md;
  EXPECT_TRUE(contains(md, "Failing statements: 3.1.1 MQTT-3.9.3-1\n")) << md;
  EXPECT_TRUE(contains(md, "### Against the baseline `baseline.json`")) << md;
  EXPECT_TRUE(contains(md, "| WAIVED | `will-delay` |"));
  EXPECT_FALSE(contains(to_markdown(samples::passing()), "### Statements"));
}

TEST(ReportMarkdown, SwarmShowsTheHeadlineSlosAndAccounting) {
  const std::string md = to_markdown(samples::swarm());
  EXPECT_TRUE(md.starts_with("## FAIL · gauntlet swarm · mosquitto: 7 cases, 6 passed, 1 failed"))
      << md;
  // The note comes before everything else the run measured.
  EXPECT_TRUE(contains(md,
                       "seed 7\n\n> **Note:** pre-flight: the open-file limit was 1024; raised "
                       "to 65536 for this run\n\n### Swarm `fleet`: 5,021/s delivered over 1 min "
                       "00 s\n"))
      << md;
  EXPECT_TRUE(contains(md,
                       "| throughput | p50 | p99 | p99.9 | max | QoS 1/2 lost | QoS 0 lost | "
                       "duplicates | connections |\n"));
  EXPECT_TRUE(contains(md, "| 0 | 7 | 4 | 1,000 of 1,005 (2 failed, peak 1,000) |\n")) << md;
  EXPECT_TRUE(contains(md, "| SLO | limit | measured | verdict |\n|---|---:|---:|---|\n"));
  EXPECT_TRUE(contains(md, "| p99 latency | 50 ms | 1.311 ms | PASS |\n")) << md;
  EXPECT_TRUE(contains(md, "| connect failures | 0 | 2 | FAIL |\n"));
  EXPECT_TRUE(contains(md, "| 0 | 120,504 | 120,497 | 7 | 0 | 1 |\n"));
  EXPECT_TRUE(contains(md, "| all | 301,261 | 301,254 | 7 | 4 | 3 |\n"));
  EXPECT_TRUE(contains(md, "Publishing: 301,261 published · 180,756 acknowledged"));
  EXPECT_TRUE(contains(md, "broker CPU 30.5 s (101.24 µs per delivered message)"));
  EXPECT_TRUE(contains(md, "Shards: 1/1 (seed 7)\n"));
  EXPECT_TRUE(contains(md, "| groups.devices.rate_per_s | 5 |\n")) << md;
  // And the failing SLO's case, like any failure.
  EXPECT_TRUE(contains(md, "#### FAIL `slo-connect_failures`"));
  EXPECT_LT(md.size(), 65536U);
}

TEST(ReportMarkdown, MergedSwarmListsItsShards) {
  const std::string md = to_markdown(samples::swarm_merged());
  EXPECT_TRUE(md.starts_with("## PASS · gauntlet swarm")) << md;
  EXPECT_TRUE(contains(md, "Shards: 1/2 (seed 100), 2/2 (seed 101)\n")) << md;
  EXPECT_FALSE(contains(md, "> **Note:**"));
}

TEST(ReportMarkdown, LongReportsStayCommentSized) {
  Report r = samples::failing();
  const Case pass = r.cases[0];
  Case fail = r.cases[1];
  fail.detail = std::string(10000, 'x');
  r.cases.clear();
  for (int i = 0; i < 150; ++i) {
    Case c = i % 5 == 0 ? fail : pass;
    c.id += "-" + std::to_string(i);
    r.cases.push_back(c);
  }
  const std::string md = to_markdown(r);
  EXPECT_LT(md.size(), 65536U);
  EXPECT_EQ(count(md, "| PASS |"), 0U);  // over 100 cases: only the ones that did not pass
  EXPECT_EQ(count(md, "| FAIL |"), 30U);
  EXPECT_TRUE(contains(md, "120 more cases are not listed (120 passed in all)"));
  // As many failure sections as fit (at most 25), then a count of the rest.
  const std::size_t sections = count(md, "#### FAIL");
  EXPECT_GE(sections, 20U);
  EXPECT_LE(sections, 25U);
  EXPECT_TRUE(contains(md, std::to_string(30 - sections) + " more failures are not shown here"));
  EXPECT_TRUE(contains(md, "(cut: 8000 more bytes; the whole detail is in report.json)"));

  // However many and however long the failures, the comment fits.
  for (Case& c : r.cases) {
    c.verdict = Verdict::fail;
    c.title = std::string(300, '|');
  }
  EXPECT_LT(to_markdown(r).size(), 65536U);
}

}  // namespace
}  // namespace gauntlet::reports
