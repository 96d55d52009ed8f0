#include "gauntlet/codec/decoder.hpp"

#include <array>
#include <string>

#include "gauntlet/codec/topic.hpp"
#include "gauntlet/codec/utf8.hpp"
#include "reader.hpp"

namespace gauntlet::codec {
namespace {

using detail::Reader;
using detail::VariableInt;
using detail::VariableIntStatus;

// "property.<name>" for every property, so that error fields can be static string views.
std::string_view property_field(const PropertyInfo& info) {
  static const auto names = [] {
    std::array<std::string, 256> all;
    for (const PropertyInfo& p : all_properties()) {
      all[static_cast<std::uint8_t>(p.id)] = "property." + std::string(p.name);
    }
    return all;
  }();
  return names[static_cast<std::uint8_t>(info.id)];
}

// Characters (code points) in a string already checked as UTF-8: every byte but continuation bytes.
std::size_t utf8_length(std::string_view text) noexcept {
  std::size_t count = 0;
  for (char c : text)
    count += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
  return count;
}

// Field names of PUBACK, PUBREC, PUBREL and PUBCOMP, which share one parser.
struct AckFields {
  std::string_view packet_id;
  std::string_view reason_code;
  std::string_view properties;
};

const AckFields& ack_fields(PacketType type) noexcept {
  static constexpr std::array<AckFields, 4> fields = {{
      {"puback.packet_id", "puback.reason_code", "puback.properties"},
      {"pubrec.packet_id", "pubrec.reason_code", "pubrec.properties"},
      {"pubrel.packet_id", "pubrel.reason_code", "pubrel.properties"},
      {"pubcomp.packet_id", "pubcomp.reason_code", "pubcomp.properties"},
  }};
  return fields[static_cast<std::size_t>(type) - static_cast<std::size_t>(PacketType::puback)];
}

// Required low nibble of the first byte for every type but PUBLISH (§2.2.2 / §2.1.3).
constexpr std::uint8_t required_flags(PacketType type) noexcept {
  switch (type) {
    case PacketType::pubrel:
    case PacketType::subscribe:
    case PacketType::unsubscribe:
      return 0x2;
    default:
      return 0x0;
  }
}

// Decodes one packet whose bytes are all present. Reports violations; stops at the first one that
// is structural, or at any one in strict mode.
class PacketDecoder {
 public:
  PacketDecoder(const DecodeOptions& options, FixedHeader header, ByteView body)
      : options_(options),
        header_(header),
        type_(header.type()),
        version_(options.version),
        reader_(body, header.header_size) {}

  DecodeResult run() {
    // Decode straight into the result (one return object: NRVO), starting from an empty
    // alternative: a default Packet would zero a whole Connect first, and every move of the
    // variant afterwards costs a visit.
    DecodeResult result(Decoded{Packet(std::in_place_type<Pingreq>), header_.packet_size()});
    // CONNECT checks this once its own level is known.
    const bool ok = (type_ == PacketType::connect || remaining_length_form()) &&
                    dispatch(result.packet()) &&
                    (reader_.at_end() ||
                     report(Rule::remaining_length_mismatch, reader_.offset(), "remaining_length"));
    if (!ok) result = *failure_;
    return result;
  }

 private:
  // Returns true when decoding may go on.
  bool report(Rule rule, std::size_t offset, std::string_view field) {
    const RuleSource source = rule_source(rule, version_, type_, options_.sender);
    Error error{rule, offset, field, source.statement, source.section, type_};
    if (rule_is_structural(rule) || options_.strict) {
      failure_ = error;
      return false;
    }
    if (options_.violations != nullptr) options_.violations->push_back(error);
    return true;
  }
  bool truncated(std::string_view field) {
    return report(Rule::truncated, reader_.offset(), field);
  }

