// Random *valid* packets for round-trip and framing tests. Every string, payload and property block
// a generated packet views is owned by the generator, so packets stay valid as long as it lives.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "gauntlet/codec/codec.hpp"

namespace gauntlet::codec::test {

class PacketGenerator {
 public:
  explicit PacketGenerator(std::uint32_t seed) : rng_(seed) {}

  /// Whether the packet type exists at the protocol level (AUTH is 5.0 only).
  static bool exists(PacketType type, ProtocolVersion version) {
    return type != PacketType::auth || version == ProtocolVersion::v5;
  }

  /// A random packet of `type` that decodes without a single violation at `version` in strict mode
  /// (sender unknown).
  Packet make(PacketType type, ProtocolVersion version) {
    version_ = version;
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
        return auth();
    }
    return Pingreq{};
  }

  /// A random packet type that exists at `version`, CONNECT excluded.
  PacketType any_type_but_connect(ProtocolVersion version) {
    const unsigned last = version == ProtocolVersion::v5 ? 15 : 14;
    return static_cast<PacketType>(uniform(2, last));
  }

  std::uint32_t uniform(std::uint32_t low, std::uint32_t high) {
    return std::uniform_int_distribution<std::uint32_t>(low, high)(rng_);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  std::mt19937& rng() { return rng_; }

 private:
  [[nodiscard]] bool v5() const { return version_ == ProtocolVersion::v5; }

  std::string_view keep(std::string text) {
    strings_.push_back(std::move(text));
    return strings_.back();
  }

  // --- strings ----------------------------------------------------------------------------------

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // One code point, never U+0000 or a surrogate; with `topic_level`, never '/', '+' or '#'.
  std::uint32_t code_point(bool topic_level) {
    while (true) {
      const std::uint32_t kind = uniform(0, 99);
      std::uint32_t cp = 0;
      if (kind < 55) {
        cp = uniform(0x20, 0x7E);
      } else if (kind < 57) {
        cp = uniform(0x01, 0x1F);
      } else if (kind < 59) {
        cp = 0xFEFF;
      } else if (kind < 75) {
        cp = uniform(0x80, 0x7FF);
      } else if (kind < 90) {
        cp = uniform(0x800, 0xFFFF);
      } else {
        cp = uniform(0x10000, 0x10FFFF);
      }
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      if (topic_level && (cp == '/' || cp == '+' || cp == '#')) continue;
      return cp;
    }
  }

  std::size_t length(std::size_t usual) {
    // Mostly short, sometimes long enough to need a multi-byte Remaining Length.
    if (chance(0.05)) return uniform(100, 400);
    return uniform(0, static_cast<std::uint32_t>(usual));
  }

  std::string utf8_text(std::size_t code_points, bool topic_level = false) {
    std::string text;
    for (std::size_t i = 0; i < code_points; ++i)
      append_utf8(text, code_point(topic_level));
    return text;
  }

  std::string_view utf8(std::size_t usual = 12) { return keep(utf8_text(length(usual))); }

  ByteView binary(std::size_t usual = 24) {
    std::size_t size = length(usual);
    if (chance(0.01)) size = uniform(16'000, 20'000);  // a three-byte Remaining Length
    std::string data(size, '\0');
    for (char& c : data)
      c = static_cast<char>(uniform(0, 255));
    return ByteView::of(keep(std::move(data)));
  }

  std::string_view topic_name() {
    while (true) {
      const std::uint32_t levels = uniform(1, 5);
      std::string name;
      for (std::uint32_t i = 0; i < levels; ++i) {
        if (i != 0) name += '/';
        if (i == 0 && chance(0.05)) name += '$';
        name += utf8_text(uniform(0, 6), true);
      }
      if (!name.empty()) return keep(std::move(name));
    }
  }

  std::string_view topic_filter(bool allow_shared) {
    std::string filter;
    const std::uint32_t levels = uniform(1, 5);
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
    if (filter.empty()) filter = "a";  // an empty filter is never valid
    if (allow_shared && v5() && chance(0.2)) {
      std::string share_name;
      while (share_name.empty())
        share_name = utf8_text(uniform(1, 6), true);
      filter = "$share/" + share_name + "/" + filter;
    }
    return keep(std::move(filter));
  }

  // --- properties -------------------------------------------------------------------------------

  // A random property block that is valid in `context` (empty below 5.0).
  Properties properties(PropertyContext context, bool* has_topic_alias = nullptr) {
    if (!v5() || (context != PropertyContext::auth && chance(0.3))) return {};
    builders_.emplace_back();
    PropertyBuilder& b = builders_.back();
    std::vector<const PropertyInfo*> candidates;
    for (const PropertyInfo& info : all_properties()) {
      if (info.allowed_in(context)) candidates.push_back(&info);
    }
    std::shuffle(candidates.begin(), candidates.end(), rng_);
    const std::size_t count = uniform(1, static_cast<std::uint32_t>(candidates.size()));
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
    // Authentication Data needs an Authentication Method in CONNECT and CONNACK; every AUTH
    // needs one (MQTT-4.12.0-5).
    if (!method &&
        ((data && (context == PropertyContext::connect || context == PropertyContext::connack)) ||
         context == PropertyContext::auth)) {
      b.add(PropertyId::authentication_method, utf8());
    }
    return b.view();
  }

  void add_property(PropertyBuilder& b, const PropertyInfo& info) {
    using P = PropertyId;
    // Integers: anywhere in the property's valid range (the table's, capped by its type).
    const auto in_range = [&](std::uint32_t type_max) {
      return uniform(info.min_value, std::min(info.max_value, type_max));
    };
    switch (info.id) {
      case P::subscription_identifier:  // small values too, not only multi-byte ones
        b.add(info.id, chance(0.5) ? uniform(1, 127) : in_range(max_remaining_length));
        return;
      case P::response_topic:
        b.add(info.id, topic_name());
        return;
      case P::user_property:
        b.add_user_property(utf8(), utf8());
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
      case PropertyType::utf8_string_pair:
        b.add_user_property(utf8(), utf8());
        return;
    }
  }

  // --- reason codes -----------------------------------------------------------------------------

  ReasonCode reason_code(PacketType type) {
    std::vector<ReasonCode> allowed;
    for (unsigned code = 0; code <= 0xFF; ++code) {
      if (reason_code_allowed(type, version_, static_cast<ReasonCode>(code))) {
        allowed.push_back(static_cast<ReasonCode>(code));
      }
    }
    if (allowed.empty()) return ReasonCode::success;
    return allowed[uniform(0, static_cast<std::uint32_t>(allowed.size() - 1))];
  }

  // --- packets ----------------------------------------------------------------------------------

  std::uint16_t packet_id() { return static_cast<std::uint16_t>(uniform(1, 0xFFFF)); }
  QoS qos() { return static_cast<QoS>(uniform(0, 2)); }

  Connect connect() {
    Connect c;
    c.version = version_;
    c.protocol_name = version_ == ProtocolVersion::v3_1 ? "MQIsdp" : "MQTT";
    c.clean_start = chance(0.5);
    c.keep_alive = static_cast<std::uint16_t>(uniform(0, 0xFFFF));
    c.properties = properties(PropertyContext::connect);
    if (version_ == ProtocolVersion::v3_1) {
      std::string id;
      const std::uint32_t size = uniform(1, 23);
      for (std::uint32_t i = 0; i < size; ++i)
        id += static_cast<char>(uniform('0', 'z'));
      c.client_id = keep(std::move(id));
    } else {
      c.client_id = utf8(23);
      if (version_ == ProtocolVersion::v3_1_1 && c.client_id.empty()) c.clean_start = true;
    }
    if (chance(0.5)) {
      Will& w = c.will.emplace();
      w.qos = qos();
      w.retain = chance(0.5);
      w.properties = properties(PropertyContext::will);
      w.topic = topic_name();
      w.payload = binary();
    }
    if (chance(0.5)) c.username = utf8();
    // Below 5.0 a password needs a user name.
    if (chance(0.5) && (v5() || c.username)) c.password = binary();
    return c;
  }

  Connack connack() {
    Connack c;
    c.reason_code = reason_code(PacketType::connack);
    c.session_present =
        version_ != ProtocolVersion::v3_1 && c.reason_code == ReasonCode::success && chance(0.5);
    c.properties = properties(PropertyContext::connack);
    return c;
  }

  Publish publish() {
    Publish p;
    p.qos = qos();
    p.dup = p.qos != QoS::at_most_once && chance(0.5);
    p.retain = chance(0.5);
    p.topic = topic_name();
    if (p.qos != QoS::at_most_once) p.packet_id = packet_id();
    bool alias = false;
    p.properties = properties(PropertyContext::publish, &alias);
    if (alias && chance(0.5)) p.topic = "";  // 5.0: the Topic Alias stands for the name
    p.payload = binary(40);
    return p;
  }

  template <typename Response>
  Response response() {
    Response r;
    r.packet_id = packet_id();
    if (v5()) {
      r.reason_code = chance(0.5) ? ReasonCode::success : reason_code(Response::type);
      r.properties = properties(property_context(Response::type));
    }
    return r;
  }

  Subscribe subscribe() {
    Subscribe s;
    s.packet_id = packet_id();
    s.properties = properties(PropertyContext::subscribe);
    const std::uint32_t count = uniform(1, 4);
    for (std::uint32_t i = 0; i < count; ++i) {
      Subscription sub;
      sub.filter = topic_filter(true);
      sub.options.qos = qos();
      if (v5()) {
        sub.options.no_local = !sub.filter.starts_with("$share/") && chance(0.5);
        sub.options.retain_as_published = chance(0.5);
        sub.options.retain_handling = static_cast<std::uint8_t>(uniform(0, 2));
      }
      s.subscriptions.push_back(sub);
    }
    return s;
  }

  Suback suback() {
    Suback s;
    s.packet_id = packet_id();
    s.properties = properties(PropertyContext::suback);
    const std::uint32_t count = uniform(1, 5);
    for (std::uint32_t i = 0; i < count; ++i)
      s.reason_codes.push_back(reason_code(PacketType::suback));
    return s;
  }

  Unsubscribe unsubscribe() {
    Unsubscribe u;
    u.packet_id = packet_id();
    u.properties = properties(PropertyContext::unsubscribe);
    const std::uint32_t count = uniform(1, 4);
    for (std::uint32_t i = 0; i < count; ++i)
      u.filters.push_back(topic_filter(true));
    return u;
  }

  Unsuback unsuback() {
    Unsuback u;
    u.packet_id = packet_id();
    if (v5()) {
      u.properties = properties(PropertyContext::unsuback);
      const std::uint32_t count = uniform(1, 4);
      for (std::uint32_t i = 0; i < count; ++i)
        u.reason_codes.push_back(reason_code(PacketType::unsuback));
    }
    return u;
  }

  Disconnect disconnect() {
    Disconnect d;
    if (v5()) {
      d.reason_code =
          chance(0.3) ? ReasonCode::normal_disconnection : reason_code(PacketType::disconnect);
      d.properties = properties(PropertyContext::disconnect);
    }
    return d;
  }

  Auth auth() {
    Auth a;
    a.reason_code = chance(0.3) ? ReasonCode::success : reason_code(PacketType::auth);
    a.properties = properties(PropertyContext::auth);
    return a;
  }

  std::mt19937 rng_;
  ProtocolVersion version_ = ProtocolVersion::v3_1_1;
  std::deque<std::string> strings_;
  std::deque<PropertyBuilder> builders_;
};

}  // namespace gauntlet::codec::test
