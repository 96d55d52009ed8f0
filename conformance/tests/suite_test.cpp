// The suite as data: the rules load_suite() enforces (with file:line:col), the built-in suite's
// own consistency, selection, statement verdicts, waivers and the coverage table.
#include "gauntlet/conformance/suite.hpp"

#include <gtest/gtest.h>

#include "gauntlet/conformance/conformance.hpp"
#include "gauntlet/conformance/coverage.hpp"

namespace gauntlet::conformance {
namespace {

std::string case_text(std::string_view name, std::string_view protocol, std::string_view spec,
                      std::string_view area = "connect", std::string_view extra = "") {
  return std::string(R"({"name": ")") + std::string(name) + R"(", "protocol": ")" +
         std::string(protocol) + R"(", "level": "must", "area": ")" + std::string(area) +
         R"(", "spec": [")" + std::string(spec) + R"("],)" + std::string(extra) +
         R"( "clients": {"c": {}}, "steps": [{"client": "c", "connect": {}}]})";
}

SourceFile case_file(std::string_view name, std::string_view protocol, std::string_view spec,
                     std::string_view area = "connect") {
  return {"suite/cases/connect/" + std::string(name) + ".json",
          case_text(name, protocol, spec, area)};
}

std::vector<std::string> errors_of(const std::vector<SourceFile>& files) {
  auto loaded = load_suite(files);
  if (auto* errors = std::get_if<std::vector<std::string>>(&loaded)) return *errors;
  return {};
}

bool any_contains(const std::vector<std::string>& errors, std::string_view text) {
  for (const std::string& e : errors)
    if (e.find(text) != std::string::npos) return true;
  return false;
}

TEST(Statements, BothListsAreComplete) {
  EXPECT_EQ(statements("3.1.1").size(), 141U);
  EXPECT_EQ(statements("5").size(), 251U);
  EXPECT_EQ(statements("3.1.1").front().id, "MQTT-1.5.3-1");
  EXPECT_TRUE(statements("4").empty());
}

TEST(BuiltinSuite, LoadsWithoutErrorsAndCoversBothLevels) {
  auto loaded = load_suite(builtin_files());
  ASSERT_TRUE(std::holds_alternative<Suite>(loaded))
      << std::get<std::vector<std::string>>(loaded).front();
  const Suite& suite = std::get<Suite>(loaded);
  EXPECT_FALSE(select_cases(suite, {"3.1.1"}, {}).empty());
  EXPECT_FALSE(select_cases(suite, {"5"}, {}).empty());
  for (const auto& c : suite.cases) {
    EXPECT_FALSE(c.level.empty()) << c.name;
    EXPECT_TRUE(c.name.starts_with(c.version == codec::ProtocolVersion::v5 ? "v5-" : "v311-"))
        << c.name << ": case ids start with their protocol level";
  }
}

TEST(SuiteRules, UnknownStatementIsNamedWithItsPosition) {
  const auto errors = errors_of({case_file("v5-connect-x", "5", "MQTT-9.9.9-9")});
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_TRUE(errors[0].starts_with("suite/cases/connect/v5-connect-x.json:1:"));
  EXPECT_TRUE(
      any_contains(errors, "error[unknown-statement]: MQTT-9.9.9-9 is not a statement of MQTT 5"));
}

TEST(SuiteRules, StatementMustExistInTheCasesOwnLevel) {
  // MQTT-3.1.2-26 exists in 5.0 only.
  EXPECT_TRUE(errors_of({case_file("v5-connect-a", "5", "MQTT-3.1.2-26")}).empty());
  EXPECT_TRUE(any_contains(errors_of({case_file("v311-connect-a", "3.1.1", "MQTT-3.1.2-26")}),
                           "unknown-statement"));
}

TEST(SuiteRules, ConformanceFieldsAreRequired) {
  const SourceFile bare{"s/cases/connect/x.json",
                        R"({"name": "x", "clients": {"c": {}}, "steps": []})"};
  const auto errors = errors_of({bare});
  EXPECT_TRUE(any_contains(errors, "error[missing-field]: a conformance case needs \"spec\""));
  EXPECT_TRUE(any_contains(errors, "needs \"level\""));
  EXPECT_TRUE(any_contains(errors, "needs \"area\""));
  EXPECT_TRUE(any_contains(errors, "needs \"protocol\""));
}

TEST(SuiteRules, OnlyTheSuitesProtocolLevels) {
  EXPECT_TRUE(any_contains(errors_of({case_file("v31-connect-a", "3.1", "MQTT-3.1.2-1")}),
                           "error[bad-value]: the suite covers protocol levels"));
}

TEST(SuiteRules, AreaIsTheFolder) {
  EXPECT_TRUE(any_contains(errors_of({case_file("v5-retain-a", "5", "MQTT-3.1.2-1", "retain")}),
                           "error[area-folder]: the area \"retain\" is not the case's folder "
                           "\"connect\""));
}

TEST(SuiteRules, CaseIdsAreUnique) {
  EXPECT_TRUE(any_contains(errors_of({case_file("v5-connect-a", "5", "MQTT-3.1.2-1"),
                                      case_file("v5-connect-a", "5", "MQTT-3.1.2-2")}),
                           "error[duplicate-name]"));
}

TEST(SuiteRules, ScenarioErrorsComeThrough) {
  const SourceFile broken{"s/cases/connect/x.json", R"({"name": "x", "stepz": []})"};
  EXPECT_TRUE(any_contains(errors_of({broken}), "s/cases/connect/x.json:1:"));
}

TEST(SuiteRules, NotApplicableFile) {
  const SourceFile judged{"s/not-applicable/a.json",
                          "{\"5\": {\"MQTT-3.1.2-1\": \"binds the client\"},\n"
                          " \"3.1.1\": {\"MQTT-0.0.0-1\": \"x\"},\n"
                          " \"4\": {}}"};
  const auto errors = errors_of({judged});
  EXPECT_TRUE(any_contains(errors, "s/not-applicable/a.json:2:12: error[unknown-statement]"));
  EXPECT_TRUE(any_contains(errors, "s/not-applicable/a.json:3:2: error[bad-value]"));
}

TEST(SuiteRules, JudgedTwiceOrJudgedAndChecked) {
  const SourceFile a{"s/not-applicable/a.json", R"({"5": {"MQTT-3.1.2-1": "why"}})"};
  const SourceFile b{"s/not-applicable/b.json", R"({"5": {"MQTT-3.1.2-1": "why"}})"};
  EXPECT_TRUE(any_contains(errors_of({a, b}), "error[duplicate-statement]"));
  EXPECT_TRUE(any_contains(errors_of({a, case_file("v5-connect-a", "5", "MQTT-3.1.2-1")}),
                           "error[checked-not-applicable]: MQTT-3.1.2-1 (5) is judged not "
                           "applicable, but v5-connect-a checks it"));
}

TEST(Glob, StarsAndQuestionMarks) {
  EXPECT_TRUE(glob_match("v5-*", "v5-connect-x"));
  EXPECT_TRUE(glob_match("*connect*", "v5-connect-x"));
  EXPECT_TRUE(glob_match("v?-connect-x", "v5-connect-x"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_FALSE(glob_match("v5-*", "v311-connect"));
  EXPECT_FALSE(glob_match("v5", "v5-connect"));
  EXPECT_TRUE(glob_match("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXbYbZ"));
}

Suite small_suite() {
  auto loaded = load_suite({case_file("v5-connect-a", "5", "MQTT-3.1.2-1"),
                            case_file("v5-connect-b", "5", "MQTT-3.1.2-1"),
                            case_file("v311-connect-c", "3.1.1", "MQTT-3.1.2-1"),
                            {"s/not-applicable/x.json", R"({"5": {"MQTT-3.1.2-2": "why"}})"}});
  return std::get<Suite>(std::move(loaded));
}

TEST(Select, ByProtocolAndFilter) {
  const Suite suite = small_suite();
  EXPECT_EQ(select_cases(suite, {"3.1.1", "5"}, {}).size(), 3U);
  EXPECT_EQ(select_cases(suite, {"5"}, {}).size(), 2U);
  EXPECT_EQ(select_cases(suite, {"3.1.1", "5"}, {"*-b", "*-c"}).size(), 2U);
  EXPECT_TRUE(select_cases(suite, {"5"}, {"v311-*"}).empty());
}

reports::Case ran(std::string id, std::string protocol, reports::Verdict verdict) {
  reports::Case c;
  c.id = std::move(id);
  c.protocol = std::move(protocol);
  c.spec = {"MQTT-3.1.2-1"};
  c.verdict = verdict;
  return c;
}

const reports::StatementResult& find(const std::vector<reports::StatementResult>& all,
                                     std::string_view protocol, std::string_view id) {
  for (const auto& s : all)
    if (s.protocol == protocol && s.id == id) return s;
  throw std::runtime_error("no such statement");
}

TEST(Judge, WorstVerdictWinsPerLevel) {
  const Suite suite = small_suite();
  const auto all = judge_statements(suite,
                                    {ran("v5-connect-a", "5", reports::Verdict::pass),
                                     ran("v5-connect-b", "5", reports::Verdict::fail),
                                     ran("v311-connect-c", "3.1.1", reports::Verdict::skip)},
                                    {"3.1.1", "5"});
  EXPECT_EQ(all.size(), 141U + 251U);
  const auto& v5 = find(all, "5", "MQTT-3.1.2-1");
  EXPECT_EQ(v5.verdict, "fail");
  EXPECT_EQ(v5.cases, (std::vector<std::string>{"v5-connect-a", "v5-connect-b"}));
  EXPECT_EQ(find(all, "3.1.1", "MQTT-3.1.2-1").verdict, "skip");
  EXPECT_EQ(find(all, "5", "MQTT-3.1.2-2").verdict, "not_applicable");
  EXPECT_EQ(find(all, "5", "MQTT-3.1.2-2").reason, "why");
  EXPECT_EQ(find(all, "5", "MQTT-3.1.2-3").verdict, "untested");
  EXPECT_EQ(find(all, "5", "MQTT-3.1.2-3").reason, "no case checks it yet");
}

TEST(Judge, FilteredOutCasesLeaveTheirStatementsUntestedWithTheReason) {
  const auto all = judge_statements(small_suite(), {}, {"5"});
  EXPECT_EQ(all.size(), 251U);
  EXPECT_EQ(find(all, "5", "MQTT-3.1.2-1").verdict, "untested");
  EXPECT_EQ(find(all, "5", "MQTT-3.1.2-1").reason, "its cases were not selected (--filter)");
}

TEST(Deviations, FailureIsWaivedAndAPassIsNoted) {
  std::vector<reports::Case> cases = {ran("v5-connect-a", "5", reports::Verdict::fail),
                                      ran("v5-connect-b", "5", reports::Verdict::pass),
                                      ran("v311-connect-c", "3.1.1", reports::Verdict::fail)};
  cases[0].detail = "what failed";
  apply_known_deviations(cases, {{"v5-connect-*", "the broker does X", "https://example/1"}});
  EXPECT_EQ(cases[0].verdict, reports::Verdict::waived);
  EXPECT_EQ(cases[0].detail,
            "known deviation: the broker does X (https://example/1)\n\nwhat failed");
  EXPECT_EQ(cases[1].verdict, reports::Verdict::pass);
  EXPECT_NE(cases[1].detail.find("but the broker passes now"), std::string::npos);
  EXPECT_EQ(cases[2].verdict, reports::Verdict::fail);
}

TEST(Coverage, TableCountsEachState) {
  const std::string table = coverage_markdown(small_suite());
  EXPECT_NE(table.find("| 3.1.1 | 141 | 0 | 141 | 1 | 140 | 0.7 % |"), std::string::npos) << table;
  EXPECT_NE(table.find("| 5 | 251 | 1 | 250 | 1 | 249 | 0.4 % |"), std::string::npos);
  EXPECT_NE(table.find("| MQTT-3.1.2-1 | server | checked | `v5-connect-a`, `v5-connect-b` |"),
            std::string::npos);
  EXPECT_NE(table.find("| not applicable | why |"), std::string::npos);
}

}  // namespace
}  // namespace gauntlet::conformance
