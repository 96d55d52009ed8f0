// Mutate: a copy of the packet is changed on the model (fields, properties), encoded by the codec
// (with a Malformation where the codec can express the change), then changed on the bytes
// (Variable Byte Integers, body edits), and framed with a repaired or a broken Remaining Length.
#include "gauntlet/netfuzz/mutator.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <type_traits>
#include <utility>

#include "gauntlet/codec/decoder.hpp"
#include "gauntlet/codec/encoder.hpp"
#include "gauntlet/codec/properties.hpp"
#include "gauntlet/codec/reason_codes.hpp"
#include "generator.hpp"

namespace gauntlet::netfuzz {

using namespace gauntlet::codec;

namespace {

constexpr std::size_t max_string = 0xFFFF;

std::string hex(std::string_view bytes, std::size_t limit = 16) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < limit; ++i) {
    std::array<char, 4> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%02X",
                  static_cast<unsigned>(static_cast<unsigned char>(bytes[i])));
    if (i != 0) out += ' ';
    out += buffer.data();
  }
  if (bytes.size() > limit) out += " ...";
  return out;
}

std::string hex(const std::vector<std::uint8_t>& bytes, std::size_t limit = 16) {
  return hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),  // NOLINT
             limit);
}

std::vector<std::uint8_t> varint(std::uint32_t value, std::uint8_t width = 0) {
  std::vector<std::uint8_t> out;
  write_variable_int(value, out, width);
  return out;
}

std::uint8_t varint_width(std::uint32_t value) {
  std::uint8_t width = 1;
  while (value >= 128U) {
    value >>= 7U;
    ++width;
  }
  return width;
}

// Where the packet's own Property Length starts inside the body, for the body the encoder wrote
// for `packet` (nullopt where there is none: below 5.0, PINGREQ/PINGRESP, an omitted tail).
std::optional<std::size_t> property_length_at(const Packet& packet, ProtocolVersion version,
                                              std::size_t body_size) {
  if (const auto* c = std::get_if<Connect>(&packet)) {
    if (c->version != ProtocolVersion::v5) return std::nullopt;
    return 2 + c->protocol_name.value_or(standard_protocol_name(c->version)).size() + 1 + 1 + 2;
  }
  if (version != ProtocolVersion::v5) return std::nullopt;
  std::size_t at = 0;
  switch (packet_type(packet)) {
    case PacketType::connack:
    case PacketType::subscribe:
    case PacketType::suback:
    case PacketType::unsubscribe:
    case PacketType::unsuback:
      at = 2;
      break;
    case PacketType::publish: {
      const auto& p = std::get<Publish>(packet);
      at = 2 + p.topic.size() + (p.qos != QoS::at_most_once ? 2 : 0);
      break;
    }
    case PacketType::puback:
    case PacketType::pubrec:
    case PacketType::pubrel:
    case PacketType::pubcomp:
      at = 3;
      break;
    case PacketType::disconnect:
    case PacketType::auth:
      at = 1;
      break;
    default:
      return std::nullopt;
  }
  if (at >= body_size) return std::nullopt;
  return at;
}

// The packet's own property block, or nullptr where the model has none.
Properties* own_properties(Packet& packet) {
  return std::visit(
      [](auto& p) -> Properties* {
        if constexpr (requires { p.properties; }) {
          return &p.properties;
        } else {
          return nullptr;
        }
      },
      packet);
}

// Property blocks are edited as bytes; each property is located by the codec's iterator.
struct PropertySpan {
  PropertyId id;
  std::size_t begin;
  std::size_t end;
};

std::vector<PropertySpan> property_spans(const Properties& props) {
  std::vector<PropertySpan> spans;
  for (const Property& p : props) {
    if (!spans.empty()) spans.back().end = p.offset;
    spans.push_back({p.id, p.offset, props.encoded().size()});
  }
  return spans;
}

std::string type_name_prefix(PacketType type) {
  std::string name(to_string(type));
  std::ranges::transform(name, name.begin(), [](char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  });
  return name;
}

// The state of one mutate() call.
class Engine {
 public:
  Engine(Rng& rng, Arena& arena, ProtocolVersion version, const MutationBudget& budget,
         std::vector<Mutation>& log)
      : rng_(rng), arena_(arena), version_(version), budget_(budget), log_(log) {}

  Rng& rng() { return rng_; }
  Arena& arena() { return arena_; }
  [[nodiscard]] ProtocolVersion version() const { return version_; }
  [[nodiscard]] bool v5() const { return version_ == ProtocolVersion::v5; }
  Malformation& malformation() { return malformation_; }
  detail::Generator generator() { return {rng_, arena_, version_}; }
  [[nodiscard]] bool room_for(std::size_t bytes) const { return bytes + 1024 <= budget_.max_size; }

  void log(std::string_view kind, std::string_view field, std::string detail) {
    log_.push_back({std::string(kind), std::string(field), std::move(detail)});
  }

  std::uint32_t draw(std::uint64_t low, std::uint64_t high) {
    return static_cast<std::uint32_t>(rng_.range(low, high));
  }
  template <typename T, std::size_t N>
  T pick(const std::array<T, N>& items) {
    return items[static_cast<std::size_t>(rng_.below(N))];
  }

  // --- values ---------------------------------------------------------------------------------

  enum class Role : std::uint8_t { text, topic_name, topic_filter, protocol_name };

  // The codec's Malformation::string_lengths names the fields whose length prefix can lie.
  void string_field(std::string_view& s, std::string_view field, Role role, bool prefixed = true) {
    const bool topic = role == Role::topic_name || role == Role::topic_filter;
    std::uint32_t choice = draw(0, 99);
    // Choices that do not apply fall back to a UTF-8 edge (or a wildcard for a topic): no room
    // for 65,535 bytes, no length prefix to lie about, no wildcard outside topics.
    if (choice >= 45 && choice < 55 && !room_for(max_string)) choice = 30;
    if (!prefixed && choice >= 80) choice = topic ? 60 : 30;
    if (!prefixed && !topic && choice >= 55) choice = 30;
    if (choice < 15) {
      s = {};
      log("field.string_empty", field, "");
    } else if (choice < 45) {
      s = with_utf8_edge(s, field);
    } else if (choice < 55) {
      std::string big(max_string, 'a');
      if (topic) {  // levels of one character: the longest topic a broker must accept
        for (std::size_t i = 1; i < big.size(); i += 2)
          big[i] = '/';
      }
      s = arena_.keep(std::move(big));
      log("field.string_max", field, "65535 bytes");
    } else if (topic && choice < 80) {
      s = misplaced_wildcard(s, role == Role::topic_filter);
      log("field.topic_wildcard", field, "\"" + std::string(s.substr(0, 40)) + "\"");
    } else if (role == Role::protocol_name && choice < 80) {
      static constexpr std::array<std::string_view, 6> names = {"MQTT",  "MQIsdp",  "mqtt",
                                                                "MQTT5", "MQIsdpX", "MQT"};
      s = pick(names);
      log("field.enum", field, "\"" + std::string(s) + "\"");
    } else {
      static constexpr std::array<int, 4> deltas = {-1, 1, -1000, 70000};
      const int delta = pick(deltas);
      std::uint16_t length = 0;
      if (delta == -1000) {
        length = 0;
      } else if (delta == 70000) {
        length = 0xFFFF;
      } else {
        length = static_cast<std::uint16_t>(static_cast<int>(s.size()) + delta);
      }
      malformation_.string_lengths.push_back({field, length});
      log("field.string_length", field,
          "prefix " + std::to_string(length) + " for " + std::to_string(s.size()) + " bytes");
    }
  }

