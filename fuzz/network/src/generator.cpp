#include "generator.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "gauntlet/codec/decoder.hpp"
#include "gauntlet/codec/reason_codes.hpp"

namespace gauntlet::netfuzz::detail {

using namespace gauntlet::codec;

void Generator::append_utf8(std::string& out, std::uint32_t cp) {
  const auto byte = [&out](std::uint32_t value) { out += static_cast<char>(value & 0xFFU); };
  if (cp < 0x80) {
    byte(cp);
  } else if (cp < 0x800) {
    byte(0xC0U | (cp >> 6U));
    byte(0x80U | (cp & 0x3FU));
  } else if (cp < 0x10000) {
    byte(0xE0U | (cp >> 12U));
    byte(0x80U | ((cp >> 6U) & 0x3FU));
    byte(0x80U | (cp & 0x3FU));
  } else {
    byte(0xF0U | (cp >> 18U));
    byte(0x80U | ((cp >> 12U) & 0x3FU));
    byte(0x80U | ((cp >> 6U) & 0x3FU));
    byte(0x80U | (cp & 0x3FU));
  }
}

// One code point, never U+0000 or a surrogate; with `topic_level`, never '/', '+' or '#'. Mostly
// printable ASCII, so that topics look like topics, with every UTF-8 width represented.
std::uint32_t Generator::code_point(bool topic_level) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    const std::uint32_t kind = uniform(0, 99);
    std::uint32_t cp = 0;
    if (kind < 70) {
      cp = uniform(0x20, 0x7E);
    } else if (kind < 72) {
      cp = uniform(0x01, 0x1F);
    } else if (kind < 82) {
      cp = uniform(0x80, 0x7FF);
    } else if (kind < 94) {
      cp = uniform(0x800, 0xFFFF);
    } else {
      cp = uniform(0x10000, 0x10FFFF);
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    if (topic_level && (cp == '/' || cp == '+' || cp == '#')) continue;
    return cp;
  }
  return 'a';
}

std::size_t Generator::length(std::size_t usual) {
  // Mostly short, sometimes long enough to need a two-byte Remaining Length.
  if (rng_.chance(3)) return uniform(100, 300);
  return uniform(0, usual);
}

std::string Generator::utf8_text(std::size_t code_points, bool topic_level) {
  std::string text;
  for (std::size_t i = 0; i < code_points; ++i)
    append_utf8(text, code_point(topic_level));
  return text;
}

std::string_view Generator::utf8(std::size_t usual) {
  return arena_.keep(utf8_text(length(usual)));
}

ByteView Generator::binary(std::size_t usual) {
  std::string data(length(usual), '\0');
  for (char& c : data)
    c = static_cast<char>(rng_.below(256));
  return arena_.keep_bytes(std::move(data));
}

std::string_view Generator::topic_name() {
  std::string name;
  const std::uint32_t levels = uniform(1, 4);
  for (std::uint32_t i = 0; i < levels; ++i) {
    if (i != 0) name += '/';
    if (i == 0 && rng_.chance(5)) name += '$';
    name += utf8_text(uniform(0, 6), true);
  }
  if (name.empty()) name = "t";  // an empty Topic Name needs a Topic Alias
  return arena_.keep(std::move(name));
}

std::string_view Generator::topic_filter(bool allow_shared) {
  std::string filter;
  const std::uint32_t levels = uniform(1, 4);
  for (std::uint32_t i = 0; i < levels; ++i) {
    if (i != 0) filter += '/';
    const std::uint32_t kind = uniform(0, 9);
    if (kind == 0) {
      filter += '+';
    } else if (kind == 1 && i + 1 == levels) {
      filter += '#';
    } else {
      filter += utf8_text(uniform(0, 6), true);
    }
  }
  if (filter.empty()) filter = "f";  // an empty filter is never valid
  if (allow_shared && v5() && rng_.chance(15)) {
    std::string share_name = utf8_text(uniform(1, 6), true);
    filter = "$share/" + share_name + "/" + filter;
  }
  return arena_.keep(std::move(filter));
}

Will Generator::will() {
  Will w;
  w.qos = qos();
  w.retain = rng_.chance(50);
  w.properties = properties(PropertyContext::will);
  w.topic = topic_name();
  w.payload = binary();
  return w;
}

