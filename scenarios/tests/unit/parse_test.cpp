// parse_scenario: the model a valid file produces, and every rule of docs/scenarios.md ("Errors in
// a file") with the exact line:column of the error. Also parse_reason_code.
#include "gauntlet/scenarios/parse.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "test_support.hpp"

namespace gauntlet::scenarios {
namespace {

using codec::PacketType;
using codec::ProtocolVersion;
using testing::accepted;
using testing::data_path;
using testing::refused;
using testing::with_step;

std::string at(const SourcePosition& position) {
  return position.to_string();
}

// --- a valid file: the model --------------------------------------------------------------------

class FullScenario : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = load_scenario(file_);
    if (const auto* error = std::get_if<FileError>(&loaded)) FAIL() << error->to_string();
    scenario_ = std::get<Scenario>(std::move(loaded));
  }
  const std::string file_ = data_path("full.json");
  Scenario scenario_;
};

TEST_F(FullScenario, TopLevelFields) {
  EXPECT_EQ(scenario_.file, file_);
  EXPECT_EQ(scenario_.name, "full-scenario_1.0");
  EXPECT_EQ(scenario_.title, "Everything the language has");
  EXPECT_EQ(scenario_.description, "A parser test");
  EXPECT_EQ(scenario_.spec, (std::vector<std::string>{"MQTT-3.1.2-3", "MQTT-3.3.1-1"}));
  EXPECT_EQ(scenario_.version, ProtocolVersion::v5);
  EXPECT_EQ(scenario_.requires_capabilities, (std::vector<std::string>{"retain", "qos2"}));
  EXPECT_EQ(scenario_.timeout, Milliseconds(2500));
  EXPECT_TRUE(scenario_.allow_findings);
  // In the order written: each may use the ones before it.
  EXPECT_EQ(scenario_.variables, (std::vector<std::pair<std::string, std::string>>{
                                     {"topic", "gauntlet/{run}/t"}, {"deep", "{topic}/deep"}}));
}

TEST_F(FullScenario, ClientWithDefaults) {
  ASSERT_EQ(scenario_.clients.size(), 2U);
  const ClientGroup& pub = scenario_.clients[0];
  EXPECT_EQ(pub.name, "pub");
  EXPECT_EQ(at(pub.position), file_ + ":13:5");
  EXPECT_EQ(pub.count, 1U);
  EXPECT_EQ(pub.id_template, "gauntlet-{run}-{client}-{i}");
  EXPECT_EQ(pub.endpoint, "plain");
  EXPECT_EQ(pub.credentials, "");
  EXPECT_EQ(pub.username, std::nullopt);
  EXPECT_EQ(pub.password, std::nullopt);
  EXPECT_EQ(pub.version, ProtocolVersion::v5) << "a client inherits the scenario's protocol";
  EXPECT_TRUE(pub.clean_start);
  EXPECT_EQ(pub.keep_alive_s, 60);
  EXPECT_EQ(pub.properties, Json::object());
  EXPECT_TRUE(pub.will.is_null());
  EXPECT_EQ(pub.tls.ca, "profile");
  EXPECT_EQ(pub.tls.client_certificate, std::nullopt);
  EXPECT_EQ(pub.tls.server_name, "");
  EXPECT_TRUE(pub.tls.verify);
  EXPECT_FALSE(pub.topic_aliases);
  EXPECT_TRUE(pub.strict);
}

TEST_F(FullScenario, ClientWithEveryField) {
  ASSERT_EQ(scenario_.clients.size(), 2U);
  const ClientGroup& subs = scenario_.clients[1];
  EXPECT_EQ(subs.name, "subs");
  EXPECT_EQ(at(subs.position), file_ + ":14:5");
  EXPECT_EQ(subs.count, 3U);
  EXPECT_EQ(subs.id_template, "sub-{run}-{i}");
  EXPECT_EQ(subs.endpoint, "mtls");
  EXPECT_EQ(subs.credentials, "valid");
  EXPECT_EQ(subs.username, "user-{i}");
  EXPECT_EQ(subs.password, "pw");
  EXPECT_EQ(subs.version, ProtocolVersion::v3_1_1);
  EXPECT_FALSE(subs.clean_start);
  EXPECT_EQ(subs.keep_alive_s, 0);
  EXPECT_EQ(subs.properties, Json::parse(R"({"session_expiry_interval": 300})"));
  EXPECT_EQ(
      subs.will,
      Json::parse(R"({"topic": "{topic}/will", "payload": "gone", "qos": 1, "retain": true})"));
  EXPECT_EQ(subs.tls.ca, "other");
  EXPECT_EQ(subs.tls.client_certificate, false);
  EXPECT_EQ(subs.tls.server_name, "broker.local");
  EXPECT_FALSE(subs.tls.verify);
  EXPECT_TRUE(subs.topic_aliases);
  EXPECT_FALSE(subs.strict);
}

TEST_F(FullScenario, GroupLookup) {
  ASSERT_NE(scenario_.group("subs"), nullptr);
  EXPECT_EQ(scenario_.group("subs")->count, 3U);
  EXPECT_EQ(scenario_.group("nobody"), nullptr);
}

TEST_F(FullScenario, StepKindsInOrder) {
  std::vector<StepKind> kinds;
  for (const Step& step : scenario_.steps)
    kinds.push_back(step.kind);
  EXPECT_EQ(kinds, (std::vector<StepKind>{
                       StepKind::connect, StepKind::subscribe, StepKind::publish, StepKind::expect,
                       StepKind::loop, StepKind::parallel, StepKind::expect_none, StepKind::send,
                       StepKind::unsubscribe, StepKind::auth, StepKind::disconnect}));
}

TEST_F(FullScenario, ConnectStep) {
  const Step& step = scenario_.steps.at(0);
  EXPECT_EQ(step.path, "/steps/0");
  EXPECT_EQ(at(step.position), file_ + ":32:5");
  EXPECT_EQ(step.client, "pub");
  EXPECT_EQ(step.member, std::nullopt);
  EXPECT_EQ(step.label, "");
  EXPECT_EQ(step.within, std::nullopt);
  EXPECT_EQ(step.count, 1U);
  EXPECT_FALSE(step.in_order);
  EXPECT_TRUE(step.expect.is_null()) << "no expect: the action's default outcome";
  EXPECT_EQ(step.arguments,
            Json::parse(R"({"clean_start": false, "properties": {"receive_maximum": 10}})"));
}

TEST_F(FullScenario, MemberLabelWithin) {
  const Step& step = scenario_.steps.at(1);
  EXPECT_EQ(step.path, "/steps/1");
  EXPECT_EQ(at(step.position), file_ + ":33:5");
  EXPECT_EQ(step.client, "subs");
  EXPECT_EQ(step.member, 2U);
  EXPECT_EQ(step.label, "first sub");
  EXPECT_EQ(step.within, Milliseconds(700));
  EXPECT_EQ(step.arguments, Json::parse(R"([{"topic": "{deep}", "qos": 1}, "plain/{run}"])"));
}

TEST_F(FullScenario, PublishWithCountAndOutcome) {
  const Step& step = scenario_.steps.at(2);
  EXPECT_EQ(step.count, 5U);
  EXPECT_EQ(step.arguments,
            Json::parse(R"({"topic": "{topic}", "payload": "x", "qos": 2, "retain": true})"));
  EXPECT_EQ(step.expect, Json::parse(R"({"pubrec": {"reason_code": "success"}})"));
}