  std::string_view with_utf8_edge(std::string_view s, std::string_view field) {
    const Utf8Edge& edge = rng_.pick(utf8_edges());
    // Insert at a character boundary, so that an edge case accepted on its own stays accepted.
    std::vector<std::size_t> boundaries;
    for (std::size_t i = 0; i <= s.size(); ++i) {
      if (i == s.size() || (static_cast<unsigned char>(s[i]) & 0xC0U) != 0x80U)
        boundaries.push_back(i);
    }
    const std::size_t at = boundaries[static_cast<std::size_t>(rng_.below(boundaries.size()))];
    std::string text(s.substr(0, at));
    text += edge.bytes;
    text += s.substr(at);
    log("field.utf8_edge", field,
        std::string(edge.name) + " (" + hex(edge.bytes) + ") at " + std::to_string(at));
    return arena_.keep(std::move(text));
  }

  std::string_view misplaced_wildcard(std::string_view s, bool filter) {
    if (!filter) {  // a Topic Name may hold no wildcard at all
      static constexpr std::array<std::string_view, 5> inserts = {"+", "#", "/+", "/#", "+/#"};
      const std::size_t at = static_cast<std::size_t>(rng_.below(s.size() + 1));
      return arena_.keep(std::string(s.substr(0, at)) + std::string(pick(inserts)) +
                         std::string(s.substr(at)));
    }
    static constexpr std::array<std::string_view, 12> filters = {
        "a/#/b", "#/a", "a#",  "a/b#",      "+a",          "a/+b/c",
        "++",    "#+",  "/#/", "$share//a", "$share/a+/b", "$share/a"};
    const std::string_view bad = pick(filters);
    return rng_.chance(50) ? bad : arena_.keep(std::string(s) + "/" + std::string(bad));
  }

  void binary_field(ByteView& b, std::string_view field, bool prefixed) {
    std::uint32_t choice = draw(0, 99);
    // Choices that do not apply fall back: no room for 65,535 bytes, no prefix to lie about.
    if (choice >= 35 && choice < 65 && !room_for(max_string)) choice = 80;
    if (!prefixed && choice >= 65) choice = 0;
    if (choice < 35) {
      b = {};
      log("field.string_empty", field, "");
    } else if (choice < 65) {
      std::string big(max_string, '\0');
      std::uint64_t bits = 0;
      for (std::size_t i = 0; i < big.size(); ++i, bits >>= 8U) {
        if (i % 8 == 0) bits = rng_.next();  // eight random bytes per draw
        big[i] = static_cast<char>(bits & 0xFFU);
      }
      b = arena_.keep_bytes(std::move(big));
      log("field.string_max", field, "65535 bytes");
    } else {
      const std::uint16_t length =
          rng_.chance(50) ? std::uint16_t{0xFFFF} : static_cast<std::uint16_t>(b.size() + 1);
      malformation_.string_lengths.push_back({field, length});
      log("field.string_length", field,
          "prefix " + std::to_string(length) + " for " + std::to_string(b.size()) + " bytes");
    }
  }

  void integer_u16(std::uint16_t& value, std::string_view field) {
    static constexpr std::array<std::uint16_t, 10> edges = {0,     1,      0x7F,   0x80,   0xFF,
                                                            0x100, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF};
    value = rng_.chance(80) ? pick(edges) : static_cast<std::uint16_t>(rng_.below(0x10000));
    log("field.integer", field, std::to_string(value));
  }

  void flag(bool& value, std::string_view field) {
    value = !value;
    log("field.flag", field, value ? "1" : "0");
  }

  void qos(QoS& value, std::string_view field) {
    const auto before = static_cast<unsigned>(value);
    const unsigned after = rng_.chance(60) ? 3U : (before + draw(1, 2)) % 3U;
    value = static_cast<QoS>(after);
    log("field.enum", field, "QoS " + std::to_string(after));
  }

  void reason(ReasonCode& code, PacketType type, std::string_view field) {
    std::uint8_t byte = 0;
    const std::uint32_t choice = draw(0, 99);
    if (choice < 60) {  // one the packet may not carry (bounded search; 0xFF is never allowed)
      byte = 0xFF;
      for (int i = 0; i < 32; ++i) {
        const auto candidate = static_cast<std::uint8_t>(rng_.below(256));
        if (!reason_code_allowed(type, version_, static_cast<ReasonCode>(candidate))) {
          byte = candidate;
          break;
        }
      }
    } else if (choice < 80) {
      byte = to_byte(generator().allowed_reason_code(type));
    } else {
      byte = static_cast<std::uint8_t>(rng_.below(256));
    }
    code = static_cast<ReasonCode>(byte);
    log("field.enum", field, "reason code 0x" + hex(std::string(1, static_cast<char>(byte))));
  }

  void packet_id(std::uint16_t& id, std::string_view field) {
    static constexpr std::array<std::uint16_t, 4> ids = {0, 0, 1, 0xFFFF};
    id = rng_.chance(85) ? pick(ids) : static_cast<std::uint16_t>(rng_.below(0x10000));
    log("field.packet_id", field, std::to_string(id));
  }

  // --- properties -----------------------------------------------------------------------------

  void property_mutation(Packet& packet) {
    Properties* props = own_properties(packet);
    PropertyContext context = property_context(packet_type(packet));
    std::string block_name = type_name_prefix(packet_type(packet)) + ".properties";
    if (auto* c = std::get_if<Connect>(&packet); c != nullptr && rng_.chance(30)) {
      if (!c->will) c->will = generator().will();
      props = &c->will->properties;
      context = PropertyContext::will;
      block_name = "connect.will.properties";
    }
    if (props == nullptr) return;
    std::string block(props->encoded().as_chars());
    const auto spans = property_spans(*props);
    const std::uint32_t choice = draw(0, 4);
    if (choice == 0) {
      duplicate(block, spans, context, block_name);
    } else if (choice == 1) {
      not_allowed(block, context, block_name);
    } else if (choice == 2 && !spans.empty()) {
      remove(block, spans, context, block_name);
    } else if (choice == 3 || spans.empty()) {
      value(block, spans, context, block_name);
    } else {
      unknown(block, block_name);
    }
    *props = Properties(arena_.keep_bytes(std::move(block)));
  }

