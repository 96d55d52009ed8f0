// parse_load: the model a valid "load" produces, every rule of docs/swarm.md ("Load scenarios")
// with its rule name and the exact line:column, and the shipped examples.
#include "gauntlet/swarm/load.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gauntlet/scenarios/parse.hpp"

namespace gauntlet::swarm {
namespace {

using scenarios::FileError;
using scenarios::SourceDocument;

/// The scenario and load of a text, or the first error (file "test.json").
std::variant<LoadPlan, FileError> parse_text(std::string_view text) {
  auto document = SourceDocument::parse("test.json", text);
  if (auto* error = std::get_if<FileError>(&document)) return *error;
  const auto& source = std::get<SourceDocument>(document);
  auto scenario = scenarios::parse_scenario(source);
  if (auto* error = std::get_if<FileError>(&scenario)) return *error;
  return parse_load(source, std::get<scenarios::Scenario>(scenario));
}

/// A scenario with client groups "pub" (4 members), "sub" (2, clean_start false), "fresh" (2,
/// clean_start true) and "v5" (3, protocol 5), a variable "prefix", and `load` on line 5 from
/// column 3:
///   line 1  {"name": "t",
///   line 2   "vars": {"prefix": "p/{run}"},
///   line 3   "clients": {...},
///   line 4   "load":
///   line 5    LOAD
///   line 6  }
std::string with_load(std::string_view load) {
  return std::string(
             "{\"name\": \"t\",\n"
             " \"vars\": {\"prefix\": \"p/{run}\"},\n"
             " \"clients\": {\"pub\": {\"count\": 4}, \"sub\": {\"count\": 2, \"clean_start\": "
             "false}, \"fresh\": {\"count\": 2}, \"v5\": {\"count\": 3, \"protocol\": \"5\"}},\n"
             " \"load\":\n"
             "  ") +
         std::string(load) + "\n}";
}

LoadPlan plan_of(std::string_view load) {
  auto result = parse_text(with_load(load));
  if (const auto* error = std::get_if<FileError>(&result)) {
    ADD_FAILURE() << "refused: " << error->to_string();
    return {};
  }
  return std::get<LoadPlan>(std::move(result));
}

/// Whether `load` is refused for `rule` at line 5, at the column where `at` starts in `load`
/// (the first occurrence of `at`).
::testing::AssertionResult refused(std::string_view load, std::string_view rule,
                                   std::string_view at) {
  const std::size_t offset = load.find(at);
  if (offset == std::string_view::npos)
    return ::testing::AssertionFailure() << "the test is wrong: no \"" << at << "\" in the load";
  const auto result = parse_text(with_load(load));
  const auto* error = std::get_if<FileError>(&result);
  if (error == nullptr) return ::testing::AssertionFailure() << "accepted, expected " << rule;
  const std::string wanted =
      "test.json:5:" + std::to_string(offset + 3) + ": error[" + std::string(rule) + "]";
  const std::string got = error->to_string();
  if (got.rfind(wanted, 0) != 0)
    return ::testing::AssertionFailure() << "expected " << wanted << "..., got " << got;
  return ::testing::AssertionSuccess() << got;
}

/// Whether the message of the error contains `part` (for the errors that must explain).
::testing::AssertionResult says(std::string_view load, std::string_view part) {
  const auto result = parse_text(with_load(load));
  const auto* error = std::get_if<FileError>(&result);
  if (error == nullptr) return ::testing::AssertionFailure() << "accepted";
  if (error->message.find(part) == std::string::npos)
    return ::testing::AssertionFailure() << "\"" << part << "\" not in: " << error->message;
  return ::testing::AssertionSuccess();
}

// --- the model
// ------------------------------------------------------------------------------------

TEST(ParseLoad, TheDesignExample) {
  const std::string text = R"({
  "name": "fleet", "protocol": "3.1.1",
  "vars": {"prefix": "fleet/{run}"},
  "clients": {
    "sensors": {"count": 1000, "id": "sensor-{i}"},
    "dashboards": {"count": 4, "clean_start": false, "id": "dash-{i}"},
    "workers": {"count": 8, "protocol": "5"}
  },
  "load": {
    "duration_s": 60,
    "drain_s": 5,
    "connect": {"rate": 2000},
    "groups": {
      "sensors": {"publish": {"topic": "{prefix}/{i}/temp", "qos": 1, "payload_size": 64, "retain": false,
                               "rate": {"per_client": 1}, "messages": 0, "start_s": 0}},
      "dashboards": {"subscribe": [{"filter": "{prefix}/+/temp", "qos": 1}],
                     "flap": {"every_s": 10, "down_s": 1, "fraction": 0.5, "graceful": false}},
      "workers": {"subscribe": [{"filter": "{prefix}/#", "qos": 1, "share": "pool"}]}
    },
    "faults": [{"at_s": 20, "drop": "dashboards", "fraction": 0.5}, {"at_s": 40, "restart_broker": true}],
    "slo": {"p99_latency_ms": 50, "loss": 0, "duplicates": 0, "connect_failures": 0},
    "source_addresses": 0,
    "reconnect": {"min_s": 0.1, "max_s": 5}
  }
})";
  auto result = parse_text(text);
  if (const auto* error = std::get_if<FileError>(&result)) FAIL() << error->to_string();
  const LoadPlan& plan = std::get<LoadPlan>(result);
  EXPECT_DOUBLE_EQ(plan.duration_s, 60);
  EXPECT_DOUBLE_EQ(plan.drain_s, 5);
  EXPECT_DOUBLE_EQ(plan.connect_rate.rate_at(0), 2000);
  ASSERT_EQ(plan.groups.size(), 3U);
  EXPECT_EQ(plan.groups[0].group, "sensors");  // as written
  EXPECT_EQ(plan.groups[0].position.line, 14U);
  EXPECT_EQ(plan.groups[0].position.column, 7U);

