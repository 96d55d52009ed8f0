// report.html: self-contained, escaped, filterable, with failing details folded.
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

TEST(ReportHtml, EscapesEverythingFromTheReport) {
  const std::string html = to_html(samples::hostile());
  // The page's own script is the only one; every payload arrives as text.
  EXPECT_EQ(count(html, "<script"), 1U);
  EXPECT_FALSE(contains(html, "<script>alert"));
  EXPECT_FALSE(contains(html, "<img"));
  EXPECT_FALSE(contains(html, "<b>bold"));
  EXPECT_TRUE(contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(
      contains(html, "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt; &amp; &quot;co&quot;"));
  EXPECT_TRUE(contains(html, "&lt;img src=x onerror=alert(2)&gt;"));
  EXPECT_TRUE(contains(html, "&lt;b&gt;extra|metric&lt;/b&gt;"));
  EXPECT_TRUE(contains(html, R"(data-search="pipe|and`tick&lt;b&gt; &lt;script&gt;)"));
  EXPECT_FALSE(contains(html, "\xff"));
}

TEST(ReportHtml, IsSelfContained) {
  const std::string html = to_html(samples::failing());
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
  EXPECT_TRUE(contains(html, "<meta charset=\"utf-8\">"));
  EXPECT_TRUE(contains(html, "Content-Security-Policy\" content=\"default-src 'none'"));
  EXPECT_TRUE(contains(html, "<style>"));
  for (const char* external : {"http://", "https://", "<link", " src=", "@import", "url("}) {
    EXPECT_FALSE(contains(html, external)) << external;
  }
  EXPECT_TRUE(html.ends_with("</html>\n"));
}

TEST(ReportHtml, SummaryHeader) {
  const std::string html = to_html(samples::failing());
  EXPECT_TRUE(contains(html, R"(<h1>gauntlet run <span class="v v-fail">FAIL</span></h1>)"));
  EXPECT_TRUE(contains(html, "target <b>mosquitto</b> <code>mqtt://127.0.0.1:1883</code>"));
  EXPECT_TRUE(contains(html, R"(<li><b>3</b>cases</li><li class="v-pass"><b>1</b>pass</li>)"));
  EXPECT_TRUE(contains(html, "started 2026-11-21T10:00:00.123Z · took 2.5 s · gauntlet 0.1.0"));
  EXPECT_TRUE(contains(to_html(samples::incomplete()), "<b>Incomplete run.</b>"));
  EXPECT_FALSE(contains(to_html(samples::passing()), "Incomplete run"));
}

TEST(ReportHtml, CasesAreFilterable) {
  const std::string html = to_html(samples::conformance());
  EXPECT_TRUE(contains(html, R"(<input id="filter" type="search")"));
  for (const char* verdict : {"pass", "fail", "skip", "error", "waived"}) {
    EXPECT_TRUE(contains(
        html, std::string(R"(<input type="checkbox" data-verdict=")") + verdict + R"(" checked>)"))
        << verdict;
  }
  EXPECT_EQ(count(html, "<tr data-verdict="), 4U);
  EXPECT_TRUE(contains(
      html,
      R"(<tr data-verdict="waived" data-area="" data-protocol="5" data-search="will-delay )"));
  EXPECT_TRUE(contains(html, "addEventListener('input', apply)"));
}

TEST(ReportHtml, FailuresFoldTheirDetailsMismatchesAndTraces) {
  const std::string html = to_html(samples::failing());
  EXPECT_TRUE(contains(html,
                       "<details><summary>steps[4] (sub: expect publish): no PUBLISH within "
                       "2000 ms</summary>\n<pre>steps[4]"));
  EXPECT_TRUE(contains(html,
                       "<h4>steps[4] (sub: expect publish) · sub[0]: no PUBLISH within 2000 "
                       "ms</h4>"));
  EXPECT_TRUE(contains(html, "&quot;topic&quot;: &quot;a/b&quot;"));  // pretty JSON, escaped
  EXPECT_TRUE(contains(html, "<h4>Packets of sub[0]</h4>"));
  EXPECT_TRUE(contains(html,
                       "<td class=\"num\">1.750</td><td>&larr; in</td><td><code>20 02 00 "
                       "00</code></td>"));
  EXPECT_EQ(count(html, "<details>"), 2U);  // the failure and the error
}

TEST(ReportHtml, KindSections) {
  const std::string conformance = to_html(samples::conformance());
  EXPECT_TRUE(contains(conformance, R"(<section id="statements">)"));
  EXPECT_TRUE(contains(conformance, R"(<td class="num">4 (80 %)</td>)")) << conformance;
  EXPECT_TRUE(contains(conformance, R"(<section id="baseline">)"));
  EXPECT_TRUE(contains(conformance, R"(<select data-facet="protocol">)"));
  EXPECT_TRUE(contains(conformance, "the broker chose"));
  EXPECT_FALSE(contains(conformance, R"(<section id="swarm">)"));
  const std::string findings = to_html(samples::run_findings());
  EXPECT_TRUE(contains(findings, R"(<section id="findings">)"));
  EXPECT_TRUE(contains(findings, "<b>MQTT-3.3.1-4</b> (pub[0]) accepted a PUBLISH with QoS 3"));
  EXPECT_FALSE(contains(findings, R"(<section id="fuzz">)"));
  EXPECT_TRUE(contains(to_html(samples::fuzz()), R"(<section id="fuzz">)"));
  EXPECT_FALSE(contains(to_html(samples::passing()), "<section id=\"statements\">"));
}

// A count as the page writes it: "300,125".
std::string grouped(std::uint64_t value) {
  std::string digits = std::to_string(value);
  for (auto at = digits.size(); at > 3; at -= 3)
    digits.insert(at - 3, ",");
  return digits;
}

// The part of the page between `from` and the next `to` (empty when `from` is not there).
std::string between(const std::string& text, const std::string& from, const std::string& to) {
  const auto start = text.find(from);
  if (start == std::string::npos) return {};
  const auto end = text.find(to, start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

TEST(ReportHtmlSwarm, HeadlineCardsSloAndQosTables) {
  const Report report = samples::swarm();
  const std::string html = to_html(report);
  EXPECT_TRUE(contains(html, R"(<h1>gauntlet swarm <span class="v v-fail">FAIL</span></h1>)"));
  EXPECT_TRUE(contains(html, R"(<section id="swarm"><h2>Swarm <code>fleet</code> · 1 min 00 s)"));
  // The note comes first, in the header.
  EXPECT_LT(html.find("<b>Note.</b> pre-flight: the open-file limit"), html.find("<main>"));
  EXPECT_TRUE(contains(html, R"(<li class="card" id="card-throughput"><b>5,021/s</b>delivered)"))
      << between(html, "<ul class=\"cards\">", "</ul>");
  EXPECT_TRUE(
      contains(html, R"(<li class="card v-fail" id="card-connections"><b>1,000 / 1,005</b>)"));
  for (const char* card : {"card-p50", "card-p99", "card-p999", "card-max", "card-lost",
                           "card-lost-qos0", "card-duplicates"}) {
    EXPECT_TRUE(contains(html, std::string("id=\"") + card + "\"")) << card;
  }
  const std::string slos = between(html, R"(<table id="slo-table">)", "</table>");
  EXPECT_EQ(count(slos, "<tr data-slo="), report.metrics->slos.size());
  EXPECT_TRUE(contains(slos, R"(<tr data-slo="connect_failures"><td>connect failures</td>)"
                             R"(<td class="num">0</td><td class="num">2</td>)"
                             R"(<td><span class="v v-fail">FAIL</span></td></tr>)"))
      << slos;
  EXPECT_TRUE(contains(slos, R"(<tr data-slo="p99_latency_ms"><td>p99 latency</td>)"
                             R"(<td class="num">50 ms</td>)"));
  const std::string qos = between(html, R"(<table id="qos-table">)", "</table>");
  EXPECT_TRUE(contains(qos, R"(<tr><td>0</td><td class="num">120,504</td>)"
                            R"(<td class="num">120,497</td><td class="num">7</td>)"))
      << qos;
  EXPECT_TRUE(contains(qos, "<tr><td>all</td>"));
  for (const char* part :
       {R"(id="publishing")", R"(id="connections")", R"(id="resources")", R"(id="shards")",
        R"(id="plan")", "<th>groups.devices.rate_per_s</th>"}) {
    EXPECT_TRUE(contains(html, part)) << part;
  }
  EXPECT_FALSE(contains(to_html(samples::passing()), R"(<section id="swarm">)"));
}

TEST(ReportHtmlSwarm, FourChartsWithTitlesAxesAndLegends) {
  const Report report = samples::swarm();
  const std::string html = to_html(report);
  EXPECT_EQ(count(html, "<svg "), 4U);
  const std::size_t seconds = report.metrics->series.size();
  struct Expected {
    const char* id;
    const char* title;
    std::vector<const char*> series;
  };
  for (const Expected& chart : std::vector<Expected>{
           {"chart-throughput", "Throughput", {"published", "delivered"}},
           {"chart-latency", "End-to-end latency per second", {"p50", "p99", "max"}},
           {"chart-connections", "Connections", {"connections", "connects", "connect-failures"}},
           {"chart-distribution", "End-to-end latency by percentile", {"end-to-end"}}}) {
    const std::string svg = between(html, std::string(R"(<svg id=")") + chart.id + "\"", "</svg>");
    ASSERT_FALSE(svg.empty()) << chart.id;
    EXPECT_TRUE(contains(svg, R"( class="chart" viewBox="0 0 720 300" role="img")")) << chart.id;
    EXPECT_TRUE(contains(svg, std::string("<title id=\"") + chart.id + "-title\">" + chart.title))
        << chart.id;
    EXPECT_TRUE(contains(svg, R"(<g class="axis axis-x">)")) << chart.id;
    EXPECT_TRUE(contains(svg, R"(<g class="axis axis-y">)")) << chart.id;
    EXPECT_GE(count(svg, R"(<g class="tick">)"), 6U) << chart.id;
    EXPECT_TRUE(contains(svg, R"(<g class="legend">)")) << chart.id;
    EXPECT_EQ(count(svg, R"(<g class="legend-item )"), chart.series.size()) << chart.id;
    for (const char* key : chart.series) {
      EXPECT_TRUE(contains(svg, std::string(R"(<polyline class="line s)")))
          << chart.id << " " << key;
      EXPECT_TRUE(contains(svg, std::string(" series-") + key + "\" points=\""))
          << chart.id << " " << key;
    }
    EXPECT_FALSE(contains(svg, "no data")) << chart.id;
    EXPECT_FALSE(contains(svg, "nan")) << chart.id;
  }
  // One point per second; the latency lines start when deliveries do (second 2).
  const std::string throughput = between(html, R"(<svg id="chart-throughput")", "</svg>");
  const std::string published = between(throughput, R"(series-published" points=")", "\"/>");
  EXPECT_EQ(count(published, ","), seconds) << published;
  const std::string latency = between(html, R"(<svg id="chart-latency")", "</svg>");
  EXPECT_EQ(count(between(latency, R"(series-p50" points=")", "\"/>"), ","), seconds - 2);
  // Labelled ticks: milliseconds on the latency axes, nines on the distribution's x axis.
  EXPECT_TRUE(contains(latency, ">1 ms</text>")) << latency;
  const std::string distribution = between(html, R"(<svg id="chart-distribution")", "</svg>");
  for (const char* tick : {">90%</text>", ">99%</text>", ">99.9%</text>", ">99.999%</text>"}) {
    EXPECT_TRUE(contains(distribution, tick)) << tick;
  }
  EXPECT_TRUE(contains(between(html, R"(<svg id="chart-connections")", "</svg>"),
                       R"(<g class="axis axis-y2">)"));
}

TEST(ReportHtmlSwarm, ChartsWithoutDataSayNoData) {
  Report report = samples::swarm();
  report.metrics->series.clear();
  report.metrics->end_to_end.clear();
  const std::string html = to_html(report);
  EXPECT_EQ(count(html, "<svg "), 4U);
  EXPECT_EQ(count(html, ">no data</text>"), 4U);
  EXPECT_FALSE(contains(html, "<polyline"));
  const std::string charts = between(html, R"(<div class="charts">)", "</div>");
  EXPECT_FALSE(contains(charts, "nan"));
  EXPECT_FALSE(contains(charts, "inf"));
  EXPECT_FALSE(contains(charts, R"(<g class="hover">)"));  // no tooltips without data
}

TEST(ReportHtmlSwarm, HeadlineFirstWithTheOutcomeInOneLine) {
  const Report report = samples::swarm();
  const SwarmMetrics& m = *report.metrics;
  const std::string html = to_html(report);
  const std::string headline =
      between(html, R"(<div class="headline" id="headline">)", R"(<table id="slo-table">)");
  ASSERT_FALSE(headline.empty());
  // Before every table and chart of the section.
  EXPECT_LT(html.find(R"(id="headline")"), html.find(R"(<table id="slo-table">)"));
  EXPECT_LT(html.find(R"(id="headline")"), html.find("<svg "));
  // The sample: 4 of its 5 SLOs hold (connect_failures breaks), QoS 0 loses 7 copies.
  const std::string verdict =
      between(headline, R"(<p class="verdict-line" id="swarm-verdict">)", "</p>");
  const DeliveryCounts total = m.total();
  // 7 of about 300,000 copies lost: a shortfall is never rounded up to 100 %.
  for (const std::string& part :
       {grouped(total.delivered) + " of " + grouped(total.expected) +
            " owed copies delivered (99.99 %)",
        std::string("no QoS 1/2 message lost"),
        std::string("7 QoS 0 copies lost (QoS 0 allows it)"), std::string("4 of 5 SLOs met"),
        std::string("1,000 of 1,005 connection attempts succeeded")}) {
    EXPECT_TRUE(contains(verdict, part)) << part << "\n" << verdict;
  }
  EXPECT_TRUE(contains(headline, R"(<li class="card" id="card-published"><b>)" +
                                     grouped(m.publishing.published) + "</b>published"))
      << headline;
  EXPECT_TRUE(contains(headline, R"(<li class="card" id="card-delivered"><b>)" +
                                     grouped(total.delivered) + " / " + grouped(total.expected) +
                                     "</b>delivered / owed"))
      << headline;
  EXPECT_TRUE(contains(headline, "<small>QoS 0: " + grouped(m.by_qos[0].delivered) + " / " +
                                     grouped(m.by_qos[0].expected) + "; QoS 1: "));
  EXPECT_TRUE(contains(headline, R"(<li class="card v-fail" id="card-slos"><b>4 / 5</b>met</li>)"));
  EXPECT_TRUE(contains(headline, "<small>peak 1,000 open at once</small>"));
  EXPECT_TRUE(contains(headline, " over 1 min 00 s; 3 behind schedule</small>")) << headline;
}

TEST(ReportHtmlSwarm, CardsOfABrokenSloAreMarked) {
  Report report = samples::swarm();
  report.metrics->slos.push_back(SloResult{"p99_latency_ms", 0.001, 0, true});
  evaluate_slos(*report.metrics);
  const std::string html = to_html(report);
  EXPECT_TRUE(contains(html, R"(<li class="card v-fail" id="card-p99">)"));
  EXPECT_TRUE(contains(html, R"(<li class="card" id="card-p50">)"));
}

TEST(ReportHtmlSwarm, NothingMeasuredShowsNoneNotZero) {
  Report report = samples::swarm();
  report.metrics->end_to_end.clear();
  report.metrics->ack_qos2.clear();
  const std::string html = to_html(report);
  for (const char* card : {"card-p50", "card-p99", "card-p999", "card-max"}) {
    EXPECT_TRUE(contains(html, std::string("id=\"") + card + "\"><b>none</b>")) << card;
  }
  EXPECT_TRUE(contains(html, R"(<tr><th>QoS 2 ack p99</th><td class="num">none</td></tr>)"));
  EXPECT_FALSE(contains(between(html, R"(<p class="verdict-line")", "</p>"), "p99 latency"));
}

TEST(ReportHtmlSwarm, IncompleteRunSaysWhatTheNumbersCover) {
  Report report = samples::swarm();
  report.complete = false;
  const std::string html = to_html(report);
  EXPECT_TRUE(contains(html, R"(<p class="warning incomplete"><b>Incomplete run.</b> The swarm )"
                             "did not run to its end"));
  EXPECT_TRUE(contains(html, "The numbers cover the 1 min 00 s of publishing that was measured"));
  // A failure outranks the interruption; without one it is not a pass either: the run exited 3.
  EXPECT_TRUE(contains(html, R"(<h1>gauntlet swarm <span class="v v-fail">FAIL</span></h1>)"));
  EXPECT_TRUE(contains(to_html(samples::incomplete()),
                       R"(<h1>gauntlet run <span class="v v-error">INCOMPLETE</span></h1>)"));
  EXPECT_LT(html.find("Incomplete run."), html.find(R"(<section id="swarm">)"));
  EXPECT_FALSE(contains(to_html(samples::swarm()), "Incomplete run."));
}

// The <title> of each tooltip band of a chart, in order.
std::vector<std::string> tooltips(const std::string& svg) {
  std::vector<std::string> out;
  const std::string hover = between(svg, R"(<g class="hover">)", "</g>");
  for (auto at = hover.find("<title>"); at != std::string::npos;
       at = hover.find("<title>", at + 1)) {
    out.push_back(hover.substr(at + 7, hover.find("</title>", at) - at - 7));
  }
  return out;
}

TEST(ReportHtmlSwarm, TooltipsGiveEachSecondsValues) {
  const Report report = samples::swarm();
  const std::string html = to_html(report);
  const std::size_t seconds = report.metrics->series.size();
  const auto connections = tooltips(between(html, R"(<svg id="chart-connections")", "</svg>"));
  ASSERT_EQ(connections.size(), seconds);
  // Second 0 of the sample: half the 1000 clients connect, and 2 attempts fail.
  EXPECT_EQ(connections[0],
            "second 0\nopen connections: 500\nconnects/s (right): 500/s\n"
            "connect failures/s (right): 2/s");
  const auto latency = tooltips(between(html, R"(<svg id="chart-latency")", "</svg>"));
  ASSERT_EQ(latency.size(), seconds);
  EXPECT_EQ(latency[1], "second 1\np50: none\np99: none\nmax: none");  // nothing delivered yet
  EXPECT_TRUE(latency[2].starts_with("second 2\np50: ")) << latency[2];
  EXPECT_TRUE(latency[2].ends_with(" ms")) << latency[2];
  const auto distribution = tooltips(between(html, R"(<svg id="chart-distribution")", "</svg>"));
  ASSERT_EQ(distribution.size(), 201U);
  EXPECT_TRUE(distribution[0].starts_with("p0\nend-to-end latency (whole run): "))
      << distribution[0];
  EXPECT_TRUE(distribution[120].starts_with("p99.9\n")) << distribution[120];
  EXPECT_TRUE(distribution[200].starts_with("p99.999\n")) << distribution[200];
  // Each band is a rect across the plot, before its title.
  EXPECT_EQ(count(between(html, R"(<svg id="chart-throughput")", "</svg>"), "<rect "), seconds);
}

TEST(ReportHtmlSwarm, LongRunsShareTooltipBandsAndGiveRanges) {
  Report report = samples::swarm();
  auto& series = report.metrics->series;
  series.clear();
  for (std::uint64_t second = 0; second < 1500; ++second) {
    SecondSample s;
    s.second = second;
    s.published = 100 + second % 3;  // 100, 101, 102 in each band of three seconds
    s.connections = 10;
    series.push_back(s);
  }
  const std::string html = to_html(report);
  const auto bands = tooltips(between(html, R"(<svg id="chart-throughput")", "</svg>"));
  ASSERT_EQ(bands.size(), 500U);  // 1500 seconds, at most 600 bands: 3 seconds each
  EXPECT_EQ(bands[0],
            "second 0 to second 2\npublished/s: 100/s to 102/s\ndelivered/s (copies): 0/s");
  EXPECT_EQ(bands[499],
            "second 1,497 to second 1,499\npublished/s: 100/s to 102/s\n"
            "delivered/s (copies): 0/s");
}

TEST(ReportHtmlSwarm, PlanListsBecomeTables) {
  Report report = samples::swarm();
  report.metrics->plan["groups"] = Json::array(
      {Json{{"name", "sensors"}, {"count", 20}, {"publish", {{"topic", "a/{i}"}, {"qos", 1}}}},
       Json{{"name", "<b>dash</b>"},
            {"subscribe", Json::array({Json{{"filter", "a/+"}, {"qos", 1}, {"share", ""}}})}}});
  const std::string html = to_html(report);
  const std::string table =
      between(html, R"(<div class="facts plan-list" id="plan-groups">)", "</table>");
  ASSERT_FALSE(table.empty()) << html;
  EXPECT_TRUE(contains(table, "<tr><th>name</th><th>count</th><th>publish</th><th>subscribe</th>"))
      << table;
  EXPECT_TRUE(contains(table,
                       "<tr><td>sensors</td><td>20</td><td>topic: a/{i}, qos: 1</td><td>"
                       "</td></tr>"))
      << table;
  EXPECT_TRUE(contains(table,
                       "<tr><td>&lt;b&gt;dash&lt;/b&gt;</td><td></td><td></td>"
                       "<td>filter: a/+, qos: 1</td></tr>"))
      << table;
  // The list is no longer a row of compact JSON in the plan's facts.
  EXPECT_FALSE(contains(between(html, R"(<div class="facts" id="plan">)", "</table>"), "sensors"));
}

TEST(ReportHtmlSwarm, EscapesWhatTheMetricsCarry) {
  const std::string html = to_html(samples::hostile());
  EXPECT_TRUE(contains(html, "<code>&lt;b&gt;scenario|name&lt;/b&gt;</code>"));
  EXPECT_TRUE(contains(html, "<b>Note.</b> &lt;img src=x onerror=alert(4)&gt; | note"));
  EXPECT_FALSE(contains(html, "<b>scenario"));
}

}  // namespace
}  // namespace gauntlet::reports
