// The scenario validator. It walks the JSON once, checking each rule of docs/scenarios.md where the
// value was written, and throws the first broken rule as a FileError (caught at the entry point:
// exceptions never leave this file).
#include "gauntlet/scenarios/parse.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "gauntlet/codec/codec.hpp"
#include "gauntlet/scenarios/checker.hpp"
#include "gauntlet/scenarios/templates.hpp"

namespace gauntlet::scenarios {

const ClientGroup* Scenario::group(std::string_view wanted) const noexcept {
  for (const ClientGroup& candidate : clients)
    if (candidate.name == wanted) return &candidate;
  return nullptr;
}

std::optional<codec::PacketType> packet_kind(std::string_view name) {
  std::string upper(name);
  for (char& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return codec::parse_packet_type(upper);
}

std::optional<std::uint8_t> parse_reason_code(const Json& value, codec::PacketType packet) {
  if (value.is_number_integer()) {
    const auto number = value.get<std::int64_t>();
    if (number < 0 || number > 0xFF) return std::nullopt;
    return static_cast<std::uint8_t>(number);
  }
  if (!value.is_string()) return std::nullopt;
  const auto& text = value.get_ref<const std::string&>();
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    const auto bytes = codec::from_hex(
        std::string_view(text).substr(2).size() % 2 == 1 ? "0" + text.substr(2) : text.substr(2));
    if (bytes && bytes->size() == 1) return (*bytes)[0];
    return std::nullopt;
  }
  // reason_code_name() calls every code a packet may not carry "unknown": not a name to accept.
  if (text == "unknown") return std::nullopt;
  for (const auto version : {codec::ProtocolVersion::v5, codec::ProtocolVersion::v3_1_1}) {
    for (unsigned code = 0; code <= 0xFF; ++code) {
      if (codec::reason_code_name(packet, version, static_cast<codec::ReasonCode>(code)) == text)
        return static_cast<std::uint8_t>(code);
    }
  }
  return std::nullopt;
}

namespace {

using Names = std::set<std::string, std::less<>>;

const std::vector<std::string_view> action_keys = {
    "connect", "disconnect", "drop",        "subscribe", "unsubscribe", "publish", "send",
    "auth",    "expect",     "expect_none", "barrier",   "loop",        "parallel"};

/// The matcher kinds and the fields each may name.
const std::map<std::string, std::set<std::string>, std::less<>>& matcher_fields() {
  static std::map<std::string, std::set<std::string>, std::less<>> fields = {
      {"connack", {"reason_code", "session_present", "properties"}},
      {"publish",
       {"topic", "payload", "payload_hex", "qos", "retain", "dup", "packet_id", "properties"}},
      {"puback", {"packet_id", "reason_code", "properties"}},
      {"pubrec", {"packet_id", "reason_code", "properties"}},
      {"pubrel", {"packet_id", "reason_code", "properties"}},
      {"pubcomp", {"packet_id", "reason_code", "properties"}},
      {"suback", {"packet_id", "reason_codes", "properties"}},
      {"unsuback", {"packet_id", "reason_codes", "properties"}},
      {"pingresp", {}},
      {"disconnect", {"reason_code", "properties"}},
      {"auth", {"reason_code", "properties"}},
      {"closed", {"cause"}},
  };
  // Every matcher of a packet with properties may also say which must be there (any value) and
  // which must not.
  static const bool with_presence = [] {
    for (auto& [kind, names] : fields) {
      if (names.contains("properties")) names.insert({"present_properties", "absent_properties"});
    }
    return true;
  }();
  (void)with_presence;
  return fields;
}

class Parser : public DocumentChecker {
 public:
  using DocumentChecker::DocumentChecker;