  const GroupLoad* sensors = plan.load_of("sensors");
  ASSERT_NE(sensors, nullptr);
  ASSERT_TRUE(sensors->publish.has_value());
  EXPECT_TRUE(sensors->subscriptions.empty());
  EXPECT_FALSE(sensors->flap.has_value());
  const PublishPlan& publish = *sensors->publish;
  EXPECT_EQ(publish.topic, "{prefix}/{i}/temp");
  EXPECT_EQ(publish.qos, 1U);
  EXPECT_EQ(publish.payload_size, 64U);
  EXPECT_FALSE(publish.retain);
  EXPECT_DOUBLE_EQ(publish.rate.rate_at(0), 1);
  EXPECT_DOUBLE_EQ(publish.rate.rate_at(1000), 1);
  EXPECT_FALSE(publish.rate.poisson);
  EXPECT_EQ(publish.messages, 0U);
  EXPECT_DOUBLE_EQ(publish.start_s, 0);

  const GroupLoad* dashboards = plan.load_of("dashboards");
  ASSERT_NE(dashboards, nullptr);
  ASSERT_EQ(dashboards->subscriptions.size(), 1U);
  EXPECT_EQ(dashboards->subscriptions[0].filter, "{prefix}/+/temp");
  EXPECT_EQ(dashboards->subscriptions[0].qos, 1U);
  EXPECT_EQ(dashboards->subscriptions[0].share, "");
  ASSERT_TRUE(dashboards->flap.has_value());
  EXPECT_DOUBLE_EQ(dashboards->flap->every_s, 10);
  EXPECT_DOUBLE_EQ(dashboards->flap->down_s, 1);
  EXPECT_DOUBLE_EQ(dashboards->flap->fraction, 0.5);
  EXPECT_FALSE(dashboards->flap->graceful);

  const GroupLoad* workers = plan.load_of("workers");
  ASSERT_NE(workers, nullptr);
  EXPECT_EQ(workers->subscriptions.at(0).share, "pool");
  EXPECT_EQ(plan.load_of("nobody"), nullptr);

  ASSERT_EQ(plan.faults.size(), 2U);
  EXPECT_EQ(plan.faults[0].kind, FaultPlan::Kind::drop);
  EXPECT_DOUBLE_EQ(plan.faults[0].at_s, 20);
  EXPECT_EQ(plan.faults[0].group, "dashboards");
  EXPECT_DOUBLE_EQ(plan.faults[0].fraction, 0.5);
  EXPECT_EQ(plan.faults[1].kind, FaultPlan::Kind::restart_broker);
  EXPECT_DOUBLE_EQ(plan.faults[1].at_s, 40);

  ASSERT_EQ(plan.slos.size(), 4U);
  EXPECT_EQ(plan.slos[0].name, "p99_latency_ms");
  EXPECT_DOUBLE_EQ(plan.slos[0].limit, 50);
  EXPECT_EQ(plan.slos[3].name, "connect_failures");
  EXPECT_EQ(plan.source_addresses, 0U);
  EXPECT_DOUBLE_EQ(plan.reconnect_min_s, 0.1);
  EXPECT_DOUBLE_EQ(plan.reconnect_max_s, 5);
}

TEST(ParseLoad, DefaultsAndIdleGroups) {
  // No groups: every client connects and idles.
  const LoadPlan plan = plan_of("{}");
  EXPECT_DOUBLE_EQ(plan.duration_s, 60);
  EXPECT_DOUBLE_EQ(plan.drain_s, 5);
  EXPECT_DOUBLE_EQ(plan.connect_rate.rate_at(0), 2000);
  EXPECT_TRUE(plan.groups.empty());
  EXPECT_TRUE(plan.faults.empty());
  EXPECT_TRUE(plan.slos.empty());
  EXPECT_DOUBLE_EQ(plan.reconnect_min_s, 0.1);
  EXPECT_DOUBLE_EQ(plan.reconnect_max_s, 5);
  // An entry with nothing in it is an idle group too.
  const LoadPlan idle = plan_of(R"({"groups": {"pub": {}}})");
  ASSERT_EQ(idle.groups.size(), 1U);
  EXPECT_FALSE(idle.groups[0].publish.has_value());
  // Publish defaults.
  const LoadPlan publish = plan_of(
      R"({"groups": {"pub": {"publish": {"topic": "t/{run}", "rate": {"per_client": 2}}}}})");
  const PublishPlan& p = *publish.groups.at(0).publish;
  EXPECT_EQ(p.qos, 0U);
  EXPECT_EQ(p.payload_size, 64U);
  EXPECT_FALSE(p.retain);
  EXPECT_EQ(p.messages, 0U);
  EXPECT_DOUBLE_EQ(p.start_s, 0);
  const LoadPlan flap = plan_of(R"({"groups": {"pub": {"flap": {}}}})");
  EXPECT_DOUBLE_EQ(flap.groups.at(0).flap->every_s, 10);
  EXPECT_DOUBLE_EQ(flap.groups.at(0).flap->down_s, 1);
  EXPECT_DOUBLE_EQ(flap.groups.at(0).flap->fraction, 1);
  const LoadPlan drop = plan_of(R"({"faults": [{"at_s": 1, "drop": "*"}]})");
  EXPECT_EQ(drop.faults.at(0).group, "");
  EXPECT_DOUBLE_EQ(drop.faults.at(0).fraction, 1);
}

