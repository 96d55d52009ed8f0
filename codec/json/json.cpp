#include "gauntlet/codec/json.hpp"

#include "gauntlet/codec/hex.hpp"
#include "gauntlet/codec/utf8.hpp"

namespace gauntlet::codec {
namespace {

// A string field: JSON text when it is valid UTF-8; otherwise, so that lenient decoding of broken
// input can still be printed without losing a byte, {"invalid_utf8": true, "hex": "..."}.
// U+0000 is representable in JSON ("\u0000"), so only ill-formed sequences need the fallback.
Json text_json(std::string_view text) {
  const auto issue = check_utf8(text);
  if (!issue || issue->rule == Rule::utf8_null_character) {
    // check_utf8 stops at the first issue: make sure nothing ill-formed follows a U+0000.
    bool well_formed = true;
    for (std::size_t at = 0; at < text.size();) {
      const auto next = check_utf8(text.substr(at));
      if (!next) break;
      if (next->rule != Rule::utf8_null_character) {
        well_formed = false;
        break;
      }
      at += next->offset + 1;
    }
    if (well_formed) return Json(text);
  }
  return Json{{"invalid_utf8", true}, {"hex", to_hex(ByteView::of(text))}};
}

Json reason_json(Json& out, PacketType type, ProtocolVersion version, ReasonCode code) {
  out["reason_code"] = to_byte(code);
  out["reason"] = reason_code_name(type, version, code);
  return out;
}

Json codes_json(Json& out, PacketType type, ProtocolVersion version,
                const std::vector<ReasonCode>& codes) {
  Json numbers = Json::array();
  Json names = Json::array();
  for (ReasonCode code : codes) {
    numbers.push_back(to_byte(code));
    names.push_back(reason_code_name(type, version, code));
  }
  out["reason_codes"] = std::move(numbers);
  out["reasons"] = std::move(names);
  return out;
}

class PacketJson {
 public:
  PacketJson(ProtocolVersion version, JsonOptions options) : version_(version), options_(options) {}

  Json operator()(const Connect& c) {
    Json out = head(PacketType::connect);
    out["protocol_name"] = text_json(c.protocol_name.value_or(standard_protocol_name(c.version)));
    out["protocol_level"] = static_cast<int>(c.version);
    out["protocol"] = to_string(c.version);
    out["clean_start"] = c.clean_start;
    out["keep_alive"] = c.keep_alive;
    if (c.version == ProtocolVersion::v5) out["properties"] = to_json(c.properties);
    out["client_id"] = text_json(c.client_id);
    if (c.will) {
      Json will{{"qos", static_cast<int>(c.will->qos)},
                {"retain", c.will->retain},
                {"topic", text_json(c.will->topic)},
                {"payload", binary_json(c.will->payload)}};
      if (c.version == ProtocolVersion::v5) will["properties"] = to_json(c.will->properties);
      out["will"] = std::move(will);
    }
    if (c.username) out["username"] = text_json(*c.username);
    if (c.password) {
      out["password"] =
          options_.reveal_secrets ? binary_json(*c.password) : Json{{"length", c.password->size()}};
    }
    return out;
  }

  Json operator()(const Connack& c) {
    Json out = head(PacketType::connack);
    out["session_present"] = c.session_present;
    reason_json(out, PacketType::connack, version_, c.reason_code);
    properties(out, c.properties);
    return out;
  }

  Json operator()(const Publish& p) {
    Json out = head(PacketType::publish);
    out["dup"] = p.dup;
    out["qos"] = static_cast<int>(p.qos);
    out["retain"] = p.retain;
    out["topic"] = text_json(p.topic);
    if (p.qos != QoS::at_most_once) out["packet_id"] = p.packet_id;
    properties(out, p.properties);
    out["payload"] = binary_json(p.payload);
    return out;
  }

  template <PacketType Type>
  Json operator()(const PublishResponse<Type>& r) {
    Json out = head(Type);
    out["packet_id"] = r.packet_id;
    if (v5()) reason_json(out, Type, version_, r.reason_code);
    properties(out, r.properties);
    return out;
  }

  Json operator()(const Subscribe& s) {
    Json out = head(PacketType::subscribe);
    out["packet_id"] = s.packet_id;
    properties(out, s.properties);
    Json subscriptions = Json::array();
    for (const Subscription& sub : s.subscriptions) {
      Json entry{{"filter", text_json(sub.filter)}, {"qos", static_cast<int>(sub.options.qos)}};
      if (v5()) {
        entry["no_local"] = sub.options.no_local;
        entry["retain_as_published"] = sub.options.retain_as_published;
        entry["retain_handling"] = sub.options.retain_handling;
      }
      subscriptions.push_back(std::move(entry));
    }
    out["subscriptions"] = std::move(subscriptions);
    return out;
  }

