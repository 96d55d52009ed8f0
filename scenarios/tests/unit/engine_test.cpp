// What the engine decides before anything connects: whether a profile can run a scenario
// (unmet_requirement), and the {run} id of a scenario (run_id).
#include "gauntlet/scenarios/engine.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <variant>

#include "gauntlet/scenarios/runner.hpp"
#include "test_support.hpp"

namespace gauntlet::scenarios {
namespace {

using codec::ProtocolVersion;

Profile url_profile(std::string_view url) {
  auto result = profile_from_url(url, "");
  if (auto* error = std::get_if<std::string>(&result)) {
    ADD_FAILURE() << *error;
    return {};
  }
  return std::get<Profile>(std::move(result));
}

/// A scenario with one client group whose fields are `client` (JSON members), and `extra`
/// top-level members.
Scenario scenario_with(std::string_view client, std::string_view extra = {}) {
  std::string text = R"({"name": "req", )";
  if (!extra.empty()) text += std::string(extra) + ", ";
  text += R"("clients": {"c": {)" + std::string(client) + R"(}}, "steps": []})";
  return testing::scenario(text);
}

::testing::AssertionResult unmet_mentions(const Scenario& scenario, const Profile& profile,
                                          std::string_view part) {
  const auto reason = unmet_requirement(scenario, profile);
  if (!reason) return ::testing::AssertionFailure() << "every requirement is met";
  if (reason->find(part) == std::string::npos)
    return ::testing::AssertionFailure()
           << "the reason does not mention " << part << ": " << *reason;
  return ::testing::AssertionSuccess() << *reason;
}

TEST(UnmetRequirement, NothingMissing) {
  EXPECT_EQ(unmet_requirement(scenario_with(""), url_profile("mqtt://127.0.0.1")), std::nullopt);
}

TEST(UnmetRequirement, MissingEndpoint) {
  EXPECT_TRUE(unmet_mentions(scenario_with(R"("endpoint": "mtls")"),
                             url_profile("mqtt://127.0.0.1"), "mtls"));
  EXPECT_TRUE(unmet_mentions(scenario_with(R"("endpoint": "ws")"), url_profile("mqtt://127.0.0.1"),
                             "\"ws\""));
}

TEST(UnmetRequirement, ProtocolTheBrokerDoesNotSpeak) {
  Profile profile = url_profile("mqtt://127.0.0.1");
  profile.protocols = {ProtocolVersion::v3_1_1};
  EXPECT_TRUE(unmet_mentions(scenario_with("", R"("protocol": "5")"), profile, "5"));
  EXPECT_EQ(unmet_requirement(scenario_with(""), profile), std::nullopt);
  // A client's own level counts too.
  EXPECT_TRUE(unmet_mentions(scenario_with(R"("protocol": "3.1")"), profile, "3.1"));
}

TEST(UnmetRequirement, NegatedCapabilityWantsABrokerWithoutIt) {
  Profile profile = url_profile("mqtt://127.0.0.1");
  const Scenario without_retain = scenario_with("", R"("requires": ["!retain"])");
  EXPECT_TRUE(unmet_mentions(without_retain, profile, "for brokers without \"retain\""));
  profile.capabilities["retain"] = false;
  EXPECT_EQ(unmet_requirement(without_retain, profile), std::nullopt);
  profile.maximum_qos = 1;
  EXPECT_EQ(unmet_requirement(scenario_with("", R"("requires": ["!qos2"])"), profile),
            std::nullopt);
}

TEST(UnmetRequirement, CapabilityTheProfileSaysIsMissing) {
  Profile profile = url_profile("mqtt://127.0.0.1");
  profile.capabilities["shared_subscriptions"] = false;
  EXPECT_TRUE(unmet_mentions(scenario_with("", R"("requires": ["shared_subscriptions"])"), profile,
                             "shared_subscriptions"));
  EXPECT_EQ(unmet_requirement(scenario_with("", R"("requires": ["retain", "wildcards"])"), profile),
            std::nullopt);
}

TEST(UnmetRequirement, Qos2AboveTheMaximumQos) {
  Profile profile = url_profile("mqtt://127.0.0.1");
  profile.maximum_qos = 1;
  EXPECT_TRUE(
      unmet_mentions(scenario_with("", R"("requires": ["qos1", "qos2"])"), profile, "qos2"));
}

TEST(UnmetRequirement, MissingCredentials) {
  EXPECT_TRUE(unmet_mentions(scenario_with(R"("credentials": "limited")"),
                             url_profile("mqtt://alice:pw@127.0.0.1"), "limited"));
  EXPECT_EQ(unmet_requirement(scenario_with(R"("credentials": "valid")"),
                              url_profile("mqtt://alice:pw@127.0.0.1")),
            std::nullopt);
  EXPECT_TRUE(unmet_mentions(scenario_with(R"("credentials": "valid")"),
                             url_profile("mqtt://127.0.0.1"), "valid"));
}

TEST(UnmetRequirement, OtherCaWithoutASecondCa) {
  Profile profile = url_profile("mqtts://localhost:8883");
  const Scenario scenario = scenario_with(R"("endpoint": "tls", "tls": {"ca": "other"})");
  EXPECT_TRUE(unmet_mentions(scenario, profile, "other_ca"));
  profile.other_ca_file = "/etc/other-ca.pem";
  EXPECT_EQ(unmet_requirement(scenario, profile), std::nullopt);
}

TEST(UnmetRequirement, OtherCaOnAPlainEndpointNeedsNothing) {
  EXPECT_EQ(unmet_requirement(scenario_with(R"("tls": {"ca": "other"})"),
                              url_profile("mqtt://127.0.0.1")),
            std::nullopt);
}

TEST(UnmetRequirement, ClientCertificate) {
  Profile profile = url_profile("mqtts://localhost:8884");
  profile.endpoints["mtls"] = profile.endpoints.at("tls");
  // The mtls endpoint presents the client certificate unless told not to.
  EXPECT_TRUE(
      unmet_mentions(scenario_with(R"("endpoint": "mtls")"), profile, "client certificate"));
  EXPECT_EQ(
      unmet_requirement(
          scenario_with(R"("endpoint": "mtls", "tls": {"client_certificate": false})"), profile),
      std::nullopt);
  EXPECT_TRUE(
      unmet_mentions(scenario_with(R"("endpoint": "tls", "tls": {"client_certificate": true})"),
                     profile, "client certificate"));
  profile.client_cert_file = "/etc/client.pem";
  EXPECT_EQ(unmet_requirement(scenario_with(R"("endpoint": "mtls")"), profile), std::nullopt);
}

TEST(UnmetRequirement, FullScenarioAgainstTheTestProfile) {
  ::setenv("GAUNTLET_SCENARIOS_UNIT_TEST_PASSWORD", "x", 1);
  const auto profile = load_profile(testing::data_path("profile.json"));
  ::unsetenv("GAUNTLET_SCENARIOS_UNIT_TEST_PASSWORD");
  ASSERT_TRUE(std::holds_alternative<Profile>(profile)) << std::get<FileError>(profile).to_string();
  const auto scenario = load_scenario(testing::data_path("full.json"));
  ASSERT_TRUE(std::holds_alternative<Scenario>(scenario))
      << std::get<FileError>(scenario).to_string();
  // The scenario requires retain (off in the profile) and qos2 (its maximum_qos is 1).
  EXPECT_TRUE(unmet_mentions(std::get<Scenario>(scenario), std::get<Profile>(profile), "retain"));
}

// --- run_id -------------------------------------------------------------------------------------

TEST(RunId, TwelveHexCharacters) {
  const std::regex twelve_hex("[0-9a-f]{12}");
  for (const std::uint64_t seed : {0ULL, 1ULL, 42ULL, 0xFFFFFFFFFFFFFFFFULL}) {
    for (const std::string_view name : {"", "a", "tutorial-temperature", "qos2-four-step-5"}) {
      const std::string id = run_id(seed, name);
      EXPECT_TRUE(std::regex_match(id, twelve_hex)) << seed << " " << name << ": " << id;
    }
  }
}

TEST(RunId, StableForTheSameSeedAndName) {
  EXPECT_EQ(run_id(42, "tutorial-temperature"), run_id(42, "tutorial-temperature"));
  EXPECT_EQ(run_id(0, ""), run_id(0, ""));
}

TEST(RunId, DiffersByNameAndBySeed) {
  EXPECT_NE(run_id(42, "tutorial-temperature"), run_id(42, "tutorial-temperature-5"));
  EXPECT_NE(run_id(42, "a"), run_id(43, "a"));
  std::set<std::string> ids;
  for (std::uint64_t seed = 0; seed < 50; ++seed)
    for (const std::string_view name : {"a", "b", "c", "ab", "ba"})
      ids.insert(run_id(seed, name));
  EXPECT_EQ(ids.size(), 250U) << "no collisions among 250 ids";
}

// --- templates at run time (no connection is made: the only step waits on an idle client) -------

/// Runs a scenario whose only step is an expect that nothing can satisfy, and returns the
/// expectation as the failing case reports it (templates expanded).
Json expanded_expectation(std::string_view vars, std::string_view matcher) {
  const Scenario scenario = testing::scenario(
      R"({"name": "expand", "vars": )" + std::string(vars) +
      R"(, "clients": {"c": {}}, "steps": [{"client": "c", "within_ms": 10, "expect": )" +
      std::string(matcher) + "}]}");
  RunOptions options;
  options.run_id = "r1";
  const reports::Case result = run_scenario(
      scenario, std::get<Profile>(profile_from_url("mqtt://127.0.0.1:1", "")), options);
  EXPECT_EQ(result.verdict, reports::Verdict::fail) << result.detail;
  if (result.mismatches.empty()) {
    ADD_FAILURE() << "no mismatch: " << result.detail;
    return {};
  }
  return result.mismatches[0].expected;
}

TEST(RunScenario, VariablesUseEachOtherInTheOrderWritten) {
  // docs/scenarios.md: vars are templates, and may use the built-in names and each other.
  EXPECT_EQ(expanded_expectation(R"({"topic": "g/{run}", "deep": "{topic}/deep"})",
                                 R"({"publish": {"topic": "{deep}"}})"),
            Json::parse(R"({"publish": {"topic": "g/r1/deep"}})"));
}

TEST(RunScenario, VariablesInAlphabeticalOrderToo) {
  EXPECT_EQ(expanded_expectation(R"({"a": "g/{run}", "b": "{a}/b"})",
                                 R"({"publish": {"topic": "{b}/{client}/{i}"}})"),
            Json::parse(R"({"publish": {"topic": "g/r1/b/c/0"}})"));
}

TEST(RunScenario, VariableUsingALaterOne) {
  // The parser accepts a variable that uses one written after it; the run must not then send the
  // template as written.
  const auto parsed = testing::parse_text(
      R"({"name": "t", "vars": {"a": "{b}/x", "b": "y"}, "clients": {"c": {}}, "steps": []})");
  if (std::holds_alternative<FileError>(parsed)) return;  // refusing it is fine too
  EXPECT_EQ(expanded_expectation(R"({"a": "{b}/x", "b": "y"})", R"({"publish": {"topic": "{a}"}})"),
            Json::parse(R"({"publish": {"topic": "y/x"}})"));
}

}  // namespace
}  // namespace gauntlet::scenarios
