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
  const std::string swarm = to_html(samples::swarm());
  EXPECT_TRUE(contains(swarm, "<tr><th>latency_us.p99</th><td class=\"num\">4100.5</td></tr>"));
  const std::string fuzz = to_html(samples::fuzz());
  EXPECT_TRUE(contains(fuzz, R"(<section id="findings">)"));
  EXPECT_TRUE(contains(fuzz, "<b>MQTT-3.3.1-4</b> (fuzz[0]) accepted a PUBLISH with QoS 3"));
  EXPECT_FALSE(contains(to_html(samples::passing()), "<section id=\"statements\">"));
}

}  // namespace
}  // namespace gauntlet::reports
