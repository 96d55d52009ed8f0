// Profiles: parse_profile from a file (paths taken from the profile's folder, passwords from the
// text, the environment or a file), the errors of a profile with their positions, capabilities,
// and profile_from_url.
#include "gauntlet/scenarios/profile.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "test_support.hpp"

namespace gauntlet::scenarios {
namespace {

using codec::ProtocolVersion;
using testing::data_path;

constexpr const char* password_variable = "GAUNTLET_SCENARIOS_UNIT_TEST_PASSWORD";

std::string normal(const std::string& path) {
  return std::filesystem::path(path).lexically_normal().string();
}

/// A profile written inline, as if it were the file data/inline-profile.json (relative paths are
/// then taken from data/).
std::variant<Profile, FileError> profile_text(std::string_view text) {
  auto document = SourceDocument::parse(data_path("inline-profile.json"), text);
  if (auto* error = std::get_if<FileError>(&document)) return *error;
  return parse_profile(std::get<SourceDocument>(document));
}

::testing::AssertionResult refused(std::string_view text, std::string_view rule, std::size_t line,
                                   std::size_t column) {
  const auto result = profile_text(text);
  const auto* error = std::get_if<FileError>(&result);
  if (error == nullptr) return ::testing::AssertionFailure() << "accepted, expected " << rule;
  const std::string wanted = data_path("inline-profile.json") + ":" + std::to_string(line) + ":" +
                             std::to_string(column) + ": error[" + std::string(rule) + "]";
  if (error->to_string().rfind(wanted, 0) != 0)
    return ::testing::AssertionFailure()
           << "expected " << wanted << "..., got " << error->to_string();
  return ::testing::AssertionSuccess() << error->to_string();
}

class ProfileFile : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::setenv(password_variable, "from-the-environment", 1), 0);
    auto loaded = load_profile(data_path("profile.json"));
    if (const auto* error = std::get_if<FileError>(&loaded)) FAIL() << error->to_string();
    profile_ = std::get<Profile>(std::move(loaded));
  }
  void TearDown() override { ::unsetenv(password_variable); }
  Profile profile_;
};

TEST_F(ProfileFile, NameVersionFile) {
  EXPECT_EQ(profile_.file, data_path("profile.json"));
  EXPECT_EQ(profile_.name, "local-mosquitto");
  EXPECT_EQ(profile_.version, "2.0.18");
}

TEST_F(ProfileFile, Endpoints) {
  ASSERT_EQ(profile_.endpoints.size(), 5U);
  const client::Endpoint& plain = profile_.endpoints.at("plain");
  EXPECT_EQ(plain.scheme, client::Endpoint::Scheme::mqtt);
  EXPECT_EQ(plain.host, "127.0.0.1");
  EXPECT_EQ(plain.port, 1883);
  EXPECT_EQ(profile_.endpoints.at("auth").port, 1884);
  const client::Endpoint& tls = profile_.endpoints.at("tls");
  EXPECT_TRUE(tls.tls());
  EXPECT_EQ(tls.host, "localhost");
  EXPECT_EQ(tls.port, 8883);
  EXPECT_EQ(profile_.endpoints.at("mtls").port, 8884);
  const client::Endpoint& ws = profile_.endpoints.at("ws");
  EXPECT_TRUE(ws.websocket());
  EXPECT_EQ(ws.port, 8080);
  EXPECT_EQ(ws.path, "/mqtt");
}

TEST_F(ProfileFile, TlsPathsAreResolvedAgainstTheProfilesFolder) {
  EXPECT_EQ(profile_.ca_file, normal(data_path("certs/ca.pem")));
  EXPECT_EQ(profile_.other_ca_file, normal(data_path("certs/other-ca.pem")));
  EXPECT_EQ(profile_.client_cert_file, normal(data_path("certs/client.pem")));
  EXPECT_EQ(profile_.client_key_file, normal(data_path("certs/client.key")));
  EXPECT_TRUE(std::filesystem::path(profile_.ca_file).is_absolute());
}

