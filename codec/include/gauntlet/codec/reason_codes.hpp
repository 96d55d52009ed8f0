// Every MQTT 5.0 reason code as a named value, the 3.1/3.1.1 CONNACK return codes, and which codes
// each packet type may carry.
#pragma once

#include <cstdint>
#include <string_view>

#include "gauntlet/codec/types.hpp"

namespace gauntlet::codec {

/// MQTT 5.0 reason codes (§2.4). Several codes share a value with different meanings per packet
/// (0x00 is Success, Normal disconnection and Granted QoS 0); the aliases below name each meaning.
/// A ReasonCode may hold any byte so that malformed input can be represented.
enum class ReasonCode : std::uint8_t {
  success = 0x00,
  normal_disconnection = 0x00,
  granted_qos_0 = 0x00,
  granted_qos_1 = 0x01,
  granted_qos_2 = 0x02,
  disconnect_with_will_message = 0x04,
  no_matching_subscribers = 0x10,
  no_subscription_existed = 0x11,
  continue_authentication = 0x18,
  re_authenticate = 0x19,
  unspecified_error = 0x80,
  malformed_packet = 0x81,
  protocol_error = 0x82,
  implementation_specific_error = 0x83,
  unsupported_protocol_version = 0x84,
  client_identifier_not_valid = 0x85,
  bad_user_name_or_password = 0x86,
  not_authorized = 0x87,
  server_unavailable = 0x88,
  server_busy = 0x89,
  banned = 0x8A,
  server_shutting_down = 0x8B,
  bad_authentication_method = 0x8C,
  keep_alive_timeout = 0x8D,
  session_taken_over = 0x8E,
  topic_filter_invalid = 0x8F,
  topic_name_invalid = 0x90,
  packet_identifier_in_use = 0x91,
  packet_identifier_not_found = 0x92,
  receive_maximum_exceeded = 0x93,
  topic_alias_invalid = 0x94,
  packet_too_large = 0x95,
  message_rate_too_high = 0x96,
  quota_exceeded = 0x97,
  administrative_action = 0x98,
  payload_format_invalid = 0x99,
  retain_not_supported = 0x9A,
  qos_not_supported = 0x9B,
  use_another_server = 0x9C,
  server_moved = 0x9D,
  shared_subscriptions_not_supported = 0x9E,
  connection_rate_exceeded = 0x9F,
  maximum_connect_time = 0xA0,
  subscription_identifiers_not_supported = 0xA1,
  wildcard_subscriptions_not_supported = 0xA2,
};

/// MQTT 3.1 / 3.1.1 CONNACK return codes (stored in Connack::reason_code for those levels).
enum class ConnectReturnCode : std::uint8_t {
  accepted = 0x00,
  unacceptable_protocol_version = 0x01,
  identifier_rejected = 0x02,
  server_unavailable = 0x03,
  bad_user_name_or_password = 0x04,
  not_authorized = 0x05,
};

/// 3.1 / 3.1.1 SUBACK failure return code.
inline constexpr ReasonCode suback_failure_v3 = ReasonCode{0x80};

constexpr std::uint8_t to_byte(ReasonCode code) noexcept {
  return static_cast<std::uint8_t>(code);
}
constexpr bool is_failure(ReasonCode code) noexcept {
  return to_byte(code) >= 0x80;
}

/// Whether `code` is one of the codes the given packet may carry at this protocol level
/// (5.0: the per-packet tables of chapter 3; 3.1.1: CONNACK 0-5 and SUBACK 0,1,2,0x80;
/// 3.1: CONNACK 0-5 and SUBACK 0-2).
/// With a known sender, 5.0 DISCONNECT codes that only the other side may send are refused too.
bool reason_code_allowed(PacketType packet, ProtocolVersion version, ReasonCode code,
                         Sender sender = Sender::unknown) noexcept;

/// The name of the code as used for that packet, e.g. "normal_disconnection" for DISCONNECT 0x00,
/// "granted_qos_0" for SUBACK 0x00, "identifier_rejected" for a 3.1.1 CONNACK 0x02. Returns
/// "unknown" for a code the packet may not carry.
std::string_view reason_code_name(PacketType packet, ProtocolVersion version,
                                  ReasonCode code) noexcept;

}  // namespace gauntlet::codec
