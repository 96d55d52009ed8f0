#include "gauntlet/scenarios/matching.hpp"

#include <algorithm>

#include "gauntlet/codec/codec.hpp"
#include "gauntlet/codec/json.hpp"
#include "gauntlet/scenarios/parse.hpp"

namespace gauntlet::scenarios {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

/// Hex as the codec reads it (spaces, ':' and "0x" prefixes allowed), in one canonical form.
std::string plain_hex(std::string_view text) {
  const auto bytes = codec::from_hex(text);
  return bytes ? codec::to_hex(codec::ByteView(*bytes)) : std::string(text);
}

/// A reason code (or a list of acceptable ones) against the code that arrived and its name as
/// `gauntlet decode` printed it. A name is compared with that name, so that it means the same at
/// every protocol level ("not_authorized" is 0x87 in 5.0 and return code 5 in 3.1.1).
bool reason_matches(const Json& expected, const Json& observed, const Json& observed_name,
                    codec::PacketType packet) {
  if (!observed.is_number()) return false;
  if (expected.is_array()) {
    return std::ranges::any_of(expected, [&](const Json& one) {
      return reason_matches(one, observed, observed_name, packet);
    });
  }
  if (expected.is_string() && !expected.get_ref<const std::string&>().starts_with("0x") &&
      observed_name.is_string()) {
    return expected == observed_name;
  }
  const auto code = parse_reason_code(expected, packet);
  return code && *code == observed.get<unsigned>();
}

bool property_value_matches(const Json& expected, const Json& observed) {
  if (expected.is_object()) {  // binary given as {"hex"}
    return observed.is_object() &&
           plain_hex(observed.value("hex", "")) == plain_hex(expected["hex"].get<std::string>());
  }
  if (expected.is_string() && observed.is_object())  // binary given as text
    return observed.value("text", "") == expected.get<std::string>();
  return expected == observed;
}

bool properties_match(const Json& expected, const Json& observed, std::string& why) {
  const Json list = observed.is_array() ? observed : Json::array();
  for (const auto& item : expected.items()) {
    // Named copies: lambdas cannot capture structured bindings before C++20's fix in clang 16.
    const std::string& name = item.key();
    const Json& value = item.value();
    if (name == "user_property") {
      for (const Json& pair : value) {
        const bool found = std::ranges::any_of(list, [&](const Json& property) {
          return property.value("name", "") == name && property.value("key", "") == pair[0] &&
                 property.value("value", Json()) == pair[1];
        });
        if (!found) {
          why = "no user_property " + pair.dump();
          return false;
        }
      }
      continue;
    }
    const std::vector<Json> wanted =
        value.is_array() ? std::vector<Json>(value.begin(), value.end()) : std::vector<Json>{value};
    for (const Json& one : wanted) {
      const bool found = std::ranges::any_of(list, [&](const Json& property) {
        return property.value("name", "") == name &&
               property_value_matches(one, property.value("value", Json()));
      });
      if (!found) {
        why = "property " + name + " is not " + one.dump();
        return false;
      }
    }
  }
  return true;
}

bool fields_match(const std::string& kind, const Json& fields, const Json& event,
                  std::string& why) {
  const auto packet = packet_kind(kind).value_or(codec::PacketType::connack);
  for (const auto& [field, expected] : fields.items()) {
    bool ok = true;
    if (field == "reason_code") {
      ok = reason_matches(expected, event.value("reason_code", Json()),
                          event.value("reason", Json()), packet);
    } else if (field == "reason_codes") {
      const Json observed = event.value("reason_codes", Json::array());
      const Json names = event.value("reasons", Json::array());
      ok = observed.size() == expected.size();
      for (std::size_t i = 0; ok && i < expected.size(); ++i)
        ok = reason_matches(expected[i], observed[i], i < names.size() ? names[i] : Json(), packet);
    } else if (field == "payload") {
      ok = event.contains("payload") && event["payload"].value("text", Json()) == expected;
    } else if (field == "payload_hex") {
      ok = event.contains("payload") &&
           plain_hex(event["payload"].value("hex", "")) == plain_hex(expected.get<std::string>());
    } else if (field == "properties") {
      if (!properties_match(expected, event.value("properties", Json()), why)) return false;
    } else if (field == "present_properties" || field == "absent_properties") {
      const Json list = event.value("properties", Json::array());
      const bool want_present = field == "present_properties";
      for (const Json& name : expected) {
        const bool present = std::ranges::any_of(
            list, [&](const Json& property) { return property.value("name", Json()) == name; });
        if (present != want_present) {
          why =
              "property " + name.get<std::string>() + (want_present ? " is absent" : " is present");
          return false;
        }
      }
    } else if (field == "cause" && expected.is_array()) {
      ok = std::ranges::find(expected, event.value("cause", Json())) != expected.end();
    } else {
      ok = event.value(field, Json()) == expected;
    }
    if (!ok) {
      const std::string observed_field = field == "payload_hex" ? "payload" : field;
      why = field + " is " + event.value(observed_field, Json()).dump() + ", expected " +
            expected.dump();
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<Observation> observe(const client::Event& event, codec::ProtocolVersion version,
                                   double at_ms) {
  Observation out;
  out.at_ms = at_ms;
  if (const auto* packet = std::get_if<client::PacketReceived>(&event)) {
    if (packet->type == codec::PacketType::publish) return std::nullopt;
    out.kind = lower(codec::to_string(packet->type));
    out.raw = packet->bytes;
    codec::DecodeOptions options;
    options.version = version;
    options.strict = false;
    options.sender = codec::Sender::server;
    const auto result = codec::decode(codec::ByteView(out.raw), options);
    out.event = result.ok() ? codec::to_json(result.packet(), version)
                            : Json{{"type", codec::to_string(packet->type)},
                                   {"error", codec::to_json(result.error())}};
    return out;
  }
  if (const auto* message = std::get_if<client::MessageReceived>(&event)) {
    out.kind = "publish";
    out.event = Json{{"type", "PUBLISH"},
                     {"dup", message->dup},
                     {"qos", static_cast<unsigned>(message->qos)},
                     {"retain", message->retain},
                     {"topic", message->topic}};
    if (message->qos != codec::QoS::at_most_once) out.event["packet_id"] = message->packet_id;
    if (version == codec::ProtocolVersion::v5) {
      out.event["properties"] =
          codec::to_json(codec::Properties(codec::ByteView(message->properties)));
    }
    out.event["payload"] = codec::binary_json(codec::ByteView(message->payload));
    return out;
  }
  if (const auto* ended = std::get_if<client::ConnectionEnded>(&event)) {
    out.kind = "closed";
    out.event = Json{{"type", "CLOSED"},
                     {"cause", client::to_string(ended->cause)},
                     {"reason_code", ended->reason_code},
                     {"detail", ended->detail}};
    return out;
  }
  if (const auto* completed = std::get_if<client::PublishCompleted>(&event)) {
    out.kind = "published";
    out.event = Json{{"type", "PUBLISHED"},
                     {"packet_id", completed->packet_id},
                     {"qos", static_cast<unsigned>(completed->qos)},
                     {"reason_code", completed->reason_code},
                     {"abandoned", completed->abandoned}};
    return out;
  }
  if (std::holds_alternative<client::TransportReady>(event)) {
    out.kind = "transport";
    out.event = Json{{"type", "TRANSPORT_READY"}};
    return out;
  }
  if (const auto* refused = std::get_if<client::CommandRefused>(&event)) {
    out.kind = "refused";
    out.event = Json{{"type", "REFUSED"}, {"reason", refused->reason}};
    return out;
  }
  return std::nullopt;
}

bool matches(const Json& matcher, const Observation& observation, std::string& why, Json* chosen) {
  // Copies, not a structured binding: items() hands out a temporary proxy.
  const std::string kind = matcher.begin().key();
  const Json& fields = matcher.begin().value();
  if (kind == "any_of") {
    for (const Json& alternative : fields) {
      std::string ignored;
      if (matches(alternative, observation, ignored)) {
        if (chosen != nullptr) *chosen = alternative;
        return true;
      }
    }
    why = "none of the accepted outcomes";
    return false;
  }
  if (kind != observation.kind) return false;
  if (!fields_match(kind, fields, observation.event, why)) return false;
  if (chosen != nullptr) *chosen = matcher;
  return true;
}

std::vector<std::string> matcher_kinds(const Json& matcher) {
  // Copies, not a structured binding: items() hands out a temporary proxy.
  const std::string kind = matcher.begin().key();
  const Json& fields = matcher.begin().value();
  if (kind != "any_of") return {kind};
  std::vector<std::string> out;
  for (const Json& alternative : fields)
    for (std::string& one : matcher_kinds(alternative))
      out.push_back(std::move(one));
  return out;
}

}  // namespace gauntlet::scenarios