const PublishPlan& publish_of(const LoadPlan& plan) {
  static const PublishPlan none;
  if (plan.groups.empty() || !plan.groups[0].publish) {
    ADD_FAILURE() << "no publish";
    return none;
  }
  return *plan.groups[0].publish;
}

std::string pub_rate(std::string_view rate) {
  return R"({"groups": {"pub": {"publish": {"topic": "t", "rate": )" + std::string(rate) + "}}}}";
}

TEST(ParseLoad, RatesPerClientAndPerGroup) {
  // "pub" has 4 clients: 100 per group is 25 per client.
  EXPECT_DOUBLE_EQ(publish_of(plan_of(pub_rate(R"({"per_group": 100})"))).rate.rate_at(3), 25);
  EXPECT_DOUBLE_EQ(publish_of(plan_of(pub_rate(R"({"per_client": 100})"))).rate.rate_at(3), 100);
  EXPECT_DOUBLE_EQ(publish_of(plan_of(pub_rate(R"({"per_client": 0.5})"))).rate.integral(10), 5);
}

TEST(ParseLoad, RampsGoFromRampFromToTheRate) {
  const RateCurve curve =
      publish_of(plan_of(pub_rate(R"({"per_client": 100, "ramp_from": 10, "ramp_s": 9})"))).rate;
  EXPECT_DOUBLE_EQ(curve.rate_at(0), 10);
  EXPECT_DOUBLE_EQ(curve.rate_at(4.5), 55);
  EXPECT_DOUBLE_EQ(curve.rate_at(9), 100);
  EXPECT_DOUBLE_EQ(curve.rate_at(100), 100);
  // ramp_from defaults to 0; a per_group ramp is split too.
  const RateCurve group = publish_of(plan_of(pub_rate(R"({"per_group": 400, "ramp_s": 10})"))).rate;
  EXPECT_DOUBLE_EQ(group.rate_at(0), 0);
  EXPECT_DOUBLE_EQ(group.rate_at(10), 100);
  EXPECT_DOUBLE_EQ(group.integral(10), 500);
  // The connect rate takes the same form.
  const LoadPlan plan = plan_of(R"({"connect": {"rate": 500, "ramp_from": 50, "ramp_s": 2}})");
  EXPECT_DOUBLE_EQ(plan.connect_rate.rate_at(0), 50);
  EXPECT_DOUBLE_EQ(plan.connect_rate.rate_at(2), 500);
}

TEST(ParseLoad, StepsJumpAtTheirTimes) {
  const RateCurve curve =
      publish_of(plan_of(pub_rate(R"({"per_client": [[0, 10], [30, 100], [40, 0]]})"))).rate;
  EXPECT_DOUBLE_EQ(curve.rate_at(0), 10);
  EXPECT_DOUBLE_EQ(curve.rate_at(29.999), 10);
  EXPECT_DOUBLE_EQ(curve.rate_at(30), 100);
  EXPECT_DOUBLE_EQ(curve.rate_at(39.999), 100);
  EXPECT_DOUBLE_EQ(curve.rate_at(40), 0);
  EXPECT_DOUBLE_EQ(curve.integral(100), 300 + 1000);
  // Nothing before the first step.
  const RateCurve late = publish_of(plan_of(pub_rate(R"({"per_group": [[5, 40]]})"))).rate;
  EXPECT_DOUBLE_EQ(late.rate_at(4.9), 0);
  EXPECT_DOUBLE_EQ(late.rate_at(5), 10);
  EXPECT_DOUBLE_EQ(late.integral(6), 10);
}

TEST(ParseLoad, Arrivals) {
  EXPECT_TRUE(
      publish_of(plan_of(pub_rate(R"({"per_client": 1, "arrivals": "poisson"})"))).rate.poisson);
  EXPECT_FALSE(
      publish_of(plan_of(pub_rate(R"({"per_client": 1, "arrivals": "uniform"})"))).rate.poisson);
}