  bool dispatch(Packet& packet) {
    // CONNECT's flags are judged once its own level is known (see connect()).
    if (type_ != PacketType::publish && type_ != PacketType::connect && !fixed_header_flags()) {
      return false;
    }
    switch (type_) {
      case PacketType::connect:
        return connect(packet.emplace<Connect>());
      case PacketType::connack:
        return connack(packet.emplace<Connack>());
      case PacketType::publish:
        return publish(packet.emplace<Publish>());
      case PacketType::puback:
        return response(packet.emplace<Puback>());
      case PacketType::pubrec:
        return response(packet.emplace<Pubrec>());
      case PacketType::pubrel:
        return response(packet.emplace<Pubrel>());
      case PacketType::pubcomp:
        return response(packet.emplace<Pubcomp>());
      case PacketType::subscribe:
        return subscribe(packet.emplace<Subscribe>());
      case PacketType::suback:
        return suback(packet.emplace<Suback>());
      case PacketType::unsubscribe:
        return unsubscribe(packet.emplace<Unsubscribe>());
      case PacketType::unsuback:
        return unsuback(packet.emplace<Unsuback>());
      case PacketType::pingreq:
        packet.emplace<Pingreq>();
        return true;
      case PacketType::pingresp:
        packet.emplace<Pingresp>();
        return true;
      case PacketType::disconnect:
        return disconnect(packet.emplace<Disconnect>());
      case PacketType::auth:
        return auth(packet.emplace<Auth>());
    }
    return report(Rule::reserved_packet_type, 0, "fixed_header.type");
  }

  [[nodiscard]] bool v5() const noexcept { return version_ == ProtocolVersion::v5; }

  bool fixed_header_flags() {
    return header_.flags() == required_flags(type_) ||
           report(Rule::fixed_header_flags, 0, "fixed_header.flags");
  }

  // Over-long Remaining Length encodings break a 5.0 rule; 3.1.1 does not require the minimum.
  bool remaining_length_form() {
    if (!v5()) return true;
    const bool minimal =
        header_.header_size == 1U + detail::minimal_variable_int_size(header_.remaining_length);
    return minimal || report(Rule::variable_int_not_minimal, 1, "remaining_length");
  }

  // --- field readers -------------------------------------------------------------------------

  bool u16(std::uint16_t& out, std::string_view field) {
    return reader_.u16(out) || truncated(field);
  }

  bool packet_id(std::uint16_t& out, std::string_view field) {
    const std::size_t at = reader_.offset();
    if (!u16(out, field)) return false;
    return out != 0 || report(Rule::packet_id_zero, at, field);
  }

  bool binary(ByteView& out, std::string_view field) {
    return reader_.prefixed(out) || truncated(field);
  }

  // A length-prefixed UTF-8 string, checked for well-formedness and U+0000.
  bool utf8(std::string_view& out, std::string_view field) {
    ByteView bytes;
    const std::size_t at = reader_.offset() + 2;
    if (!binary(bytes, field)) return false;
    out = bytes.as_chars();
    return utf8_valid(out, at, field);
  }

  bool utf8_valid(std::string_view text, std::size_t at, std::string_view field) {
    const auto issue = check_utf8(text);
    return !issue || report(issue->rule, at + issue->offset, field);
  }

  bool topic_name(std::string_view name, std::size_t at, std::string_view field) {
    const auto issue = check_topic_name(name);
    return !issue || report(issue->rule, at + issue->offset, field);
  }

  bool topic_filter(std::string_view filter, std::size_t at, std::string_view field) {
    const auto issue = check_topic_filter(filter, version_);
    return !issue || report(issue->rule, at + issue->offset, field);
  }

  bool reason_code(ReasonCode code, std::size_t at, std::string_view field) {
    return reason_code_allowed(type_, version_, code, options_.sender) ||
           report(Rule::reason_code_not_allowed, at, field);
  }

  // --- properties (5.0) ----------------------------------------------------------------------