  Scenario run() {
    const Json& root = doc_.root();
    object("", root);
    keys("", root,
         {"$schema", "name", "title", "description", "spec", "level", "area", "protocol",
          "requires", "timeout_ms", "vars", "clients", "steps", "allow_findings", "load"});
    Scenario scenario;
    scenario.file = doc_.file();
    scenario.name = required_string("", root, "name");
    static const std::regex name_pattern("[A-Za-z0-9._-]+");
    if (!std::regex_match(scenario.name, name_pattern))
      fail("/name", "bad-value", "a scenario name uses only letters, digits, '.', '_' and '-'");
    scenario.title = optional_string("", root, "title").value_or(scenario.name);
    scenario.description = optional_string("", root, "description").value_or("");
    scenario.spec = string_list("", root, "spec");
    scenario.level = optional_string("", root, "level").value_or("");
    if (!scenario.level.empty() && scenario.level != "must" && scenario.level != "should" &&
        scenario.level != "may")
      fail("/level", "bad-value", "the level of a requirement is \"must\", \"should\" or \"may\"");
    scenario.area = optional_string("", root, "area").value_or("");
    static const std::regex area_pattern("[a-z0-9-]+");
    if (root.contains("area") && !std::regex_match(scenario.area, area_pattern))
      fail("/area", "bad-value", "an area is a lower-case word (letters, digits and '-')");
    if (root.contains("protocol")) scenario.version = protocol("/protocol", root["protocol"]);
    scenario.requires_capabilities = string_list("", root, "requires");
    static const Names capabilities = {"retain",
                                       "wildcards",
                                       "shared_subscriptions",
                                       "sys_topics",
                                       "client_dollar_topics",
                                       "qos1",
                                       "qos2",
                                       "topic_aliases",
                                       "subscription_identifiers"};
    for (std::size_t i = 0; i < scenario.requires_capabilities.size(); ++i) {
      const std::string& wanted = scenario.requires_capabilities[i];
      if (!capabilities.contains(wanted.starts_with('!') ? wanted.substr(1) : wanted))
        fail(pointer_append("/requires", i), "bad-value",
             "unknown capability \"" + scenario.requires_capabilities[i] + "\"");
    }
    if (root.contains("timeout_ms"))
      scenario.timeout = Milliseconds(integer("/timeout_ms", root["timeout_ms"], 1, 3'600'000));
    if (root.contains("allow_findings"))
      scenario.allow_findings = boolean("/allow_findings", root["allow_findings"]);

    names_ = {"run", "i", "client", "id"};
    if (root.contains("vars")) {
      // A variable may use the built-in names and the variables written before it: expansion
      // follows the order written, and no cycle can be written.
      object("/vars", root["vars"]);
      for (const auto& [name, value] : root["vars"].items()) {
        const std::string pointer = pointer_append("/vars", name);
        templated(pointer, string(pointer, value));
        names_.insert(name);
        scenario.variables.emplace_back(name, value.get<std::string>());
      }
    }

    if (!root.contains("clients")) fail("", "missing-field", "a scenario needs \"clients\"");
    object("/clients", root["clients"]);
    for (const auto& [name, spec] : root["clients"].items())
      scenario.clients.push_back(client(name, spec, scenario.version));
    if (scenario.clients.empty()) fail("/clients", "bad-value", "a scenario needs a client");
    scenario_ = &scenario;

    // A load scenario (gauntlet swarm) says what its clients do in "load", which the swarm
    // checks (swarm::parse_load); it has no steps.
    if (root.contains("load")) {
      object("/load", root["load"]);
      if (root.contains("steps"))
        fail_at_key("/steps", "bad-value",
                    "a load scenario (with \"load\") has no \"steps\": its clients do what "
                    "\"load\" says");
      scenario.load = true;
      return scenario;
    }
    if (!root.contains("steps")) fail("", "missing-field", "a scenario needs \"steps\"");
    scenario.steps = steps("/steps", root["steps"], 0);
    return scenario;
  }

 private:
  std::string required_string(std::string_view pointer, const Json& parent,
                              std::string_view key) const {
    if (!parent.contains(key))
      fail(pointer, "missing-field", "the field \"" + std::string(key) + "\" is required here");
    return string(pointer_append(pointer, key), parent[std::string(key)]);
  }
  std::optional<std::string> optional_string(std::string_view pointer, const Json& parent,
                                             std::string_view key) const {
    if (!parent.contains(key)) return std::nullopt;
    return string(pointer_append(pointer, key), parent[std::string(key)]);
  }
  std::vector<std::string> string_list(std::string_view pointer, const Json& parent,
                                       std::string_view key) const {
    std::vector<std::string> out;
    if (!parent.contains(key)) return out;
    const std::string list = pointer_append(pointer, key);
    const Json& value = parent[std::string(key)];
    array(list, value);
    for (std::size_t i = 0; i < value.size(); ++i)
      out.push_back(string(pointer_append(list, i), value[i]));
    return out;
  }
  codec::ProtocolVersion protocol(std::string_view pointer, const Json& value) const {
    const std::string text = string(pointer, value);
    if (text == "3.1") return codec::ProtocolVersion::v3_1;
    if (text == "3.1.1") return codec::ProtocolVersion::v3_1_1;
    if (text == "5") return codec::ProtocolVersion::v5;
    fail(pointer, "bad-value", "the protocol is \"3.1\", \"3.1.1\" or \"5\"");
  }
  /// A string whose templates must all be defined.
  void templated(std::string_view pointer, const Json& value) const {
    if (!value.is_string()) return;
    if (auto problem = template_problem(value.get_ref<const std::string&>(), names_))
      fail(pointer, "undefined-template", *problem);
  }
  /// Every string inside `value` (keys excepted) is a template.
  void templated_tree(std::string_view pointer, const Json& value) const {
    if (value.is_string()) {
      templated(pointer, value);
    } else if (value.is_object()) {
      for (const auto& [key, member] : value.items())
        templated_tree(pointer_append(pointer, key), member);
    } else if (value.is_array()) {
      for (std::size_t i = 0; i < value.size(); ++i)
        templated_tree(pointer_append(pointer, i), value[i]);
    }
  }
  void hex(std::string_view pointer, const Json& value) const {
    const std::string text = string(pointer, value);
    codec::HexError error;
    if (!codec::from_hex(text, &error))
      fail(pointer, "bad-value",
           "not hex at character " + std::to_string(error.offset) + ": " +
               std::string(error.reason));
  }
  void binary(std::string_view pointer, const Json& value) const {
    if (value.is_string()) {
      templated(pointer, value);
      return;
    }
    object(pointer, value);
    keys(pointer, value, {"hex"});
    if (!value.contains("hex")) fail(pointer, "missing-field", "binary data is {\"hex\": \"...\"}");
    hex(pointer_append(pointer, "hex"), value["hex"]);
  }