TEST(ParseLoad, TemplatesOfTheLoad) {
  // {group}, {client}, {i}, {id}, {run} and vars everywhere; {random} in a publish topic.
  const LoadPlan plan = plan_of(
      R"({"groups": {"pub": {"publish": {"topic": "{prefix}/{group}/{client}/{i}/{id}/{random}", "rate": {"per_client": 1}}},)"
      R"( "sub": {"subscribe": [{"filter": "{prefix}/{group}/{i}/#", "qos": 1}]}}})");
  EXPECT_EQ(publish_of(plan).topic, "{prefix}/{group}/{client}/{i}/{id}/{random}");
  EXPECT_TRUE(refused(R"({"groups": {"sub": {"subscribe": [{"filter": "{random}/x"}]}}})",
                      "undefined-template", "\"{random}/x\""));
  EXPECT_TRUE(refused(
      R"({"groups": {"pub": {"publish": {"topic": "a/{nope}", "rate": {"per_client": 1}}}}})",
      "undefined-template", "\"a/{nope}\""));
  EXPECT_TRUE(
      refused(R"({"groups": {"pub": {"publish": {"topic": "a/{i", "rate": {"per_client": 1}}}}})",
              "undefined-template", "\"a/{i\""));
  EXPECT_TRUE(refused(R"({"groups": {"v5": {"subscribe": [{"filter": "a", "share": "{n}"}]}}})",
                      "undefined-template", "\"{n}\""));
}

// --- the rules, each at its position
// --------------------------------------------------------------

TEST(ParseLoadRules, AScenarioWithoutLoad) {
  const auto result = parse_text(
      R"({"name": "t", "clients": {"c": {}}, "steps": [{"client": "c", "connect": {}}]})");
  const auto* error = std::get_if<FileError>(&result);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->to_string(),
            "test.json:1:1: error[bad-value]: this scenario has no \"load\": it runs with "
            "`gauntlet run`");
}

TEST(ParseLoadRules, UnknownFields) {
  EXPECT_TRUE(refused(R"({"duration": 5})", "unknown-field", "\"duration\""));
  EXPECT_TRUE(refused(R"({"groups": {"pub": {"publsh": {}}}})", "unknown-field", "\"publsh\""));
  EXPECT_TRUE(refused(
      R"({"groups": {"pub": {"publish": {"topic": "t", "rate": {"per_client": 1}, "payload": "x"}}}})",
      "unknown-field", "\"payload\""));
  EXPECT_TRUE(refused(
      R"({"groups": {"pub": {"publish": {"topic": "t", "rate": {"per_client": 1, "burst": 2}}}}})",
      "unknown-field", "\"burst\""));
  EXPECT_TRUE(refused(R"({"groups": {"sub": {"subscribe": [{"filter": "a", "nl": true}]}}})",
                      "unknown-field", "\"nl\""));
  EXPECT_TRUE(
      refused(R"({"groups": {"pub": {"flap": {"every": 3}}}})", "unknown-field", "\"every\""));
  EXPECT_TRUE(refused(R"({"connect": {"rate": 5, "burst": 1}})", "unknown-field", "\"burst\""));
  EXPECT_TRUE(refused(R"({"reconnect": {"min": 1}})", "unknown-field", "\"min\""));
  EXPECT_TRUE(refused(R"({"slo": {"p98_latency_ms": 5}})", "unknown-field", "\"p98_latency_ms\""));
  EXPECT_TRUE(says(R"({"slo": {"p98_latency_ms": 5}})", "p99_latency_ms"));
  EXPECT_TRUE(refused(R"({"faults": [{"at_s": 1, "restart_broker": true, "fraction": 0.5}]})",
                      "unknown-field", "\"fraction\""));
}

TEST(ParseLoadRules, UnknownGroups) {
  EXPECT_TRUE(refused(R"({"groups": {"pub": {}, "nobody": {}}})", "unknown-group", "\"nobody\""));
  EXPECT_TRUE(says(R"({"groups": {"nobody": {}}})", "defined: pub, sub, fresh, v5"));
  EXPECT_TRUE(
      refused(R"({"faults": [{"at_s": 1, "drop": "nobody"}]})", "unknown-group", "\"nobody\""));
}

TEST(ParseLoadRules, MissingFields) {
  EXPECT_TRUE(refused(R"({"groups": {"pub": {"publish": {"rate": {"per_client": 1}}}}})",
                      "missing-field", "{\"rate\""));
  EXPECT_TRUE(refused(R"({"groups": {"pub": {"publish": {"topic": "t"}}}})", "missing-field",
                      "{\"topic\""));
  EXPECT_TRUE(refused(R"({"groups": {"pub": {"publish": {"topic": "t", "rate": {}}}}})",
                      "missing-field", "{}"));
  EXPECT_TRUE(
      refused(R"({"groups": {"sub": {"subscribe": [{"qos": 1}]}}})", "missing-field", "{\"qos\""));
  EXPECT_TRUE(refused(R"({"connect": {"ramp_s": 1}})", "missing-field", "{\"ramp_s\""));
  EXPECT_TRUE(
      refused(R"({"connect": {"rate": 10, "ramp_from": 1}})", "missing-field", "{\"rate\""));
  EXPECT_TRUE(refused(R"({"faults": [{"drop": "pub"}]})", "missing-field", "{\"drop\""));
  EXPECT_TRUE(refused(R"({"faults": [{"at_s": 1}]})", "missing-field", "{\"at_s\""));
}

TEST(ParseLoadRules, WrongTypes) {
  EXPECT_TRUE(refused(R"({"duration_s": "5"})", "wrong-type", "\"5\""));
  EXPECT_TRUE(refused(R"({"groups": []})", "wrong-type", "[]"));
  EXPECT_TRUE(refused(R"({"groups": {"sub": {"subscribe": {"filter": "a"}}}})", "wrong-type",
                      "{\"filter\""));
  EXPECT_TRUE(refused(R"({"groups": {"sub": {"subscribe": ["a/b"]}}})", "wrong-type", "\"a/b\""));
  EXPECT_TRUE(refused(pub_rate(R"({"per_client": "fast"})"), "wrong-type", "\"fast\""));
  EXPECT_TRUE(refused(pub_rate(R"({"per_client": [[0, 1], [2]]})"), "wrong-type", "[2]"));
  EXPECT_TRUE(refused(
      R"({"groups": {"pub": {"publish": {"topic": "t", "retain": 1, "rate": {"per_client": 1}}}}})",
      "wrong-type", "1,"));
  EXPECT_TRUE(refused(R"({"faults": {}})", "wrong-type", "{}"));
  EXPECT_TRUE(
      refused(R"({"faults": [{"at_s": 1, "restart_broker": "yes"}]})", "wrong-type", "\"yes\""));
  EXPECT_TRUE(refused(R"({"slo": {"loss": "none"}})", "wrong-type", "\"none\""));
}

TEST(ParseLoadRules, Durations) {
  EXPECT_TRUE(refused(R"({"duration_s": 0})", "bad-value", "0"));
  EXPECT_TRUE(refused(R"({"duration_s": -3})", "bad-value", "-3"));
  EXPECT_TRUE(refused(R"({"duration_s": 604801})", "bad-value", "604801"));
  EXPECT_TRUE(refused(R"({"drain_s": -0.5})", "bad-value", "-0.5"));
  EXPECT_DOUBLE_EQ(plan_of(R"({"duration_s": 604800, "drain_s": 0})").drain_s, 0);
  EXPECT_DOUBLE_EQ(plan_of(R"({"duration_s": 0.5})").duration_s, 0.5);
}

TEST(ParseLoadRules, PayloadAndQos) {
  const auto publish = [](std::string_view fields) {
    return R"({"groups": {"pub": {"publish": {"topic": "t", "rate": {"per_client": 1}, )" +
           std::string(fields) + "}}}}";
  };
  EXPECT_TRUE(refused(publish(R"("payload_size": 23)"), "bad-value", "23"));
  EXPECT_TRUE(says(publish(R"("payload_size": 23)"), "stamp"));
  EXPECT_TRUE(refused(publish(R"("payload_size": 268435456)"), "bad-value", "268435456"));
  EXPECT_EQ(publish_of(plan_of(publish(R"("payload_size": 24)"))).payload_size, 24U);
  EXPECT_EQ(publish_of(plan_of(publish(R"("payload_size": 268435455)"))).payload_size, 268435455U);
  EXPECT_TRUE(refused(publish(R"("qos": 3)"), "bad-value", "3}"));
  EXPECT_TRUE(refused(publish(R"("qos": -1)"), "bad-value", "-1"));
  EXPECT_TRUE(refused(R"({"groups": {"sub": {"subscribe": [{"filter": "a", "qos": 3}]}}})",
                      "bad-value", "3}"));
  EXPECT_TRUE(refused(publish(R"("messages": -1)"), "bad-value", "-1"));
  EXPECT_EQ(publish_of(plan_of(publish(R"("messages": 10)"))).messages, 10U);
}

TEST(ParseLoadRules, Rates) {
  EXPECT_TRUE(refused(pub_rate(R"({"per_client": 0})"), "bad-value", "0}"));
  EXPECT_TRUE(refused(pub_rate(R"({"per_client": -2})"), "bad-value", "-2"));
  EXPECT_TRUE(
      refused(pub_rate(R"({"per_client": 1, "per_group": 2})"), "bad-value", "\"per_group\""));
  EXPECT_TRUE(
      refused(pub_rate(R"({"per_client": [[0, 1]], "ramp_s": 2})"), "bad-value", "\"ramp_s\""));
  EXPECT_TRUE(refused(pub_rate(R"({"per_client": 5, "ramp_s": 0})"), "bad-value", "0}"));
  EXPECT_TRUE(
      refused(pub_rate(R"({"per_client": 5, "ramp_s": 2, "ramp_from": -1})"), "bad-value", "-1"));
  EXPECT_TRUE(
      refused(pub_rate(R"({"per_client": 5, "arrivals": "bursty"})"), "bad-value", "\"bursty\""));
  EXPECT_TRUE(refused(pub_rate(R"({"per_client": []})"), "bad-value", "[]"));
  EXPECT_TRUE(
      refused(pub_rate(R"({"per_client": [[0, 1], [5, 2], [5, 3]]})"), "bad-value", "5, 3"));
  EXPECT_TRUE(refused(pub_rate(R"({"per_client": [[0, 1], [-1, 2]]})"), "bad-value", "-1"));
  EXPECT_TRUE(refused(pub_rate(R"({"per_client": [[0, 1], [3, -2]]})"), "bad-value", "-2"));
  EXPECT_TRUE(refused(pub_rate(R"({"per_client": [[0, 0], [3, 0]]})"), "bad-value", "[[0, 0]"));
  EXPECT_TRUE(refused(R"({"connect": {"rate": 0}})", "bad-value", "0}"));
}

TEST(ParseLoadRules, TopicsAndFilters) {
  EXPECT_TRUE(
      refused(R"({"groups": {"pub": {"publish": {"topic": "a/+/b", "rate": {"per_client": 1}}}}})",
              "bad-value", "\"a/+/b\""));
  EXPECT_TRUE(
      refused(R"({"groups": {"pub": {"publish": {"topic": "", "rate": {"per_client": 1}}}}})",
              "bad-value", "\"\""));
  EXPECT_TRUE(refused(R"({"groups": {"sub": {"subscribe": [{"filter": "a/#/b"}]}}})", "bad-value",
                      "\"a/#/b\""));
  EXPECT_TRUE(refused(R"({"groups": {"sub": {"subscribe": [{"filter": "a/b+"}]}}})", "bad-value",
                      "\"a/b+\""));
  EXPECT_TRUE(
      refused(R"({"groups": {"sub": {"subscribe": [{"filter": ""}]}}})", "bad-value", "\"\""));
  EXPECT_TRUE(refused(R"({"groups": {"v5": {"subscribe": [{"filter": "$share/g/a"}]}}})",
                      "bad-value", "\"$share/g/a\""));
  EXPECT_TRUE(refused(R"({"groups": {"sub": {"subscribe": []}}})", "bad-value", "[]"));
  EXPECT_EQ(plan_of(R"({"groups": {"sub": {"subscribe": [{"filter": "#"}, {"filter": "+/x/+"}]}}})")
                .groups.at(0)
                .subscriptions.size(),
            2U);
}

TEST(ParseLoadRules, SharedSubscriptionsNeedProtocol5) {
  EXPECT_TRUE(
      refused(R"({"groups": {"sub": {"subscribe": [{"filter": "a", "qos": 1, "share": "pool"}]}}})",
              "bad-value", "\"pool\""));
  EXPECT_TRUE(says(R"({"groups": {"sub": {"subscribe": [{"filter": "a", "share": "pool"}]}}})",
                   "MQTT 5.0"));
  EXPECT_TRUE(refused(R"({"groups": {"v5": {"subscribe": [{"filter": "a", "share": "a/b"}]}}})",
                      "bad-value", "\"a/b\""));
  EXPECT_TRUE(refused(R"({"groups": {"v5": {"subscribe": [{"filter": "a", "share": ""}]}}})",
                      "bad-value", "\"\""));
  EXPECT_EQ(plan_of(R"({"groups": {"v5": {"subscribe": [{"filter": "a", "share": "pool"}]}}})")
                .groups.at(0)
                .subscriptions.at(0)
                .share,
            "pool");
}

TEST(ParseLoadRules, FlappingSubscribersNeedAPersistentSession) {
  // "fresh" starts clean every time: what is published while it is away is lost.
  EXPECT_TRUE(
      refused(R"({"groups": {"fresh": {"subscribe": [{"filter": "a", "qos": 1}], "flap": {}}}})",
              "bad-value", "{}}"));
  EXPECT_TRUE(
      says(R"({"groups": {"fresh": {"subscribe": [{"filter": "a", "qos": 1}], "flap": {}}}})",
           "persistent session"));
  // "sub" keeps its session, but QoS 0 messages are not queued.
  EXPECT_TRUE(refused(
      R"({"groups": {"sub": {"subscribe": [{"filter": "a", "qos": 1}, {"filter": "b", "qos": 0}], "flap": {}}}})",
      "bad-value", "0}"));
  EXPECT_TRUE(refused(R"({"groups": {"sub": {"subscribe": [{"filter": "b"}], "flap": {}}}})",
                      "bad-value", "{\"filter\""));
  // Fine: a persistent session at QoS 1, or a flapping group that only publishes.
  EXPECT_TRUE(
      plan_of(R"({"groups": {"sub": {"subscribe": [{"filter": "a", "qos": 1}], "flap": {}}}})")
          .groups.at(0)
          .flap.has_value());
  EXPECT_TRUE(
      plan_of(R"({"groups": {"fresh": {"flap": {"every_s": 3}}}})").groups.at(0).flap.has_value());
}

TEST(ParseLoadRules, Flapping5SubscribersNeedASessionExpiryInterval) {
  // A 5.0 session ends with its connection unless the client sets a Session Expiry Interval.
  const auto text = [](std::string_view properties) {
    return "{\"name\": \"t\",\n"
           " \"clients\": {\"s\": {\"protocol\": \"5\", \"clean_start\": false" +
           std::string(properties) +
           "}},\n"
           " \"load\": {\"groups\": {\"s\": {\"subscribe\": [{\"filter\": \"a\", \"qos\": 1}], "
           "\"flap\": {}}}}}";
  };
  const auto without = parse_text(text(""));
  ASSERT_TRUE(std::holds_alternative<FileError>(without));
  EXPECT_EQ(std::get<FileError>(without).rule, "bad-value");
  EXPECT_EQ(std::get<FileError>(without).position.line, 3U);
  EXPECT_EQ(std::get<FileError>(without).position.column, 78U);
  EXPECT_NE(std::get<FileError>(without).message.find("session_expiry_interval"),
            std::string::npos);
  EXPECT_TRUE(std::holds_alternative<FileError>(
      parse_text(text(R"(, "properties": {"session_expiry_interval": 0})"))));
  const auto with = parse_text(text(R"(, "properties": {"session_expiry_interval": 60})"));
  EXPECT_TRUE(std::holds_alternative<LoadPlan>(with)) << std::get<FileError>(with).to_string();
}

TEST(ParseLoadRules, FlapValues) {
  EXPECT_TRUE(refused(R"({"groups": {"pub": {"flap": {"every_s": 0}}}})", "bad-value", "0}"));
  EXPECT_TRUE(
      refused(R"({"groups": {"pub": {"flap": {"every_s": 2, "down_s": 2}}}})", "bad-value", "2}"));
  EXPECT_TRUE(refused(R"({"groups": {"pub": {"flap": {"every_s": 0.5}}}})", "bad-value", "0.5"));
  EXPECT_TRUE(refused(R"({"groups": {"pub": {"flap": {"down_s": -1}}}})", "bad-value", "-1"));
  EXPECT_TRUE(refused(R"({"groups": {"pub": {"flap": {"fraction": 0}}}})", "bad-value", "0}"));
  EXPECT_TRUE(refused(R"({"groups": {"pub": {"flap": {"fraction": 1.5}}}})", "bad-value", "1.5"));
  EXPECT_TRUE(
      refused(R"({"groups": {"pub": {"flap": {"graceful": "yes"}}}})", "wrong-type", "\"yes\""));
}

TEST(ParseLoadRules, Faults) {
  EXPECT_TRUE(refused(R"({"faults": [{"at_s": 1, "drop": "pub", "restart_broker": true}]})",
                      "bad-value", "{\"at_s\""));
  EXPECT_TRUE(
      refused(R"({"faults": [{"at_s": 1, "restart_broker": false}]})", "bad-value", "false"));
  EXPECT_TRUE(refused(R"({"duration_s": 10, "faults": [{"at_s": 10, "drop": "*"}]})", "bad-value",
                      "10, \"drop\""));
  EXPECT_TRUE(refused(R"({"faults": [{"at_s": -1, "drop": "*"}]})", "bad-value", "-1"));
  EXPECT_TRUE(
      refused(R"({"faults": [{"at_s": 1, "drop": "*", "fraction": 2}]})", "bad-value", "2}"));
  // Dropping subscribers that start clean loses messages by design.
  EXPECT_TRUE(refused(
      R"({"groups": {"fresh": {"subscribe": [{"filter": "a", "qos": 1}]}}, "faults": [{"at_s": 1, "drop": "*"}]})",
      "bad-value", "\"*\""));
  EXPECT_TRUE(says(
      R"({"groups": {"fresh": {"subscribe": [{"filter": "a", "qos": 1}]}}, "faults": [{"at_s": 1, "drop": "fresh"}]})",
      "\"fresh\""));
  EXPECT_TRUE(refused(
      R"({"groups": {"sub": {"subscribe": [{"filter": "a"}]}}, "faults": [{"at_s": 1, "drop": "sub"}]})",
      "bad-value", "\"sub\"}"));
  // Dropping another group is fine.
  EXPECT_EQ(
      plan_of(
          R"({"groups": {"fresh": {"subscribe": [{"filter": "a", "qos": 1}]}}, "faults": [{"at_s": 1, "drop": "pub"}]})")
          .faults.size(),
      1U);
}

TEST(ParseLoadRules, SlosStartTimesAddressesBackoffAndBatching) {
  EXPECT_TRUE(refused(R"({"slo": {"loss": -1}})", "bad-value", "-1"));
  EXPECT_EQ(plan_of(R"({"slo": {"max_latency_ms": 1.5, "subscribe_failures": 0}})").slos.size(),
            2U);
  EXPECT_TRUE(refused(
      R"({"duration_s": 5, "groups": {"pub": {"publish": {"topic": "t", "rate": {"per_client": 1}, "start_s": 5}}}})",
      "bad-value", "5}"));
  EXPECT_TRUE(refused(R"({"source_addresses": 255})", "bad-value", "255"));
  EXPECT_TRUE(refused(R"({"source_addresses": 1.5})", "wrong-type", "1.5"));
  EXPECT_EQ(plan_of(R"({"source_addresses": 8})").source_addresses, 8U);
  EXPECT_EQ(plan_of("{}").batch_us, 0U);
  EXPECT_EQ(plan_of(R"({"batch_us": 500})").batch_us, 500U);
  EXPECT_TRUE(refused(R"({"batch_us": 100001})", "bad-value", "100001"));
  EXPECT_TRUE(refused(R"({"batch_us": -1})", "bad-value", "-1"));
  EXPECT_TRUE(refused(R"({"batch_us": 0.5})", "wrong-type", "0.5"));
  EXPECT_TRUE(refused(R"({"reconnect": {"min_s": 2, "max_s": 1}})", "bad-value", "1}"));
  EXPECT_TRUE(refused(R"({"reconnect": {"min_s": 6}})", "bad-value", "6"));
  EXPECT_TRUE(refused(R"({"reconnect": {"min_s": 0}})", "bad-value", "0}"));
}

TEST(ParseLoadRules, CredentialsFileGivesEachMemberItsOwnLine) {
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("gauntlet-load-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(folder / name) << text;
    return (folder / name).string();
  };
  const std::string good =
      write("users.txt", "# users of the pub group\nann:one\n\nbob:two:with:colons\r\ncy:\ndi:4\n");
  const LoadPlan plan = plan_of(R"({"groups": {"pub": {"credentials_file": ")" + good + R"("}}})");
  ASSERT_EQ(plan.groups.size(), 1U);
  const std::vector<Credential>& users = plan.groups[0].credentials;
  ASSERT_EQ(users.size(), 4U);
  EXPECT_EQ(users[0].username, "ann");
  EXPECT_EQ(users[1].password, "two:with:colons");  // the first ':' splits; CR LF lines work
  EXPECT_EQ(users[2].password, "");
  EXPECT_EQ(users[3].username, "di");

  // "pub" has 4 members: 3 lines are too few; the error is at the key's value.
  const std::string short_file = write("short.txt", "a:1\nb:2\nc:3\n");
  EXPECT_TRUE(refused(R"({"groups": {"pub": {"credentials_file": ")" + short_file + R"("}}})",
                      "bad-value", "\"" + short_file));
  EXPECT_TRUE(refused(
      R"({"groups": {"pub": {"credentials_file": ")" + (folder / "absent").string() + R"("}}})",
      "bad-value", "\"" + (folder / "absent").string()));
  // A line without "user:" is an error at that line of the credentials file.
  const std::string bad = write("bad.txt", "a:1\n# fine\nno-colon\nd:4\n");
  auto result =
      parse_text(with_load(R"({"groups": {"pub": {"credentials_file": ")" + bad + R"("}}})"));
  ASSERT_TRUE(std::holds_alternative<FileError>(result));
  const FileError& error = std::get<FileError>(result);
  EXPECT_EQ(error.position.file, bad);
  EXPECT_EQ(error.position.line, 3U);
  EXPECT_EQ(error.rule, "bad-value");
  EXPECT_NE(error.message.find("username:password"), std::string::npos) << error.message;
  std::filesystem::remove_all(folder);
}

TEST(ParseLoadRules, ClientCertificatesAreTemplatesBesideTheScenario) {
  const LoadPlan plan = plan_of(
      R"({"groups": {"pub": {"client_certificates": {"cert": "/pki/{group}-{i}.crt", "key": "k/{i}.key"}}}})");
  ASSERT_TRUE(plan.groups[0].certificates);
  EXPECT_EQ(plan.groups[0].certificates->cert, "/pki/{group}-{i}.crt");
  EXPECT_EQ(plan.groups[0].certificates->key, "k/{i}.key");  // test.json has no folder
  EXPECT_TRUE(refused(
      R"({"groups": {"pub": {"client_certificates": {"cert": "c-{nope}.crt", "key": "k"}}}})",
      "undefined-template", "\"c-{nope}"));
  EXPECT_TRUE(refused(R"({"groups": {"pub": {"client_certificates": {"cert": "c.crt"}}}})",
                      "missing-field", "{\"cert\""));
  EXPECT_TRUE(refused(
      R"({"groups": {"pub": {"client_certificates": {"cert": "c", "key": "k", "ca": "x"}}}})",
      "unknown-field", "\"ca\""));
}

// --- files
// ----------------------------------------------------------------------------------------

TEST(LoadScenarioFiles, EveryShippedExampleParses) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(SWARM_LOAD_EXAMPLES))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  EXPECT_GE(files.size(), 4U);
  for (const auto& file : files) {
    auto loaded = load_load_scenario(file.string());
    if (const auto* error = std::get_if<FileError>(&loaded)) {
      ADD_FAILURE() << error->to_string();
      continue;
    }
    const LoadScenario& scenario = std::get<LoadScenario>(loaded);
    EXPECT_TRUE(scenario.scenario.load) << file;
    EXPECT_EQ(scenario.scenario.name, file.stem().string());
    EXPECT_LE(scenario.plan.duration_s, 5) << file << ": examples run in a few seconds";
  }
}