TEST_F(ProfileFile, Credentials) {
  ASSERT_EQ(profile_.credentials.size(), 4U);
  EXPECT_EQ(profile_.credentials.at("valid").username, "alice");
  EXPECT_EQ(profile_.credentials.at("valid").password, "alice-pw");
  EXPECT_EQ(profile_.credentials.at("from_env").username, "bob");
  EXPECT_EQ(profile_.credentials.at("from_env").password, "from-the-environment");
  EXPECT_EQ(profile_.credentials.at("from_file").username, "carol");
  EXPECT_EQ(profile_.credentials.at("from_file").password, "s3cret")
      << "the line ending (CRLF here) is not part of the password";
  EXPECT_EQ(profile_.credentials.at("anonymous").username, std::nullopt);
  EXPECT_EQ(profile_.credentials.at("anonymous").password, std::nullopt);
}

TEST_F(ProfileFile, Capabilities) {
  EXPECT_EQ(profile_.protocols,
            (std::set<ProtocolVersion>{ProtocolVersion::v3_1_1, ProtocolVersion::v5}));
  EXPECT_EQ(profile_.maximum_qos, 1);
  EXPECT_EQ(profile_.maximum_packet_size, 268435455U);
  EXPECT_FALSE(profile_.has("qos2")) << "maximum_qos 1";
  EXPECT_TRUE(profile_.has("qos1"));
  EXPECT_FALSE(profile_.has("retain"));
  EXPECT_TRUE(profile_.has("shared_subscriptions"));
  EXPECT_TRUE(profile_.has("wildcards")) << "absent names count as available";
  EXPECT_TRUE(profile_.has("sys_topics"));
  EXPECT_FALSE(profile_.has("client_dollar_topics"));
}

TEST_F(ProfileFile, LifecycleAndKnownDeviations) {
  EXPECT_EQ(profile_.start_command, "systemctl start mosquitto");
  EXPECT_EQ(profile_.stop_command, "systemctl stop mosquitto");
  EXPECT_EQ(profile_.restart_command, "systemctl restart mosquitto");
  ASSERT_EQ(profile_.known_deviations.size(), 2U);
  EXPECT_EQ(profile_.known_deviations[0].case_id, "mqtt5-retain-*");
  EXPECT_EQ(profile_.known_deviations[0].reason, "retain is off");
  EXPECT_EQ(profile_.known_deviations[0].link, "https://example.org/1");
  EXPECT_EQ(profile_.known_deviations[1].case_id, "qos2-four-step-5");
  EXPECT_EQ(profile_.known_deviations[1].link, "");
}

TEST_F(ProfileFile, LacksEndpointAndCredentials) {
  EXPECT_EQ(profile_.lacks_endpoint("mtls"), std::nullopt);
  const auto wss = profile_.lacks_endpoint("wss");
  ASSERT_TRUE(wss.has_value());
  EXPECT_NE(wss->find("\"wss\""), std::string::npos) << *wss;
  EXPECT_EQ(profile_.lacks_credentials(""), std::nullopt) << "no credentials wanted";
  EXPECT_EQ(profile_.lacks_credentials("valid"), std::nullopt);
  const auto limited = profile_.lacks_credentials("limited");
  ASSERT_TRUE(limited.has_value());
  EXPECT_NE(limited->find("\"limited\""), std::string::npos) << *limited;
}

TEST(Profile, DefaultsHaveEverything) {
  const Profile profile;
  EXPECT_TRUE(profile.has("qos2"));
  EXPECT_TRUE(profile.has("retain"));
  EXPECT_EQ(profile.protocols.size(), 3U);
}

TEST(Profile, MaximumQosZero) {
  Profile profile;
  profile.maximum_qos = 0;
  EXPECT_FALSE(profile.has("qos1"));
  EXPECT_FALSE(profile.has("qos2"));
}