  bool properties(Properties& out, PropertyContext context, std::string_view field) {
    VariableInt length{};
    const std::size_t at = reader_.offset();
    switch (reader_.variable_int(length)) {
      case VariableIntStatus::need_more:
        return truncated(field);
      case VariableIntStatus::too_long:
        return report(Rule::variable_int_too_long, at, field);
      case VariableIntStatus::ok:
        break;
    }
    if (!length.minimal && !report(Rule::variable_int_not_minimal, at, field)) return false;
    ByteView block;
    if (!reader_.bytes(length.value, block)) return report(Rule::truncated, at, field);
    out = Properties(block);
    return property_block(block, at + length.size, context);
  }

  bool property_block(ByteView block, std::size_t base, PropertyContext context) {
    Reader reader(block, base);
    std::uint64_t seen = 0;  // identifiers are below 64
    bool has_auth_method = false;
    std::size_t auth_data_at = 0;
    while (!reader.at_end()) {
      const std::size_t at = reader.offset();
      VariableInt id{};
      if (reader.variable_int(id) != VariableIntStatus::ok) {
        return report(Rule::truncated, at, "property.identifier");
      }
      const PropertyInfo* info =
          id.value <= 0xFF ? property_info(static_cast<std::uint8_t>(id.value)) : nullptr;
      if (info == nullptr) return report(Rule::unknown_property, at, "property.identifier");
      const std::string_view field = property_field(*info);
      if (!id.minimal && !report(Rule::variable_int_not_minimal, at, field)) return false;
      if (!info->allowed_in(context) && !report(Rule::property_not_allowed, at, field)) {
        return false;
      }
      const std::uint64_t bit = 1ULL << static_cast<unsigned>(info->id);
      const bool repeatable =
          info->repeatable && !(info->id == PropertyId::subscription_identifier &&
                                context == PropertyContext::subscribe);
      if ((seen & bit) != 0 && !repeatable && !report(Rule::duplicate_property, at, field)) {
        return false;
      }
      seen |= bit;
      const std::size_t value_at = reader.offset();
      Property property;
      property.id = info->id;
      if (!property_value(reader, *info, property, field)) return false;
      if (!property_rules(property, value_at, field, context)) return false;
      if (info->id == PropertyId::authentication_method) has_auth_method = true;
      if (info->id == PropertyId::authentication_data) auth_data_at = at + 1;
    }
    if (context == PropertyContext::auth && !has_auth_method) {
      return report(Rule::auth_without_method, base, "auth.properties");
    }
    if (auth_data_at != 0 && !has_auth_method &&
        (context == PropertyContext::connect || context == PropertyContext::connack)) {
      return report(Rule::authentication_data_without_method, auth_data_at - 1,
                    "property.authentication_data");
    }
    return true;
  }

  bool property_value(Reader& reader, const PropertyInfo& info, Property& out,
                      std::string_view field) {
    const std::size_t at = reader.offset();
    switch (info.type) {
      case PropertyType::byte: {
        std::uint8_t value = 0;
        if (!reader.u8(value)) return report(Rule::truncated, at, field);
        out.number = value;
        return true;
      }
      case PropertyType::two_byte_integer: {
        std::uint16_t value = 0;
        if (!reader.u16(value)) return report(Rule::truncated, at, field);
        out.number = value;
        return true;
      }
      case PropertyType::four_byte_integer:
        return reader.u32(out.number) || report(Rule::truncated, at, field);
      case PropertyType::variable_byte_integer: {
        VariableInt value{};
        switch (reader.variable_int(value)) {
          case VariableIntStatus::need_more:
            return report(Rule::truncated, at, field);
          case VariableIntStatus::too_long:
            return report(Rule::variable_int_too_long, at, field);
          case VariableIntStatus::ok:
            break;
        }
        out.number = value.value;
        return value.minimal || report(Rule::variable_int_not_minimal, at, field);
      }
      case PropertyType::binary_data:
        return reader.prefixed(out.binary) || report(Rule::truncated, at, field);
      case PropertyType::utf8_string: {
        ByteView text;
        if (!reader.prefixed(text)) return report(Rule::truncated, at, field);
        out.text = text.as_chars();
        return utf8_valid(out.text, at + 2, field);
      }
      case PropertyType::utf8_string_pair: {
        ByteView key;
        if (!reader.prefixed(key)) return report(Rule::truncated, at, field);
        const std::size_t value_at = reader.offset();
        ByteView value;
        if (!reader.prefixed(value)) return report(Rule::truncated, value_at, field);
        out.text = key.as_chars();
        out.value = value.as_chars();
        return utf8_valid(out.text, at + 2, field) && utf8_valid(out.value, value_at + 2, field);
      }
    }
    return true;
  }

