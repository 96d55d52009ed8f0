// Basic enumerations of the MQTT wire format shared by every protocol level.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace gauntlet::codec {

/// The Protocol Level byte of CONNECT. One packet model serves all three levels.
enum class ProtocolVersion : std::uint8_t {
  v3_1 = 3,    ///< MQTT 3.1, protocol name "MQIsdp"
  v3_1_1 = 4,  ///< MQTT 3.1.1 (OASIS), protocol name "MQTT"
  v5 = 5,      ///< MQTT 5.0 (OASIS), protocol name "MQTT"
};

/// "3.1", "3.1.1" or "5".
std::string_view to_string(ProtocolVersion version) noexcept;
/// Parses "3.1", "3.1.1", "5", "5.0", "3", "4" (levels are accepted too).
std::optional<ProtocolVersion> parse_protocol_version(std::string_view text) noexcept;

/// Control packet types (the high nibble of the first byte). 0 is forbidden; AUTH exists in 5.0
/// only.
enum class PacketType : std::uint8_t {
  connect = 1,
  connack = 2,
  publish = 3,
  puback = 4,
  pubrec = 5,
  pubrel = 6,
  pubcomp = 7,
  subscribe = 8,
  suback = 9,
  unsubscribe = 10,
  unsuback = 11,
  pingreq = 12,
  pingresp = 13,
  disconnect = 14,
  auth = 15,
};

/// "CONNECT", "PUBACK", ...
std::string_view to_string(PacketType type) noexcept;
std::optional<PacketType> parse_packet_type(std::string_view name) noexcept;

/// Quality of service. The value 3 is representable so that malformed input can be described.
enum class QoS : std::uint8_t { at_most_once = 0, at_least_once = 1, exactly_once = 2 };

/// Who sent the bytes being decoded. Some rules bind only one side (e.g. a client must not put a
/// Subscription Identifier in a PUBLISH); with `unknown` those rules are not applied.
enum class Sender : std::uint8_t { unknown, client, server };

std::string_view to_string(Sender sender) noexcept;

}  // namespace gauntlet::codec