Properties Generator::properties(PropertyContext context, bool* has_topic_alias) {
  if (!v5() || (context != PropertyContext::auth && rng_.chance(30))) return {};
  std::vector<const PropertyInfo*> candidates;
  for (const PropertyInfo& info : all_properties()) {
    if (info.allowed_in(context)) candidates.push_back(&info);
  }
  // Fisher-Yates with our own draws (std::shuffle's result differs between standard libraries).
  for (std::size_t i = candidates.size(); i > 1; --i) {
    std::swap(candidates[i - 1], candidates[static_cast<std::size_t>(rng_.below(i))]);
  }
  PropertyBuilder b;
  const std::size_t count = uniform(1, candidates.size());
  bool method = false;
  bool data = false;
  for (std::size_t i = 0; i < count; ++i) {
    const PropertyInfo& info = *candidates[i];
    const bool repeat = info.repeatable && !(info.id == PropertyId::subscription_identifier &&
                                             context == PropertyContext::subscribe);
    const std::uint32_t times = repeat ? uniform(1, 3) : 1;
    for (std::uint32_t t = 0; t < times; ++t)
      add_property(b, info);
    if (info.id == PropertyId::authentication_method) method = true;
    if (info.id == PropertyId::authentication_data) data = true;
    if (info.id == PropertyId::topic_alias && has_topic_alias != nullptr) *has_topic_alias = true;
  }
  // Authentication Data needs an Authentication Method in CONNECT and CONNACK; every AUTH needs
  // one (MQTT-4.12.0-5).
  if (!method &&
      ((data && (context == PropertyContext::connect || context == PropertyContext::connack)) ||
       context == PropertyContext::auth)) {
    b.add(PropertyId::authentication_method, utf8());
  }
  return Properties(arena_.keep_bytes(ByteView(b.bytes())));
}

void Generator::add_property(PropertyBuilder& b, const PropertyInfo& info) {
  using P = PropertyId;
  // Integers anywhere in the property's valid range (the table's, capped by its type).
  const auto in_range = [&](std::uint32_t type_max) {
    return uniform(info.min_value, std::min(info.max_value, type_max));
  };
  switch (info.id) {
    case P::subscription_identifier:  // small values too, not only multi-byte ones
      b.add(info.id, rng_.chance(50) ? uniform(1, 127) : in_range(max_remaining_length));
      return;
    case P::response_topic:
      b.add(info.id, topic_name());
      return;
    default:
      break;
  }
  switch (info.type) {
    case PropertyType::byte:
      b.add(info.id, in_range(0xFF));
      return;
    case PropertyType::two_byte_integer:
      b.add(info.id, in_range(0xFFFF));
      return;
    case PropertyType::four_byte_integer:
      b.add(info.id, in_range(0xFFFFFFFF));
      return;
    case PropertyType::variable_byte_integer:
      b.add(info.id, in_range(max_remaining_length));
      return;
    case PropertyType::utf8_string:
      b.add(info.id, utf8());
      return;
    case PropertyType::binary_data:
      b.add_binary(info.id, binary());
      return;
    case PropertyType::utf8_string_pair: {
      // Two statements: the order in which a call's arguments are evaluated is unspecified
      // (gcc and clang differ), and the draws must happen in one order everywhere.
      const std::string_view key = utf8();
      b.add_user_property(key, utf8());
      return;
    }
  }
}

ReasonCode Generator::allowed_reason_code(PacketType type) {
  std::vector<ReasonCode> allowed;
  for (unsigned code = 0; code <= 0xFF; ++code) {
    if (reason_code_allowed(type, version_, static_cast<ReasonCode>(code))) {
      allowed.push_back(static_cast<ReasonCode>(code));
    }
  }
  if (allowed.empty()) return ReasonCode::success;
  return allowed[static_cast<std::size_t>(rng_.below(allowed.size()))];
}

Packet Generator::packet(PacketType type) {
  switch (type) {
    case PacketType::connect:
      return connect();
    case PacketType::connack:
      return connack();
    case PacketType::publish:
      return publish();
    case PacketType::puback:
      return response<Puback>();
    case PacketType::pubrec:
      return response<Pubrec>();
    case PacketType::pubrel:
      return response<Pubrel>();
    case PacketType::pubcomp:
      return response<Pubcomp>();
    case PacketType::subscribe:
      return subscribe();
    case PacketType::suback:
      return suback();
    case PacketType::unsubscribe:
      return unsubscribe();
    case PacketType::unsuback:
      return unsuback();
    case PacketType::pingreq:
      return Pingreq{};
    case PacketType::pingresp:
      return Pingresp{};
    case PacketType::disconnect:
      return disconnect();
    case PacketType::auth:
      if (v5()) return auth();
      break;
  }
  return Pingreq{};
}