TEST_F(FullScenario, ExpectListInOrderWithCount) {
  const Step& step = scenario_.steps.at(3);
  EXPECT_TRUE(step.in_order);
  EXPECT_EQ(step.count, 2U);
  ASSERT_TRUE(step.arguments.is_array());
  EXPECT_EQ(step.arguments.size(), 2U);
  EXPECT_TRUE(step.expect.is_null()) << "an expect step's matchers are its arguments";
}

TEST_F(FullScenario, LoopChildrenAndVariables) {
  const Step& loop = scenario_.steps.at(4);
  EXPECT_EQ(at(loop.position), file_ + ":39:5");
  EXPECT_EQ(loop.count, 3U);
  EXPECT_EQ(loop.loop_variable, "k");
  EXPECT_EQ(loop.client, "");
  ASSERT_EQ(loop.children.size(), 1U);
  ASSERT_EQ(loop.children[0].size(), 2U);
  EXPECT_EQ(loop.children[0][0].kind, StepKind::publish);
  EXPECT_EQ(loop.children[0][0].path, "/steps/4/loop/steps/0");
  const Step& inner = loop.children[0][1];
  EXPECT_EQ(inner.kind, StepKind::loop);
  EXPECT_EQ(inner.path, "/steps/4/loop/steps/1");
  EXPECT_EQ(at(inner.position), file_ + ":41:7");
  EXPECT_EQ(inner.count, 2U);
  EXPECT_EQ(inner.loop_variable, "n") << "the default loop variable";
  ASSERT_EQ(inner.children.size(), 1U);
  ASSERT_EQ(inner.children[0].size(), 1U);
  EXPECT_EQ(inner.children[0][0].arguments["topic"], "{topic}/{k}/{n}");
}

TEST_F(FullScenario, ParallelBranchesAndBarrierCounts) {
  const Step& parallel = scenario_.steps.at(5);
  EXPECT_EQ(at(parallel.position), file_ + ":43:5");
  EXPECT_EQ(parallel.label, "together");
  EXPECT_EQ(parallel.client, "");
  ASSERT_EQ(parallel.children.size(), 3U);
  EXPECT_EQ(parallel.children[0].size(), 3U);
  ASSERT_EQ(parallel.children[1].size(), 1U) << "a branch given as one step";
  EXPECT_EQ(parallel.children[1][0].kind, StepKind::barrier);
  EXPECT_EQ(parallel.children[1][0].arguments, "b1");
  EXPECT_EQ(parallel.children[1][0].path, "/steps/5/parallel/1");
  EXPECT_EQ(parallel.children[2].size(), 2U);
  // b1 is in every branch (in the third inside a loop); b2 only in the first. The nested parallel's
  // barrier belongs to it alone.
  EXPECT_EQ(parallel.arguments, (Json{{"barriers", Json{{"b1", 3}, {"b2", 1}}}}));
  const Step& nested = parallel.children[2][1];
  EXPECT_EQ(nested.kind, StepKind::parallel);
  EXPECT_EQ(nested.path, "/steps/5/parallel/2/1");
  EXPECT_EQ(nested.arguments, (Json{{"barriers", Json{{"inner", 2}}}}));
}

TEST_F(FullScenario, RemainingSteps) {
  EXPECT_EQ(scenario_.steps.at(6).within, Milliseconds(300));
  EXPECT_EQ(scenario_.steps.at(6).arguments, Json::parse(R"({"publish": {}})"));
  EXPECT_EQ(scenario_.steps.at(7).arguments, Json::parse(R"({"hex": "c0 00"})"));
  EXPECT_EQ(scenario_.steps.at(8).arguments, Json::parse(R"(["{topic}"])"));
  EXPECT_EQ(scenario_.steps.at(9).arguments, Json::parse(R"({"reason_code": "re_authenticate"})"));
  EXPECT_EQ(at(scenario_.steps.at(10).position), file_ + ":53:5");
}

TEST(ParseScenario, MinimalScenarioDefaults) {
  const Scenario scenario =
      testing::scenario(R"({"name": "min", "clients": {"c": {}}, "steps": []})");
  EXPECT_EQ(scenario.file, "test.json");
  EXPECT_EQ(scenario.title, "min") << "the title defaults to the name";
  EXPECT_EQ(scenario.description, "");
  EXPECT_TRUE(scenario.spec.empty());
  EXPECT_EQ(scenario.version, ProtocolVersion::v3_1_1);
  EXPECT_TRUE(scenario.requires_capabilities.empty());
  EXPECT_EQ(scenario.timeout, Milliseconds(5000));
  EXPECT_TRUE(scenario.variables.empty());
  EXPECT_FALSE(scenario.allow_findings);
  EXPECT_TRUE(scenario.steps.empty());
  ASSERT_EQ(scenario.clients.size(), 1U);
  EXPECT_EQ(scenario.clients[0].version, ProtocolVersion::v3_1_1);
}

TEST(ParseScenario, ProtocolLevels) {
  EXPECT_EQ(
      testing::scenario(R"({"name": "p", "protocol": "3.1", "clients": {"c": {}}, "steps": []})")
          .version,
      ProtocolVersion::v3_1);
  const Scenario mixed = testing::scenario(
      R"({"name": "p", "protocol": "5", "clients": {"a": {}, "b": {"protocol": "3.1"}},
          "steps": []})");
  ASSERT_EQ(mixed.clients.size(), 2U);
  EXPECT_EQ(mixed.clients[0].version, ProtocolVersion::v5);
  EXPECT_EQ(mixed.clients[1].version, ProtocolVersion::v3_1);
}

TEST(ParseScenario, ClientsKeepTheirFileOrder) {
  const Scenario scenario = testing::scenario(
      R"({"name": "o", "clients": {"zeta": {}, "alpha": {}, "mid": {}}, "steps": []})");
  ASSERT_EQ(scenario.clients.size(), 3U);
  EXPECT_EQ(scenario.clients[0].name, "zeta");
  EXPECT_EQ(scenario.clients[1].name, "alpha");
  EXPECT_EQ(scenario.clients[2].name, "mid");
}

TEST(ParseScenario, EmptyClientIdIsAllowed) {
  const Scenario scenario =
      testing::scenario(R"({"name": "e", "clients": {"c": {"id": ""}}, "steps": []})");
  ASSERT_EQ(scenario.clients.size(), 1U);
  EXPECT_EQ(scenario.clients[0].id_template, "");
}

TEST(ParseScenario, ExpectAsTheOnlyActionOrAsAnOutcome) {
  EXPECT_TRUE(accepted(with_step(R"({"client": "c", "expect": {"connack": {}}})")));
  const Scenario scenario = testing::scenario(with_step(
      R"({"client": "c", "subscribe": ["a"], "expect": {"suback": {"reason_codes": [128]}}})"));
  ASSERT_EQ(scenario.steps.size(), 2U);
  EXPECT_EQ(scenario.steps[1].kind, StepKind::subscribe);
  EXPECT_EQ(scenario.steps[1].expect, Json::parse(R"({"suback": {"reason_codes": [128]}})"));
}

