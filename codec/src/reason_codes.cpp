#include "gauntlet/codec/reason_codes.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>

namespace gauntlet::codec {
namespace {

bool in(ReasonCode code, std::initializer_list<std::uint8_t> allowed) noexcept {
  return std::ranges::find(allowed, to_byte(code)) != allowed.end();
}

// 5.0 DISCONNECT codes that only a server may send (Table 3-10 "Sent by").
bool disconnect_server_only(ReasonCode code) noexcept {
  return in(code, {0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0,
                   0xA1, 0xA2});
}

bool allowed_v5(PacketType packet, ReasonCode code, Sender sender) noexcept {
  switch (packet) {
    case PacketType::connack:
      return in(code, {0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
                       0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F});
    case PacketType::puback:
    case PacketType::pubrec:
      return in(code, {0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99});
    case PacketType::pubrel:
    case PacketType::pubcomp:
      return in(code, {0x00, 0x92});
    case PacketType::suback:
      return in(code, {0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2});
    case PacketType::unsuback:
      return in(code, {0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91});
    case PacketType::disconnect:
      if (!in(code, {0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D,
                     0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
                     0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2})) {
        return false;
      }
      if (sender == Sender::client) return !disconnect_server_only(code);
      if (sender == Sender::server) return code != ReasonCode::disconnect_with_will_message;
      return true;
    case PacketType::auth:
      // Table 3-13: Success comes from a server, Re-authenticate from a client.
      if (sender == Sender::client && code == ReasonCode::success) return false;
      if (sender == Sender::server && code == ReasonCode::re_authenticate) return false;
      return in(code, {0x00, 0x18, 0x19});
    default:
      return false;
  }
}

std::string_view generic_name(std::uint8_t code) noexcept {
  switch (code) {
    case 0x01:
      return "granted_qos_1";
    case 0x02:
      return "granted_qos_2";
    case 0x04:
      return "disconnect_with_will_message";
    case 0x10:
      return "no_matching_subscribers";
    case 0x11:
      return "no_subscription_existed";
    case 0x18:
      return "continue_authentication";
    case 0x19:
      return "re_authenticate";
    case 0x80:
      return "unspecified_error";
    case 0x81:
      return "malformed_packet";
    case 0x82:
      return "protocol_error";
    case 0x83:
      return "implementation_specific_error";
    case 0x84:
      return "unsupported_protocol_version";
    case 0x85:
      return "client_identifier_not_valid";
    case 0x86:
      return "bad_user_name_or_password";
    case 0x87:
      return "not_authorized";
    case 0x88:
      return "server_unavailable";
    case 0x89:
      return "server_busy";
    case 0x8A:
      return "banned";
    case 0x8B:
      return "server_shutting_down";
    case 0x8C:
      return "bad_authentication_method";
    case 0x8D:
      return "keep_alive_timeout";
    case 0x8E:
      return "session_taken_over";
    case 0x8F:
      return "topic_filter_invalid";
    case 0x90:
      return "topic_name_invalid";
    case 0x91:
      return "packet_identifier_in_use";
    case 0x92:
      return "packet_identifier_not_found";
    case 0x93:
      return "receive_maximum_exceeded";
    case 0x94:
      return "topic_alias_invalid";
    case 0x95:
      return "packet_too_large";
    case 0x96:
      return "message_rate_too_high";
    case 0x97:
      return "quota_exceeded";
    case 0x98:
      return "administrative_action";
    case 0x99:
      return "payload_format_invalid";
    case 0x9A:
      return "retain_not_supported";
    case 0x9B:
      return "qos_not_supported";
    case 0x9C:
      return "use_another_server";
    case 0x9D:
      return "server_moved";
    case 0x9E:
      return "shared_subscriptions_not_supported";
    case 0x9F:
      return "connection_rate_exceeded";
    case 0xA0:
      return "maximum_connect_time";
    case 0xA1:
      return "subscription_identifiers_not_supported";
    case 0xA2:
      return "wildcard_subscriptions_not_supported";
    default:
      return "unknown";
  }
}

}  // namespace

bool reason_code_allowed(PacketType packet, ProtocolVersion version, ReasonCode code,
                         Sender sender) noexcept {
  if (version == ProtocolVersion::v5) return allowed_v5(packet, code, sender);
  switch (packet) {
    case PacketType::connack:
      return to_byte(code) <= 5;
    case PacketType::suback:
      // 0x80 (failure) was added by 3.1.1.
      return to_byte(code) <= 2 || (version == ProtocolVersion::v3_1_1 && to_byte(code) == 0x80);
    default:
      return false;
  }
}

std::string_view reason_code_name(PacketType packet, ProtocolVersion version,
                                  ReasonCode code) noexcept {
  if (!reason_code_allowed(packet, version, code)) return "unknown";
  const std::uint8_t byte = to_byte(code);
  if (version != ProtocolVersion::v5) {
    if (packet == PacketType::connack) {
      static constexpr std::array<std::string_view, 6> names = {
          "accepted",           "unacceptable_protocol_version", "identifier_rejected",
          "server_unavailable", "bad_user_name_or_password",     "not_authorized"};
      return names[byte];
    }
    return byte == 0x80 ? "failure" : byte == 0 ? "granted_qos_0" : generic_name(byte);
  }
  if (byte == 0x00) {
    switch (packet) {
      case PacketType::disconnect:
        return "normal_disconnection";
      case PacketType::suback:
        return "granted_qos_0";
      default:
        return "success";
    }
  }
  return generic_name(byte);
}

}  // namespace gauntlet::codec