  Json operator()(const Suback& s) {
    Json out = head(PacketType::suback);
    out["packet_id"] = s.packet_id;
    properties(out, s.properties);
    codes_json(out, PacketType::suback, version_, s.reason_codes);
    return out;
  }

  Json operator()(const Unsubscribe& u) {
    Json out = head(PacketType::unsubscribe);
    out["packet_id"] = u.packet_id;
    properties(out, u.properties);
    Json filters = Json::array();
    for (std::string_view filter : u.filters)
      filters.push_back(text_json(filter));
    out["filters"] = std::move(filters);
    return out;
  }

  Json operator()(const Unsuback& u) {
    Json out = head(PacketType::unsuback);
    out["packet_id"] = u.packet_id;
    properties(out, u.properties);
    if (v5()) codes_json(out, PacketType::unsuback, version_, u.reason_codes);
    return out;
  }

  Json operator()(const Pingreq& /*unused*/) { return head(PacketType::pingreq); }
  Json operator()(const Pingresp& /*unused*/) { return head(PacketType::pingresp); }

  Json operator()(const Disconnect& d) {
    Json out = head(PacketType::disconnect);
    if (v5()) reason_json(out, PacketType::disconnect, version_, d.reason_code);
    properties(out, d.properties);
    return out;
  }

  Json operator()(const Auth& a) {
    Json out = head(PacketType::auth);
    reason_json(out, PacketType::auth, version_, a.reason_code);
    properties(out, a.properties);
    return out;
  }

 private:
  [[nodiscard]] bool v5() const noexcept { return version_ == ProtocolVersion::v5; }
  static Json head(PacketType type) { return Json{{"type", to_string(type)}}; }
  void properties(Json& out, const Properties& props) const {
    if (v5()) out["properties"] = to_json(props);
  }

  ProtocolVersion version_;
  JsonOptions options_;
};

void text_value(std::string& line, const Json& value);

void text_object(std::string& line, const Json& object, bool braces) {
  if (braces) line += '{';
  bool first = true;
  for (const auto& [key, value] : object.items()) {
    if (key == "type" && !braces) continue;
    if (!first || !braces) line += ' ';
    first = false;
    line += key;
    line += '=';
    text_value(line, value);
  }
  if (braces) line += '}';
}

void text_value(std::string& line, const Json& value) {
  if (value.is_object()) {
    // Binary data reads best as its text, or as hex, with its length.
    if (value.contains("length") && (value.contains("text") || value.contains("hex"))) {
      line +=
          value.contains("text") ? value["text"].dump() : "0x" + value["hex"].get<std::string>();
      line += '(' + std::to_string(value["length"].get<std::size_t>()) + "B)";
      return;
    }
    text_object(line, value, true);
  } else if (value.is_array()) {
    line += '[';
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (i != 0) line += ',';
      text_value(line, value[i]);
    }
    line += ']';
  } else {
    line += value.dump();
  }
}

}  // namespace

Json to_json(const Packet& packet, ProtocolVersion version, JsonOptions options) {
  return std::visit(PacketJson(version, options), packet);
}

Json to_json(const Properties& properties) {
  Json out = Json::array();
  for (const Property& p : properties) {
    const PropertyInfo* info = property_info(p.id);
    Json entry{{"name", info->name}, {"id", static_cast<int>(p.id)}};
    switch (info->type) {
      case PropertyType::utf8_string:
        entry["value"] = text_json(p.text);
        break;
      case PropertyType::binary_data:
        entry["value"] = binary_json(p.binary);
        break;
      case PropertyType::utf8_string_pair:
        entry["key"] = text_json(p.text);
        entry["value"] = text_json(p.value);
        break;
      default:
        entry["value"] = p.number;
        break;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Json binary_json(ByteView bytes) {
  Json out{{"length", bytes.size()}, {"hex", to_hex(bytes)}};
  const Json text = text_json(bytes.as_chars());
  if (text.is_string()) out["text"] = text;
  return out;
}

Json to_json(const Error& error) {
  Json out{{"rule", rule_name(error.rule)},
           {"offset", error.offset},
           {"field", error.field},
           {"statement", error.statement.empty() ? Json(nullptr) : Json(error.statement)},
           {"section", error.section},
           {"description", rule_description(error.rule)}};
  if (error.packet) out["packet"] = to_string(*error.packet);
  return out;
}

std::string to_text(const Json& packet) {
  std::string line = packet.value("type", std::string("?"));
  text_object(line, packet, false);
  return line;
}

}  // namespace gauntlet::codec