TEST(LoadScenarioFiles, TheExampleOfTheDocumentationParses) {
  std::ifstream file(SWARM_DOCS);
  ASSERT_TRUE(file) << SWARM_DOCS;
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const std::size_t start = text.find("```json\n");
  ASSERT_NE(start, std::string::npos);
  const std::size_t end = text.find("```", start + 8);
  auto result = parse_text(text.substr(start + 8, end - start - 8));
  if (const auto* error = std::get_if<FileError>(&result)) FAIL() << error->to_string();
  const LoadPlan& plan = std::get<LoadPlan>(result);
  EXPECT_EQ(plan.groups.size(), 3U);
  EXPECT_EQ(plan.faults.size(), 2U);
  EXPECT_EQ(plan.slos.size(), 4U);
}

TEST(LoadScenarioFiles, AStepsScenarioOrAMissingFileIsAnError) {
  auto steps = load_load_scenario(std::string(SWARM_LOAD_EXAMPLES) +
                                  "/../tutorials/tutorial-temperature-3.1.1.json");
  ASSERT_TRUE(std::holds_alternative<FileError>(steps));
  EXPECT_EQ(std::get<FileError>(steps).rule, "bad-value");
  EXPECT_NE(std::get<FileError>(steps).message.find("gauntlet run"), std::string::npos);
  auto missing = load_load_scenario("/nonexistent/load.json");
  ASSERT_TRUE(std::holds_alternative<FileError>(missing));
}

}  // namespace
}  // namespace gauntlet::swarm