  // Value rules of individual properties.
  bool property_rules(const Property& p, std::size_t at, std::string_view field,
                      PropertyContext context) {
    using P = PropertyId;
    const PropertyInfo& info = *property_info(p.id);
    if (p.number < info.min_value || p.number > info.max_value) {
      // A Topic Alias of 0 has a statement of its own.
      const Rule rule =
          p.id == P::topic_alias ? Rule::topic_alias_zero : Rule::property_value_invalid;
      if (!report(rule, at, field)) return false;
    }
    switch (p.id) {
      case P::subscription_identifier:
        return !(context == PropertyContext::publish && options_.sender == Sender::client) ||
               report(Rule::subscription_id_from_client_publish, at, field);
      case P::session_expiry_interval:
        return !(context == PropertyContext::disconnect && options_.sender == Sender::server) ||
               report(Rule::session_expiry_from_server, at, field);
      case P::response_topic: {
        const std::size_t wildcard = p.text.find_first_of("+#");
        return wildcard == std::string_view::npos ||
               report(Rule::response_topic_wildcard, at + 2 + wildcard, field);
      }
      default:
        return true;
    }
  }

  // --- packets -------------------------------------------------------------------------------

  bool connect(Connect& c) {
    ByteView name;
    const std::size_t name_at = reader_.offset();
    if (!binary(name, "connect.protocol_name")) return false;
    c.protocol_name = name.as_chars();
    std::uint8_t level = 0;
    const std::size_t level_at = reader_.offset();
    if (!reader_.u8(level)) return truncated("connect.protocol_level");
    if (level < 3 || level > 5) {
      return report(Rule::unknown_protocol_level, level_at, "connect.protocol_level");
    }
    // CONNECT names its own level: the rest of it, and its rule ids, follow that level.
    version_ = static_cast<ProtocolVersion>(level);
    c.version = version_;
    if (!remaining_length_form() || !fixed_header_flags()) return false;
    const std::string_view expected = standard_protocol_name(version_);
    if (*c.protocol_name != expected &&
        !report(Rule::protocol_name_mismatch, name_at, "connect.protocol_name")) {
      return false;
    }
    std::uint8_t flags = 0;
    const std::size_t flags_at = reader_.offset();
    if (!reader_.u8(flags)) return truncated("connect.flags");
    const bool will = (flags & 0x04U) != 0;
    const auto will_qos = static_cast<std::uint8_t>((flags >> 3U) & 0x03U);
    const bool will_retain = (flags & 0x20U) != 0;
    const bool password = (flags & 0x40U) != 0;
    const bool username = (flags & 0x80U) != 0;
    c.clean_start = (flags & 0x02U) != 0;
    if ((flags & 0x01U) != 0 && !report(Rule::connect_reserved_flag, flags_at, "connect.flags")) {
      return false;
    }
    if (!will && will_qos != 0 &&
        !report(Rule::will_qos_without_will, flags_at, "connect.flags.will_qos")) {
      return false;
    }
    if (!will && will_retain &&
        !report(Rule::will_retain_without_will, flags_at, "connect.flags.will_retain")) {
      return false;
    }
    if (will && will_qos == 3 && !report(Rule::will_qos_3, flags_at, "connect.flags.will_qos")) {
      return false;
    }
    if (password && !username && !v5() &&
        !report(Rule::password_without_username, flags_at, "connect.flags.password")) {
      return false;
    }
    if (!u16(c.keep_alive, "connect.keep_alive")) return false;
    if (v5() && !properties(c.properties, PropertyContext::connect, "connect.properties")) {
      return false;
    }
    const std::size_t id_at = reader_.offset();
    if (!utf8(c.client_id, "connect.client_id")) return false;
    if (version_ == ProtocolVersion::v3_1_1 && c.client_id.empty() && !c.clean_start &&
        !report(Rule::empty_client_id_without_clean_session, id_at, "connect.client_id")) {
      return false;
    }
    if (version_ == ProtocolVersion::v3_1 &&
        (c.client_id.empty() || utf8_length(c.client_id) > 23) &&
        !report(Rule::client_id_length_v3_1, id_at, "connect.client_id")) {
      return false;
    }
    if (will) {
      Will& w = c.will.emplace();
      w.qos = static_cast<QoS>(will_qos);
      w.retain = will_retain;
      if (v5() && !properties(w.properties, PropertyContext::will, "connect.will.properties")) {
        return false;
      }
      const std::size_t topic_at = reader_.offset() + 2;
      if (!utf8(w.topic, "connect.will.topic") ||
          !topic_name(w.topic, topic_at, "connect.will.topic") ||
          !binary(w.payload, "connect.will.payload")) {
        return false;
      }
    }
    if (username) {
      std::string_view user;
      if (!utf8(user, "connect.username")) return false;
      c.username = user;
    }
    if (password) {
      ByteView secret;
      if (!binary(secret, "connect.password")) return false;
      c.password = secret;
    }
    return true;
  }

