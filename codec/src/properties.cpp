#include "gauntlet/codec/properties.hpp"

#include <array>
#include <string>

#include "gauntlet/codec/decoder.hpp"
#include "gauntlet/codec/encoder.hpp"
#include "reader.hpp"
#include "writer.hpp"

namespace gauntlet::codec {
namespace {

constexpr std::uint16_t bit(PropertyContext context) {
  return static_cast<std::uint16_t>(1U << static_cast<unsigned>(context));
}
template <typename... Contexts>
constexpr std::uint16_t in(Contexts... contexts) {
  return static_cast<std::uint16_t>((bit(contexts) | ...));
}

using C = PropertyContext;
using T = PropertyType;
using P = PropertyId;

// §2.2.2.2, Table 2-4, with the value limits set in each property's own section (booleans 0-1;
// Receive Maximum, Maximum Packet Size, Topic Alias and Subscription Identifier not 0).
constexpr std::array<PropertyInfo, 27> table = {{
    {P::payload_format_indicator, "payload_format_indicator", T::byte, in(C::publish, C::will),
     false, 0, 1},
    {P::message_expiry_interval, "message_expiry_interval", T::four_byte_integer,
     in(C::publish, C::will), false},
    {P::content_type, "content_type", T::utf8_string, in(C::publish, C::will), false},
    {P::response_topic, "response_topic", T::utf8_string, in(C::publish, C::will), false},
    {P::correlation_data, "correlation_data", T::binary_data, in(C::publish, C::will), false},
    // Repeatable in PUBLISH (one per matching subscription); once only in SUBSCRIBE (the decoder
    // checks that case).
    {P::subscription_identifier, "subscription_identifier", T::variable_byte_integer,
     in(C::publish, C::subscribe), true, 1, max_remaining_length},
    {P::session_expiry_interval, "session_expiry_interval", T::four_byte_integer,
     in(C::connect, C::connack, C::disconnect), false},
    {P::assigned_client_identifier, "assigned_client_identifier", T::utf8_string, in(C::connack),
     false},
    {P::server_keep_alive, "server_keep_alive", T::two_byte_integer, in(C::connack), false},
    {P::authentication_method, "authentication_method", T::utf8_string,
     in(C::connect, C::connack, C::auth), false},
    {P::authentication_data, "authentication_data", T::binary_data,
     in(C::connect, C::connack, C::auth), false},
    {P::request_problem_information, "request_problem_information", T::byte, in(C::connect), false,
     0, 1},
    {P::will_delay_interval, "will_delay_interval", T::four_byte_integer, in(C::will), false},
    {P::request_response_information, "request_response_information", T::byte, in(C::connect),
     false, 0, 1},
    {P::response_information, "response_information", T::utf8_string, in(C::connack), false},
    {P::server_reference, "server_reference", T::utf8_string, in(C::connack, C::disconnect), false},
    {P::reason_string, "reason_string", T::utf8_string,
     in(C::connack, C::puback, C::pubrec, C::pubrel, C::pubcomp, C::suback, C::unsuback,
        C::disconnect, C::auth),
     false},
    {P::receive_maximum, "receive_maximum", T::two_byte_integer, in(C::connect, C::connack), false,
     1, 0xFFFF},
    {P::topic_alias_maximum, "topic_alias_maximum", T::two_byte_integer, in(C::connect, C::connack),
     false},
    {P::topic_alias, "topic_alias", T::two_byte_integer, in(C::publish), false, 1, 0xFFFF},
    {P::maximum_qos, "maximum_qos", T::byte, in(C::connack), false, 0, 1},
    {P::retain_available, "retain_available", T::byte, in(C::connack), false, 0, 1},
    {P::user_property, "user_property", T::utf8_string_pair, 0x3FFF, true},
    {P::maximum_packet_size, "maximum_packet_size", T::four_byte_integer,
     in(C::connect, C::connack), false, 1, 0xFFFFFFFF},
    {P::wildcard_subscription_available, "wildcard_subscription_available", T::byte, in(C::connack),
     false, 0, 1},
    {P::subscription_identifier_available, "subscription_identifier_available", T::byte,
     in(C::connack), false, 0, 1},
    {P::shared_subscription_available, "shared_subscription_available", T::byte, in(C::connack),
     false, 0, 1},
}};

// Identifier byte -> index into `table`, 0xFF where no property has that identifier.
constexpr std::array<std::uint8_t, 256> index_by_id = [] {
  std::array<std::uint8_t, 256> index{};
  index.fill(0xFF);
  for (std::size_t i = 0; i < table.size(); ++i) {
    index[static_cast<std::uint8_t>(table[i].id)] = static_cast<std::uint8_t>(i);
  }
  return index;
}();

constexpr std::array<std::string_view, 14> context_names = {
    "connect", "will",      "connack", "publish",     "puback",   "pubrec",     "pubrel",
    "pubcomp", "subscribe", "suback",  "unsubscribe", "unsuback", "disconnect", "auth"};

}  // namespace

PropertyContext property_context(PacketType type) noexcept {
  switch (type) {
    case PacketType::connect:
      return C::connect;
    case PacketType::connack:
      return C::connack;
    case PacketType::publish:
      return C::publish;
    case PacketType::puback:
      return C::puback;
    case PacketType::pubrec:
      return C::pubrec;
    case PacketType::pubrel:
      return C::pubrel;
    case PacketType::pubcomp:
      return C::pubcomp;
    case PacketType::subscribe:
      return C::subscribe;
    case PacketType::suback:
      return C::suback;
    case PacketType::unsubscribe:
      return C::unsubscribe;
    case PacketType::unsuback:
      return C::unsuback;
    case PacketType::disconnect:
      return C::disconnect;
    case PacketType::auth:
      return C::auth;
    default:
      return C::connect;  // PINGREQ/PINGRESP carry no properties
  }
}

std::string_view to_string(PropertyContext context) noexcept {
  return context_names[static_cast<std::size_t>(context)];
}

const PropertyInfo* property_info(std::uint8_t identifier) noexcept {
  const std::uint8_t index = index_by_id[identifier];
  return index == 0xFF ? nullptr : &table[index];
}

std::optional<PropertyId> parse_property_name(std::string_view name) noexcept {
  for (const PropertyInfo& info : table) {
    if (info.name == name) return info.id;
  }
  return std::nullopt;
}

std::span<const PropertyInfo> all_properties() noexcept {
  return table;
}

PropertyType Property::type() const noexcept {
  const PropertyInfo* info = property_info(id);
  return info != nullptr ? info->type : PropertyType::byte;
}

Properties::iterator::iterator(ByteView block, std::size_t position) noexcept
    : block_(block), position_(position) {
  load();
}

Properties::iterator& Properties::iterator::operator++() noexcept {
  position_ = next_;
  load();
  return *this;
}

void Properties::iterator::load() noexcept {
  if (position_ >= block_.size()) {
    position_ = block_.size();
    return;
  }
  detail::Reader reader(block_.subspan(position_), position_);
  Property property;
  property.offset = position_;
  detail::VariableInt id{};
  bool ok = reader.variable_int(id) == detail::VariableIntStatus::ok && id.value <= 0xFF;
  const PropertyInfo* info = ok ? property_info(static_cast<std::uint8_t>(id.value)) : nullptr;
  ok = info != nullptr;
  if (ok) {
    property.id = info->id;
    switch (info->type) {
      case T::byte: {
        std::uint8_t value = 0;
        ok = reader.u8(value);
        property.number = value;
        break;
      }
      case T::two_byte_integer: {
        std::uint16_t value = 0;
        ok = reader.u16(value);
        property.number = value;
        break;
      }
      case T::four_byte_integer:
        ok = reader.u32(property.number);
        break;
      case T::variable_byte_integer: {
        detail::VariableInt value{};
        ok = reader.variable_int(value) == detail::VariableIntStatus::ok;
        property.number = value.value;
        break;
      }
      case T::utf8_string:
      case T::binary_data: {
        ByteView data;
        ok = reader.prefixed(data);
        property.binary = data;
        property.text = data.as_chars();
        break;
      }
      case T::utf8_string_pair: {
        ByteView key;
        ByteView value;
        ok = reader.prefixed(key) && reader.prefixed(value);
        property.text = key.as_chars();
        property.value = value.as_chars();
        break;
      }
    }
  }
  if (!ok) {  // not well formed: end the iteration here
    position_ = block_.size();
    return;
  }
  next_ = reader.offset();
  current_ = property;
}

std::optional<Property> Properties::find(PropertyId id) const noexcept {
  for (const Property& property : *this) {
    if (property.id == id) return property;
  }
  return std::nullopt;
}

std::size_t Properties::count(PropertyId id) const noexcept {
  std::size_t n = 0;
  for (const Property& property : *this)
    n += property.id == id ? 1 : 0;
  return n;
}

PropertyBuilder& PropertyBuilder::add(PropertyId id, std::uint32_t number) {
  const PropertyInfo* info = property_info(id);
  detail::Writer writer(bytes_);
  writer.u8(static_cast<std::uint8_t>(id));
  switch (info->type) {
    case T::byte:
      writer.u8(static_cast<std::uint8_t>(number));
      break;
    case T::two_byte_integer:
      writer.u16(static_cast<std::uint16_t>(number));
      break;
    case T::four_byte_integer:
      writer.u32(number);
      break;
    case T::variable_byte_integer:
      write_variable_int(number & max_remaining_length, bytes_);
      break;
    default:  // a string-typed property given a number: write the number as text
      writer.prefixed(std::to_string(number));
      break;
  }
  return *this;
}

PropertyBuilder& PropertyBuilder::add(PropertyId id, std::string_view text) {
  detail::Writer writer(bytes_);
  writer.u8(static_cast<std::uint8_t>(id));
  writer.prefixed(text);
  return *this;
}

PropertyBuilder& PropertyBuilder::add_binary(PropertyId id, ByteView data) {
  return add(id, data.as_chars());
}

PropertyBuilder& PropertyBuilder::add_user_property(std::string_view key, std::string_view value) {
  detail::Writer writer(bytes_);
  writer.u8(static_cast<std::uint8_t>(PropertyId::user_property));
  writer.prefixed(key);
  writer.prefixed(value);
  return *this;
}

PropertyBuilder& PropertyBuilder::add_raw(ByteView bytes) {
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  return *this;
}

}  // namespace gauntlet::codec