/// Runs in another working directory, and comes back even when the body throws.
class WorkingDirectory {
 public:
  explicit WorkingDirectory(const std::string& path) : previous_(std::filesystem::current_path()) {
    std::filesystem::current_path(path);
  }
  ~WorkingDirectory() { std::filesystem::current_path(previous_); }
  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;

 private:
  std::filesystem::path previous_;
};

TEST(Profile, ProfileInTheWorkingDirectory) {
  // `gauntlet run --profile profile.json` from the profile's own folder: the file name has no
  // directory part, and its relative paths are still taken from its folder.
  ASSERT_EQ(::setenv(password_variable, "x", 1), 0);
  std::variant<Profile, FileError> loaded = FileError{};
  try {
    const WorkingDirectory inside(SCENARIO_TEST_DATA);
    loaded = load_profile("profile.json");
  } catch (const std::exception& error) {
    ADD_FAILURE() << "load_profile(\"profile.json\") threw: " << error.what();
  }
  ::unsetenv(password_variable);
  ASSERT_TRUE(std::holds_alternative<Profile>(loaded)) << std::get<FileError>(loaded).to_string();
  EXPECT_EQ(std::get<Profile>(loaded).ca_file, normal(data_path("certs/ca.pem")));
}

TEST(Profile, DocumentNamedWithoutADirectory) {
  std::variant<Profile, FileError> parsed = FileError{};
  try {
    parsed = parse_profile(testing::document(R"({"name": "p", "endpoints": {}})"));
  } catch (const std::exception& error) {
    ADD_FAILURE() << "parse_profile of \"test.json\" threw: " << error.what();
  }
  ASSERT_TRUE(std::holds_alternative<Profile>(parsed)) << std::get<FileError>(parsed).to_string();
  EXPECT_EQ(std::get<Profile>(parsed).name, "p");
}

// --- errors in a profile ------------------------------------------------------------------------

TEST(ProfileErrors, MissingTlsFileAtItsValue) {
  EXPECT_TRUE(refused(R"({"name": "p",
 "endpoints": {"plain": "mqtt://127.0.0.1"},
 "tls": {"ca": "certs/ca.pem",
         "cert": "certs/missing.pem"}})",
                      "bad-value", 4, 18));
  const auto result = profile_text(R"({"name": "p", "endpoints": {}, "tls": {"ca": "nope.pem"}})");
  ASSERT_TRUE(std::holds_alternative<FileError>(result));
  EXPECT_NE(std::get<FileError>(result).message.find(normal(data_path("nope.pem"))),
            std::string::npos)
      << "names the resolved path: " << std::get<FileError>(result).message;
}

TEST(ProfileErrors, MissingPasswordFile) {
  EXPECT_TRUE(refused(R"({"name": "p",
 "endpoints": {},
 "credentials": {"valid": {"username": "u", "password_file": "secrets/none.txt"}}})",
                      "bad-value", 3, 62));
}

TEST(ProfileErrors, UnsetPasswordVariable) {
  ::unsetenv("GAUNTLET_SCENARIOS_UNIT_TEST_UNSET");
  EXPECT_TRUE(refused(R"({"name": "p",
 "endpoints": {},
 "credentials": {
   "valid": {"password_env": "GAUNTLET_SCENARIOS_UNIT_TEST_UNSET"}}})",
                      "bad-value", 4, 30));
}

TEST(ProfileErrors, TwoPasswordSources) {
  ::setenv(password_variable, "x", 1);
  EXPECT_TRUE(refused(R"({"name": "p",
 "endpoints": {},
 "credentials": {
   "valid": {"password": "a", "password_env": "GAUNTLET_SCENARIOS_UNIT_TEST_PASSWORD"}}})",
                      "bad-value", 4, 13));
  ::unsetenv(password_variable);
}