  std::string one_property(const PropertyInfo& info) {
    PropertyBuilder b;
    generator().add_property(b, info);
    return std::string(ByteView(b.bytes()).as_chars());
  }

  static std::string field_of(const PropertyInfo& info) {
    return "property." + std::string(info.name);
  }

  const PropertyInfo& pick_property(PropertyContext context, bool allowed, bool single) {
    std::vector<const PropertyInfo*> candidates;
    for (const PropertyInfo& info : all_properties()) {
      const bool repeatable = info.repeatable && !(info.id == PropertyId::subscription_identifier &&
                                                   context == PropertyContext::subscribe);
      if (info.allowed_in(context) == allowed && (!single || !repeatable))
        candidates.push_back(&info);
    }
    if (candidates.empty()) return all_properties().front();
    return *candidates[static_cast<std::size_t>(rng_.below(candidates.size()))];
  }

  // A property that may appear once, twice: the one already there, or a new one added twice.
  void duplicate(std::string& block, const std::vector<PropertySpan>& spans,
                 PropertyContext context, std::string_view block_name) {
    std::vector<PropertySpan> singles;
    for (const PropertySpan& s : spans) {
      const PropertyInfo& info = *property_info(s.id);
      const bool repeatable = info.repeatable && !(info.id == PropertyId::subscription_identifier &&
                                                   context == PropertyContext::subscribe);
      if (!repeatable) singles.push_back(s);
    }
    const PropertyInfo* info = nullptr;
    if (!singles.empty() && rng_.chance(60)) {
      const PropertySpan& s = singles[static_cast<std::size_t>(rng_.below(singles.size()))];
      info = property_info(s.id);
      block += block.substr(s.begin, s.end - s.begin);
    } else {
      info = &pick_property(context, true, true);
      block += one_property(*info);
      block += one_property(*info);
    }
    log("property.duplicate", field_of(*info), "in " + std::string(block_name));
  }

  void not_allowed(std::string& block, PropertyContext context, std::string_view block_name) {
    const PropertyInfo& info = pick_property(context, false, false);
    const std::string bytes = one_property(info);
    const std::size_t at = rng_.chance(50) ? block.size() : 0;
    block.insert(at, bytes);
    log("property.not_allowed", field_of(info), "in " + std::string(block_name));
  }

  // Prefers a property the packet needs (AUTH's Authentication Method, the method that
  // Authentication Data depends on, the Topic Alias that stands for an empty topic).
  void remove(std::string& block, const std::vector<PropertySpan>& spans, PropertyContext context,
              std::string_view block_name) {
    const PropertySpan* target = &spans[static_cast<std::size_t>(rng_.below(spans.size()))];
    for (const PropertySpan& s : spans) {
      if ((s.id == PropertyId::authentication_method ||
           (s.id == PropertyId::topic_alias && context == PropertyContext::publish)) &&
          rng_.chance(70)) {
        target = &s;
      }
    }
    const PropertyInfo& info = *property_info(target->id);
    block.erase(target->begin, target->end - target->begin);
    log("property.remove", field_of(info), "from " + std::string(block_name));
  }

  // An edge value for a property's type: the limits of its valid range and one step beyond.
  void value(std::string& block, const std::vector<PropertySpan>& spans, PropertyContext context,
             std::string_view block_name) {
    const PropertyInfo& info =
        !spans.empty() && rng_.chance(50)
            ? *property_info(spans[static_cast<std::size_t>(rng_.below(spans.size()))].id)
            : pick_property(context, true, false);
    // The new value replaces every occurrence (a repeated one stays out of this mutation).
    for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
      if (it->id == info.id) block.erase(it->begin, it->end - it->begin);
    }
    PropertyBuilder b;
    std::string detail;
    switch (info.type) {
      case PropertyType::byte:
      case PropertyType::two_byte_integer:
      case PropertyType::four_byte_integer:
      case PropertyType::variable_byte_integer: {
        const std::uint32_t type_max = info.type == PropertyType::byte               ? 0xFFU
                                       : info.type == PropertyType::two_byte_integer ? 0xFFFFU
                                       : info.type == PropertyType::four_byte_integer
                                           ? 0xFFFFFFFFU
                                           : max_remaining_length;
        const std::uint32_t high = std::min(info.max_value, type_max);
        std::vector<std::uint32_t> candidates = {0, 1, info.min_value, high, type_max};
        if (info.min_value > 0) candidates.push_back(info.min_value - 1);
        if (high < type_max) candidates.push_back(high + 1);
        const std::uint32_t number =
            candidates[static_cast<std::size_t>(rng_.below(candidates.size()))];
        b.add(info.id, number);
        detail = std::to_string(number) + " (valid " + std::to_string(info.min_value) + ".." +
                 std::to_string(high) + ")";
        break;
      }
      case PropertyType::utf8_string:
      case PropertyType::utf8_string_pair: {
        std::string_view text =
            info.id == PropertyId::response_topic ? generator().topic_name() : generator().utf8();
        const std::size_t before = log_.size();
        string_field(text, field_of(info),
                     info.id == PropertyId::response_topic ? Role::topic_name : Role::text,
                     /*prefixed=*/false);
        // The string mutation logged itself as field.*; this mutation is about the property.
        detail = log_.size() > before ? log_.back().kind + " " + log_.back().detail : "";
        log_.resize(before);
        if (info.type == PropertyType::utf8_string) {
          b.add(info.id, text);
        } else if (rng_.chance(50)) {
          b.add_user_property(text, "v");
        } else {
          b.add_user_property("k", text);
        }
        break;
      }
      case PropertyType::binary_data: {
        if (rng_.chance(50) || !room_for(max_string)) {
          b.add_binary(info.id, ByteView{});
          detail = "empty";
        } else {
          const std::string big(max_string, '\x5A');
          b.add_binary(info.id, ByteView::of(big));
          detail = "65535 bytes";
        }
        break;
      }
    }
    block += ByteView(b.bytes()).as_chars();
    log("property.value", field_of(info), detail + " in " + std::string(block_name));
  }

  void unknown(std::string& block, std::string_view block_name) {
    // Identifiers 5.0 does not define, and defined ones in a non-minimal two-byte form.
    static constexpr std::array<std::string_view, 10> ids = {std::string_view("\x00", 1),
                                                             "\x04",
                                                             "\x0A",
                                                             "\x10",
                                                             "\x1B",
                                                             "\x2B",
                                                             "\x7F",
                                                             "\xFF\x01",
                                                             "\x81\x00",
                                                             "\x91\x00"};
    const std::string_view id = pick(ids);
    std::string bytes(id);
    bytes += std::string_view("\x00\x01\x02\x03", 1 + rng_.below(4));
    block.insert(rng_.chance(50) ? block.size() : 0, bytes);
    log("property.unknown", "property.identifier", hex(bytes) + " in " + std::string(block_name));
  }

  // The Subscription Identifier at the edges of its Variable Byte Integer, and in forms no
  // receiver may accept (0, non-minimal, five bytes).
  void subscription_identifier(Packet& packet) {
    Properties* props = own_properties(packet);
    if (props == nullptr) return;
    std::string block(props->encoded().as_chars());
    std::vector<std::uint8_t> bytes = {
        static_cast<std::uint8_t>(PropertyId::subscription_identifier)};
    std::string detail;
    const std::uint32_t choice = draw(0, 9);
    const std::uint32_t value = rng_.pick(variable_int_edges());
    if (choice < 6) {
      write_variable_int(value, bytes);
      detail = std::to_string(value);
    } else if (choice < 8) {
      // One byte more than needed; a value that needs four bytes gets five.
      const auto width = static_cast<std::uint8_t>(varint_width(value) + 1);
      write_variable_int(value, bytes, width);
      detail = std::to_string(value) + " in " + std::to_string(width) + " bytes";
    } else {
      write_variable_int(value, bytes, 5);
      detail = std::to_string(value) + " in 5 bytes";
    }
    block.insert(rng_.chance(50) ? block.size() : 0,
                 std::string_view(reinterpret_cast<const char*>(bytes.data()),  // NOLINT
                                  bytes.size()));
    *props = Properties(arena_.keep_bytes(std::move(block)));
    log("varint.subscription_identifier", "property.subscription_identifier",
        detail + " (" + hex(bytes) + ")");
  }

 private:
  Rng& rng_;
  Arena& arena_;
  ProtocolVersion version_;
  const MutationBudget& budget_;
  std::vector<Mutation>& log_;
  Malformation malformation_;
};

