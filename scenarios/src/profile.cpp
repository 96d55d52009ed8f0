#include "gauntlet/scenarios/profile.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gauntlet/scenarios/checker.hpp"

namespace gauntlet::scenarios {

bool Profile::has(std::string_view capability) const {
  const auto it = capabilities.find(capability);
  if (capability == "qos1") return maximum_qos >= 1 && (it == capabilities.end() || it->second);
  if (capability == "qos2") return maximum_qos >= 2 && (it == capabilities.end() || it->second);
  return it == capabilities.end() || it->second;
}

std::optional<std::string> Profile::lacks_endpoint(const std::string& wanted) const {
  if (endpoints.contains(wanted)) return std::nullopt;
  return "the profile has no \"" + wanted + "\" endpoint";
}

std::optional<std::string> Profile::lacks_credentials(const std::string& wanted) const {
  if (wanted.empty() || credentials.contains(wanted)) return std::nullopt;
  return "the profile has no \"" + wanted + "\" credentials";
}

namespace {

class ProfileParser : public DocumentChecker {
 public:
  explicit ProfileParser(const SourceDocument& document) : DocumentChecker(document) {
    // absolute() of the file, then its folder: a bare "profile.json" has an empty parent_path(),
    // which absolute() refuses.
    std::error_code ignored;
    base_ =
        std::filesystem::absolute(std::filesystem::path(document.file()), ignored).parent_path();
  }

  Profile run() {
    const Json& root = doc_.root();
    object("", root);
    keys("", root,
         {"$schema", "name", "version", "endpoints", "credentials", "tls", "capabilities",
          "lifecycle", "known_deviations"});
    Profile profile;
    profile.file = doc_.file();
    if (!root.contains("name")) fail("", "missing-field", "a profile needs a \"name\"");
    profile.name = string("/name", root["name"]);
    if (root.contains("version")) profile.version = string("/version", root["version"]);
    if (!root.contains("endpoints"))
      fail("", "missing-field", "a profile needs \"endpoints\" (name -> broker URL)");
    object("/endpoints", root["endpoints"]);
    for (const auto& [name, url] : root["endpoints"].items()) {
      const std::string at = pointer_append("/endpoints", name);
      auto parsed = client::parse_broker_url(string(at, url));
      if (auto* error = std::get_if<std::string>(&parsed)) fail(at, "bad-value", *error);
      profile.endpoints[name] = std::get<client::Endpoint>(parsed);
    }
    if (root.contains("credentials")) {
      object("/credentials", root["credentials"]);
      for (const auto& [name, entry] : root["credentials"].items())
        profile.credentials[name] = credentials(pointer_append("/credentials", name), entry);
    }
    if (root.contains("tls")) {
      const Json& tls = root["tls"];
      object("/tls", tls);
      keys("/tls", tls, {"ca", "other_ca", "cert", "key"});
      profile.ca_file = path("/tls", tls, "ca");
      profile.other_ca_file = path("/tls", tls, "other_ca");
      profile.client_cert_file = path("/tls", tls, "cert");
      profile.client_key_file = path("/tls", tls, "key");
    }
    if (root.contains("capabilities")) capabilities(root["capabilities"], profile);
    if (root.contains("lifecycle")) {
      const Json& lifecycle = root["lifecycle"];
      object("/lifecycle", lifecycle);
      keys("/lifecycle", lifecycle, {"start", "stop", "restart"});
      if (lifecycle.contains("start"))
        profile.start_command = string("/lifecycle/start", lifecycle["start"]);
      if (lifecycle.contains("stop"))
        profile.stop_command = string("/lifecycle/stop", lifecycle["stop"]);
      if (lifecycle.contains("restart"))
        profile.restart_command = string("/lifecycle/restart", lifecycle["restart"]);
    }
    if (root.contains("known_deviations")) {
      const Json& list = root["known_deviations"];
      if (!list.is_array()) wrong_type("/known_deviations", list, "an array");
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string at = pointer_append("/known_deviations", i);
        object(at, list[i]);
        keys(at, list[i], {"case", "reason", "link"});
        if (!list[i].contains("case") || !list[i].contains("reason"))
          fail(at, "missing-field", "a known deviation needs \"case\" and \"reason\"");
        KnownDeviation deviation{string(at + "/case", list[i]["case"]),
                                 string(at + "/reason", list[i]["reason"]), ""};
        if (list[i].contains("link")) deviation.link = string(at + "/link", list[i]["link"]);
        profile.known_deviations.push_back(std::move(deviation));
      }
    }
    return profile;
  }