  void properties(std::string_view pointer, const Json& value, codec::PropertyContext context,
                  bool in_matcher) const {
    object(pointer, value);
    for (const auto& [name, property] : value.items()) {
      const std::string at = pointer_append(pointer, name);
      const auto id = codec::parse_property_name(name);
      if (!id) {
        fail_at_key(at, "unknown-property", "\"" + name + "\" is not an MQTT 5.0 property name");
      }
      const codec::PropertyInfo* info = codec::property_info(*id);
      // A scenario may send a property where it does not belong (that is a test); it cannot
      // expect to receive one there, so only matchers are held to the table.
      if (in_matcher && !info->allowed_in(context)) {
        fail_at_key(
            at, "unknown-property",
            "a " + std::string(codec::to_string(context)) + " does not carry \"" + name + "\"");
      }
      switch (info->type) {
        case codec::PropertyType::utf8_string:
          templated(at, property), string(at, property);
          break;
        case codec::PropertyType::binary_data:
          binary(at, property);
          break;
        case codec::PropertyType::utf8_string_pair: {
          array(at, property);
          for (std::size_t i = 0; i < property.size(); ++i) {
            const std::string pair = pointer_append(at, i);
            const Json& entry = property[i];
            if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() ||
                !entry[1].is_string())
              wrong_type(pair, entry, "a [key, value] pair of strings");
            templated(pointer_append(pair, 0), entry[0]);
            templated(pointer_append(pair, 1), entry[1]);
          }
          break;
        }
        default:
          if (info->repeatable && property.is_array()) {
            for (std::size_t i = 0; i < property.size(); ++i)
              integer(pointer_append(at, i), property[i], 0, 0xFFFFFFFF);
          } else {
            integer(at, property, 0, 0xFFFFFFFF);
          }
      }
    }
  }

  // A number, or a template bound by an earlier expect ("{pid}").
  void packet_id(std::string_view pointer, const Json& value) const {
    if (value.is_string()) {
      static const std::regex one_name(R"(\{[A-Za-z_][A-Za-z0-9_]*\})");
      if (!std::regex_match(value.get<std::string>(), one_name))
        fail(pointer, "bad-value", "a packet id is a number or one template name (\"{pid}\")");
      templated(pointer, value);
      return;
    }
    integer(pointer, value, 0, 0xFFFF);
  }

  void reason(std::string_view pointer, const Json& value, codec::PacketType packet) const {
    if (value.is_array()) {
      if (value.empty()) fail(pointer, "bad-value", "an empty list accepts nothing");
      for (std::size_t i = 0; i < value.size(); ++i)
        reason(pointer_append(pointer, i), value[i], packet);
      return;
    }
    if (!value.is_string() && !value.is_number_integer())
      wrong_type(pointer, value, "a reason code (135, \"0x87\" or a name)");
    if (!parse_reason_code(value, packet))
      fail(pointer, "bad-value",
           "not a reason code of " + std::string(codec::to_string(packet)) + ": " + value.dump());
  }