// --- fields of each packet type -----------------------------------------------------------------

template <typename T>
struct FieldOp {
  std::string_view name;
  void (*apply)(Engine&, T&);
  bool v5_only = false;
};

using Role = Engine::Role;

void ensure_will(Engine& e, Connect& c) {
  if (!c.will) c.will = e.generator().will();
}

std::uint8_t connect_flags(const Connect& c) {
  unsigned flags = c.clean_start ? 0x02U : 0x00U;
  if (c.will) {
    flags |= 0x04U | (static_cast<unsigned>(c.will->qos) << 3U) | (c.will->retain ? 0x20U : 0U);
  }
  if (c.password) flags |= 0x40U;
  if (c.username) flags |= 0x80U;
  return static_cast<std::uint8_t>(flags);
}

constexpr std::array<FieldOp<Connect>, 13> connect_fields = {{
    {"connect.protocol_name",
     [](Engine& e, Connect& c) {
       std::string_view name = c.protocol_name.value_or(standard_protocol_name(c.version));
       e.string_field(name, "connect.protocol_name", Role::protocol_name);
       c.protocol_name = name;
     }},
    {"connect.protocol_level",
     [](Engine& e, Connect& c) {
       static constexpr std::array<std::uint8_t, 9> levels = {0, 1, 2, 3, 4, 5, 6, 0x83, 0xFF};
       std::uint8_t level = e.pick(levels);
       if (level == static_cast<std::uint8_t>(c.version)) level = 6;
       e.malformation().protocol_level = level;
       e.log("field.enum", "connect.protocol_level", std::to_string(level));
     }},
    {"connect.flags",
     [](Engine& e, Connect& c) {
       // Bit 0 is reserved; the will bits without a will and a password without a user name are
       // inconsistent.
       static constexpr std::array<std::uint8_t, 6> bits = {0x01, 0x01, 0x18, 0x20, 0x40, 0x80};
       const std::uint8_t flags = connect_flags(c) ^ e.pick(bits);
       e.malformation().flags_byte = flags;
       e.log("field.reserved_bits", "connect.flags",
             "0x" + hex(std::string(1, static_cast<char>(flags))));
     }},
    {"connect.clean_start",
     [](Engine& e, Connect& c) { e.flag(c.clean_start, "connect.clean_start"); }},
    {"connect.keep_alive",
     [](Engine& e, Connect& c) { e.integer_u16(c.keep_alive, "connect.keep_alive"); }},
    {"connect.client_id",
     [](Engine& e, Connect& c) { e.string_field(c.client_id, "connect.client_id", Role::text); }},
    {"connect.will",
     [](Engine& e, Connect& c) {
       if (c.will) {
         c.will.reset();
       } else {
         ensure_will(e, c);
       }
       e.log("field.absent", "connect.will", c.will ? "added" : "removed");
     }},
    {"connect.will.qos",
     [](Engine& e, Connect& c) {
       ensure_will(e, c);
       e.qos(c.will->qos, "connect.will.qos");
     }},
    {"connect.will.retain",
     [](Engine& e, Connect& c) {
       ensure_will(e, c);
       e.flag(c.will->retain, "connect.will.retain");
     }},
    {"connect.will.topic",
     [](Engine& e, Connect& c) {
       ensure_will(e, c);
       e.string_field(c.will->topic, "connect.will.topic", Role::topic_name);
     }},
    {"connect.will.payload",
     [](Engine& e, Connect& c) {
       ensure_will(e, c);
       e.binary_field(c.will->payload, "connect.will.payload", true);
     }},
    {"connect.username",
     [](Engine& e, Connect& c) {
       if (e.rng().chance(30)) {
         if (c.username) {
           c.username.reset();
         } else {
           c.username = e.generator().utf8();
         }
         e.log("field.absent", "connect.username", c.username ? "added" : "removed");
         return;
       }
       std::string_view name = c.username.value_or("");
       e.string_field(name, "connect.username", Role::text);
       c.username = name;
     }},
    {"connect.password",
     [](Engine& e, Connect& c) {
       if (e.rng().chance(30)) {
         if (c.password) {
           c.password.reset();
         } else {
           c.password = e.generator().binary();
         }
         e.log("field.absent", "connect.password", c.password ? "added" : "removed");
         return;
       }
       ByteView password = c.password.value_or(ByteView{});
       e.binary_field(password, "connect.password", true);
       c.password = password;
     }},
}};

constexpr std::array<FieldOp<Connack>, 3> connack_fields = {{
    {"connack.flags",
     [](Engine& e, Connack& c) {
       const auto flags = static_cast<std::uint8_t>((c.session_present ? 1U : 0U) |
                                                    (e.rng().below(127) + 1) << 1U);
       e.malformation().flags_byte = flags;
       e.log("field.reserved_bits", "connack.flags",
             "0x" + hex(std::string(1, static_cast<char>(flags))));
     }},
    {"connack.session_present",
     [](Engine& e, Connack& c) { e.flag(c.session_present, "connack.session_present"); }},
    {"connack.reason_code",
     [](Engine& e, Connack& c) {
       e.reason(c.reason_code, PacketType::connack, "connack.reason_code");
     }},
}};