  bool connack(Connack& c) {
    std::uint8_t flags = 0;
    const std::size_t flags_at = reader_.offset();
    if (!reader_.u8(flags)) return truncated("connack.flags");
    // 3.1 has no Session Present flag: the whole byte is reserved there.
    const std::uint8_t reserved = version_ == ProtocolVersion::v3_1 ? 0xFF : 0xFE;
    if ((flags & reserved) != 0 &&
        !report(Rule::connack_reserved_flags, flags_at, "connack.flags")) {
      return false;
    }
    c.session_present = version_ != ProtocolVersion::v3_1 && (flags & 0x01U) != 0;
    std::uint8_t code = 0;
    const std::size_t code_at = reader_.offset();
    if (!reader_.u8(code)) return truncated("connack.reason_code");
    c.reason_code = static_cast<ReasonCode>(code);
    if (!reason_code(c.reason_code, code_at, "connack.reason_code")) return false;
    if (c.session_present && code != 0 &&
        !report(Rule::session_present_on_failure, flags_at, "connack.flags")) {
      return false;
    }
    return !v5() || properties(c.properties, PropertyContext::connack, "connack.properties");
  }

  bool publish(Publish& p) {
    const std::uint8_t flags = header_.flags();
    p.dup = (flags & 0x08U) != 0;
    p.retain = (flags & 0x01U) != 0;
    const auto qos = static_cast<std::uint8_t>((flags >> 1U) & 0x03U);
    if (qos == 3) return report(Rule::publish_qos_3, 0, "fixed_header.qos");
    p.qos = static_cast<QoS>(qos);
    if (p.dup && qos == 0 && !report(Rule::dup_on_qos_0, 0, "fixed_header.dup")) return false;
    const std::size_t topic_at = reader_.offset() + 2;
    if (!utf8(p.topic, "publish.topic")) return false;
    if (qos != 0 && !packet_id(p.packet_id, "publish.packet_id")) return false;
    if (v5() && !properties(p.properties, PropertyContext::publish, "publish.properties")) {
      return false;
    }
    // 5.0 allows an empty topic name when a Topic Alias stands for it.
    const bool aliased = v5() && p.topic.empty() && p.properties.find(PropertyId::topic_alias);
    if (!aliased && !topic_name(p.topic, topic_at, "publish.topic")) return false;
    p.payload = reader_.rest();
    return true;
  }