TEST(ParseScenario, InOrderOnAnOutcomeList) {
  const Scenario scenario = testing::scenario(with_step(
      R"({"client": "c", "publish": {"topic": "x", "qos": 2},
          "expect": [{"pubrec": {}}, {"pubcomp": {}}], "in_order": true})"));
  ASSERT_EQ(scenario.steps.size(), 2U);
  EXPECT_TRUE(scenario.steps[1].in_order);
  EXPECT_EQ(scenario.steps[1].expect.size(), 2U);
}

TEST(ParseScenario, MemberWithinTheGroup) {
  EXPECT_TRUE(accepted(with_step(R"({"client": "g", "member": 2, "connect": {}})")));
  EXPECT_TRUE(accepted(with_step(R"({"client": "c", "member": 0, "connect": {}})")));
}

TEST(ParseScenario, BuiltInTemplatesEverywhere) {
  EXPECT_TRUE(accepted(R"({"name": "t",
    "vars": {"base": "g/{run}", "mine": "{base}/{client}/{i}/{id}"},
    "clients": {"c": {"id": "c-{run}-{i}", "username": "{client}", "password": "{run}",
                      "will": {"topic": "{base}/will", "payload": "{id}"},
                      "tls": {"server_name": "{client}.local"}}},
    "steps": [{"client": "c", "subscribe": ["{mine}", "{{literal}}"]}]})"));
}

TEST(ParseScenario, VariablesInACycleAreRefused) {
  // {a} and {b} would never expand: an undefined template in effect.
  const auto cycle = testing::parse_text(
      R"({"name": "t", "vars": {"a": "{b}", "b": "{a}"}, "clients": {"c": {}}, "steps": []})");
  EXPECT_TRUE(std::holds_alternative<FileError>(cycle));
  const auto self = testing::parse_text(
      R"({"name": "t", "vars": {"a": "x{a}"}, "clients": {"c": {}}, "steps": []})");
  EXPECT_TRUE(std::holds_alternative<FileError>(self));
}

TEST(ParseScenario, LoopVariableInsideItsLoop) {
  EXPECT_TRUE(accepted(with_step(
      R"({"loop": {"count": 2, "steps": [{"client": "c", "subscribe": ["a/{n}"]},
          {"client": "c", "expect": {"suback": {}}}, {"client": "c", "publish": {"topic": "a/{n}"}},
          {"client": "c", "expect": {"publish": {"topic": "a/{n}", "payload": "{n}"}}}]}})")));
  EXPECT_TRUE(accepted(with_step(
      R"({"loop": {"count": 2, "var": "k", "steps": [{"loop": {"count": 2, "steps": [
          {"client": "c", "subscribe": ["{k}/{n}"]}]}}]}})")));
}

TEST(ParseScenario, ShadowingLoopKeepsTheOuterVariable) {
  EXPECT_TRUE(accepted(with_step(
      R"({"loop": {"count": 2, "var": "k", "steps": [
          {"loop": {"count": 2, "var": "k", "steps": []}},
          {"client": "c", "subscribe": ["{k}"]}]}})")));
}

TEST(ParseScenario, ZeroIterationLoop) {
  const Scenario scenario = testing::scenario(
      with_step(R"({"loop": {"count": 0, "steps": [{"client": "c", "drop": {}}]}})"));
  ASSERT_EQ(scenario.steps.size(), 2U);
  EXPECT_EQ(scenario.steps[1].count, 0U);
}

TEST(ParseScenario, PublishWithCountCountsMessagesWithN) {
  // docs/scenarios.md: "count — publish: how many messages ({n} counts them)".
  const auto result = testing::parse_text(with_step(
      R"({"client": "c", "publish": {"topic": "{topic}/{n}", "payload": "m{n}"}, "count": 3})"));
  const auto* error = std::get_if<FileError>(&result);
  EXPECT_EQ(error, nullptr) << error->to_string();
}

TEST(ParseScenario, NIsNotDefinedInOtherStepsWithCount) {
  // The publish step's {n} is its own: an expect with a count has none.
  EXPECT_TRUE(refused(
      with_step(R"({"client": "c", "expect": {"publish": {"payload": "m{n}"}}, "count": 3})"),
      "undefined-template", 6, 53));
  // Nor does it leak to the steps after a publish.
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {"c": {}},
 "steps": [
  {"client": "c", "publish": {"topic": "a"}, "count": 2},
  {"client": "c", "subscribe": ["{n}"]}
 ]})",
                      "undefined-template", 5, 33));
}

TEST(ParseScenario, MatcherPropertiesThePacketCarries) {
  EXPECT_TRUE(accepted(with_step(
      R"({"client": "v5", "expect": {"connack": {"properties": {"topic_alias_maximum": 5,
          "assigned_client_identifier": "x", "user_property": [["k", "v"]]}}}})")));
  EXPECT_TRUE(accepted(with_step(
      R"({"client": "v5", "expect": {"publish": {"properties": {"subscription_identifier": [1, 2],
          "correlation_data": {"hex": "01ff"}, "content_type": "text/plain"}}}})")));
  EXPECT_TRUE(accepted(with_step(
      R"({"client": "v5", "expect": {"disconnect": {"properties": {"server_reference": "x"}}}})")));
  EXPECT_TRUE(accepted(with_step(
      R"({"client": "v5", "expect": {"suback": {"properties": {"reason_string": "x"}}}})")));
}

TEST(ParseScenario, ActionsMaySendPropertiesWhereTheyDoNotBelong) {
  // Sending a misplaced property is a test of the broker; only matchers are held to the table.
  EXPECT_TRUE(accepted(with_step(
      R"({"client": "v5", "publish": {"topic": "x",
          "properties": {"session_expiry_interval": 1}}})")));
  EXPECT_TRUE(
      accepted(with_step(R"({"client": "v5", "disconnect": {"properties": {"topic_alias": 1}}})")));
}

TEST(ParseScenario, ReasonCodesByNumberHexAndName) {
  EXPECT_TRUE(accepted(with_step(
      R"({"client": "v5", "expect": {"any_of": [{"closed": {"cause": "server_disconnect"}},
          {"disconnect": {"reason_code": ["0x81", "0x82", 135, "not_authorized"]}}]}})")));
  EXPECT_TRUE(accepted(with_step(
      R"({"client": "v5", "expect": {"puback": {"reason_code": "no_matching_subscribers"}}})")));
  EXPECT_TRUE(accepted(with_step(
      R"({"client": "v5", "expect": {"suback": {
          "reason_codes": ["granted_qos_1", [0, "0x80"]]}}})")));
  EXPECT_TRUE(accepted(with_step(
      R"({"client": "c", "expect": {"connack": {"reason_code": "identifier_rejected"}}})")));
}

TEST(ParseScenario, ReasonCodeNamesAreCheckedAgainstThePacket) {
  // "granted_qos_1" is a SUBACK code, not a PUBACK one.
  EXPECT_TRUE(refused(
      with_step(R"({"client": "v5", "expect": {"puback": {"reason_code": "granted_qos_1"}}})"),
      "bad-value", 6, 57));
}