constexpr std::array<FieldOp<Publish>, 6> publish_fields = {{
    {"publish.dup", [](Engine& e, Publish& p) { e.flag(p.dup, "publish.dup"); }},
    {"publish.qos", [](Engine& e, Publish& p) { e.qos(p.qos, "publish.qos"); }},
    {"publish.retain", [](Engine& e, Publish& p) { e.flag(p.retain, "publish.retain"); }},
    {"publish.topic",
     [](Engine& e, Publish& p) { e.string_field(p.topic, "publish.topic", Role::topic_name); }},
    {"publish.packet_id",
     [](Engine& e, Publish& p) {
       if (p.qos == QoS::at_most_once) p.qos = QoS::at_least_once;  // else it is not on the wire
       e.packet_id(p.packet_id, "publish.packet_id");
     }},
    {"publish.payload",
     [](Engine& e, Publish& p) { e.binary_field(p.payload, "publish.payload", false); }},
}};

template <PacketType Type>
constexpr std::array<FieldOp<PublishResponse<Type>>, 2> response_fields() {
  using R = PublishResponse<Type>;
  return {{
      {"packet_id",
       [](Engine& e, R& r) { e.packet_id(r.packet_id, type_name_prefix(Type) + ".packet_id"); }},
      {"reason_code",
       [](Engine& e, R& r) {
         e.reason(r.reason_code, Type, type_name_prefix(Type) + ".reason_code");
       },
       true},
  }};
}

Subscription& any_subscription(Engine& e, Subscribe& s) {
  if (s.subscriptions.empty()) s.subscriptions.push_back({e.generator().topic_filter(true), {}});
  return s.subscriptions[static_cast<std::size_t>(e.rng().below(s.subscriptions.size()))];
}

constexpr std::array<FieldOp<Subscribe>, 8> subscribe_fields = {{
    {"subscribe.packet_id",
     [](Engine& e, Subscribe& s) { e.packet_id(s.packet_id, "subscribe.packet_id"); }},
    {"subscribe.filter",
     [](Engine& e, Subscribe& s) {
       e.string_field(any_subscription(e, s).filter, "subscribe.filter", Role::topic_filter);
     }},
    {"subscribe.options.qos",
     [](Engine& e, Subscribe& s) {
       e.qos(any_subscription(e, s).options.qos, "subscribe.options.qos");
     }},
    {"subscribe.options.no_local",
     [](Engine& e, Subscribe& s) {
       Subscription& sub = any_subscription(e, s);
       if (e.rng().chance(30)) sub.filter = "$share/g/x";  // No Local on a shared subscription
       e.flag(sub.options.no_local, "subscribe.options.no_local");
     },
     true},
    {"subscribe.options.retain_as_published",
     [](Engine& e, Subscribe& s) {
       e.flag(any_subscription(e, s).options.retain_as_published,
              "subscribe.options.retain_as_published");
     },
     true},
    {"subscribe.options.retain_handling",
     [](Engine& e, Subscribe& s) {
       std::uint8_t& handling = any_subscription(e, s).options.retain_handling;
       handling =
           e.rng().chance(70) ? std::uint8_t{3} : static_cast<std::uint8_t>((handling + 1U) % 3U);
       e.log("field.enum", "subscribe.options.retain_handling", std::to_string(handling));
     },
     true},
    {"subscribe.options.reserved",
     [](Engine& e, Subscribe& s) {
       (void)s;
       // Bits 6-7 are reserved at 5.0; below it, bits 2-7.
       const std::uint8_t bits = e.v5() ? static_cast<std::uint8_t>((e.rng().below(3) + 1) << 6U)
                                        : static_cast<std::uint8_t>((e.rng().below(63) + 1) << 2U);
       e.malformation().subscription_options_bits = bits;
       e.log("field.reserved_bits", "subscribe.options.reserved",
             "0x" + hex(std::string(1, static_cast<char>(bits))));
     }},
    {"subscribe.subscriptions",
     [](Engine& e, Subscribe& s) {
       const std::uint32_t choice = e.draw(0, 2);
       if (choice == 0) {
         s.subscriptions.clear();
       } else if (choice == 1) {
         s.subscriptions.push_back(any_subscription(e, s));  // the same filter twice
       } else {
         const std::uint32_t more = e.draw(10, 40);
         for (std::uint32_t i = 0; i < more; ++i)
           s.subscriptions.push_back({e.generator().topic_filter(true), {}});
       }
       e.log("field.list", "subscribe.subscriptions",
             std::to_string(s.subscriptions.size()) + " entries");
     }},
}};

template <typename Ack>
void reason_list(Engine& e, Ack& a, PacketType type, std::string_view field) {
  const std::uint32_t choice = e.draw(0, 1);
  if (choice == 0) {
    a.reason_codes.clear();
  } else {
    const std::uint32_t more = e.draw(10, 60);
    for (std::uint32_t i = 0; i < more; ++i)
      a.reason_codes.push_back(e.generator().allowed_reason_code(type));
  }
  e.log("field.list", field, std::to_string(a.reason_codes.size()) + " entries");
}

template <typename Ack>
void reason_entry(Engine& e, Ack& a, PacketType type, std::string_view field) {
  if (a.reason_codes.empty()) a.reason_codes.push_back(ReasonCode::success);
  e.reason(a.reason_codes[static_cast<std::size_t>(e.rng().below(a.reason_codes.size()))], type,
           field);
}

constexpr std::array<FieldOp<Suback>, 3> suback_fields = {{
    {"suback.packet_id",
     [](Engine& e, Suback& s) { e.packet_id(s.packet_id, "suback.packet_id"); }},
    {"suback.reason_code",
     [](Engine& e, Suback& s) { reason_entry(e, s, PacketType::suback, "suback.reason_code"); }},
    {"suback.reason_codes",
     [](Engine& e, Suback& s) { reason_list(e, s, PacketType::suback, "suback.reason_codes"); }},
}};

constexpr std::array<FieldOp<Unsubscribe>, 3> unsubscribe_fields = {{
    {"unsubscribe.packet_id",
     [](Engine& e, Unsubscribe& u) { e.packet_id(u.packet_id, "unsubscribe.packet_id"); }},
    {"unsubscribe.filter",
     [](Engine& e, Unsubscribe& u) {
       if (u.filters.empty()) u.filters.push_back(e.generator().topic_filter(true));
       e.string_field(u.filters[static_cast<std::size_t>(e.rng().below(u.filters.size()))],
                      "unsubscribe.filter", Role::topic_filter);
     }},
    {"unsubscribe.filters",
     [](Engine& e, Unsubscribe& u) {
       if (e.rng().chance(50)) {
         u.filters.clear();
       } else {
         const std::uint32_t more = e.draw(10, 40);
         for (std::uint32_t i = 0; i < more; ++i)
           u.filters.push_back(e.generator().topic_filter(true));
       }
       e.log("field.list", "unsubscribe.filters", std::to_string(u.filters.size()) + " entries");
     }},
}};