  void matcher(std::string_view pointer, const Json& value) const {
    object(pointer, value);
    if (value.size() != 1) {
      fail(pointer, "bad-value",
           "a matcher names one event (connack, publish, puback, pubrec, pubrel, pubcomp, suback, "
           "unsuback, pingresp, disconnect, auth, closed, any_of)");
    }
    // Copies, not a structured binding: items() hands out a temporary proxy.
    const std::string kind = value.begin().key();
    const Json& fields = value.begin().value();
    const std::string at = pointer_append(pointer, kind);
    if (kind == "any_of") {
      array(at, fields);
      if (fields.empty()) fail(at, "bad-value", "any_of needs at least one matcher");
      for (std::size_t i = 0; i < fields.size(); ++i)
        matcher(pointer_append(at, i), fields[i]);
      return;
    }
    const auto known = matcher_fields().find(kind);
    if (known == matcher_fields().end()) {
      fail_at_key(at, "bad-value", "unknown event \"" + kind + "\"");
    }
    object(at, fields);
    const auto packet = packet_kind(kind);
    for (const auto& [field, expected] : fields.items()) {
      const std::string field_at = pointer_append(at, field);
      if (!known->second.contains(field)) {
        std::string list;
        for (const auto& name : known->second)
          list += (list.empty() ? "" : ", ") + name;
        fail_at_key(field_at, "unknown-field",
                    "a " + kind + " matcher has no field \"" + field +
                        "\" (fields: " + (list.empty() ? "none" : list) + ")");
      }
      if (field == "reason_code") {
        reason(field_at, expected, *packet);
      } else if (field == "reason_codes") {
        array(field_at, expected);
        for (std::size_t i = 0; i < expected.size(); ++i)
          reason(pointer_append(field_at, i), expected[i], *packet);
      } else if (field == "properties") {
        properties(field_at, expected, codec::property_context(*packet), true);
      } else if (field == "topic" || field == "payload") {
        string(field_at, expected);
        templated(field_at, expected);
      } else if (field == "payload_hex") {
        hex(field_at, expected);
      } else if (field == "qos") {
        integer(field_at, expected, 0, 2);
      } else if (field == "packet_id") {
        packet_id(field_at, expected);
      } else if (field == "cause") {
        static const Names causes = {"closed",         "refused", "server_disconnect",
                                     "protocol_error", "timeout", "transport_failed"};
        // One cause, or a list of acceptable ones.
        const std::vector<Json> listed = expected.is_array()
                                             ? std::vector<Json>(expected.begin(), expected.end())
                                             : std::vector<Json>{expected};
        if (expected.is_array() && expected.empty())
          fail(field_at, "bad-value", "an empty list accepts nothing");
        for (std::size_t i = 0; i < listed.size(); ++i) {
          const std::string one_at = expected.is_array() ? pointer_append(field_at, i) : field_at;
          if (!causes.contains(string(one_at, listed[i])))
            fail(one_at, "bad-value", "unknown cause " + listed[i].dump());
        }
      } else if (field == "present_properties" || field == "absent_properties") {
        array(field_at, expected);
        for (std::size_t i = 0; i < expected.size(); ++i) {
          const std::string one_at = pointer_append(field_at, i);
          const auto id = codec::parse_property_name(string(one_at, expected[i]));
          if (!id)
            fail(one_at, "unknown-property",
                 expected[i].dump() + " is not an MQTT 5.0 property name");
          if (!codec::property_info(*id)->allowed_in(codec::property_context(*packet)))
            fail(one_at, "unknown-property",
                 "a " + std::string(codec::to_string(codec::property_context(*packet))) +
                     " does not carry " + expected[i].dump());
        }
      } else {
        boolean(field_at, expected);
      }
    }
  }

  void matchers(std::string_view pointer, const Json& value) const {
    if (value.is_array()) {
      if (value.empty()) fail(pointer, "bad-value", "an empty list of matchers");
      for (std::size_t i = 0; i < value.size(); ++i)
        matcher(pointer_append(pointer, i), value[i]);
    } else {
      matcher(pointer, value);
    }
  }

  void message(std::string_view pointer, const Json& value, bool will) const {
    object(pointer, value);
    keys(pointer, value, {"topic", "payload", "payload_hex", "qos", "retain", "properties"});
    required_string(pointer, value, "topic");
    templated(pointer_append(pointer, "topic"), value["topic"]);
    if (value.contains("payload") && value.contains("payload_hex"))
      fail(pointer, "bad-value", "give \"payload\" or \"payload_hex\", not both");
    if (value.contains("payload")) {
      string(pointer_append(pointer, "payload"), value["payload"]);
      templated(pointer_append(pointer, "payload"), value["payload"]);
    }
    if (value.contains("payload_hex"))
      hex(pointer_append(pointer, "payload_hex"), value["payload_hex"]);
    if (value.contains("qos")) integer(pointer_append(pointer, "qos"), value["qos"], 0, 2);
    if (value.contains("retain")) boolean(pointer_append(pointer, "retain"), value["retain"]);
    if (value.contains("properties")) {
      properties(pointer_append(pointer, "properties"), value["properties"],
                 will ? codec::PropertyContext::will : codec::PropertyContext::publish, false);
    }
  }

  void connect_options(std::string_view pointer, const Json& value, bool group) const {
    object(pointer, value);
    if (group) {
      keys(pointer, value,
           {"count", "id", "endpoint", "credentials", "username", "password", "protocol",
            "clean_start", "keep_alive_s", "properties", "will", "tls", "topic_aliases", "strict",
            "acknowledge"});
    } else {
      keys(pointer, value,
           {"clean_start", "keep_alive_s", "properties", "username", "password", "will",
            "send_connect"});
    }
    for (const std::string_view key : {"username", "password", "id", "endpoint", "credentials"}) {
      if (value.contains(key)) {
        const std::string at = pointer_append(pointer, key);
        templated(at, value[std::string(key)]);
        string(at, value[std::string(key)]);
      }
    }
    for (const std::string_view key :
         {"clean_start", "topic_aliases", "strict", "send_connect", "acknowledge"})
      if (value.contains(key)) boolean(pointer_append(pointer, key), value[std::string(key)]);
    if (value.contains("keep_alive_s"))
      integer(pointer_append(pointer, "keep_alive_s"), value["keep_alive_s"], 0, 65535);
    if (value.contains("properties")) {
      properties(pointer_append(pointer, "properties"), value["properties"],
                 codec::PropertyContext::connect, false);
    }
    if (value.contains("will")) message(pointer_append(pointer, "will"), value["will"], true);
  }