TEST(ParseScenario, RawPackets) {
  EXPECT_TRUE(accepted(with_step(
      R"({"client": "v5", "send": {"packet": {"type": "publish", "topic": "t", "qos": 3,
          "packet_id": 9, "payload_hex": "00ff", "properties": {"topic_alias": 0}},
          "malform": {"remaining_length": 99, "remaining_length_width": 5,
          "fixed_header_flags": 15, "packet_type": 0, "string_lengths": {"publish.topic": 70},
          "trailing_hex": "aa bb", "truncate_to": 3}}})")));
  EXPECT_TRUE(accepted(with_step(
      R"({"client": "c", "send": {"packet": {"type": "connect", "client_id": "x", "protocol": "3.1",
          "protocol_name": "MQIsdp", "keep_alive": 0, "password": {"hex": "00"},
          "will": {"topic": "w", "payload_hex": "01"}}, "malform": {"protocol_level": 9,
          "flags_byte": 255}}})")));
  EXPECT_TRUE(accepted(with_step(
      R"({"client": "v5", "send": {"packet": {"type": "puback", "packet_id": 1,
          "reason_code": "no_matching_subscribers"}}})")));
  EXPECT_TRUE(accepted(with_step(
      R"({"client": "c", "send": {"packet": {"type": "subscribe",
          "filters": [{"topic": "a", "qos": 3}]},
          "malform": {"subscription_options_bits": 192}}})")));
}

/// A scenario whose steps are `steps` (a JSON list body), for rules across several steps.
std::string with_steps(std::string_view steps) {
  return std::string(R"({"name": "t", "clients": {"c": {}}, "steps": [)") + std::string(steps) +
         "]}";
}

TEST(ParseScenario, BindNamesABrokerPacketIdForLaterSteps) {
  const auto parsed = testing::parse_text(with_steps(
      R"({"client": "c", "expect": {"publish": {"payload": "m"}}, "bind": {"m0": "packet_id"}},
         {"client": "c", "send": {"packet": {"type": "puback", "packet_id": "{m0}"}}},
         {"client": "c", "expect": {"publish": {"dup": true, "packet_id": "{m0}"}}})"));
  ASSERT_TRUE(std::holds_alternative<Scenario>(parsed)) << std::get<FileError>(parsed).to_string();
  const Scenario& scenario = std::get<Scenario>(parsed);
  ASSERT_EQ(scenario.steps[0].bind.size(), 1U);
  EXPECT_EQ(scenario.steps[0].bind[0], (std::pair<std::string, std::string>{"m0", "packet_id"}));
}

TEST(ParseScenario, BindRules) {
  // A name used before it is bound.
  EXPECT_TRUE(refused(
      with_step(R"({"client": "c", "send": {"packet": {"type": "puback", "packet_id": "{m0}"}}})"),
      "undefined-template", 6, 70));
  // One event only.
  EXPECT_TRUE(refused(
      with_step(R"({"client": "c", "expect": [{"pingresp": {}}], "bind": {"a": "packet_id"}})"),
      "bad-value", 6, 57));
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "expect": {"pingresp": {}}, "bind": {"a": "payload"}})"),
              "bad-value", 6, 61));
  // A packet id is a number or one name.
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "expect": {"puback": {"packet_id": "7"}}})"),
                      "bad-value", 6, 54));
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "connect": {}, "bind": {"a": "packet_id"}})"),
                      "unknown-field", 6, 34));
}

TEST(ParseScenario, BarrierInsideAParallelInsideALoop) {
  EXPECT_TRUE(accepted(with_step(
      R"({"loop": {"count": 2, "steps": [
          {"parallel": [[{"barrier": "x"}], [{"barrier": "x"}]]}]}})")));
}

TEST(ParseScenario, BarrierNameMustBeAString) {
  EXPECT_TRUE(refused(with_step(R"({"parallel": [{"barrier": 1}, {"barrier": "a"}]})"),
                      "wrong-type", 6, 29));
}

TEST(ParseScenario, TheFirstBrokenRuleIsReported) {
  // Both the client and the template are wrong; the step is read in order: client first.
  EXPECT_TRUE(refused(with_step(R"({"client": "nobody", "subscribe": ["{x}"]})"),
                      "undefined-client", 6, 14));
}

TEST(ParseScenario, ErrorMessagesSayWhatIsWrong) {
  const auto unknown =
      testing::parse_text(with_step(R"({"client": "c", "connect": {}, "bogus": 1})"));
  ASSERT_TRUE(std::holds_alternative<FileError>(unknown));
  EXPECT_NE(std::get<FileError>(unknown).message.find("\"bogus\""), std::string::npos);
  const auto client = testing::parse_text(with_step(R"({"client": "nobody", "connect": {}})"));
  ASSERT_TRUE(std::holds_alternative<FileError>(client));
  const std::string& message = std::get<FileError>(client).message;
  EXPECT_NE(message.find("\"nobody\""), std::string::npos) << message;
  EXPECT_NE(message.find("c, g, v5"), std::string::npos) << "lists the defined groups: " << message;
  const auto two = testing::parse_text(with_step(R"({"client": "c", "connect": {}, "drop": {}})"));
  ASSERT_TRUE(std::holds_alternative<FileError>(two));
  EXPECT_NE(std::get<FileError>(two).message.find("\"connect\" and \"drop\""), std::string::npos)
      << std::get<FileError>(two).message;
  const auto property = testing::parse_text(
      with_step(R"({"client": "v5", "expect": {"connack": {"properties": {"topic_alias": 1}}}})"));
  ASSERT_TRUE(std::holds_alternative<FileError>(property));
  EXPECT_NE(std::get<FileError>(property).message.find("topic_alias"), std::string::npos);
}

TEST(LoadScenario, MissingFile) {
  const auto result = load_scenario(data_path("no-such-scenario.json"));
  ASSERT_TRUE(std::holds_alternative<FileError>(result));
  EXPECT_EQ(std::get<FileError>(result).rule, "unreadable");
}

TEST(LoadScenario, ErrorNamesTheFile) {
  const auto result = load_scenario(data_path("broken-scenario.json"));
  ASSERT_TRUE(std::holds_alternative<FileError>(result));
  EXPECT_EQ(std::get<FileError>(result).to_string().rfind(
                data_path("broken-scenario.json") + ":4:24: error[undefined-client]", 0),
            0U)
      << std::get<FileError>(result).to_string();
}

// --- one test per rule, with the exact position ------------------------------------------------
// with_step() puts the step on line 6 from column 3 (see test_support.hpp).

TEST(RuleUnknownField, ExtraStepFieldAtItsKey) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "publish": {"topic": "x"}, "bogus": 1})"),
                      "unknown-field", 6, 46));
}

TEST(RuleUnknownField, PublishMessageField) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "publish": {"topic": "x", "qos": 1, "colour": "red"}})"),
              "unknown-field", 6, 55));
}

TEST(RuleUnknownField, MatcherField) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "expect": {"publish": {"topic": "x", "topc": "y"}}})"),
              "unknown-field", 6, 56));
}

TEST(RuleUnknownField, OutcomeOnADrop) {
  // A drop has no outcome to replace.
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "drop": {}, "expect": {"closed": {}}})"),
                      "unknown-field", 6, 31));
}

TEST(RuleUnknownField, CountOnExpectNone) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "expect_none": {"publish": {}}, "count": 2})"),
                      "unknown-field", 6, 51));
}

TEST(RuleUnknownField, CountOnConnect) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "connect": {}, "count": 2})"), "unknown-field", 6, 34));
}

TEST(RuleUnknownField, InOrderOnExpectNone) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "expect_none": [{"publish": {}}], "in_order": true})"),
              "unknown-field", 6, 53));
}

TEST(RuleBadValue, InOrderOnAnOutcomeThatIsNoList) {
  EXPECT_TRUE(refused(
      with_step(
          R"({"client": "c", "publish": {"topic": "x", "qos": 1}, "expect": {"puback": {}}, "in_order": true})"),
      "bad-value", 6, 94));
}