 private:
  std::string path(std::string_view pointer, const Json& parent, std::string_view key) const {
    if (!parent.contains(key)) return {};
    const std::string at = pointer_append(pointer, key);
    const std::filesystem::path file = string(at, parent[std::string(key)]);
    const auto resolved = file.is_absolute() ? file : base_ / file;
    if (!std::filesystem::exists(resolved))
      fail(at, "bad-value", "no such file: " + resolved.string());
    return resolved.lexically_normal().string();
  }

  Credentials credentials(const std::string& pointer, const Json& entry) const {
    object(pointer, entry);
    keys(pointer, entry, {"username", "password", "password_env", "password_file"});
    Credentials out;
    if (entry.contains("username")) out.username = string(pointer + "/username", entry["username"]);
    int sources = 0;
    if (entry.contains("password")) {
      out.password = string(pointer + "/password", entry["password"]);
      ++sources;
    }
    if (entry.contains("password_env")) {
      const std::string variable = string(pointer + "/password_env", entry["password_env"]);
      const char* value = std::getenv(variable.c_str());  // NOLINT(concurrency-mt-unsafe)
      if (value == nullptr)
        fail(pointer + "/password_env", "bad-value",
             "the environment variable " + variable + " is not set");
      out.password = value;
      ++sources;
    }
    if (entry.contains("password_file")) {
      const std::string file = path(pointer, entry, "password_file");
      std::ifstream in(file, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      std::string password = text.str();
      while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
        password.pop_back();
      out.password = password;
      ++sources;
    }
    if (sources > 1)
      fail(pointer, "bad-value", "give one of password, password_env and password_file");
    return out;
  }

  void capabilities(const Json& value, Profile& profile) const {
    object("/capabilities", value);
    for (const auto& [name, member] : value.items()) {
      const std::string at = pointer_append("/capabilities", name);
      if (name == "protocols") {
        if (!member.is_array()) wrong_type(at, member, "an array");
        profile.protocols.clear();
        for (std::size_t i = 0; i < member.size(); ++i) {
          const std::string level = string(pointer_append(at, i), member[i]);
          if (level == "3.1") {
            profile.protocols.insert(codec::ProtocolVersion::v3_1);
          } else if (level == "3.1.1") {
            profile.protocols.insert(codec::ProtocolVersion::v3_1_1);
          } else if (level == "5") {
            profile.protocols.insert(codec::ProtocolVersion::v5);
          } else {
            fail(pointer_append(at, i), "bad-value", "a protocol is \"3.1\", \"3.1.1\" or \"5\"");
          }
        }
      } else if (name == "maximum_qos") {
        if (!member.is_number_unsigned() || member.get<unsigned>() > 2)
          fail(at, "bad-value", "maximum_qos is 0, 1 or 2");
        profile.maximum_qos = member.get<std::uint8_t>();
      } else if (name == "maximum_packet_size") {
        profile.maximum_packet_size =
            static_cast<std::uint32_t>(integer(at, member, 0, 0xFFFFFFFF));
      } else if (name == "retain" || name == "wildcards" || name == "shared_subscriptions" ||
                 name == "sys_topics" || name == "subscription_identifiers" ||
                 name == "topic_aliases" || name == "client_dollar_topics") {
        if (!member.is_boolean()) wrong_type(at, member, "true or false");
        profile.capabilities[name] = member.get<bool>();
      } else {
        fail_at_key(at, "unknown-field", "unknown capability \"" + name + "\"");
      }
    }
  }

  std::filesystem::path base_;
};

}  // namespace

std::variant<Profile, FileError> parse_profile(const SourceDocument& document) {
  return check_document<Profile>([&] { return ProfileParser(document).run(); });
}

std::variant<Profile, FileError> load_profile(const std::string& path) {
  return load_document<Profile>(path, parse_profile);
}

std::variant<Profile, std::string> profile_from_url(std::string_view url, std::string ca_file) {
  auto parsed = client::parse_broker_url(url);
  if (auto* error = std::get_if<std::string>(&parsed)) return *error;
  const auto endpoint = std::get<client::Endpoint>(parsed);
  Profile profile;
  profile.name = endpoint.host;
  profile.ca_file = std::move(ca_file);
  switch (endpoint.scheme) {
    case client::Endpoint::Scheme::mqtt:
      profile.endpoints["plain"] = endpoint;
      if (endpoint.username) profile.endpoints["auth"] = endpoint;
      break;
    case client::Endpoint::Scheme::mqtts:
      profile.endpoints["tls"] = endpoint;
      break;
    case client::Endpoint::Scheme::ws:
      profile.endpoints["ws"] = endpoint;
      break;
    case client::Endpoint::Scheme::wss:
      profile.endpoints["wss"] = endpoint;
      break;
  }
  if (endpoint.username) profile.credentials["valid"] = {endpoint.username, endpoint.password};
  return profile;
}

}  // namespace gauntlet::scenarios