  ClientGroup client(const std::string& name, const Json& spec,
                     codec::ProtocolVersion scenario_version) {
    const std::string pointer = pointer_append("/clients", name);
    static const std::regex name_pattern("[A-Za-z_][A-Za-z0-9_-]*");
    if (!std::regex_match(name, name_pattern)) {
      fail_at_key(pointer, "bad-value",
                  "a client name starts with a letter and uses letters, digits, '_', '-'");
    }
    connect_options(pointer, spec, true);
    ClientGroup group;
    group.name = name;
    group.position = doc_.position_of_key(pointer);
    group.version = scenario_version;
    if (spec.contains("count"))
      group.count = static_cast<std::uint32_t>(
          integer(pointer_append(pointer, "count"), spec["count"], 1, 1'000'000));
    if (spec.contains("id")) group.id_template = spec["id"].get<std::string>();
    if (spec.contains("endpoint")) group.endpoint = spec["endpoint"].get<std::string>();
    if (spec.contains("credentials")) {
      group.credentials = spec["credentials"].get<std::string>();
    }
    if (spec.contains("username")) group.username = spec["username"].get<std::string>();
    if (spec.contains("password")) group.password = spec["password"].get<std::string>();
    if (spec.contains("protocol"))
      group.version = protocol(pointer_append(pointer, "protocol"), spec["protocol"]);
    if (spec.contains("clean_start")) group.clean_start = spec["clean_start"].get<bool>();
    if (spec.contains("keep_alive_s"))
      group.keep_alive_s = spec["keep_alive_s"].get<std::uint16_t>();
    if (spec.contains("properties")) group.properties = spec["properties"];
    if (spec.contains("will")) group.will = spec["will"];
    if (spec.contains("topic_aliases")) group.topic_aliases = spec["topic_aliases"].get<bool>();
    if (spec.contains("strict")) group.strict = spec["strict"].get<bool>();
    if (spec.contains("acknowledge")) group.acknowledge = spec["acknowledge"].get<bool>();
    if (spec.contains("tls")) {
      const std::string at = pointer_append(pointer, "tls");
      const Json& tls = spec["tls"];
      object(at, tls);
      keys(at, tls, {"ca", "client_certificate", "server_name", "verify"});
      if (tls.contains("ca")) {
        group.tls.ca = string(pointer_append(at, "ca"), tls["ca"]);
        if (group.tls.ca != "profile" && group.tls.ca != "other" && group.tls.ca != "system")
          fail(pointer_append(at, "ca"), "bad-value", "ca is \"profile\", \"other\" or \"system\"");
      }
      if (tls.contains("client_certificate"))
        group.tls.client_certificate =
            boolean(pointer_append(at, "client_certificate"), tls["client_certificate"]);
      if (tls.contains("server_name")) {
        templated(pointer_append(at, "server_name"), tls["server_name"]);
        group.tls.server_name = string(pointer_append(at, "server_name"), tls["server_name"]);
      }
      if (tls.contains("verify"))
        group.tls.verify = boolean(pointer_append(at, "verify"), tls["verify"]);
    }
    return group;
  }

  void filters(std::string_view pointer, const Json& value, bool subscribe) const {
    const Json* list = &value;
    std::string list_at(pointer);
    if (value.is_object()) {
      keys(pointer, value, {"filters", "properties"});
      if (!value.contains("filters")) fail(pointer, "missing-field", "\"filters\" is required");
      list = &value["filters"];
      list_at = pointer_append(pointer, "filters");
      if (value.contains("properties")) {
        properties(
            pointer_append(pointer, "properties"), value["properties"],
            subscribe ? codec::PropertyContext::subscribe : codec::PropertyContext::unsubscribe,
            false);
      }
    } else if (!value.is_array()) {
      wrong_type(pointer, value, "a list of filters or {\"filters\", \"properties\"}");
    }
    array(list_at, *list);
    if (list->empty()) fail(list_at, "bad-value", "at least one topic filter");
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string at = pointer_append(list_at, i);
      const Json& entry = (*list)[i];
      if (entry.is_string() || !subscribe) {
        templated(at, entry);
        string(at, entry);
        continue;
      }
      object(at, entry);
      keys(at, entry, {"topic", "qos", "no_local", "retain_as_published", "retain_handling"});
      required_string(at, entry, "topic");
      templated(pointer_append(at, "topic"), entry["topic"]);
      if (entry.contains("qos")) integer(pointer_append(at, "qos"), entry["qos"], 0, 3);
      for (const std::string_view flag : {"no_local", "retain_as_published"})
        if (entry.contains(flag)) boolean(pointer_append(at, flag), entry[std::string(flag)]);
      if (entry.contains("retain_handling"))
        integer(pointer_append(at, "retain_handling"), entry["retain_handling"], 0, 3);
    }
  }