TEST(RuleBadValue, InOrderWithoutAnyMatchers) {
  // in_order orders a list of matchers; a publish with its default outcome has none.
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "publish": {"topic": "x"}, "in_order": true})"),
                      "bad-value", 6, 58));
}

TEST(RuleUnknownField, LoopArgument) {
  EXPECT_TRUE(refused(with_step(R"({"loop": {"count": 1, "steps": [], "vars": "k"}})"),
                      "unknown-field", 6, 38));
}

TEST(RuleUnknownField, ClientOnAParallel) {
  // Barrier, loop and parallel steps name no client.
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "parallel": [{"barrier": "a"}, {"barrier": "a"}]})"),
              "unknown-field", 6, 4));
}

TEST(RuleUnknownField, ConnectOption) {
  // "count" belongs to the client group, not to connect.
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "connect": {"count": 2}})"), "unknown-field", 6, 31));
}

TEST(RuleUnknownField, WillField) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "connect": {"will": {"topic": "w", "delay": 5}}})"),
              "unknown-field", 6, 54));
}

TEST(RuleUnknownField, RawPacketField) {
  EXPECT_TRUE(refused(
      with_step(
          R"({"client": "c", "send": {"packet": {"type": "publish", "topic": "x", "colour": 1}}})"),
      "unknown-field", 6, 72));
}

TEST(RuleUnknownField, MalformField) {
  EXPECT_TRUE(refused(
      with_step(
          R"({"client": "c", "send": {"packet": {"type": "pingreq"}, "malform": {"length": 1}}})"),
      "unknown-field", 6, 71));
}

TEST(RuleUnknownField, PingrespMatcherHasNoFields) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "expect": {"pingresp": {"properties": {}}}})"),
                      "unknown-field", 6, 43));
}

TEST(RuleUnknownField, ClosedMatcherHasOnlyCause) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "expect": {"closed": {"reason_code": 0}}})"),
                      "unknown-field", 6, 41));
}

TEST(RuleUnknownField, SubscriptionOption) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "subscribe": [{"topic": "a", "nolocal": true}]})"),
              "unknown-field", 6, 48));
}

TEST(RuleUnknownField, DropTakesNoArguments) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "drop": {"now": true}})"), "unknown-field", 6, 28));
}

TEST(RuleMissingField, StepWithoutClient) {
  EXPECT_TRUE(refused(with_step(R"({"connect": {}})"), "missing-field", 6, 3));
}

TEST(RuleMissingField, PublishWithoutTopic) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "publish": {"payload": "x"}})"), "missing-field",
                      6, 30));
}

TEST(RuleMissingField, LoopWithoutSteps) {
  EXPECT_TRUE(refused(with_step(R"({"loop": {"count": 2}})"), "missing-field", 6, 12));
}

TEST(RuleMissingField, LoopWithoutCount) {
  EXPECT_TRUE(refused(with_step(R"({"loop": {"steps": []}})"), "missing-field", 6, 12));
}

TEST(RuleMissingField, SubscriptionWithoutTopic) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "subscribe": [{"qos": 1}]})"), "missing-field", 6, 33));
}

TEST(RuleMissingField, RawPacketWithoutType) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "send": {"packet": {"topic": "x"}}})"),
                      "missing-field", 6, 38));
}

TEST(RuleMissingField, FilterObjectWithoutFilters) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "subscribe": {"properties": {}}})"),
                      "missing-field", 6, 32));
}

TEST(RuleMissingField, BinaryWithoutHex) {
  EXPECT_TRUE(refused(
      with_step(R"({"client": "v5", "connect": {"properties": {"authentication_data": {}}}})"),
      "missing-field", 6, 70));
}

TEST(RuleWrongType, WithinMsAsString) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "connect": {}, "within_ms": "100"})"),
                      "wrong-type", 6, 47));
}

TEST(RuleWrongType, RetainAsString) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "publish": {"topic": "x", "retain": "yes"}})"),
                      "wrong-type", 6, 55));
}

TEST(RuleWrongType, QosAsFraction) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "publish": {"topic": "x", "qos": 1.5}})"),
                      "wrong-type", 6, 52));
}

TEST(RuleWrongType, ClientAsNumber) {
  EXPECT_TRUE(refused(with_step(R"({"client": 7, "connect": {}})"), "wrong-type", 6, 14));
}

TEST(RuleWrongType, ReasonCodesNotAList) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "expect": {"suback": {"reason_codes": 1}}})"),
                      "wrong-type", 6, 57));
}

TEST(RuleWrongType, UserPropertyNotAPair) {
  EXPECT_TRUE(refused(
      with_step(R"({"client": "v5", "connect": {"properties": {"user_property": [["k"]]}}})"),
      "wrong-type", 6, 65));
}

TEST(RuleWrongType, SessionPresentAsString) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "expect": {"connack": {"session_present": "no"}}})"),
              "wrong-type", 6, 61));
}

TEST(RuleWrongType, StepNotAnObject) {
  EXPECT_TRUE(refused(with_step(R"("connect")"), "wrong-type", 6, 3));
}

TEST(RuleWrongType, TopicAsNumber) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "publish": {"topic": 5}})"), "wrong-type", 6, 40));
}

TEST(RuleWrongType, ConnectArgumentNotAnObject) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "connect": true})"), "wrong-type", 6, 30));
}

TEST(RuleWrongType, MatcherNotAnObject) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "expect": "connack"})"), "wrong-type", 6, 29));
}

TEST(RuleWrongType, ReasonCodeAsBoolean) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "expect": {"puback": {"reason_code": true}}})"),
                      "wrong-type", 6, 56));
}

TEST(RuleWrongType, IntegerPropertyAsString) {
  EXPECT_TRUE(refused(
      with_step(
          R"({"client": "v5", "connect": {"properties": {"session_expiry_interval": "30"}}})"),
      "wrong-type", 6, 74));
}

TEST(RuleWrongType, ParallelNotAList) {
  EXPECT_TRUE(refused(with_step(R"({"parallel": {"a": 1}})"), "wrong-type", 6, 16));
}

TEST(RuleBadValue, PublishQos3) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "publish": {"topic": "x", "qos": 3}})"),
                      "bad-value", 6, 52));
}

TEST(RuleBadValue, MatcherQos3) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "expect": {"publish": {"qos": 3}}})"),
                      "bad-value", 6, 49));
}

TEST(RuleBadValue, MemberOutOfRange) {
  // The group g has three members: 0, 1 and 2.
  EXPECT_TRUE(
      refused(with_step(R"({"client": "g", "member": 3, "connect": {}})"), "bad-value", 6, 29));
}

TEST(RuleBadValue, MemberOfASingleClient) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "member": 1, "connect": {}})"), "bad-value", 6, 29));
}

TEST(RuleBadValue, NegativeWithin) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "connect": {}, "within_ms": -1})"), "bad-value", 6, 47));
}

TEST(RuleBadValue, ZeroCount) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "publish": {"topic": "x"}, "count": 0})"),
                      "bad-value", 6, 55));
}

TEST(RuleBadValue, UnknownReasonCodeName) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "expect": {"connack": {"reason_code": "nope"}}})"),
              "bad-value", 6, 57));
}

