// junit.xml: counts, one element per verdict, escaping, and well-formedness checked by xmllint.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "gauntlet/reports/report.hpp"
#include "samples.hpp"
#include "test_support.hpp"

namespace gauntlet::reports {
namespace {

using testing::count;
using testing::run;
using testing::TempDir;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ReportJunit, SuiteCountsTheVerdicts) {
  const std::string xml = to_junit_xml(samples::failing());
  EXPECT_TRUE(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
  EXPECT_TRUE(contains(xml, R"(<testsuite name="gauntlet run" tests="3" failures="1" errors="1" )"
                            R"(skipped="0" time="2.500" timestamp="2026-11-21T10:00:00">)"))
      << xml;
  EXPECT_EQ(count(xml, "<testcase "), 3U);
  EXPECT_EQ(count(xml, "<failure "), 1U);
  EXPECT_EQ(count(xml, "<error "), 1U);
}

TEST(ReportJunit, SkipsAndWaivedCasesAreSkipped) {
  const std::string xml = to_junit_xml(samples::conformance());
  EXPECT_TRUE(contains(xml, R"(tests="4" failures="1" errors="0" skipped="2")")) << xml;
  EXPECT_TRUE(contains(
      xml, R"(<skipped message="the profile says the broker has no shared subscriptions"/>)"));
  EXPECT_TRUE(contains(xml, R"(<skipped message="waived: known deviation: issue #123"/>)"));
  EXPECT_TRUE(contains(xml, R"(classname="gauntlet.conformance.mqtt311")"));
  EXPECT_TRUE(contains(xml, R"(classname="gauntlet.conformance.mqtt5")"));
}

TEST(ReportJunit, FailureHasTheFirstLineAsMessageAndTheDetailAsBody) {
  const std::string xml = to_junit_xml(samples::failing());
  EXPECT_TRUE(contains(xml, R"(<failure message="steps[4] (sub: expect publish): no PUBLISH )"
                            R"(within 2000 ms" type="fail">steps[4] (sub: expect publish): no )"
                            "PUBLISH within 2000 ms\nexpected: PUBLISH topic=a/b qos=2 "
                            "payload=\"hello\"\nreceived: nothing</failure>"))
      << xml;
  EXPECT_TRUE(contains(xml, R"(<testcase classname="gauntlet.run.mqtt311" name="qos2-resume" )"
                            R"(time="2.011" file="scenarios/examples/qos2-resume.json">)"));
  EXPECT_TRUE(contains(xml, R"(<property name="spec" value="MQTT-4.3.3-2 MQTT-4.4.0-1"/>)"));
}

TEST(ReportJunit, FindingsAndTracesGoToSystemOut) {
  const std::string xml = to_junit_xml(samples::failing());
  EXPECT_TRUE(contains(xml,
                       "<system-out>finding [MQTT-4.3.3-2] (sub[0]): the broker sent PUBREL "
                       "before PUBREC\n  packet: 62 02 00 01\ntrace sub[0]:\n"));
  EXPECT_TRUE(contains(xml, "      1.750 ms in  20 02 00 00\n"));
  const std::string findings = to_junit_xml(samples::run_findings());
  EXPECT_TRUE(contains(findings,
                       "    <system-out>finding: the broker closed every connection at once\n"
                       "  packet: e0 00\n"
                       "finding [MQTT-3.3.1-4] (pub[0]): accepted a PUBLISH with QoS 3\n"
                       "</system-out>\n  </testsuite>"))
      << findings;
}

TEST(ReportJunit, SwarmCasesAreTestcasesAndNotesGoToSystemOut) {
  const std::string xml = to_junit_xml(samples::swarm());
  EXPECT_TRUE(contains(xml, R"(tests="7" failures="1" errors="0" skipped="0")")) << xml;
  EXPECT_TRUE(contains(xml, R"(<testcase classname="gauntlet.swarm" name="delivery-qos1-2")"));
  EXPECT_TRUE(contains(xml, R"(<testcase classname="gauntlet.swarm" name="slo-p99_latency_ms")"));
  EXPECT_TRUE(contains(xml, R"(<failure message="connect failures 2 &gt; 0" type="fail">)")) << xml;
  EXPECT_TRUE(contains(xml,
                       "<system-out>note: pre-flight: the open-file limit was 1024; raised to "
                       "65536 for this run\n</system-out>"))
      << xml;
}

TEST(ReportJunit, IncompleteRunIsMarked) {
  const std::string xml = to_junit_xml(samples::incomplete());
  EXPECT_TRUE(contains(xml, R"(<property name="complete" value="false"/>)"));
  EXPECT_TRUE(contains(xml, "<system-out>incomplete run"));
  EXPECT_FALSE(contains(to_junit_xml(samples::passing()), "incomplete run"));
}

TEST(ReportJunit, EscapesMarkupAndCharactersXmlForbids) {
  const std::string xml = to_junit_xml(samples::hostile());
  EXPECT_FALSE(contains(xml, "<script>"));
  EXPECT_FALSE(contains(xml, "]]>"));
  EXPECT_TRUE(contains(xml, "name=\"pipe|and`tick&lt;b&gt;\""));
  EXPECT_TRUE(contains(xml, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(contains(xml, "]]&gt; &amp; &lt;tag attr=\"v\"&gt;"));
  EXPECT_TRUE(contains(xml, R"(\x0b\x1f)"));  // control characters, made visible
  EXPECT_TRUE(contains(xml, "0.1.0-\\x01-dev"));
  for (const char c : xml) {
    const auto byte = static_cast<unsigned char>(c);
    EXPECT_TRUE(byte >= 0x20 || c == '\n' || c == '\t') << "byte " << static_cast<int>(byte);
  }
  EXPECT_FALSE(contains(xml, "\xff"));
  EXPECT_FALSE(contains(xml, "\xef\xbf\xbe"));  // U+FFFE
}

TEST(ReportJunit, XmllintAcceptsItAndCountsMatch) {
  std::string output;
  ASSERT_EQ(run("command -v xmllint", output), 0) << "xmllint is missing (Debian: libxml2-utils)";
  const TempDir dir;
  for (const auto& [name, report] : samples::all()) {
    const std::string path = dir / (name + ".xml");
    testing::write_file(path, to_junit_xml(report));
    EXPECT_EQ(run("xmllint --noout '" + path + "' 2>&1", output), 0) << name << ": " << output;

    const Summary s = report.summary();
    auto xpath = [&](const std::string& expression) {
      run(fmt::format("xmllint --xpath '{}' '{}'", expression, path), output);
      if (output.ends_with('\n')) output.pop_back();  // newer xmllint ends the value with one
      return output;
    };
    EXPECT_EQ(xpath("count(//testcase)"), std::to_string(s.total)) << name;
    EXPECT_EQ(xpath("count(//testcase/failure)"), std::to_string(s.failed)) << name;
    EXPECT_EQ(xpath("count(//testcase/error)"), std::to_string(s.errors)) << name;
    EXPECT_EQ(xpath("count(//testcase/skipped)"), std::to_string(s.skipped + s.waived)) << name;
    EXPECT_EQ(xpath("string(/testsuites/testsuite/@tests)"), std::to_string(s.total)) << name;
    EXPECT_EQ(xpath("string(/testsuites/testsuite/@failures)"), std::to_string(s.failed)) << name;
    EXPECT_EQ(xpath("string(/testsuites/testsuite/@name)"),
              "gauntlet " + std::string(to_string(report.kind)))
        << name;
  }
  // The parser gives back the exact title, markup and all (control characters made visible).
  const std::string path = dir / "hostile.xml";
  run("xmllint --xpath 'string(//testcase[2]/properties/property[@name=\"title\"]/@value)' '" +
          path + "'",
      output);
  if (output.ends_with('\n')) output.pop_back();
  EXPECT_EQ(output,
            "<script>alert(1)</script> | title with \\x02 control and \xEF\xBF\xBD\xEF\xBF\xBD bad "
            "UTF-8");
}

}  // namespace
}  // namespace gauntlet::reports