  void raw_packet(std::string_view pointer, const Json& value) const {
    object(pointer, value);
    keys(pointer, value, {"hex", "packet", "malform"});
    if (value.contains("hex") == value.contains("packet"))
      fail(pointer, "bad-value", "send takes \"hex\" or \"packet\"");
    if (value.contains("hex")) {
      if (value.contains("malform"))
        fail(pointer_append(pointer, "malform"), "bad-value", "malform applies to \"packet\"");
      hex(pointer_append(pointer, "hex"), value["hex"]);
      return;
    }
    const std::string at = pointer_append(pointer, "packet");
    const Json& packet = value["packet"];
    object(at, packet);
    const std::string type = required_string(at, packet, "type");
    static const std::map<std::string, std::set<std::string>, std::less<>> fields = {
        {"connect",
         {"client_id", "clean_start", "keep_alive", "username", "password", "login", "will",
          "properties", "protocol_name", "protocol"}},
        {"publish",
         {"topic", "payload", "payload_hex", "qos", "dup", "retain", "packet_id", "properties"}},
        {"puback", {"packet_id", "reason_code", "properties"}},
        {"pubrec", {"packet_id", "reason_code", "properties"}},
        {"pubrel", {"packet_id", "reason_code", "properties"}},
        {"pubcomp", {"packet_id", "reason_code", "properties"}},
        {"subscribe", {"packet_id", "filters", "properties"}},
        {"unsubscribe", {"packet_id", "filters", "properties"}},
        {"pingreq", {}},
        {"disconnect", {"reason_code", "properties"}},
        {"auth", {"reason_code", "properties"}},
    };
    const auto known = fields.find(type);
    if (known == fields.end())
      fail(pointer_append(at, "type"), "bad-value", "a client sends no \"" + type + "\" packet");
    const auto packet_type = packet_kind(type);
    for (const auto& [field, member] : packet.items()) {
      const std::string field_at = pointer_append(at, field);
      if (field == "type") continue;
      if (!known->second.contains(field)) {
        fail_at_key(field_at, "unknown-field",
                    "a " + type + " packet has no field \"" + field + "\"");
      }
      if (field == "reason_code") {
        reason(field_at, member, *packet_type);
      } else if (field == "properties") {
        properties(field_at, member, codec::property_context(*packet_type), false);
      } else if (field == "filters") {
        filters(field_at, member, type == "subscribe");
      } else if (field == "will") {
        message(field_at, member, true);
      } else if (field == "payload_hex") {
        hex(field_at, member);
      } else if (field == "protocol") {
        protocol(field_at, member);
      } else if (field == "qos") {
        integer(field_at, member, 0, 3);
      } else if (field == "packet_id") {
        packet_id(field_at, member);
      } else if (field == "keep_alive") {
        integer(field_at, member, 0, 0xFFFF);
      } else if (field == "dup" || field == "retain" || field == "clean_start" ||
                 field == "login") {
        boolean(field_at, member);
      } else if (field == "password") {
        binary(field_at, member);
      } else {
        templated(field_at, member);
        string(field_at, member);
      }
    }
    if (value.contains("malform")) {
      const std::string malform_at = pointer_append(pointer, "malform");
      const Json& malform = value["malform"];
      object(malform_at, malform);
      keys(malform_at, malform,
           {"remaining_length", "remaining_length_width", "fixed_header_flags", "packet_type",
            "protocol_level", "flags_byte", "subscription_options_bits", "property_length",
            "string_lengths", "trailing_hex", "truncate_to"});
      for (const auto& [field, member] : malform.items()) {
        const std::string field_at = pointer_append(malform_at, field);
        if (field == "string_lengths") {
          object(field_at, member);
          for (const auto& [name, length] : member.items())
            integer(pointer_append(field_at, name), length, 0, 0xFFFF);
        } else if (field == "trailing_hex") {
          hex(field_at, member);
        } else if (field == "remaining_length_width") {
          integer(field_at, member, 1, 5);
        } else if (field == "fixed_header_flags" || field == "packet_type") {
          integer(field_at, member, 0, 15);
        } else if (field == "protocol_level" || field == "flags_byte" ||
                   field == "subscription_options_bits") {
          integer(field_at, member, 0, 255);
        } else {
          integer(field_at, member, 0, 0xFFFFFFFF);
        }
      }
    }
  }

  // "bind": {"pid": "packet_id"}: names for fields of the one event a step expects; later
  // steps use them as templates.
  void bind(const std::string& pointer, const Json& step_value, Step& step) {
    const Json& value = step_value["bind"];
    object(pointer, value);
    const Json& expected = step_value["expect"];
    if (expected.is_array() || step.count != 1 || expected.contains("any_of"))
      fail(pointer, "bad-value", "bind needs one matcher (no list, count or any_of): one event");
    static const Names fields = {"packet_id", "reason_code", "topic", "qos", "retain", "dup"};
    for (auto it = value.begin(); it != value.end(); ++it) {
      const std::string at = pointer_append(pointer, it.key());
      static const std::regex name_pattern("[A-Za-z_][A-Za-z0-9_]*");
      if (!std::regex_match(it.key(), name_pattern))
        fail_at_key(at, "bad-value", "a template name uses letters, digits and '_'");
      if (!fields.contains(string(at, it.value())))
        fail(at, "bad-value",
             "bind takes packet_id, reason_code, topic, qos, retain or dup, not " +
                 it.value().dump());
      step.bind.emplace_back(it.key(), it.value().get<std::string>());
      names_.insert(it.key());
    }
  }