  template <PacketType Type>
  bool response(PublishResponse<Type>& r) {
    const AckFields& names = ack_fields(Type);
    if (!packet_id(r.packet_id, names.packet_id)) return false;
    if (!v5() || reader_.at_end()) return true;
    std::uint8_t code = 0;
    const std::size_t at = reader_.offset();
    reader_.u8(code);
    r.reason_code = static_cast<ReasonCode>(code);
    if (!reason_code(r.reason_code, at, names.reason_code)) return false;
    if (reader_.at_end()) return true;
    return properties(r.properties, property_context(Type), names.properties);
  }

  bool subscribe(Subscribe& s) {
    if (!packet_id(s.packet_id, "subscribe.packet_id")) return false;
    if (v5() && !properties(s.properties, PropertyContext::subscribe, "subscribe.properties")) {
      return false;
    }
    const std::uint8_t reserved_mask = v5() ? 0xC0 : 0xFC;
    while (!reader_.at_end()) {
      Subscription& sub = s.subscriptions.emplace_back();
      const std::size_t filter_at = reader_.offset() + 2;
      if (!utf8(sub.filter, "subscribe.filter") ||
          !topic_filter(sub.filter, filter_at, "subscribe.filter")) {
        return false;
      }
      std::uint8_t options = 0;
      const std::size_t options_at = reader_.offset();
      if (!reader_.u8(options)) return truncated("subscribe.options");
      if ((options & reserved_mask) != 0 &&
          !report(Rule::subscription_options_reserved, options_at, "subscribe.options")) {
        return false;
      }
      const auto qos = static_cast<std::uint8_t>(options & 0x03U);
      if (qos == 3 && !report(Rule::subscription_qos_3, options_at, "subscribe.options.qos")) {
        return false;
      }
      sub.options.qos = static_cast<QoS>(qos);
      if (!v5()) continue;
      sub.options.no_local = (options & 0x04U) != 0;
      sub.options.retain_as_published = (options & 0x08U) != 0;
      sub.options.retain_handling = static_cast<std::uint8_t>((options >> 4U) & 0x03U);
      if (sub.options.retain_handling == 3 &&
          !report(Rule::retain_handling_3, options_at, "subscribe.options.retain_handling")) {
        return false;
      }
      if (sub.options.no_local && sub.filter.starts_with("$share/") &&
          !report(Rule::no_local_on_shared_subscription, options_at,
                  "subscribe.options.no_local")) {
        return false;
      }
    }
    return !s.subscriptions.empty() ||
           report(Rule::no_topic_filters, reader_.offset(), "subscribe.filters");
  }

  bool suback(Suback& s) {
    if (!packet_id(s.packet_id, "suback.packet_id")) return false;
    if (v5() && !properties(s.properties, PropertyContext::suback, "suback.properties")) {
      return false;
    }
    return reason_codes(s.reason_codes, "suback.reason_code");
  }

  bool reason_codes(std::vector<ReasonCode>& codes, std::string_view field) {
    while (!reader_.at_end()) {
      const std::size_t at = reader_.offset();
      std::uint8_t code = 0;
      reader_.u8(code);
      codes.push_back(static_cast<ReasonCode>(code));
      if (!reason_code(codes.back(), at, field)) return false;
    }
    return true;
  }

  bool unsubscribe(Unsubscribe& u) {
    if (!packet_id(u.packet_id, "unsubscribe.packet_id")) return false;
    if (v5() && !properties(u.properties, PropertyContext::unsubscribe, "unsubscribe.properties")) {
      return false;
    }
    while (!reader_.at_end()) {
      std::string_view& filter = u.filters.emplace_back();
      const std::size_t filter_at = reader_.offset() + 2;
      if (!utf8(filter, "unsubscribe.filter") ||
          !topic_filter(filter, filter_at, "unsubscribe.filter")) {
        return false;
      }
    }
    return !u.filters.empty() ||
           report(Rule::no_topic_filters, reader_.offset(), "unsubscribe.filters");
  }