constexpr std::array<FieldOp<Unsuback>, 3> unsuback_fields = {{
    {"unsuback.packet_id",
     [](Engine& e, Unsuback& u) { e.packet_id(u.packet_id, "unsuback.packet_id"); }},
    {"unsuback.reason_code",
     [](Engine& e, Unsuback& u) {
       reason_entry(e, u, PacketType::unsuback, "unsuback.reason_code");
     },
     true},
    {"unsuback.reason_codes",
     [](Engine& e, Unsuback& u) {
       reason_list(e, u, PacketType::unsuback, "unsuback.reason_codes");
     },
     true},
}};

constexpr std::array<FieldOp<Disconnect>, 1> disconnect_fields = {{
    {"disconnect.reason_code",
     [](Engine& e, Disconnect& d) {
       e.reason(d.reason_code, PacketType::disconnect, "disconnect.reason_code");
     },
     true},
}};

constexpr std::array<FieldOp<Auth>, 1> auth_fields = {{
    {"auth.reason_code",
     [](Engine& e, Auth& a) { e.reason(a.reason_code, PacketType::auth, "auth.reason_code"); }},
}};

constexpr std::array<FieldOp<Pingreq>, 0> pingreq_fields{};
constexpr std::array<FieldOp<Pingresp>, 0> pingresp_fields{};

template <typename T>
constexpr auto fields_of() {
  if constexpr (std::is_same_v<T, Connect>)
    return connect_fields;
  else if constexpr (std::is_same_v<T, Connack>)
    return connack_fields;
  else if constexpr (std::is_same_v<T, Publish>)
    return publish_fields;
  else if constexpr (std::is_same_v<T, Subscribe>)
    return subscribe_fields;
  else if constexpr (std::is_same_v<T, Suback>)
    return suback_fields;
  else if constexpr (std::is_same_v<T, Unsubscribe>)
    return unsubscribe_fields;
  else if constexpr (std::is_same_v<T, Unsuback>)
    return unsuback_fields;
  else if constexpr (std::is_same_v<T, Disconnect>)
    return disconnect_fields;
  else if constexpr (std::is_same_v<T, Auth>)
    return auth_fields;
  else if constexpr (std::is_same_v<T, Pingreq>)
    return pingreq_fields;
  else if constexpr (std::is_same_v<T, Pingresp>)
    return pingresp_fields;
  else
    return response_fields<T::type>();
}

// Field names as logged: the response tables hold the suffix only (one table per type would
// repeat four times the same two entries).
template <typename T>
std::string full_name(std::string_view name) {
  if constexpr (requires { T::type; }) {
    return type_name_prefix(T::type) + "." + std::string(name);
  } else {
    return std::string(name);
  }
}

constexpr std::array<std::string_view, 2> header_fields = {"fixed_header.flags",
                                                           "fixed_header.type"};

void header_mutation(Engine& e, PacketType type, std::string_view which) {
  if (which == "fixed_header.flags") {
    // Any other low nibble: reserved bits, or for PUBLISH the QoS 3 and DUP combinations.
    const auto flags = static_cast<std::uint8_t>(e.rng().below(16));
    e.malformation().fixed_header_flags = flags;
    e.log("field.reserved_bits", which, "0x" + hex(std::string(1, static_cast<char>(flags))));
    return;
  }
  // Type 0 is forbidden, 15 is AUTH (reserved below 5.0); any other type gives another packet's
  // grammar to this packet's body.
  std::uint8_t new_type = e.rng().chance(50) ? (e.rng().chance(50) ? 0 : 15)
                                             : static_cast<std::uint8_t>(e.rng().below(16));
  if (new_type == static_cast<std::uint8_t>(type)) new_type = 0;
  e.malformation().packet_type = new_type;
  e.log("field.enum", which, std::to_string(new_type));
}

void field_mutation(Engine& e, Packet& packet) {
  const PacketType type = packet_type(packet);
  std::visit(
      [&e, type](auto& p) {
        using T = std::decay_t<decltype(p)>;
        const auto table = fields_of<T>();
        std::vector<std::size_t> usable;
        for (std::size_t i = 0; i < table.size(); ++i) {
          if (!table[i].v5_only || e.v5()) usable.push_back(i);
        }
        // The two fixed-header fields weigh as much as two body fields, but at most a fifth.
        const std::size_t header_percent = std::min<std::size_t>(20, 200 / (usable.size() + 2));
        if (usable.empty() || e.rng().below(100) < header_percent) {
          header_mutation(e, type, header_fields[static_cast<std::size_t>(e.rng().below(2))]);
          return;
        }
        table[usable[static_cast<std::size_t>(e.rng().below(usable.size()))]].apply(e, p);
      },
      packet);
}

}  // namespace

std::vector<std::string_view> mutable_fields(PacketType type, ProtocolVersion version) {
  static const auto names = [] {
    // Owned copies of the full names (the response tables hold suffixes only).
    std::array<std::vector<std::pair<std::string, bool>>, 16> all;
    const std::array<Packet, 15> probes = {Connect{},  Connack{},     Publish{},  Puback{},
                                           Pubrec{},   Pubrel{},      Pubcomp{},  Subscribe{},
                                           Suback{},   Unsubscribe{}, Unsuback{}, Pingreq{},
                                           Pingresp{}, Disconnect{},  Auth{}};
    for (const Packet& probe : probes) {
      std::visit(
          [&all](const auto& p) {
            using T = std::decay_t<decltype(p)>;
            auto& out = all[static_cast<std::size_t>(packet_type(Packet(p)))];
            for (const auto& op : fields_of<T>())
              out.emplace_back(full_name<T>(op.name), op.v5_only);
          },
          probe);
    }
    return all;
  }();
  std::vector<std::string_view> out;
  for (const auto& [name, v5_only] : names[static_cast<std::size_t>(type)]) {
    if (!v5_only || version == ProtocolVersion::v5) out.emplace_back(name);
  }
  out.insert(out.end(), header_fields.begin(), header_fields.end());
  return out;
}

namespace {

// Edits of the encoded body, applied after the model-level mutations.
enum class ByteOp : std::uint8_t { bit_flip, replace, insert, erase, splice, truncate, trailing };
// How the Remaining Length is written (at most one per packet; the last one planned wins).
enum class Framing : std::uint8_t {
  edge,
  too_short,
  too_long,
  overlong,
  never_ending,
  non_minimal
};

std::uint8_t interesting_byte(Rng& rng) {
  static constexpr std::array<std::uint8_t, 8> bytes = {0x00, 0xFF, 0x7F, 0x80,
                                                        0x01, 0xC0, 0x3F, 0xFE};
  return rng.chance(60) ? bytes[static_cast<std::size_t>(rng.below(bytes.size()))]
                        : static_cast<std::uint8_t>(rng.below(256));
}

std::size_t header_size(const std::vector<std::uint8_t>& packet) {
  std::size_t size = 1;
  while (size < packet.size() && size < 5 && (packet[size] & 0x80U) != 0)
    ++size;
  return std::min(size + 1, packet.size());
}

}  // namespace