Connect Generator::connect() {
  Connect c;
  c.version = version_;
  c.protocol_name = standard_protocol_name(version_);
  c.clean_start = rng_.chance(50);
  c.keep_alive = static_cast<std::uint16_t>(uniform(0, 0xFFFF));
  c.properties = properties(PropertyContext::connect);
  if (version_ == ProtocolVersion::v3_1) {
    std::string id;
    const std::uint32_t size = uniform(1, 23);  // 3.1 requires 1 to 23 characters
    for (std::uint32_t i = 0; i < size; ++i)
      id += static_cast<char>(uniform('0', 'z'));
    c.client_id = arena_.keep(std::move(id));
  } else {
    c.client_id = utf8(23);
    if (version_ == ProtocolVersion::v3_1_1 && c.client_id.empty()) c.clean_start = true;
  }
  if (rng_.chance(50)) c.will = will();
  if (rng_.chance(50)) c.username = utf8();
  // Below 5.0 a password needs a user name.
  if (rng_.chance(50) && (v5() || c.username)) c.password = binary();
  return c;
}

Connack Generator::connack() {
  Connack c;
  c.reason_code = allowed_reason_code(PacketType::connack);
  c.session_present =
      version_ != ProtocolVersion::v3_1 && c.reason_code == ReasonCode::success && rng_.chance(50);
  c.properties = properties(PropertyContext::connack);
  return c;
}

Publish Generator::publish() {
  Publish p;
  p.qos = qos();
  p.dup = p.qos != QoS::at_most_once && rng_.chance(50);
  p.retain = rng_.chance(50);
  p.topic = topic_name();
  if (p.qos != QoS::at_most_once) p.packet_id = packet_id();
  bool alias = false;
  p.properties = properties(PropertyContext::publish, &alias);
  if (alias && rng_.chance(50)) p.topic = "";  // 5.0: the Topic Alias stands for the name
  p.payload = binary(40);
  return p;
}

template <typename Response>
Response Generator::response() {
  Response r;
  r.packet_id = packet_id();
  if (v5()) {
    r.reason_code = rng_.chance(50) ? ReasonCode::success : allowed_reason_code(Response::type);
    r.properties = properties(property_context(Response::type));
  }
  return r;
}

Subscribe Generator::subscribe() {
  Subscribe s;
  s.packet_id = packet_id();
  s.properties = properties(PropertyContext::subscribe);
  const std::uint32_t count = uniform(1, 4);
  for (std::uint32_t i = 0; i < count; ++i) {
    Subscription sub;
    sub.filter = topic_filter(true);
    sub.options.qos = qos();
    if (v5()) {
      sub.options.no_local = !sub.filter.starts_with("$share/") && rng_.chance(50);
      sub.options.retain_as_published = rng_.chance(50);
      sub.options.retain_handling = static_cast<std::uint8_t>(uniform(0, 2));
    }
    s.subscriptions.push_back(sub);
  }
  return s;
}

Suback Generator::suback() {
  Suback s;
  s.packet_id = packet_id();
  s.properties = properties(PropertyContext::suback);
  const std::uint32_t count = uniform(1, 5);
  for (std::uint32_t i = 0; i < count; ++i)
    s.reason_codes.push_back(allowed_reason_code(PacketType::suback));
  return s;
}

Unsubscribe Generator::unsubscribe() {
  Unsubscribe u;
  u.packet_id = packet_id();
  u.properties = properties(PropertyContext::unsubscribe);
  const std::uint32_t count = uniform(1, 4);
  for (std::uint32_t i = 0; i < count; ++i)
    u.filters.push_back(topic_filter(true));
  return u;
}

Unsuback Generator::unsuback() {
  Unsuback u;
  u.packet_id = packet_id();
  if (v5()) {
    u.properties = properties(PropertyContext::unsuback);
    const std::uint32_t count = uniform(1, 4);
    for (std::uint32_t i = 0; i < count; ++i)
      u.reason_codes.push_back(allowed_reason_code(PacketType::unsuback));
  }
  return u;
}

Disconnect Generator::disconnect() {
  Disconnect d;
  if (v5()) {
    d.reason_code = rng_.chance(30) ? ReasonCode::normal_disconnection
                                    : allowed_reason_code(PacketType::disconnect);
    d.properties = properties(PropertyContext::disconnect);
  }
  return d;
}

Auth Generator::auth() {
  Auth a;
  a.reason_code = rng_.chance(30) ? ReasonCode::success : allowed_reason_code(PacketType::auth);
  a.properties = properties(PropertyContext::auth);
  return a;
}

}  // namespace gauntlet::netfuzz::detail