TEST(ProfileErrors, UnknownCapabilityAtItsKey) {
  EXPECT_TRUE(refused(R"({"name": "p",
 "endpoints": {},
 "capabilities": {"retain": true,
                  "teleport": true}})",
                      "unknown-field", 4, 19));
}

TEST(ProfileErrors, QosCapabilitiesAreSpelledMaximumQos) {
  EXPECT_TRUE(refused(R"({"name": "p", "endpoints": {}, "capabilities": {"qos2": false}})",
                      "unknown-field", 1, 49));
}

TEST(ProfileErrors, CapabilityValues) {
  EXPECT_TRUE(refused(R"({"name": "p", "endpoints": {}, "capabilities": {"maximum_qos": 3}})",
                      "bad-value", 1, 64));
  EXPECT_TRUE(refused(R"({"name": "p", "endpoints": {}, "capabilities": {"retain": "no"}})",
                      "wrong-type", 1, 59));
  EXPECT_TRUE(
      refused(R"({"name": "p", "endpoints": {}, "capabilities": {"protocols": ["3.1.1", "4"]}})",
              "bad-value", 1, 72));
  EXPECT_TRUE(refused(R"({"name": "p", "endpoints": {}, "capabilities": {"protocols": "5"}})",
                      "wrong-type", 1, 62));
}

TEST(ProfileErrors, MaximumPacketSizeAbove32Bits) {
  // 2^32 does not fit the field; it must not wrap around to 0 ("no limit known").
  EXPECT_TRUE(refused(
      R"({"name": "p", "endpoints": {}, "capabilities": {"maximum_packet_size": 4294967296}})",
      "bad-value", 1, 72));
}

TEST(ProfileErrors, BadEndpointUrl) {
  EXPECT_TRUE(refused(R"({"name": "p",
 "endpoints": {"plain": "mqtt://127.0.0.1",
               "web": "http://127.0.0.1"}})",
                      "bad-value", 3, 23));
}

TEST(ProfileErrors, MissingAndUnknownFields) {
  EXPECT_TRUE(refused(R"({"endpoints": {}})", "missing-field", 1, 1));
  EXPECT_TRUE(refused(R"({"name": "p"})", "missing-field", 1, 1));
  EXPECT_TRUE(refused(R"({"name": "p", "endpoints": {}, "brokers": []})", "unknown-field", 1, 32));
  EXPECT_TRUE(refused(R"({"name": "p", "endpoints": {}, "tls": {"ca_file": "x"}})", "unknown-field",
                      1, 40));
  EXPECT_TRUE(refused(R"({"name": "p", "endpoints": {}, "credentials": {"v": {"user": "x"}}})",
                      "unknown-field", 1, 54));
  EXPECT_TRUE(refused(R"({"name": "p", "endpoints": {}, "known_deviations": [{"case": "x"}]})",
                      "missing-field", 1, 53));
  EXPECT_TRUE(refused(R"({"name": 1, "endpoints": {}})", "wrong-type", 1, 10));
}

TEST(ProfileErrors, JsonErrorsOfTheFile) {
  EXPECT_TRUE(
      refused("{\"name\": \"p\",\n \"name\": \"q\", \"endpoints\": {}}", "duplicate-key", 2, 2));
}

TEST(ProfileErrors, MissingFile) {
  const auto loaded = load_profile(data_path("no-such-profile.json"));
  ASSERT_TRUE(std::holds_alternative<FileError>(loaded));
  EXPECT_EQ(std::get<FileError>(loaded).rule, "unreadable");
}

// --- profile_from_url ---------------------------------------------------------------------------

std::vector<std::string> endpoint_names(const Profile& profile) {
  std::vector<std::string> names;
  for (const auto& [name, endpoint] : profile.endpoints)
    names.push_back(name);
  return names;
}

