// MQTT 5.0 properties (§2.2.2): identifiers, data types, the packets allowed to carry each one, a
// zero-copy view over an encoded property block, and a builder that makes one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "gauntlet/codec/bytes.hpp"
#include "gauntlet/codec/types.hpp"

namespace gauntlet::codec {

enum class PropertyId : std::uint8_t {
  payload_format_indicator = 0x01,
  message_expiry_interval = 0x02,
  content_type = 0x03,
  response_topic = 0x08,
  correlation_data = 0x09,
  subscription_identifier = 0x0B,
  session_expiry_interval = 0x11,
  assigned_client_identifier = 0x12,
  server_keep_alive = 0x13,
  authentication_method = 0x15,
  authentication_data = 0x16,
  request_problem_information = 0x17,
  will_delay_interval = 0x18,
  request_response_information = 0x19,
  response_information = 0x1A,
  server_reference = 0x1C,
  reason_string = 0x1F,
  receive_maximum = 0x21,
  topic_alias_maximum = 0x22,
  topic_alias = 0x23,
  maximum_qos = 0x24,
  retain_available = 0x25,
  user_property = 0x26,
  maximum_packet_size = 0x27,
  wildcard_subscription_available = 0x28,
  subscription_identifier_available = 0x29,
  shared_subscription_available = 0x2A,
};

enum class PropertyType : std::uint8_t {
  byte,
  two_byte_integer,
  four_byte_integer,
  variable_byte_integer,
  utf8_string,
  binary_data,
  utf8_string_pair,
};

/// Where a property block stands. The will properties of CONNECT have their own allowed set.
enum class PropertyContext : std::uint8_t {
  connect,
  will,
  connack,
  publish,
  puback,
  pubrec,
  pubrel,
  pubcomp,
  subscribe,
  suback,
  unsubscribe,
  unsuback,
  disconnect,
  auth,
};

/// The property context of a packet's own property block (not the will's).
PropertyContext property_context(PacketType type) noexcept;
std::string_view to_string(PropertyContext context) noexcept;

struct PropertyInfo {
  PropertyId id;
  std::string_view name;  ///< snake_case, e.g. "topic_alias"
  PropertyType type;
  std::uint16_t allowed;  ///< bit i set: allowed in PropertyContext i
  bool repeatable;        ///< may appear more than once (user_property; subscription_identifier)
  /// Valid values of an integer property: a boolean is 0-1, Receive Maximum may not be 0, ...
  /// (the full range of the type where the spec sets no limit).
  std::uint32_t min_value = 0;
  std::uint32_t max_value = 0xFFFFFFFF;

  [[nodiscard]] bool allowed_in(PropertyContext context) const noexcept {
    return (allowed >> static_cast<unsigned>(context)) & 1U;
  }
};

/// The table entry for a property identifier, or nullptr when the byte names no property.
const PropertyInfo* property_info(std::uint8_t identifier) noexcept;
inline const PropertyInfo* property_info(PropertyId id) noexcept {
  return property_info(static_cast<std::uint8_t>(id));
}
std::optional<PropertyId> parse_property_name(std::string_view name) noexcept;
/// All 27 properties, in identifier order.
std::span<const PropertyInfo> all_properties() noexcept;

/// One decoded property. Which members are meaningful depends on the property's type:
/// integers in `number`, UTF-8 strings in `text`, binary data in `binary`, pairs in `text`/`value`.
struct Property {
  PropertyId id{};
  std::uint32_t number = 0;
  std::string_view text;
  std::string_view value;
  ByteView binary;
  std::size_t offset = 0;  ///< offset of the identifier byte inside the property block

  [[nodiscard]] PropertyType type() const noexcept;
};

/// A view over an encoded property block (the bytes after the Property Length), in wire order with
/// duplicates preserved. The decoder hands out blocks whose structure it has checked; iterating a
/// block that is not well formed stops at the first property that does not parse.
class Properties {
 public:
  Properties() = default;
  explicit Properties(ByteView encoded) noexcept : encoded_(encoded) {}

  [[nodiscard]] ByteView encoded() const noexcept { return encoded_; }
  [[nodiscard]] bool empty() const noexcept { return encoded_.empty(); }

  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Property;
    using difference_type = std::ptrdiff_t;
    using pointer = const Property*;
    using reference = const Property&;

    iterator() = default;
    iterator(ByteView block, std::size_t position) noexcept;
    reference operator*() const noexcept { return current_; }
    pointer operator->() const noexcept { return &current_; }
    iterator& operator++() noexcept;
    iterator operator++(int) noexcept {
      iterator before = *this;
      ++*this;
      return before;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.position_ == b.position_;
    }

   private:
    void load() noexcept;
    ByteView block_;
    std::size_t position_ = 0;
    std::size_t next_ = 0;
    Property current_;
  };

  [[nodiscard]] iterator begin() const noexcept { return {encoded_, 0}; }
  [[nodiscard]] iterator end() const noexcept { return {encoded_, encoded_.size()}; }

  /// The first property with this identifier.
  [[nodiscard]] std::optional<Property> find(PropertyId id) const noexcept;
  [[nodiscard]] std::size_t count(PropertyId id) const noexcept;

  friend bool operator==(const Properties& a, const Properties& b) noexcept {
    return a.encoded_ == b.encoded_;
  }

 private:
  ByteView encoded_;
};

/// Builds an encoded property block. The Properties it returns view the builder's storage: keep
/// the builder alive and unchanged while they are used.
class PropertyBuilder {
 public:
  /// Integer-typed properties (byte, two- and four-byte integers, variable byte integer). Values
  /// that do not fit the property's type are truncated to it, deliberately: that is how a test
  /// builds an out-of-range value.
  PropertyBuilder& add(PropertyId id, std::uint32_t number);
  /// UTF-8 string or binary data properties.
  PropertyBuilder& add(PropertyId id, std::string_view text);
  PropertyBuilder& add_binary(PropertyId id, ByteView data);
  PropertyBuilder& add_user_property(std::string_view key, std::string_view value);
  /// Any bytes, for deliberately malformed blocks (unknown identifiers, bad lengths).
  PropertyBuilder& add_raw(ByteView bytes);

  [[nodiscard]] Properties view() const noexcept { return Properties(ByteView(bytes_)); }
  [[nodiscard]] const std::vector<std::uint8_t>& bytes() const noexcept { return bytes_; }
  void clear() noexcept { bytes_.clear(); }

 private:
  std::vector<std::uint8_t> bytes_;
};

}  // namespace gauntlet::codec
