// The arena, deep copies of packets, and the tables of edge cases.
#include <array>
#include <utility>

#include "gauntlet/netfuzz/mutator.hpp"

namespace gauntlet::netfuzz {

using namespace gauntlet::codec;

std::string_view Arena::keep(std::string text) {
  strings_.push_back(std::move(text));
  return strings_.back();
}

namespace {

struct Copier {
  Arena& arena;

  std::string_view text(std::string_view s) const {
    return s.empty() ? s : arena.keep(std::string(s));
  }
  ByteView bytes(ByteView b) const { return b.empty() ? b : arena.keep_bytes(b); }
  Properties props(const Properties& p) const { return Properties(bytes(p.encoded())); }

  Packet operator()(Connect c) const {
    if (c.protocol_name) c.protocol_name = text(*c.protocol_name);
    c.properties = props(c.properties);
    c.client_id = text(c.client_id);
    if (c.will) {
      c.will->properties = props(c.will->properties);
      c.will->topic = text(c.will->topic);
      c.will->payload = bytes(c.will->payload);
    }
    if (c.username) c.username = text(*c.username);
    if (c.password) c.password = bytes(*c.password);
    return c;
  }
  Packet operator()(Connack c) const {
    c.properties = props(c.properties);
    return c;
  }
  Packet operator()(Publish p) const {
    p.topic = text(p.topic);
    p.properties = props(p.properties);
    p.payload = bytes(p.payload);
    return p;
  }
  template <PacketType Type>
  Packet operator()(PublishResponse<Type> r) const {
    r.properties = props(r.properties);
    return r;
  }
  Packet operator()(Subscribe s) const {
    s.properties = props(s.properties);
    for (Subscription& sub : s.subscriptions)
      sub.filter = text(sub.filter);
    return s;
  }
  Packet operator()(Suback s) const {
    s.properties = props(s.properties);
    return s;
  }
  Packet operator()(Unsubscribe u) const {
    u.properties = props(u.properties);
    for (std::string_view& filter : u.filters)
      filter = text(filter);
    return u;
  }
  Packet operator()(Unsuback u) const {
    u.properties = props(u.properties);
    return u;
  }
  Packet operator()(Pingreq p) const { return p; }
  Packet operator()(Pingresp p) const { return p; }
  Packet operator()(Disconnect d) const {
    d.properties = props(d.properties);
    return d;
  }
  Packet operator()(Auth a) const {
    a.properties = props(a.properties);
    return a;
  }
};

}  // namespace

Packet copy_into(Arena& arena, const Packet& packet) {
  return std::visit(Copier{arena}, packet);
}

std::span<const Utf8Edge> utf8_edges() noexcept {
  using namespace std::string_view_literals;
  static constexpr std::array edges = {
      // Refused by MQTT's UTF-8 rules (MQTT-1.5.4-1, MQTT-1.5.4-2).
      Utf8Edge{"U+0000", "\x00"sv, false},
      Utf8Edge{"surrogate_high_D800", "\xED\xA0\x80"sv, false},
      Utf8Edge{"surrogate_low_DFFF", "\xED\xBF\xBF"sv, false},
      Utf8Edge{"overlong_2_byte_slash", "\xC0\xAF"sv, false},
      Utf8Edge{"overlong_2_byte_nul", "\xC0\x80"sv, false},
      Utf8Edge{"overlong_3_byte_slash", "\xE0\x80\xAF"sv, false},
      Utf8Edge{"overlong_4_byte", "\xF0\x80\x80\xAF"sv, false},
      Utf8Edge{"lone_continuation_80", "\x80"sv, false},
      Utf8Edge{"lone_continuation_BF", "\xBF"sv, false},
      Utf8Edge{"missing_continuation", "\xC3"sv, false},
      Utf8Edge{"truncated_3_byte", "\xE2\x82"sv, false},
      Utf8Edge{"invalid_continuation", "\xC3\x28"sv, false},
      Utf8Edge{"above_U+10FFFF", "\xF4\x90\x80\x80"sv, false},
      Utf8Edge{"byte_FE", "\xFE"sv, false},
      Utf8Edge{"byte_FF", "\xFF"sv, false},
      Utf8Edge{"five_byte_form", "\xF8\x88\x80\x80\x80"sv, false},
      // Well-formed: MQTT lets them through (a receiver may still refuse the control characters
      // and noncharacters), so a broker must not crash on them.
      Utf8Edge{"U+FFFF", "\xEF\xBF\xBF"sv, true},
      Utf8Edge{"U+FFFE", "\xEF\xBF\xBE"sv, true},
      Utf8Edge{"noncharacter_U+FDD0", "\xEF\xB7\x90"sv, true},
      Utf8Edge{"U+FEFF_byte_order_mark", "\xEF\xBB\xBF"sv, true},
      Utf8Edge{"U+0001", "\x01"sv, true},
      Utf8Edge{"U+007F", "\x7F"sv, true},
      Utf8Edge{"U+0080", "\xC2\x80"sv, true},
      Utf8Edge{"U+10FFFF", "\xF4\x8F\xBF\xBF"sv, true},
  };
  return edges;
}

std::span<const std::uint32_t> variable_int_edges() noexcept {
  static constexpr std::array<std::uint32_t, 8> edges = {0,      127,       128,       16'383,
                                                         16'384, 2'097'151, 2'097'152, 268'435'455};
  return edges;
}

std::span<const std::string_view> mutation_kinds() noexcept {
  static constexpr std::array<std::string_view, 34> kinds = {
      "field.integer",
      "field.flag",
      "field.enum",
      "field.reserved_bits",
      "field.packet_id",
      "field.absent",
      "field.list",
      "field.string_empty",
      "field.utf8_edge",
      "field.string_max",
      "field.topic_wildcard",
      "field.string_length",
      "property.duplicate",
      "property.not_allowed",
      "property.remove",
      "property.value",
      "property.unknown",
      "varint.remaining_length",
      "varint.property_length",
      "varint.subscription_identifier",
      "bytes.bit_flip",
      "bytes.replace",
      "bytes.insert",
      "bytes.delete",
      "bytes.splice",
      "bytes.truncate",
      "bytes.trailing",
      "length.repaired",
      "length.stale",
      "length.too_short",
      "length.too_long",
      "length.overlong",
      "length.never_ending",
      "length.non_minimal",
  };
  return kinds;
}

std::string Mutation::to_string() const {
  std::string text = kind;
  if (!field.empty()) text += " " + field;
  if (!detail.empty()) text += ": " + detail;
  return text;
}

}  // namespace gauntlet::netfuzz
