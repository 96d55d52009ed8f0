// Templates: which names a text uses (template_problem) and their expansion through a chain of
// Bindings.
#include "gauntlet/scenarios/templates.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace gauntlet::scenarios {
namespace {

using Known = std::set<std::string, std::less<>>;

const Known known = {"run", "i", "client", "topic"};

TEST(TemplateProblem, SoundTemplates) {
  EXPECT_EQ(template_problem("", known), std::nullopt);
  EXPECT_EQ(template_problem("plain text", known), std::nullopt);
  EXPECT_EQ(template_problem("{run}", known), std::nullopt);
  EXPECT_EQ(template_problem("gauntlet/{run}/{client}-{i}/{topic}", known), std::nullopt);
}

TEST(TemplateProblem, UnknownNameIsNamed) {
  const auto problem = template_problem("a/{run}/{nope}/{other}", known);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("{nope}"), std::string::npos) << *problem;
  // The first unknown name is the one reported.
  EXPECT_EQ(problem->find("{other}"), std::string::npos) << *problem;
}

TEST(TemplateProblem, NamesAreCaseSensitive) {
  EXPECT_TRUE(template_problem("{RUN}", known).has_value());
}

TEST(TemplateProblem, EmptyNameIsUnknown) {
  const auto problem = template_problem("a{}b", known);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("{}"), std::string::npos) << *problem;
}

TEST(TemplateProblem, UnbalancedBraces) {
  for (const std::string_view text : {"{run", "run}", "a/{", "}", "{run}}", "{{run}"}) {
    const auto problem = template_problem(text, known);
    ASSERT_TRUE(problem.has_value()) << text;
    EXPECT_NE(problem->find("unbalanced"), std::string::npos) << text << ": " << *problem;
  }
}

TEST(TemplateProblem, DoubledBracesAreLiteral) {
  EXPECT_EQ(template_problem("{{", known), std::nullopt);
  EXPECT_EQ(template_problem("}}", known), std::nullopt);
  EXPECT_EQ(template_problem("{{nope}}", known), std::nullopt);
  EXPECT_EQ(template_problem("{{{run}}}", known), std::nullopt);
  EXPECT_TRUE(template_problem("{{{nope}}}", known).has_value());
}

TEST(TemplateProblem, UnbalancedBraceWinsOverAnUnknownName) {
  const auto problem = template_problem("{nope} {", known);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("unbalanced"), std::string::npos) << *problem;
}

TEST(Bindings, FindAndOverwrite) {
  Bindings bindings;
  EXPECT_EQ(bindings.find("x"), nullptr);
  bindings.set("x", "1");
  ASSERT_NE(bindings.find("x"), nullptr);
  EXPECT_EQ(*bindings.find("x"), "1");
  bindings.set("x", "2");
  EXPECT_EQ(*bindings.find("x"), "2");
}

TEST(Bindings, InnerShadowsOuter) {
  Bindings outer;
  outer.set("x", "outer");
  outer.set("y", "Y");
  Bindings inner(&outer);
  inner.set("x", "inner");
  inner.set("z", "Z");
  EXPECT_EQ(*inner.find("x"), "inner");
  EXPECT_EQ(*inner.find("y"), "Y");
  EXPECT_EQ(*outer.find("x"), "outer");
  EXPECT_EQ(outer.find("z"), nullptr);
}

TEST(Expand, ReplacesNames) {
  Bindings bindings;
  bindings.set("run", "abc123");
  bindings.set("i", "2");
  EXPECT_EQ(expand("gauntlet-{run}-{i}", bindings), "gauntlet-abc123-2");
  EXPECT_EQ(expand("{run}{run}", bindings), "abc123abc123");
  EXPECT_EQ(expand("no templates", bindings), "no templates");
  EXPECT_EQ(expand("", bindings), "");
}

TEST(Expand, ChainedBindings) {
  Bindings root;
  root.set("run", "r");
  root.set("n", "outer-n");
  Bindings loop(&root);
  loop.set("n", "3");
  Bindings member(&loop);
  member.set("i", "1");
  EXPECT_EQ(expand("{run}/{n}/{i}", member), "r/3/1");
  EXPECT_EQ(expand("{run}/{n}", root), "r/outer-n");
}

TEST(Expand, UnknownNamesStayAsWritten) {
  Bindings bindings;
  bindings.set("x", "1");
  EXPECT_EQ(expand("{nope}/{x}", bindings), "{nope}/1");
  EXPECT_EQ(expand("{}", bindings), "{}");
}

TEST(Expand, DoubledBracesBecomeSingle) {
  Bindings bindings;
  bindings.set("x", "1");
  EXPECT_EQ(expand("{{x}}", bindings), "{x}");
  EXPECT_EQ(expand("{{{x}}}", bindings), "{1}");
  EXPECT_EQ(expand("{{\"k\": {x}}}", bindings), "{\"k\": 1}");
}

TEST(Expand, ValuesAreNotExpandedAgain) {
  Bindings bindings;
  bindings.set("a", "{b}");
  bindings.set("b", "B");
  EXPECT_EQ(expand("{a}", bindings), "{b}");
}

}  // namespace
}  // namespace gauntlet::scenarios