TEST(RuleBadValue, ReasonCodeAbove255) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "disconnect": {"reason_code": 300}})"),
                      "bad-value", 6, 49));
}

TEST(RuleBadValue, EmptyReasonCodeList) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "expect": {"puback": {"reason_code": []}}})"),
                      "bad-value", 6, 56));
}

TEST(RuleBadValue, BadReasonCodeInsideAList) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "expect": {"suback": {"reason_codes": [1, "0xzz"]}}})"),
              "bad-value", 6, 61));
}

TEST(RuleBadValue, NotHex) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "send": {"hex": "c0 zz"}})"), "bad-value", 6, 35));
}

TEST(RuleBadValue, PayloadHexNotHex) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "publish": {"topic": "x", "payload_hex": "0g"}})"),
              "bad-value", 6, 60));
}

TEST(RuleBadValue, EmptySubscribeList) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "subscribe": []})"), "bad-value", 6, 32));
}

TEST(RuleBadValue, ParallelWithOneBranch) {
  EXPECT_TRUE(refused(with_step(R"({"parallel": [{"barrier": "a"}]})"), "bad-value", 6, 16));
}

TEST(RuleBadValue, UnknownEventAtItsKey) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "expect": {"conack": {}}})"), "bad-value", 6, 30));
}

TEST(RuleBadValue, MatcherWithTwoEvents) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "expect": {"connack": {}, "publish": {}}})"),
                      "bad-value", 6, 29));
}

TEST(RuleBadValue, EmptyMatcherList) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "expect": []})"), "bad-value", 6, 29));
}

TEST(RuleBadValue, EmptyAnyOf) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "expect": {"any_of": []}})"), "bad-value", 6, 40));
}

TEST(RuleUnknownField, FieldInsideAnyOf) {
  EXPECT_TRUE(refused(
      with_step(
          R"({"client": "c", "expect": {"any_of": [{"closed": {}}, {"puback": {"qos": 1}}]}})"),
      "unknown-field", 6, 69));
}

TEST(RuleBadValue, PayloadAndPayloadHex) {
  EXPECT_TRUE(refused(
      with_step(
          R"({"client": "c", "publish": {"topic": "x", "payload": "a", "payload_hex": "00"}})"),
      "bad-value", 6, 30));
}

TEST(RuleBadValue, UnknownCause) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "expect": {"closed": {"cause": "exploded"}}})"),
                      "bad-value", 6, 50));
}

TEST(RuleBadValue, InOrderWithoutAList) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "expect": {"publish": {}}, "in_order": true})"),
                      "bad-value", 6, 58));
}

TEST(RuleBadValue, LoopVariableNotAnIdentifier) {
  EXPECT_TRUE(refused(with_step(R"({"loop": {"count": 1, "var": "1x", "steps": []}})"), "bad-value",
                      6, 32));
}

TEST(RuleBadValue, SendWithHexAndPacket) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "send": {"hex": "00", "packet": {"type": "pingreq"}}})"),
              "bad-value", 6, 27));
}

TEST(RuleBadValue, SendWithNeither) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "send": {}})"), "bad-value", 6, 27));
}

TEST(RuleBadValue, MalformOnHex) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "send": {"hex": "00", "malform": {"truncate_to": 1}}})"),
              "bad-value", 6, 52));
}

TEST(RuleBadValue, PacketAClientDoesNotSend) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "send": {"packet": {"type": "connack"}}})"),
                      "bad-value", 6, 47));
}

TEST(RuleBadValue, RemainingLengthWidthSix) {
  EXPECT_TRUE(refused(
      with_step(
          R"({"client": "c", "send": {"packet": {"type": "pingreq"}, "malform": {"remaining_length_width": 6}}})"),
      "bad-value", 6, 97));
}

TEST(RuleBadValue, PacketTypeAbove15) {
  EXPECT_TRUE(refused(
      with_step(
          R"({"client": "c", "send": {"packet": {"type": "pingreq"}, "malform": {"packet_type": 16}}})"),
      "bad-value", 6, 86));
}

TEST(RuleBadValue, RetainHandlingAbove3) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "subscribe": [{"topic": "a", "retain_handling": 4}]})"),
              "bad-value", 6, 67));
}

TEST(RuleBadValue, KeepAliveAbove65535) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "connect": {"keep_alive_s": 65536}})"),
                      "bad-value", 6, 47));
}

TEST(RuleBadValue, PacketIdInMatcherAbove65535) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "expect": {"puback": {"packet_id": 65536}}})"),
                      "bad-value", 6, 54));
}

TEST(RuleBadValue, BinaryPropertyNotHex) {
  EXPECT_TRUE(refused(
      with_step(
          R"({"client": "v5", "connect": {"properties": {"authentication_data": {"hex": "xyz"}}}})"),
      "bad-value", 6, 78));
}

TEST(RuleOneAction, None) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c"})"), "one-action", 6, 3));
}

TEST(RuleOneAction, OnlyALabel) {
  EXPECT_TRUE(refused(with_step(R"({"label": "x", "within_ms": 5})"), "one-action", 6, 3));
}

TEST(RuleOneAction, Two) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "connect": {}, "publish": {"topic": "x"}})"),
                      "one-action", 6, 3));
}

TEST(RuleOneAction, TwoStructural) {
  EXPECT_TRUE(refused(with_step(R"({"barrier": "a", "loop": {"count": 1, "steps": []}})"),
                      "one-action", 6, 3));
}

TEST(RuleOneAction, ExpectBesideExpectNoneIsAnUnknownField) {
  // expect_none is the action; an expect beside it is an outcome it cannot have.
  EXPECT_TRUE(refused(
      with_step(R"({"client": "c", "expect": {"publish": {}}, "expect_none": {"publish": {}}})"),
      "unknown-field", 6, 19));
}

TEST(RuleJsonSyntax, UnclosedStepObject) {
  // The closing bracket on line 7 is where a '}' was wanted.
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "connect": {})"), "json-syntax", 7, 1));
}

TEST(RuleDuplicateKey, SecondClientKey) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "connect": {}, "client": "g"})"),
                      "duplicate-key", 6, 34));
}

TEST(RuleUndefinedClient, AtTheClientValue) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "nobody", "connect": {}})"), "undefined-client", 6, 14));
}

TEST(RuleUndefinedTemplate, NotInVars) {
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "subscribe": ["{x}"]})"), "undefined-template", 6, 33));
}

TEST(RuleUndefinedTemplate, LoopVariableOutsideALoop) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "subscribe": ["a/{n}"]})"), "undefined-template",
                      6, 33));
}

TEST(RuleUndefinedTemplate, InPublishTopic) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "publish": {"topic": "{topic}/{unknown}"}})"),
                      "undefined-template", 6, 40));
}

TEST(RuleUndefinedTemplate, InMatcherPayload) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "expect": {"publish": {"payload": "{nope}"}}})"),
                      "undefined-template", 6, 53));
}

TEST(RuleUndefinedTemplate, UnbalancedBrace) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "subscribe": ["{topic"]})"),
                      "undefined-template", 6, 33));
}

TEST(RuleUndefinedTemplate, InAUserProperty) {
  EXPECT_TRUE(refused(
      with_step(
          R"({"client": "v5", "connect": {"properties": {"user_property": [["k", "{x}"]]}}})"),
      "undefined-template", 6, 71));
}

