#include "gauntlet/scenarios/client_setup.hpp"

#include "gauntlet/client/connection.hpp"
#include "gauntlet/scenarios/packets.hpp"

namespace gauntlet::scenarios {

client::SessionConfig session_config(const ClientGroup& group, const Profile& profile,
                                     std::string client_id, const Json& overrides,
                                     const Bindings& bindings, Milliseconds response_timeout) {
  client::SessionConfig config;
  config.version = group.version;
  config.client_id = std::move(client_id);
  config.clean_start = overrides.value("clean_start", group.clean_start);
  config.keep_alive_s =
      overrides.value("keep_alive_s", static_cast<unsigned>(group.keep_alive_s)) & 0xFFFFU;
  config.use_topic_aliases = group.topic_aliases;
  config.strict = group.strict;
  config.acknowledge = group.acknowledge;
  config.send_connect = overrides.value("send_connect", true);
  config.response_timeout = std::chrono::duration_cast<client::Duration>(response_timeout);

  std::optional<std::string> username;
  std::optional<std::string> password;
  const client::Endpoint& endpoint = profile.endpoints.at(group.endpoint);
  if (!group.credentials.empty()) {
    const Credentials& credentials = profile.credentials.at(group.credentials);
    username = credentials.username;
    password = credentials.password;
  } else if (endpoint.username) {
    username = endpoint.username;
    password = endpoint.password;
  }
  if (group.username) username = expand(*group.username, bindings);
  if (group.password) password = expand(*group.password, bindings);
  if (overrides.contains("username")) username = overrides["username"].get<std::string>();
  if (overrides.contains("password")) password = overrides["password"].get<std::string>();
  config.username = username;
  if (password) config.password = std::vector<std::uint8_t>(password->begin(), password->end());

  const Json properties = overrides.contains("properties")
                              ? overrides["properties"]
                              : expand_tree(group.properties, bindings);
  config.connect_properties = build_properties(properties);
  const Json will =
      overrides.contains("will") ? overrides["will"] : expand_tree(group.will, bindings);
  if (will.is_object()) {
    client::WillConfig& config_will = config.will.emplace();
    config_will.topic = will["topic"].get<std::string>();
    config_will.payload = build_payload(will);
    config_will.qos = static_cast<codec::QoS>(will.value("qos", 0));
    config_will.retain = will.value("retain", false);
    config_will.properties = build_properties(will.value("properties", Json::object()));
  }
  return config;
}

client::TlsOptions tls_options(const ClientGroup& group, const Profile& profile,
                               const Bindings& bindings) {
  client::TlsOptions options;
  options.ca_file = group.tls.ca == "profile" ? profile.ca_file
                    : group.tls.ca == "other" ? profile.other_ca_file
                                              : std::string();
  if (group.tls.client_certificate.value_or(group.endpoint == "mtls")) {
    options.cert_file = profile.client_cert_file;
    options.key_file = profile.client_key_file;
  }
  options.verify = group.tls.verify;
  options.server_name = expand(group.tls.server_name, bindings);
  return options;
}

std::shared_ptr<asio::ssl::context> TlsContexts::get(const client::TlsOptions& options,
                                                     std::string& error) {
  const std::string key =
      options.ca_file + "|" + options.cert_file + "|" + (options.verify ? "verify" : "no-verify");
  auto& context = contexts_[key];
  if (!context) context = client::make_tls_context(options, error);
  return context;
}

}  // namespace gauntlet::scenarios
