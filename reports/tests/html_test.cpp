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
  const std::string fuzz = to_html(samples::fuzz());
  EXPECT_TRUE(contains(fuzz, R"(<section id="findings">)"));
  EXPECT_TRUE(contains(fuzz, "<b>MQTT-3.3.1-4</b> (fuzz[0]) accepted a PUBLISH with QoS 3"));
  EXPECT_FALSE(contains(to_html(samples::passing()), "<section id=\"statements\">"));
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
}

TEST(ReportHtmlSwarm, EscapesWhatTheMetricsCarry) {
  const std::string html = to_html(samples::hostile());
  EXPECT_TRUE(contains(html, "<code>&lt;b&gt;scenario|name&lt;/b&gt;</code>"));
  EXPECT_TRUE(contains(html, "<b>Note.</b> &lt;img src=x onerror=alert(4)&gt; | note"));
  EXPECT_FALSE(contains(html, "<b>scenario"));
}

}  // namespace
}  // namespace gauntlet::reports