TEST(RuleUndefinedTemplate, InAnOutcome) {
  EXPECT_TRUE(refused(
      with_step(
          R"({"client": "c", "publish": {"topic": "x", "qos": 1}, "expect": {"any_of": [{"closed": {}}, {"publish": {"topic": "{x}"}}]}})"),
      "undefined-template", 6, 116));
}

TEST(RuleUndefinedTemplate, InConnectUsername) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "connect": {"username": "{user}"}})"),
                      "undefined-template", 6, 43));
}

TEST(RuleUndefinedTemplate, InARawPacket) {
  EXPECT_TRUE(refused(
      with_step(R"({"client": "c", "send": {"packet": {"type": "publish", "topic": "{x}"}}})"),
      "undefined-template", 6, 67));
}

TEST(RuleUndefinedTemplate, InAnUnsubscribeFilter) {
  EXPECT_TRUE(refused(with_step(R"({"client": "c", "unsubscribe": {"filters": ["{x}"]}})"),
                      "undefined-template", 6, 47));
}

TEST(RuleUnknownProperty, UnknownNameAtItsKey) {
  EXPECT_TRUE(refused(
      with_step(R"({"client": "v5", "connect": {"properties": {"sesion_expiry_interval": 1}}})"),
      "unknown-property", 6, 47));
}

TEST(RuleUnknownProperty, ConnackCannotCarryTopicAlias) {
  EXPECT_TRUE(refused(
      with_step(R"({"client": "v5", "expect": {"connack": {"properties": {"topic_alias": 1}}}})"),
      "unknown-property", 6, 58));
}

TEST(RuleUnknownProperty, PublishCannotCarrySessionExpiry) {
  EXPECT_TRUE(refused(
      with_step(
          R"({"client": "v5", "expect": {"publish": {"properties": {"session_expiry_interval": 1}}}})"),
      "unknown-property", 6, 58));
}

TEST(RuleUnknownProperty, SubackCannotCarryServerReference) {
  EXPECT_TRUE(refused(
      with_step(
          R"({"client": "v5", "expect": {"suback": {"properties": {"server_reference": "x"}}}})"),
      "unknown-property", 6, 57));
}

TEST(RuleUnknownProperty, UnknownNameInAMatcher) {
  EXPECT_TRUE(refused(
      with_step(R"({"client": "v5", "expect": {"disconnect": {"properties": {"why": "x"}}}})"),
      "unknown-property", 6, 61));
}

TEST(RuleUnknownProperty, UnknownNameInWillProperties) {
  EXPECT_TRUE(refused(
      with_step(
          R"({"client": "v5", "connect": {"will": {"topic": "w", "properties": {"delay": 1}}}})"),
      "unknown-property", 6, 70));
}

TEST(RuleUnknownProperty, UnknownNameInARawPacket) {
  EXPECT_TRUE(refused(
      with_step(
          R"({"client": "v5", "send": {"packet": {"type": "puback", "properties": {"nope": 1}}}})"),
      "unknown-property", 6, 73));
}

TEST(RuleBarrierOutsideParallel, AtTopLevel) {
  EXPECT_TRUE(refused(with_step(R"({"barrier": "sync"})"), "barrier-outside-parallel", 6, 15));
}

TEST(RuleBarrierOutsideParallel, InATopLevelLoop) {
  EXPECT_TRUE(refused(with_step(R"({"loop": {"count": 2, "steps": [{"barrier": "sync"}]}})"),
                      "barrier-outside-parallel", 6, 47));
}

TEST(RuleUnknownField, TopLevelAtItsKey) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "nmae": "x",
 "clients": {"c": {}},
 "steps": []})",
                      "unknown-field", 2, 2));
}

TEST(RuleUnknownField, ClientField) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {
   "c": {"count": 2, "colour": "red"}},
 "steps": []})",
                      "unknown-field", 3, 22));
}

TEST(RuleUnknownField, ClientTlsField) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {
   "c": {"endpoint": "tls",
         "tls": {"ca": "profile", "pin": "x"}}},
 "steps": []})",
                      "unknown-field", 4, 35));
}

TEST(RuleMissingField, Clients) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "steps": []})",
                      "missing-field", 1, 1));
}

TEST(RuleMissingField, Steps) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {"c": {}}})",
                      "missing-field", 1, 1));
}

TEST(RuleMissingField, Name) {
  EXPECT_TRUE(refused(R"({"clients": {"c": {}},
 "steps": []})",
                      "missing-field", 1, 1));
}

TEST(RuleWrongType, RootNotAnObject) {
  EXPECT_TRUE(refused(R"(["name"])", "wrong-type", 1, 1));
}

TEST(RuleWrongType, Name) {
  EXPECT_TRUE(refused(R"({"name": 5,
 "clients": {"c": {}},
 "steps": []})",
                      "wrong-type", 1, 10));
}

TEST(RuleWrongType, StepsNotAList) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {"c": {}},
 "steps": {}})",
                      "wrong-type", 3, 11));
}

TEST(RuleWrongType, ClientNotAnObject) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {"c": 1},
 "steps": []})",
                      "wrong-type", 2, 19));
}

TEST(RuleWrongType, ClientCountAsString) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {"c": {"count": "3"}},
 "steps": []})",
                      "wrong-type", 2, 29));
}

TEST(RuleWrongType, VarNotAString) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "vars": {"a": "x", "b": 2},
 "clients": {"c": {}},
 "steps": []})",
                      "wrong-type", 2, 26));
}

TEST(RuleWrongType, SpecEntry) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "spec": ["MQTT-1", 2],
 "clients": {"c": {}},
 "steps": []})",
                      "wrong-type", 2, 21));
}

TEST(RuleWrongType, AllowFindings) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "allow_findings": "yes",
 "clients": {"c": {}},
 "steps": []})",
                      "wrong-type", 2, 20));
}

TEST(RuleWrongType, ClientProtocolAsNumber) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {"c": {"protocol": 5}},
 "steps": []})",
                      "wrong-type", 2, 32));
}

TEST(RuleBadValue, ScenarioProtocol) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "protocol": "4",
 "clients": {"c": {}},
 "steps": []})",
                      "bad-value", 2, 14));
}

TEST(RuleBadValue, ClientProtocol) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {
   "c": {"protocol": "6"}},
 "steps": []})",
                      "bad-value", 3, 22));
}

TEST(RuleBadValue, Name) {
  EXPECT_TRUE(refused(R"({"name": "has space",
 "clients": {"c": {}},
 "steps": []})",
                      "bad-value", 1, 10));
}

TEST(RuleBadValue, UnknownRequiredCapability) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "requires": ["retain", "teleport"],
 "clients": {"c": {}},
 "steps": []})",
                      "bad-value", 2, 25));
}

TEST(RuleBadValue, ZeroTimeout) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "timeout_ms": 0,
 "clients": {"c": {}},
 "steps": []})",
                      "bad-value", 2, 16));
}

TEST(RuleBadValue, NoClients) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {},
 "steps": []})",
                      "bad-value", 2, 13));
}

TEST(RuleBadValue, ClientNameAtItsKey) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {"ok": {},
             "1bad": {}},
 "steps": []})",
                      "bad-value", 3, 14));
}

TEST(RuleBadValue, ZeroClientCount) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {"c": {"count": 0}},
 "steps": []})",
                      "bad-value", 2, 29));
}

TEST(RuleBadValue, TlsCa) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {"c": {"tls": {"ca": "mine"}}},
 "steps": []})",
                      "bad-value", 2, 34));
}

