// Topic names, topic filters, shared subscriptions and matching (MQTT 3.1.1 §4.7, 5.0 §4.7, §4.8).
#include "gauntlet/codec/topic.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>

#include "test_support.hpp"

namespace gauntlet::codec {
namespace {

using V = ProtocolVersion;

struct MatchCase {
  std::string_view filter;
  std::string_view name;
  bool matches;
};

void PrintTo(const MatchCase& c, std::ostream* os) {
  *os << '"' << c.filter << "\" vs \"" << c.name << "\" -> " << (c.matches ? "match" : "no match");
}

class TopicMatches : public ::testing::TestWithParam<MatchCase> {};

TEST_P(TopicMatches, AgreesWithTheSpecTable) {
  const MatchCase& c = GetParam();
  EXPECT_EQ(topic_matches(c.filter, c.name), c.matches)
      << "filter \"" << c.filter << "\" name \"" << c.name << '"';
}

constexpr MatchCase match_cases[] = {
    // exact
    {"sport/tennis/player1", "sport/tennis/player1", true},
    {"sport/tennis/player1", "sport/tennis/player2", false},
    {"sport/tennis", "sport/tennis/player1", false},
    {"sport/tennis/player1", "sport/tennis", false},
    // '#': the level and everything below, including the parent level
    {"sport/tennis/player1/#", "sport/tennis/player1", true},
    {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
    {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
    {"sport/tennis/player1/#", "sport/tennis/player2", false},
    {"sport/#", "sport", true},
    {"sport/#", "sport/", true},
    {"sport/#", "sports", false},
    {"sport/tennis/#", "sport", false},
    {"#", "sport", true},
    {"#", "sport/tennis/player1", true},
    {"#", "/", true},
    {"#", "/finance", true},
    // '+': exactly one level, which may be empty
    {"sport/tennis/+", "sport/tennis/player1", true},
    {"sport/tennis/+", "sport/tennis/player2", true},
    {"sport/tennis/+", "sport/tennis/player1/ranking", false},
    {"sport/+", "sport", false},
    {"sport/+", "sport/", true},
    {"+", "sport", true},
    {"+", "", true},
    {"+/+", "/finance", true},
    {"/+", "/finance", true},
    {"+", "/finance", false},
    {"+/+", "a", false},
    {"a/+/b", "a//b", true},
    {"a/+/b", "a/x/b", true},
    {"a/+/b", "a/x/y/b", false},
    {"+/tennis/#", "sport/tennis/player1", true},
    {"+/tennis/#", "sport/tennis", true},
    {"+/+/+", "a/b/c", true},
    {"+/+/+", "a/b", false},
    {"a/+/#", "a/b", true},
    {"a/+/#", "a", false},
    // '$' topics: not matched by a filter that starts with a wildcard
    {"#", "$SYS/x", false},
    {"+/x", "$SYS/x", false},
    {"+", "$SYS", false},
    {"+/#", "$SYS/monitor/Clients", false},
    {"$SYS/#", "$SYS/x", true},
    {"$SYS/#", "$SYS", true},
    {"$SYS/monitor/+", "$SYS/monitor/Clients", true},
    {"$SYS/+", "$SYS/x", true},
    {"a/#", "a/$SYS", true},  // only the first character of the name counts
    // shared subscriptions match like the filter after the ShareName
    {"$share/g/a/+", "a/b", true},
    {"$share/g/a/+", "a/b/c", false},
    {"$share/g/a/+", "$share/g/a/b", false},
    {"$share/group/#", "x/y", true},
    {"$share/g/#", "$SYS/x", false},
    {"$share/g/$SYS/#", "$SYS/x", true},
    // no normalisation: case-sensitive, trailing and leading slashes significant
    {"Sport", "sport", false},
    {"sport/Tennis", "sport/tennis", false},
    {"a/b", "a/b/", false},
    {"a/b/", "a/b", false},
    {"a/b/", "a/b/", true},
    {"/a", "a", false},
    {"a", "/a", false},
    {"a//b", "a/b", false},
    {"a b", "a b", true},
    {"a b", "ab", false},
};

INSTANTIATE_TEST_SUITE_P(Spec, TopicMatches, ::testing::ValuesIn(match_cases));

// --- check_topic_name -------------------------------------------------------------------------

TEST(CheckTopicName, AcceptsOrdinaryNames) {
  for (std::string_view name :
       {"a", "/", "a/b", "/finance", "sport/", "$SYS/x", "a b/c", "$share/g/x", "caf\xc3\xa9"}) {
    EXPECT_EQ(check_topic_name(name), std::nullopt) << name;
  }
}

TEST(CheckTopicName, RejectsEmptyAndWildcards) {
  EXPECT_EQ(check_topic_name(""), (TopicIssue{Rule::topic_name_empty, 0}));
  EXPECT_EQ(check_topic_name("#"), (TopicIssue{Rule::topic_name_wildcard, 0}));
  EXPECT_EQ(check_topic_name("a/+"), (TopicIssue{Rule::topic_name_wildcard, 2}));
  EXPECT_EQ(check_topic_name("sport/tennis#"), (TopicIssue{Rule::topic_name_wildcard, 12}));
  EXPECT_EQ(check_topic_name("a/b+c/#"), (TopicIssue{Rule::topic_name_wildcard, 3}));
}

// --- check_topic_filter -----------------------------------------------------------------------

struct FilterCase {
  std::string_view filter;
  std::optional<TopicIssue> v311;  ///< also expected at 3.1
  std::optional<TopicIssue> v5;
};

void PrintTo(const FilterCase& c, std::ostream* os) {
  *os << '"' << c.filter << '"';
}

class CheckTopicFilter : public ::testing::TestWithParam<FilterCase> {};

TEST_P(CheckTopicFilter, ReportsRuleAndOffset) {
  const FilterCase& c = GetParam();
  EXPECT_EQ(check_topic_filter(c.filter, V::v3_1), c.v311) << "3.1";
  EXPECT_EQ(check_topic_filter(c.filter, V::v3_1_1), c.v311) << "3.1.1";
  EXPECT_EQ(check_topic_filter(c.filter, V::v5), c.v5) << "5.0";
}

constexpr TopicIssue issue(Rule rule, std::size_t offset) {
  return TopicIssue{rule, offset};
}
constexpr auto multi = Rule::multi_level_wildcard_misplaced;
constexpr auto single = Rule::single_level_wildcard_misplaced;

const FilterCase filter_cases[] = {
    // valid everywhere
    {"a", std::nullopt, std::nullopt},
    {"#", std::nullopt, std::nullopt},
    {"+", std::nullopt, std::nullopt},
    {"/", std::nullopt, std::nullopt},
    {"a/#", std::nullopt, std::nullopt},
    {"+/+", std::nullopt, std::nullopt},
    {"/+", std::nullopt, std::nullopt},
    {"+/tennis/#", std::nullopt, std::nullopt},
    {"sport/+/player1", std::nullopt, std::nullopt},
    {"a//b", std::nullopt, std::nullopt},
    {"$SYS/#", std::nullopt, std::nullopt},
    // wildcard misplaced
    {"", issue(Rule::topic_filter_empty, 0), issue(Rule::topic_filter_empty, 0)},
    {"a/b#", issue(multi, 3), issue(multi, 3)},
    {"a/#/b", issue(multi, 2), issue(multi, 2)},
    {"#/", issue(multi, 0), issue(multi, 0)},
    {"##", issue(multi, 0), issue(multi, 0)},
    {"sport/tennis#", issue(multi, 12), issue(multi, 12)},
    {"a+", issue(single, 1), issue(single, 1)},
    {"+a", issue(single, 0), issue(single, 0)},
    {"a/b+/c", issue(single, 3), issue(single, 3)},
    {"a/+b", issue(single, 2), issue(single, 2)},
    {"++", issue(single, 0), issue(single, 0)},
    // shared subscriptions: syntax checked at 5.0 only; at 3.1/3.1.1 "$share/..." is ordinary
    {"$share/g/a/+", std::nullopt, std::nullopt},
    {"$share/group/#", std::nullopt, std::nullopt},
    {"$share/g/$SYS/#", std::nullopt, std::nullopt},
    {"$share/g//", std::nullopt, std::nullopt},
    {"$share//x", std::nullopt, issue(Rule::share_name_empty, 7)},
    {"$share/", std::nullopt, issue(Rule::share_name_empty, 7)},
    {"$share/g+/x", issue(single, 8), issue(Rule::share_name_invalid, 8)},
    {"$share/#/x", issue(multi, 7), issue(Rule::share_name_invalid, 7)},
    {"$share/g", std::nullopt, issue(Rule::share_name_invalid, 8)},
    {"$share/g/", std::nullopt, issue(Rule::share_name_invalid, 9)},
    {"$share/g/a#", issue(multi, 10), issue(multi, 10)},
    {"$share/g/a/#/b", issue(multi, 11), issue(multi, 11)},
    {"$share/g/a+", issue(single, 10), issue(single, 10)},
    // wildcards in the ShareName are wildcards of an ordinary filter at 3.1.1
    {"$share/g#/x", issue(multi, 8), issue(Rule::share_name_invalid, 8)},
    {"$share/+/x", std::nullopt, issue(Rule::share_name_invalid, 7)},
    // not shared: "$share" without the slash, or another case
    {"$share", std::nullopt, std::nullopt},
    {"$SHARE//x", std::nullopt, std::nullopt},
};

INSTANTIATE_TEST_SUITE_P(Spec, CheckTopicFilter, ::testing::ValuesIn(filter_cases));

// --- parse_shared_subscription ----------------------------------------------------------------

TEST(ParseSharedSubscription, SplitsShareNameAndFilter) {
  const auto shared = parse_shared_subscription("$share/consumers/sport/+/player1");
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ(shared->share_name, "consumers");
  EXPECT_EQ(shared->filter, "sport/+/player1");

  const auto hash = parse_shared_subscription("$share/g/#");
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(hash->share_name, "g");
  EXPECT_EQ(hash->filter, "#");

  // The filter part may itself start with '/' (an empty first level).
  const auto leading = parse_shared_subscription("$share/g//a");
  ASSERT_TRUE(leading.has_value());
  EXPECT_EQ(leading->share_name, "g");
  EXPECT_EQ(leading->filter, "/a");
}

TEST(ParseSharedSubscription, RefusesWhatIsNotAValidSharedFilter) {
  for (std::string_view filter :
       {"a/b", "$share", "$share/", "$share//x", "$share/g", "$share/g/", "$share/g+/x",
        "$share/#/x", "$SHARE/g/x", "share/g/x", "$sharex/g/x"}) {
    EXPECT_EQ(parse_shared_subscription(filter).has_value(), false) << filter;
  }
}

TEST(ParseSharedSubscription, AgreesWithCheckTopicFilterAt5) {
  for (std::string_view filter : {"$share/g/a", "$share//x", "$share/g", "$share/g/", "$share/g+/x",
                                  "$share/abc/#", "$share/x/+/y"}) {
    const bool parsed = parse_shared_subscription(filter).has_value();
    const bool valid = !check_topic_filter(filter, V::v5).has_value();
    EXPECT_EQ(parsed, valid) << filter;
  }
}

}  // namespace
}  // namespace gauntlet::codec

namespace gauntlet::codec {
namespace {

// "$share/" names a shared subscription at 5.0 only; before, it is an ordinary first level.
TEST(TopicMatches, SharePrefixIsSpecialAt5Only) {
  EXPECT_TRUE(topic_matches("$share/g/a", "$share/g/a", ProtocolVersion::v3_1_1));
  EXPECT_FALSE(topic_matches("$share/g/a", "a", ProtocolVersion::v3_1_1));
  EXPECT_TRUE(topic_matches("$share/g/a", "a", ProtocolVersion::v5));
  EXPECT_FALSE(topic_matches("$share/g/a", "$share/g/a", ProtocolVersion::v5));
}

}  // namespace
}  // namespace gauntlet::codec