TEST(ProfileFromUrl, PlainWithUser) {
  const auto result = profile_from_url("mqtt://alice:pw@127.0.0.1:1883", "");
  ASSERT_TRUE(std::holds_alternative<Profile>(result)) << std::get<std::string>(result);
  const auto& profile = std::get<Profile>(result);
  EXPECT_EQ(profile.file, "");
  EXPECT_EQ(profile.name, "127.0.0.1");
  EXPECT_EQ(endpoint_names(profile), (std::vector<std::string>{"auth", "plain"}));
  EXPECT_EQ(profile.endpoints.at("plain").port, 1883);
  EXPECT_EQ(profile.endpoints.at("auth").username, "alice");
  ASSERT_TRUE(profile.credentials.contains("valid"));
  EXPECT_EQ(profile.credentials.at("valid").username, "alice");
  EXPECT_EQ(profile.credentials.at("valid").password, "pw");
  EXPECT_EQ(profile.ca_file, "");
  // An unknown broker is held to the whole spec.
  for (const char* capability : {"retain", "wildcards", "shared_subscriptions", "sys_topics",
                                 "subscription_identifiers", "topic_aliases", "qos1", "qos2"})
    EXPECT_TRUE(profile.has(capability)) << capability;
  EXPECT_EQ(profile.protocols.size(), 3U);
}

TEST(ProfileFromUrl, PlainWithoutUser) {
  const auto result = profile_from_url("mqtt://localhost", "");
  ASSERT_TRUE(std::holds_alternative<Profile>(result));
  const auto& profile = std::get<Profile>(result);
  EXPECT_EQ(endpoint_names(profile), (std::vector<std::string>{"plain"}));
  EXPECT_TRUE(profile.credentials.empty());
  EXPECT_EQ(profile.endpoints.at("plain").port, 1883);
}

TEST(ProfileFromUrl, Tls) {
  const auto result = profile_from_url("mqtts://broker.example:8883", "/etc/ca.pem");
  ASSERT_TRUE(std::holds_alternative<Profile>(result));
  const auto& profile = std::get<Profile>(result);
  EXPECT_EQ(endpoint_names(profile), (std::vector<std::string>{"tls"}));
  EXPECT_TRUE(profile.endpoints.at("tls").tls());
  EXPECT_EQ(profile.ca_file, "/etc/ca.pem");
  EXPECT_EQ(profile.name, "broker.example");
}

TEST(ProfileFromUrl, WebSockets) {
  const auto ws = profile_from_url("ws://127.0.0.1:8080/mqtt", "");
  ASSERT_TRUE(std::holds_alternative<Profile>(ws));
  EXPECT_EQ(endpoint_names(std::get<Profile>(ws)), (std::vector<std::string>{"ws"}));
  EXPECT_EQ(std::get<Profile>(ws).endpoints.at("ws").path, "/mqtt");
  EXPECT_EQ(std::get<Profile>(ws).endpoints.at("ws").port, 8080);
  const auto wss = profile_from_url("wss://u:p@broker.example", "ca.pem");
  ASSERT_TRUE(std::holds_alternative<Profile>(wss));
  EXPECT_EQ(endpoint_names(std::get<Profile>(wss)), (std::vector<std::string>{"wss"}));
  EXPECT_EQ(std::get<Profile>(wss).endpoints.at("wss").port, 443);
  EXPECT_EQ(std::get<Profile>(wss).credentials.at("valid").username, "u");
}

TEST(ProfileFromUrl, BadUrls) {
  for (const std::string_view url :
       {"http://127.0.0.1", "127.0.0.1:1883", "mqtt://", "mqtt://h:notaport", "mqtt://h/path"}) {
    const auto result = profile_from_url(url, "");
    ASSERT_TRUE(std::holds_alternative<std::string>(result)) << url;
    EXPECT_FALSE(std::get<std::string>(result).empty()) << url;
  }
}

}  // namespace
}  // namespace gauntlet::scenarios