TEST(RuleBadValue, WillQos3) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {"c": {"will": {"topic": "w", "qos": 3}}},
 "steps": []})",
                      "bad-value", 2, 50));
}

TEST(RuleUndefinedTemplate, InAVar) {
  // A variable may use only those written before it: {b} in "a" is the first error.
  EXPECT_TRUE(refused(R"({"name": "t",
 "vars": {"a": "x/{b}", "b": "{c}"},
 "clients": {"c": {}},
 "steps": []})",
                      "undefined-template", 2, 16));
  EXPECT_TRUE(refused(R"({"name": "t",
 "vars": {"a": "x", "b": "{c}"},
 "clients": {"c": {}},
 "steps": []})",
                      "undefined-template", 2, 26));
}

TEST(RuleUndefinedTemplate, LoopVariableInAVar) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "vars": {"a": "x/{n}"},
 "clients": {"c": {}},
 "steps": []})",
                      "undefined-template", 2, 16));
}

TEST(RuleUndefinedTemplate, InAClientId) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {"c": {"id": "c-{n}"}},
 "steps": []})",
                      "undefined-template", 2, 26));
}

TEST(RuleUndefinedTemplate, InAWillTopic) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {"c": {"will": {"topic": "{nope}/will"}}},
 "steps": []})",
                      "undefined-template", 2, 38));
}

TEST(RuleUndefinedTemplate, InTlsServerName) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {"c": {"tls": {"server_name": "{host}"}}},
 "steps": []})",
                      "undefined-template", 2, 43));
}

TEST(RuleUndefinedTemplate, LoopVariableAfterItsLoop) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {"c": {}},
 "steps": [
  {"loop": {"count": 2, "var": "k", "steps": [{"client": "c", "subscribe": ["a/{k}"]}]}},
  {"client": "c", "subscribe": ["b/{k}"]}
 ]})",
                      "undefined-template", 5, 33));
}

TEST(RuleUndefinedTemplate, InnerLoopVariableAfterTheInnerLoop) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {"c": {}},
 "steps": [
  {"loop": {"count": 2, "var": "k", "steps": [
    {"loop": {"count": 2, "var": "j", "steps": [{"client": "c", "subscribe": ["{k}/{j}"]}]}},
    {"client": "c", "subscribe": ["{k}/{j}"]}
  ]}}
 ]})",
                      "undefined-template", 6, 35));
}

TEST(RuleUnknownProperty, InClientConnectProperties) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "protocol": "5",
 "clients": {"c": {"properties": {"session_expiry": 30}}},
 "steps": []})",
                      "unknown-property", 3, 35));
}

TEST(RuleBarrierOutsideParallel, InALoopAfterAParallel) {
  EXPECT_TRUE(refused(R"({"name": "t",
 "clients": {"c": {}},
 "steps": [
  {"parallel": [{"barrier": "a"}, {"barrier": "a"}]},
  {"loop": {"count": 1, "steps": [{"barrier": "a"}]}}
 ]})",
                      "barrier-outside-parallel", 5, 47));
}

// --- parse_reason_code --------------------------------------------------------------------------

TEST(ParseReasonCode, Numbers) {
  EXPECT_EQ(parse_reason_code(135, PacketType::suback), 0x87);
  EXPECT_EQ(parse_reason_code(0, PacketType::connack), 0);
  EXPECT_EQ(parse_reason_code(255, PacketType::disconnect), 0xFF);
  EXPECT_EQ(parse_reason_code(256, PacketType::suback), std::nullopt);
  EXPECT_EQ(parse_reason_code(-1, PacketType::suback), std::nullopt);
  EXPECT_EQ(parse_reason_code(1.5, PacketType::suback), std::nullopt);
}

TEST(ParseReasonCode, HexStrings) {
  EXPECT_EQ(parse_reason_code("0x87", PacketType::suback), 0x87);
  EXPECT_EQ(parse_reason_code("0X87", PacketType::suback), 0x87);
  EXPECT_EQ(parse_reason_code("0x00", PacketType::puback), 0);
  EXPECT_EQ(parse_reason_code("0x4", PacketType::disconnect), 4);
  EXPECT_EQ(parse_reason_code("0x", PacketType::suback), std::nullopt);
  EXPECT_EQ(parse_reason_code("0x100", PacketType::suback), std::nullopt);
  EXPECT_EQ(parse_reason_code("0xzz", PacketType::suback), std::nullopt);
}

TEST(ParseReasonCode, NamesOfThePacket) {
  EXPECT_EQ(parse_reason_code("not_authorized", PacketType::suback), 0x87);
  EXPECT_EQ(parse_reason_code("granted_qos_2", PacketType::suback), 2);
  EXPECT_EQ(parse_reason_code("success", PacketType::puback), 0);
  EXPECT_EQ(parse_reason_code("no_matching_subscribers", PacketType::puback), 0x10);
  EXPECT_EQ(parse_reason_code("normal_disconnection", PacketType::disconnect), 0);
  EXPECT_EQ(parse_reason_code("disconnect_with_will_message", PacketType::disconnect), 4);
  EXPECT_EQ(parse_reason_code("re_authenticate", PacketType::auth), 0x19);
}

TEST(ParseReasonCode, ConnackNames) {
  // Looked up at 5.0 first: the 5.0 CONNACK code of that name.
  EXPECT_EQ(parse_reason_code("bad_user_name_or_password", PacketType::connack), 0x86);
  EXPECT_EQ(parse_reason_code("not_authorized", PacketType::connack), 0x87);
  // Names that only 3.1.1 CONNACK return codes have.
  EXPECT_EQ(parse_reason_code("identifier_rejected", PacketType::connack), 2);
  EXPECT_EQ(parse_reason_code("unacceptable_protocol_version", PacketType::connack), 1);
  EXPECT_EQ(parse_reason_code("accepted", PacketType::connack), 0);
}

TEST(ParseReasonCode, InvalidNames) {
  EXPECT_EQ(parse_reason_code("not_a_code", PacketType::suback), std::nullopt);
  EXPECT_EQ(parse_reason_code("", PacketType::suback), std::nullopt);
  EXPECT_EQ(parse_reason_code("NOT_AUTHORIZED", PacketType::suback), std::nullopt);
  // A name of another packet's code.
  EXPECT_EQ(parse_reason_code("granted_qos_1", PacketType::connack), std::nullopt);
  EXPECT_EQ(parse_reason_code("normal_disconnection", PacketType::suback), std::nullopt);
  EXPECT_EQ(parse_reason_code(true, PacketType::suback), std::nullopt);
  EXPECT_EQ(parse_reason_code(Json(), PacketType::suback), std::nullopt);
  EXPECT_EQ(parse_reason_code(Json::array({1}), PacketType::suback), std::nullopt);
}

TEST(ParseReasonCode, UnknownIsNotAName) {
  // reason_code_name() answers "unknown" for a code the packet may not carry; that placeholder is
  // not the name of a code.
  EXPECT_EQ(parse_reason_code("unknown", PacketType::connack), std::nullopt);
  EXPECT_EQ(parse_reason_code("unknown", PacketType::puback), std::nullopt);
  EXPECT_TRUE(
      refused(with_step(R"({"client": "c", "expect": {"connack": {"reason_code": "unknown"}}})"),
              "bad-value", 6, 57));
}

}  // namespace
}  // namespace gauntlet::scenarios
