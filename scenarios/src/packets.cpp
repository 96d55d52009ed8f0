#include "gauntlet/scenarios/packets.hpp"

#include <deque>

#include "gauntlet/scenarios/parse.hpp"

namespace gauntlet::scenarios {
namespace {

std::vector<std::uint8_t> hex_bytes(const Json& text) {
  return codec::from_hex(text.get<std::string>()).value_or(std::vector<std::uint8_t>{});
}

std::vector<std::uint8_t> binary_value(const Json& value) {
  if (value.is_object()) return hex_bytes(value["hex"]);
  const auto& text = value.get_ref<const std::string&>();
  return {text.begin(), text.end()};
}

}  // namespace

codec::PropertyBuilder build_properties(const Json& properties) {
  codec::PropertyBuilder builder;
  if (!properties.is_object()) return builder;
  for (const auto& [name, value] : properties.items()) {
    const auto id = codec::parse_property_name(name);
    if (!id) continue;  // the parser has refused unknown names
    const codec::PropertyInfo* info = codec::property_info(*id);
    switch (info->type) {
      case codec::PropertyType::utf8_string:
        builder.add(*id, value.get<std::string>());
        break;
      case codec::PropertyType::binary_data: {
        const auto bytes = binary_value(value);
        builder.add_binary(*id, codec::ByteView(bytes));
        break;
      }
      case codec::PropertyType::utf8_string_pair:
        for (const Json& pair : value)
          builder.add_user_property(pair[0].get<std::string>(), pair[1].get<std::string>());
        break;
      default:
        if (value.is_array()) {
          for (const Json& number : value)
            builder.add(*id, number.get<std::uint32_t>());
        } else {
          builder.add(*id, value.get<std::uint32_t>());
        }
    }
  }
  return builder;
}

std::vector<std::uint8_t> build_payload(const Json& message) {
  if (message.contains("payload_hex")) return hex_bytes(message["payload_hex"]);
  if (message.contains("payload")) {
    const auto& text = message["payload"].get_ref<const std::string&>();
    return {text.begin(), text.end()};
  }
  return {};
}

std::vector<std::uint8_t> build_raw(const Json& send, codec::ProtocolVersion version,
                                    std::string& error) {
  if (send.contains("hex")) return hex_bytes(send["hex"]);
  const Json& spec = send["packet"];
  const std::string type = spec["type"].get<std::string>();
  // The packet's views point into these, which live until encode() has run.
  std::deque<std::string> strings;
  std::deque<std::vector<std::uint8_t>> blobs;
  std::deque<codec::PropertyBuilder> blocks;
  const auto text = [&](const char* key) -> std::string_view {
    return strings.emplace_back(spec.value(key, std::string()));
  };
  const auto properties = [&](const Json& parent) {
    return blocks.emplace_back(build_properties(parent.value("properties", Json::object()))).view();
  };
  const auto number = [&](const char* key, std::uint32_t fallback) {
    return spec.contains(key) ? spec[key].get<std::uint32_t>() : fallback;
  };
  const auto reason = [&](codec::PacketType packet, codec::ReasonCode fallback) {
    if (!spec.contains("reason_code")) return fallback;
    return static_cast<codec::ReasonCode>(
        parse_reason_code(spec["reason_code"], packet).value_or(0));
  };

  codec::Packet packet;
  if (type == "connect") {
    codec::Connect connect;
    connect.version = version;
    if (spec.contains("protocol")) {
      const auto level = spec["protocol"].get<std::string>();
      connect.version = level == "3.1"     ? codec::ProtocolVersion::v3_1
                        : level == "3.1.1" ? codec::ProtocolVersion::v3_1_1
                                           : codec::ProtocolVersion::v5;
    }
    if (spec.contains("protocol_name")) connect.protocol_name = text("protocol_name");
    connect.clean_start = spec.value("clean_start", true);
    connect.keep_alive = static_cast<std::uint16_t>(number("keep_alive", 60));
    connect.properties = properties(spec);
    connect.client_id = text("client_id");
    if (spec.contains("username")) connect.username = text("username");
    if (spec.contains("password"))
      connect.password = codec::ByteView(blobs.emplace_back(binary_value(spec["password"])));
    if (spec.contains("will")) {
      const Json& will_spec = spec["will"];
      codec::Will& will = connect.will.emplace();
      will.topic = strings.emplace_back(will_spec["topic"].get<std::string>());
      will.payload = codec::ByteView(blobs.emplace_back(build_payload(will_spec)));
      will.qos = static_cast<codec::QoS>(will_spec.value("qos", 0));
      will.retain = will_spec.value("retain", false);
      will.properties = properties(will_spec);
    }
    packet = connect;
  } else if (type == "publish") {
    codec::Publish publish;
    publish.topic = text("topic");
    publish.payload = codec::ByteView(blobs.emplace_back(build_payload(spec)));
    publish.qos = static_cast<codec::QoS>(number("qos", 0));
    publish.dup = spec.value("dup", false);
    publish.retain = spec.value("retain", false);
    publish.packet_id = static_cast<std::uint16_t>(number("packet_id", 0));
    publish.properties = properties(spec);
    packet = publish;
  } else if (type == "puback" || type == "pubrec" || type == "pubrel" || type == "pubcomp") {
    const auto make = [&](auto response) {
      response.packet_id = static_cast<std::uint16_t>(number("packet_id", 0));
      response.reason_code = reason(decltype(response)::type, codec::ReasonCode::success);
      response.properties = properties(spec);
      return codec::Packet(response);
    };
    packet = type == "puback"   ? make(codec::Puback{})
             : type == "pubrec" ? make(codec::Pubrec{})
             : type == "pubrel" ? make(codec::Pubrel{})
                                : make(codec::Pubcomp{});
  } else if (type == "subscribe") {
    codec::Subscribe subscribe;
    subscribe.packet_id = static_cast<std::uint16_t>(number("packet_id", 1));
    subscribe.properties = properties(spec);
    for (const Json& entry : spec.value("filters", Json::array())) {
      codec::Subscription subscription;
      if (entry.is_string()) {
        subscription.filter = strings.emplace_back(entry.get<std::string>());
      } else {
        subscription.filter = strings.emplace_back(entry["topic"].get<std::string>());
        subscription.options.qos = static_cast<codec::QoS>(entry.value("qos", 0));
        subscription.options.no_local = entry.value("no_local", false);
        subscription.options.retain_as_published = entry.value("retain_as_published", false);
        subscription.options.retain_handling =
            static_cast<std::uint8_t>(entry.value("retain_handling", 0));
      }
      subscribe.subscriptions.push_back(subscription);
    }
    packet = subscribe;
  } else if (type == "unsubscribe") {
    codec::Unsubscribe unsubscribe;
    unsubscribe.packet_id = static_cast<std::uint16_t>(number("packet_id", 1));
    unsubscribe.properties = properties(spec);
    for (const Json& entry : spec.value("filters", Json::array()))
      unsubscribe.filters.push_back(strings.emplace_back(entry.get<std::string>()));
    packet = unsubscribe;
  } else if (type == "pingreq") {
    packet = codec::Pingreq{};
  } else if (type == "disconnect") {
    codec::Disconnect disconnect;
    disconnect.reason_code =
        reason(codec::PacketType::disconnect, codec::ReasonCode::normal_disconnection);
    disconnect.properties = properties(spec);
    packet = disconnect;
  } else {
    codec::Auth auth;
    auth.reason_code = reason(codec::PacketType::auth, codec::ReasonCode::success);
    auth.properties = properties(spec);
    packet = auth;
  }

  codec::Malformation malformation;
  if (send.contains("malform")) {
    const Json& malform = send["malform"];
    const auto optional = [&](const char* key, auto& field) {
      if (malform.contains(key))
        field = malform[key].get<typename std::remove_reference_t<decltype(field)>::value_type>();
    };
    optional("remaining_length", malformation.remaining_length);
    optional("remaining_length_width", malformation.remaining_length_width);
    optional("fixed_header_flags", malformation.fixed_header_flags);
    optional("packet_type", malformation.packet_type);
    optional("protocol_level", malformation.protocol_level);
    optional("flags_byte", malformation.flags_byte);
    optional("subscription_options_bits", malformation.subscription_options_bits);
    optional("property_length", malformation.property_length);
    optional("truncate_to", malformation.truncate_to);
    if (malform.contains("trailing_hex"))
      malformation.trailing = hex_bytes(malform["trailing_hex"]);
    const Json lengths = malform.value("string_lengths", Json::object());
    for (const auto& [field, length] : lengths.items()) {
      malformation.string_lengths.push_back(
          {strings.emplace_back(field), length.get<std::uint16_t>()});
    }
  }
  std::vector<std::uint8_t> out;
  if (const auto failure = codec::encode(packet, version, out, &malformation)) {
    error = "cannot encode the " + type + " packet: " + std::string(failure->field) + ": " +
            std::string(failure->reason);
  }
  return out;
}

}  // namespace gauntlet::scenarios