  bool unsuback(Unsuback& u) {
    if (!packet_id(u.packet_id, "unsuback.packet_id")) return false;
    if (!v5()) return true;
    return properties(u.properties, PropertyContext::unsuback, "unsuback.properties") &&
           reason_codes(u.reason_codes, "unsuback.reason_code");
  }

  bool disconnect(Disconnect& d) {
    if (!v5() || reader_.at_end()) return true;
    std::uint8_t code = 0;
    const std::size_t code_at = reader_.offset();
    reader_.u8(code);
    d.reason_code = static_cast<ReasonCode>(code);
    if (!reason_code(d.reason_code, code_at, "disconnect.reason_code")) return false;
    return reader_.at_end() ||
           properties(d.properties, PropertyContext::disconnect, "disconnect.properties");
  }

  bool auth(Auth& a) {
    // Even the short form (Success, no properties) lacks the required Authentication Method.
    if (reader_.at_end())
      return report(Rule::auth_without_method, reader_.offset(), "auth.properties");
    std::uint8_t code = 0;
    const std::size_t code_at = reader_.offset();
    reader_.u8(code);
    a.reason_code = static_cast<ReasonCode>(code);
    if (!reason_code(a.reason_code, code_at, "auth.reason_code")) return false;
    // Unlike the acks and DISCONNECT, AUTH may leave out its Property Length only together with
    // the reason code (§3.15.2.1): a reason code alone is a packet cut short.
    if (reader_.at_end()) return truncated("auth.properties");
    return properties(a.properties, PropertyContext::auth, "auth.properties");
  }

  const DecodeOptions& options_;
  FixedHeader header_;
  PacketType type_;
  ProtocolVersion version_;
  Reader reader_;
  std::optional<Error> failure_;
};

Error header_error(Rule rule, std::size_t offset, std::string_view field,
                   const DecodeOptions& options, std::optional<PacketType> type) {
  const RuleSource source = rule_source(rule, options.version, type, options.sender);
  return Error{rule, offset, field, source.statement, source.section, type};
}

}  // namespace

std::variant<NeedMore, FixedHeader, Error> read_fixed_header(
    ByteView input, const DecodeOptions& options) noexcept {
  if (input.empty()) return NeedMore{2};
  FixedHeader header;
  header.first_byte = input[0];
  VariableInt length{};
  switch (detail::read_variable_int(input.subspan(1), length)) {
    case VariableIntStatus::need_more:
      return NeedMore{1};
    case VariableIntStatus::too_long:
      return header_error(Rule::variable_int_too_long, 1, "remaining_length", options,
                          header.type());
    case VariableIntStatus::ok:
      break;
  }
  header.remaining_length = length.value;
  header.header_size = 1U + length.size;
  if (header.packet_size() > options.max_packet_size) {
    return header_error(Rule::packet_too_large, 1, "remaining_length", options, header.type());
  }
  return header;
}

DecodeResult decode(ByteView input, const DecodeOptions& options) {
  const auto head = read_fixed_header(input, options);
  if (const auto* need = std::get_if<NeedMore>(&head)) return *need;
  if (const auto* error = std::get_if<Error>(&head)) return *error;
  const FixedHeader& header = std::get<FixedHeader>(head);
  if (input.size() < header.packet_size()) return NeedMore{header.packet_size() - input.size()};

  const PacketType type = header.type();
  const bool auth_reserved = type == PacketType::auth && options.version != ProtocolVersion::v5;
  if (header.first_byte < 0x10 || auth_reserved) {
    return header_error(Rule::reserved_packet_type, 0, "fixed_header.type", options, std::nullopt);
  }
  PacketDecoder decoder(options, header,
                        input.subspan(header.header_size, header.remaining_length));
  return decoder.run();
}

}  // namespace gauntlet::codec
