// Violations as data: which rule, where (byte offset and field), and which normative statement of
// the spec it breaks (ids as listed in shared/spec/*.json).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "gauntlet/codec/types.hpp"

namespace gauntlet::codec {

/// Every rule the codec checks. Structural rules stop decoding in every mode (the bytes cannot be
/// parsed further); the others are reported in strict mode and recorded, then ignored, in lenient
/// mode.
enum class Rule : std::uint16_t {
  // --- structural: the packet cannot be parsed past this point
  truncated,               ///< a field runs past the end of the packet
  variable_int_too_long,   ///< a Variable Byte Integer with a continuation bit in its 4th byte
  packet_too_large,        ///< remaining length above the configured maximum packet size
  reserved_packet_type,    ///< packet type 0, or 15 (AUTH) below 5.0
  unknown_protocol_level,  ///< CONNECT names a level other than 3, 4 or 5
  publish_qos_3,           ///< both QoS bits set in PUBLISH
  unknown_property,        ///< a property identifier that 5.0 does not define
  // --- strict rules: data representation
  variable_int_not_minimal,   ///< a Variable Byte Integer encoded in more bytes than needed
  utf8_ill_formed,            ///< ill-formed UTF-8, surrogate code points or values above U+10FFFF
  utf8_null_character,        ///< U+0000 in a UTF-8 string
  remaining_length_mismatch,  ///< bytes left over after the last field of the packet
  fixed_header_flags,         ///< flag bits of the fixed header differ from the required values
  packet_id_zero,             ///< packet identifier 0 where a non-zero one is required
  dup_on_qos_0,               ///< DUP set on a QoS 0 PUBLISH
  // --- CONNECT / CONNACK
  protocol_name_mismatch,     ///< "MQTT" for levels 4/5, "MQIsdp" for level 3
  connect_reserved_flag,      ///< bit 0 of the Connect Flags set
  will_qos_without_will,      ///< Will QoS non-zero while the Will Flag is 0
  will_retain_without_will,   ///< Will Retain set while the Will Flag is 0
  will_qos_3,                 ///< Will QoS 3
  password_without_username,  ///< Password Flag set while the User Name Flag is 0 (3.1, 3.1.1)
  empty_client_id_without_clean_session,  ///< zero-byte ClientId with CleanSession 0 (3.1.1)
  client_id_length_v3_1,                  ///< 3.1 requires 1 to 23 characters
  connack_reserved_flags,                 ///< bits 7-1 of the Connect Acknowledge Flags set
  session_present_on_failure,             ///< Session Present 1 with a non-zero return/reason code
  reason_code_not_allowed,                ///< a reason or return code the packet type may not carry
  // --- topics and subscriptions
  topic_name_empty,
  topic_name_wildcard,
  topic_filter_empty,
  multi_level_wildcard_misplaced,   ///< '#' not alone in the last level
  single_level_wildcard_misplaced,  ///< '+' not alone in its level
  share_name_empty,                 ///< "$share//..." or "$share/" alone
  share_name_invalid,               ///< ShareName with '/', '+' or '#', or no filter after it
  no_local_on_shared_subscription,
  subscription_options_reserved,  ///< reserved bits of the subscription options set
  subscription_qos_3,
  retain_handling_3,
  no_topic_filters,  ///< SUBSCRIBE or UNSUBSCRIBE without a single topic filter
  // --- properties (5.0)
  property_not_allowed,    ///< an identifier not allowed in this packet
  duplicate_property,      ///< a property that may appear once appears twice
  property_value_invalid,  ///< e.g. Receive Maximum 0, Maximum QoS 2, a boolean above 1
  topic_alias_zero,
  subscription_id_from_client_publish,  ///< a client may not send a Subscription Identifier
  session_expiry_from_server,           ///< a server may not send Session Expiry on DISCONNECT
  response_topic_wildcard,
  authentication_data_without_method,
  auth_without_method,  ///< an AUTH packet without an Authentication Method
};

/// Where the rule is written down. `statement` is an id from shared/spec (empty where the spec
/// states the rule without numbering it); `section` is always set.
struct RuleSource {
  std::string_view statement;
  std::string_view section;
};

/// The snake_case name of a rule, e.g. "connect_reserved_flag".
std::string_view rule_name(Rule rule) noexcept;
/// One sentence in the project's own words.
std::string_view rule_description(Rule rule) noexcept;
/// True for rules that stop decoding in lenient mode too.
bool rule_is_structural(Rule rule) noexcept;
/// The statement and section a rule comes from, for a protocol level and packet type (the same rule
/// has different ids in 3.1.1 and 5.0, and some differ per packet, e.g. PUBREL's flags). 3.1 has no
/// numbered statements: its rules are cited by the 3.1.1 statement that carries them forward.
RuleSource rule_source(Rule rule, ProtocolVersion version, std::optional<PacketType> packet,
                       Sender sender = Sender::unknown) noexcept;

/// A violation found in a packet.
struct Error {
  Rule rule{};
  std::size_t offset = 0;      ///< byte offset from the first byte of the packet
  std::string_view field;      ///< e.g. "connect.flags", "publish.topic", "property.topic_alias"
  std::string_view statement;  ///< e.g. "MQTT-3.1.2-3"; empty when the spec does not number it
  std::string_view section;    ///< e.g. "3.1.2.3"
  std::optional<PacketType> packet;

  /// "connect_reserved_flag at byte 9 (connect.flags): ... [MQTT-3.1.2-3]"
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const Error&, const Error&) = default;
};

}  // namespace gauntlet::codec