Mutator::Mutator(std::uint64_t seed) : rng_(seed) {}

OwnedPacket Mutator::generate(PacketType type, ProtocolVersion version) {
  auto arena = std::make_shared<Arena>();
  detail::Generator generator(rng_, *arena, version);
  Packet packet = generator.packet(type);
  return {std::move(packet), std::move(arena)};
}

MutatedPacket Mutator::mutate(const Packet& input, ProtocolVersion version,
                              const MutationBudget& budget) {
  MutatedPacket out;
  auto arena = std::make_shared<Arena>();
  Packet packet = copy_into(*arena, input);
  Engine e(rng_, *arena, version, budget, out.mutations);
  const PacketType type = packet_type(packet);
  const auto* connect = std::get_if<Connect>(&packet);
  const ProtocolVersion layout = connect != nullptr ? connect->version : version;
  const bool has_properties = layout == ProtocolVersion::v5 && own_properties(packet) != nullptr;
  const bool has_subscription_id =
      has_properties && (type == PacketType::publish || type == PacketType::subscribe);

  // --- plan: families by weight, among those allowed and applicable
  struct Weighted {
    Category category;
    std::uint64_t weight;
  };
  std::array<Weighted, 5> families = {{{category_field, 40},
                                       {category_property, has_properties ? 15U : 0U},
                                       {category_varint, 10},
                                       {category_bytes, 25},
                                       {category_length, 10}}};
  std::uint64_t total = 0;
  for (Weighted& w : families) {
    if ((budget.categories & w.category) == 0) w.weight = 0;
    total += w.weight;
  }
  const std::size_t count =
      total == 0
          ? 0
          : static_cast<std::size_t>(rng_.range(1, std::max<std::size_t>(1, budget.max_mutations)));

  std::vector<ByteOp> byte_ops;
  std::optional<Framing> framing;
  bool property_length = false;
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t r = rng_.below(total);
    Category category = category_field;
    for (const Weighted& w : families) {
      if (r < w.weight) {
        category = w.category;
        break;
      }
      r -= w.weight;
    }
    switch (category) {
      case category_field:
        field_mutation(e, packet);
        break;
      case category_property:
        e.property_mutation(packet);
        break;
      case category_varint: {
        const std::uint64_t target = rng_.below(3);
        if (target == 1 && has_properties) {
          property_length = true;
        } else if (target == 2 && has_subscription_id) {
          e.subscription_identifier(packet);
        } else {
          framing = Framing::edge;
        }
        break;
      }
      case category_bytes:
        byte_ops.push_back(static_cast<ByteOp>(rng_.below(7)));
        break;
      default:
        framing = static_cast<Framing>(rng_.range(1, 5));
        break;
    }
  }

  // --- encode through the codec, with the malformations the fields asked for
  bool model_exact = e.malformation().empty();
  std::vector<std::uint8_t> encoded;
  if (encode(packet, version, encoded, &e.malformation())) {
    encoded = {static_cast<std::uint8_t>(static_cast<unsigned>(type) << 4U), 0};
    model_exact = false;
  }
  const std::uint8_t first = encoded[0];
  std::vector<std::uint8_t> body(
      encoded.begin() + static_cast<std::ptrdiff_t>(header_size(encoded)), encoded.end());

  // --- the packet's Property Length: edges and forms no receiver may accept
  if (property_length) {
    if (const auto at = property_length_at(packet, version, body.size())) {
      std::size_t end = *at;
      std::uint32_t value = 0;
      for (unsigned shift = 0; end < body.size() && shift < 28; shift += 7) {
        value |= static_cast<std::uint32_t>(body[end] & 0x7FU) << shift;
        if ((body[end++] & 0x80U) == 0) break;
      }
      std::vector<std::uint8_t> replacement;
      std::string detail;
      switch (rng_.below(4)) {
        case 0: {
          const std::uint32_t edge = rng_.pick(variable_int_edges());
          replacement = varint(edge);
          detail = std::to_string(edge) + " for a block of " + std::to_string(value);
          break;
        }
        case 1: {
          // Non-minimal: up to four bytes, or five where four are already needed.
          const auto width = static_cast<std::uint8_t>(
              rng_.range(varint_width(value) + 1U, std::max(4U, varint_width(value) + 1U)));
          replacement = varint(value, width);
          detail = std::to_string(value) + " in " + std::to_string(width) + " bytes";
          break;
        }
        case 2:
          replacement = varint(value, 5);
          detail = std::to_string(value) + " in 5 bytes";
          break;
        default:
          for (int i = 0; i < 4; ++i)
            replacement.push_back(static_cast<std::uint8_t>(0x80U | rng_.below(128)));
          detail = "continuation bit in every byte";
          break;
      }
      body.erase(body.begin() + static_cast<std::ptrdiff_t>(*at),
                 body.begin() + static_cast<std::ptrdiff_t>(end));
      body.insert(body.begin() + static_cast<std::ptrdiff_t>(*at), replacement.begin(),
                  replacement.end());
      e.log("varint.property_length", type_name_prefix(type) + ".properties",
            detail + " (" + hex(replacement) + ")");
      model_exact = false;
    } else {
      framing = Framing::edge;  // no Property Length on the wire: the Remaining Length instead
    }
  }

  // --- byte-level edits of the body
  const std::size_t body_before = body.size();
  bool truncate = false;
  for (ByteOp op : byte_ops) {
    model_exact = false;
    if (body.empty() && (op == ByteOp::bit_flip || op == ByteOp::replace || op == ByteOp::erase))
      op = ByteOp::insert;
    const auto at = [&](std::size_t extra) {
      return static_cast<std::size_t>(rng_.below(body.size() + extra));
    };
    switch (op) {
      case ByteOp::bit_flip: {
        const std::size_t pos = at(0);
        const auto bit = static_cast<unsigned>(rng_.below(8));
        body[pos] = static_cast<std::uint8_t>(body[pos] ^ (1U << bit));
        e.log("bytes.bit_flip", "body",
              "byte " + std::to_string(pos) + " bit " + std::to_string(bit));
        break;
      }
      case ByteOp::replace: {
        const std::size_t pos = at(0);
        const std::size_t n = std::min<std::size_t>(body.size() - pos, rng_.range(1, 4));
        for (std::size_t i = 0; i < n; ++i)
          body[pos + i] = interesting_byte(rng_);
        e.log("bytes.replace", "body",
              std::to_string(n) + " at " + std::to_string(pos) + ": " +
                  hex(std::vector<std::uint8_t>(
                      body.begin() + static_cast<std::ptrdiff_t>(pos),
                      body.begin() + static_cast<std::ptrdiff_t>(pos + n))));
        break;
      }
      case ByteOp::insert: {
        const std::size_t pos = at(1);
        std::vector<std::uint8_t> bytes(static_cast<std::size_t>(rng_.range(1, 16)));
        for (std::uint8_t& b : bytes)
          b = interesting_byte(rng_);
        body.insert(body.begin() + static_cast<std::ptrdiff_t>(pos), bytes.begin(), bytes.end());
        e.log("bytes.insert", "body",
              std::to_string(bytes.size()) + " at " + std::to_string(pos) + ": " + hex(bytes));
        break;
      }
      case ByteOp::erase: {
        const std::size_t pos = at(0);
        const std::size_t n = std::min<std::size_t>(body.size() - pos, rng_.range(1, 16));
        body.erase(body.begin() + static_cast<std::ptrdiff_t>(pos),
                   body.begin() + static_cast<std::ptrdiff_t>(pos + n));
        e.log("bytes.delete", "body", std::to_string(n) + " at " + std::to_string(pos));
        break;
      }
      case ByteOp::splice: {
        std::vector<std::uint8_t> source;
        if (!history_.empty() && rng_.chance(70)) {
          source = history_[static_cast<std::size_t>(rng_.below(history_.size()))];
        } else {
          Arena scratch;
          detail::Generator generator(rng_, scratch, version);
          const auto other = static_cast<PacketType>(rng_.range(1, 15));
          (void)encode(generator.packet(other), version, source);
        }
        const std::size_t from = static_cast<std::size_t>(rng_.below(source.size()));
        const std::size_t to = static_cast<std::size_t>(rng_.range(from + 1, source.size()));
        const std::size_t pos = at(1);
        const bool overwrite = rng_.chance(50);
        if (overwrite) {
          body.erase(
              body.begin() + static_cast<std::ptrdiff_t>(pos),
              body.begin() + static_cast<std::ptrdiff_t>(std::min(body.size(), pos + (to - from))));
        }
        body.insert(body.begin() + static_cast<std::ptrdiff_t>(pos),
                    source.begin() + static_cast<std::ptrdiff_t>(from),
                    source.begin() + static_cast<std::ptrdiff_t>(to));
        e.log("bytes.splice", "body",
              std::to_string(to - from) + " bytes of another packet " +
                  (overwrite ? "over " : "inserted at ") + std::to_string(pos));
        break;
      }
      case ByteOp::truncate:
        truncate = true;
        break;
      case ByteOp::trailing: {
        const std::size_t n = static_cast<std::size_t>(rng_.range(1, 8));
        for (std::size_t i = 0; i < n; ++i)
          body.push_back(interesting_byte(rng_));
        e.log("bytes.trailing", "body", std::to_string(n) + " bytes after the last field");
        break;
      }
    }
  }

  // --- the Remaining Length: repaired, stale, or broken on purpose
  std::uint32_t claimed =
      static_cast<std::uint32_t>(std::min<std::size_t>(body.size(), max_remaining_length));
  std::uint8_t width = 0;
  if (!framing && body.size() != body_before) {
    if (rng_.chance(75)) {
      e.log("length.repaired", "fixed_header.remaining_length",
            std::to_string(body_before) + " -> " + std::to_string(body.size()));
    } else {
      claimed = static_cast<std::uint32_t>(body_before);
      e.log("length.stale", "fixed_header.remaining_length",
            std::to_string(body_before) + " kept for a body of " + std::to_string(body.size()));
    }
  }
  std::vector<std::uint8_t> bytes = {first};
  const std::string rl = "fixed_header.remaining_length";
  const std::string of_body = " for a body of " + std::to_string(body.size());
  if (framing) {
    model_exact = false;
    Framing f = *framing;
    if (f == Framing::too_short && body.empty()) f = Framing::too_long;
    if (f == Framing::non_minimal && varint_width(claimed) >= 4) f = Framing::overlong;
    switch (f) {
      case Framing::edge: {
        const std::uint32_t edge = rng_.pick(variable_int_edges());
        if (edge >= body.size() && std::size_t{edge} + 5 <= budget.max_size) {
          body.resize(edge, 0);
          claimed = edge;
          e.log("varint.remaining_length", rl, "body padded to " + std::to_string(edge));
        } else {
          claimed = edge;
          e.log("varint.remaining_length", rl, "claims " + std::to_string(edge) + of_body);
        }
        break;
      }
      case Framing::too_short:
        claimed = static_cast<std::uint32_t>(rng_.below(body.size()));
        e.log("length.too_short", rl, std::to_string(claimed) + of_body);
        break;
      case Framing::too_long:
        claimed = static_cast<std::uint32_t>(
            rng_.chance(60) ? claimed + rng_.range(1, 16)
                            : rng_.range(std::uint64_t{claimed} + 1, max_remaining_length));
        e.log("length.too_long", rl, std::to_string(claimed) + of_body);
        break;
      case Framing::overlong:
        width = 5;
        e.log("length.overlong", rl, std::to_string(claimed) + " in 5 bytes");
        break;
      case Framing::never_ending:
        break;
      case Framing::non_minimal:
        width = static_cast<std::uint8_t>(rng_.range(varint_width(claimed) + 1U, 4));
        e.log("length.non_minimal", rl,
              std::to_string(claimed) + " in " + std::to_string(width) + " bytes");
        break;
    }
    if (f == Framing::never_ending) {
      // Four bytes that all say "more follows" (no receiver may read a fifth), then either the
      // body or the end of the stream.
      const bool keep_body = rng_.chance(50);
      const std::size_t n = keep_body ? 4 : static_cast<std::size_t>(rng_.range(1, 4));
      for (std::size_t i = 0; i < n; ++i)
        bytes.push_back(static_cast<std::uint8_t>(0x80U | rng_.below(128)));
      if (!keep_body) body.clear();
      e.log("length.never_ending", rl,
            std::to_string(n) + " continuation bytes" +
                (keep_body ? ", then the body" : ", then nothing"));
    } else {
      write_variable_int(claimed, bytes, width);
    }
  } else {
    write_variable_int(claimed, bytes, width);
  }
  bytes.insert(bytes.end(), body.begin(), body.end());
  if (truncate && bytes.size() >= 2) {
    const std::size_t keep = static_cast<std::size_t>(rng_.range(1, bytes.size() - 1));
    e.log("bytes.truncate", "packet",
          std::to_string(keep) + " of " + std::to_string(bytes.size()) + " bytes");
    bytes.resize(keep);
  }

  const auto header = read_fixed_header(ByteView(bytes), DecodeOptions{});
  const auto* fixed = std::get_if<FixedHeader>(&header);
  out.lengths_valid = fixed != nullptr && fixed->packet_size() == bytes.size();
  if (model_exact) out.model = std::move(packet);
  out.arena = std::move(arena);
  out.bytes = std::move(bytes);

  // Material for later splices: small packets only, in a ring of 16.
  if (out.bytes.size() <= 4096) {
    if (history_.size() < 16) {
      history_.push_back(out.bytes);
    } else {
      history_[history_next_] = out.bytes;
      history_next_ = (history_next_ + 1) % history_.size();
    }
  }
  return out;
}

}  // namespace gauntlet::netfuzz