  std::vector<Step> steps(std::string_view pointer, const Json& value, int parallel_depth) {
    array(pointer, value);
    std::vector<Step> out;
    for (std::size_t i = 0; i < value.size(); ++i)
      out.push_back(step(pointer_append(pointer, i), value[i], parallel_depth));
    return out;
  }

  Step step(const std::string& pointer, const Json& value, int parallel_depth) {
    object(pointer, value);
    std::vector<std::string_view> actions;
    for (const std::string_view key : action_keys)
      if (key != "expect" && value.contains(key)) actions.emplace_back(key);
    if (actions.empty() && value.contains("expect")) actions.emplace_back("expect");
    if (actions.size() != 1) {
      fail(pointer, "one-action",
           actions.empty() ? "a step needs an action (connect, publish, expect, ...)"
                           : "a step has one action; this one has \"" + std::string(actions[0]) +
                                 "\" and \"" + std::string(actions[1]) + "\"");
    }
    const std::string_view action = actions[0];
    // A publish step's messages are counted by {n}.
    const bool counts = action == "publish" && names_.insert("n").second;
    Step step;
    step.path = pointer;
    step.position = doc_.position(pointer);
    const std::string argument_at = pointer_append(pointer, action);
    const Json& argument = value[std::string(action)];
    step.arguments = argument;

    const bool structural = action == "barrier" || action == "loop" || action == "parallel";
    const bool waits_for_events = action == "expect" || action == "expect_none";
    const bool takes_outcome = !structural && !waits_for_events && action != "drop";
    if (structural) {
      keys(pointer, value, {action, "label"});
    } else if (action == "expect") {
      keys(pointer, value,
           {"expect", "client", "member", "label", "within_ms", "count", "in_order", "bind"});
    } else if (action == "publish") {
      keys(pointer, value,
           {action, "client", "member", "label", "within_ms", "expect", "count", "in_order"});
    } else if (takes_outcome) {
      keys(pointer, value,
           {action, "client", "member", "label", "within_ms", "expect", "in_order"});
    } else {
      keys(pointer, value, {action, "client", "member", "label", "within_ms"});
    }
    if (value.contains("label"))
      step.label = string(pointer_append(pointer, "label"), value["label"]);
    if (value.contains("within_ms")) {
      step.within = Milliseconds(
          integer(pointer_append(pointer, "within_ms"), value["within_ms"], 0, 3'600'000));
    }
    if (value.contains("count")) {
      step.count = static_cast<std::uint32_t>(
          integer(pointer_append(pointer, "count"), value["count"], 1, 10'000'000));
    }
    if (value.contains("in_order")) {
      step.in_order = boolean(pointer_append(pointer, "in_order"), value["in_order"]);
      const Json* listed = action == "expect"         ? &argument
                           : value.contains("expect") ? &value["expect"]
                                                      : nullptr;
      if (step.in_order && (listed == nullptr || !listed->is_array()))
        fail(pointer_append(pointer, "in_order"), "bad-value", "in_order needs a list of matchers");
    }
    if (!structural) {
      if (!value.contains("client"))
        fail(pointer, "missing-field", "the step needs \"client\": which group acts");
      step.client = string(pointer_append(pointer, "client"), value["client"]);
      const ClientGroup* group = scenario_->group(step.client);
      if (group == nullptr) {
        std::string known;
        for (const ClientGroup& candidate : scenario_->clients)
          known += (known.empty() ? "" : ", ") + candidate.name;
        fail(pointer_append(pointer, "client"), "undefined-client",
             "no client group \"" + step.client + "\" (defined: " + known + ")");
      }
      if (value.contains("member")) {
        step.member = static_cast<std::uint32_t>(
            integer(pointer_append(pointer, "member"), value["member"], 0, group->count - 1));
      }
    }
    if (action != "expect" && value.contains("expect")) {
      step.expect = value["expect"];
      matchers(pointer_append(pointer, "expect"), step.expect);
      if (step.in_order && !step.expect.is_array())
        fail(pointer_append(pointer, "in_order"), "bad-value", "in_order needs a list of matchers");
    }

    if (action == "connect") {
      step.kind = StepKind::connect;
      connect_options(argument_at, argument, false);
    } else if (action == "disconnect") {
      step.kind = StepKind::disconnect;
      object(argument_at, argument);
      keys(argument_at, argument, {"reason_code", "properties"});
      if (argument.contains("reason_code"))
        reason(pointer_append(argument_at, "reason_code"), argument["reason_code"],
               codec::PacketType::disconnect);
      if (argument.contains("properties"))
        properties(pointer_append(argument_at, "properties"), argument["properties"],
                   codec::PropertyContext::disconnect, false);
    } else if (action == "drop") {
      step.kind = StepKind::drop;
      object(argument_at, argument);
      keys(argument_at, argument, {});
    } else if (action == "subscribe" || action == "unsubscribe") {
      step.kind = action == "subscribe" ? StepKind::subscribe : StepKind::unsubscribe;
      filters(argument_at, argument, action == "subscribe");
    } else if (action == "publish") {
      step.kind = StepKind::publish;
      message(argument_at, argument, false);
    } else if (action == "send") {
      step.kind = StepKind::send;
      raw_packet(argument_at, argument);
    } else if (action == "auth") {
      step.kind = StepKind::auth;
      object(argument_at, argument);
      keys(argument_at, argument, {"reason_code", "properties"});
      if (argument.contains("reason_code"))
        reason(pointer_append(argument_at, "reason_code"), argument["reason_code"],
               codec::PacketType::auth);
      if (argument.contains("properties"))
        properties(pointer_append(argument_at, "properties"), argument["properties"],
                   codec::PropertyContext::auth, false);
    } else if (action == "expect" || action == "expect_none") {
      step.kind = action == "expect" ? StepKind::expect : StepKind::expect_none;
      matchers(argument_at, argument);
      if (step.in_order && !argument.is_array())
        fail(pointer_append(pointer, "in_order"), "bad-value", "in_order needs a list of matchers");
      if (value.contains("bind")) bind(pointer_append(pointer, "bind"), value, step);
    } else if (action == "barrier") {
      step.kind = StepKind::barrier;
      string(argument_at, argument);
      if (parallel_depth == 0)
        fail(argument_at, "barrier-outside-parallel",
             "a barrier synchronises the branches of a parallel step; this one is in none");
    } else if (action == "loop") {
      step.kind = StepKind::loop;
      object(argument_at, argument);
      keys(argument_at, argument, {"count", "var", "steps"});
      if (!argument.contains("count") || !argument.contains("steps"))
        fail(argument_at, "missing-field", "a loop needs \"count\" and \"steps\"");
      step.count = static_cast<std::uint32_t>(
          integer(pointer_append(argument_at, "count"), argument["count"], 0, 10'000'000));
      if (argument.contains("var")) {
        step.loop_variable = string(pointer_append(argument_at, "var"), argument["var"]);
        static const std::regex var_pattern("[A-Za-z_][A-Za-z0-9_]*");
        if (!std::regex_match(step.loop_variable, var_pattern))
          fail(pointer_append(argument_at, "var"), "bad-value", "a variable name is an identifier");
      }
      const bool fresh = names_.insert(step.loop_variable).second;
      step.children.push_back(
          steps(pointer_append(argument_at, "steps"), argument["steps"], parallel_depth));
      if (fresh) names_.erase(step.loop_variable);
    } else {
      step.kind = StepKind::parallel;
      array(argument_at, argument);
      if (argument.size() < 2)
        fail(argument_at, "bad-value", "parallel needs at least two branches");
      Json barriers = Json::object();
      for (std::size_t i = 0; i < argument.size(); ++i) {
        const std::string branch_at = pointer_append(argument_at, i);
        std::vector<Step> branch;
        if (argument[i].is_array()) {
          branch = steps(branch_at, argument[i], parallel_depth + 1);
        } else {
          branch.push_back(this->step(branch_at, argument[i], parallel_depth + 1));
        }
        std::set<std::string> names;
        collect_barriers(branch, names);
        for (const std::string& name : names)
          barriers[name] = barriers.value(name, 0) + 1;
        step.children.push_back(std::move(branch));
      }
      // Each barrier waits for the branches that contain it.
      step.arguments = Json{{"barriers", barriers}};
    }
    if (!structural) {
      templated_tree(argument_at, argument);
      if (!step.expect.is_null()) templated_tree(pointer_append(pointer, "expect"), step.expect);
    }
    if (counts) names_.erase("n");
    return step;
  }

  /// The barrier names of one parallel branch (not those of parallels nested in it).
  static void collect_barriers(const std::vector<Step>& steps, std::set<std::string>& names) {
    for (const Step& step : steps) {
      if (step.kind == StepKind::barrier) names.insert(step.arguments.get<std::string>());
      if (step.kind == StepKind::loop) collect_barriers(step.children[0], names);
    }
  }

  Names names_;
  const Scenario* scenario_ = nullptr;
};

}  // namespace

std::variant<Scenario, FileError> parse_scenario(const SourceDocument& document) {
  return check_document<Scenario>([&] { return Parser(document).run(); });
}

std::variant<Scenario, FileError> load_scenario(const std::string& path) {
  return load_document<Scenario>(path, parse_scenario);
}

}  // namespace gauntlet::scenarios
