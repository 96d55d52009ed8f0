// One packet model for MQTT 3.1, 3.1.1 and 5.0. Fields that a level does not have (properties and
// most reason codes below 5.0) are ignored when encoding for that level and left empty when
// decoding. Strings, binary data and property blocks are views: a decoded packet is valid as long
// as the buffer it was decoded from.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "gauntlet/codec/bytes.hpp"
#include "gauntlet/codec/properties.hpp"
#include "gauntlet/codec/reason_codes.hpp"
#include "gauntlet/codec/types.hpp"

namespace gauntlet::codec {

struct Will {
  QoS qos = QoS::at_most_once;
  bool retain = false;
  Properties properties;  ///< 5.0 will properties
  std::string_view topic;
  ByteView payload;
  friend bool operator==(const Will&, const Will&) = default;
};

struct Connect {
  ProtocolVersion version = ProtocolVersion::v3_1_1;
  /// Absent means the standard name for the version ("MQIsdp" or "MQTT"); decoding always sets it,
  /// so that a packet with an empty or odd name survives decode -> encode -> decode.
  std::optional<std::string_view> protocol_name;
  bool clean_start = true;  ///< CleanSession in 3.1/3.1.1
  std::uint16_t keep_alive = 60;
  Properties properties;
  std::string_view client_id;
  std::optional<Will> will;
  std::optional<std::string_view> username;
  std::optional<ByteView> password;
  friend bool operator==(const Connect&, const Connect&) = default;
};

struct Connack {
  bool session_present = false;
  /// 5.0 reason code, or the 3.1/3.1.1 return code (see ConnectReturnCode).
  ReasonCode reason_code = ReasonCode::success;
  Properties properties;
  friend bool operator==(const Connack&, const Connack&) = default;
};

struct Publish {
  bool dup = false;
  QoS qos = QoS::at_most_once;
  bool retain = false;
  std::string_view topic;
  std::uint16_t packet_id = 0;  ///< present on the wire only for QoS 1 and 2
  Properties properties;
  ByteView payload;
  friend bool operator==(const Publish&, const Publish&) = default;
};

/// PUBACK, PUBREC, PUBREL and PUBCOMP share one layout.
template <PacketType Type>
struct PublishResponse {
  static constexpr PacketType type = Type;
  std::uint16_t packet_id = 0;
  ReasonCode reason_code = ReasonCode::success;  ///< 5.0 only
  Properties properties;
  friend bool operator==(const PublishResponse&, const PublishResponse&) = default;
};
using Puback = PublishResponse<PacketType::puback>;
using Pubrec = PublishResponse<PacketType::pubrec>;
using Pubrel = PublishResponse<PacketType::pubrel>;
using Pubcomp = PublishResponse<PacketType::pubcomp>;

struct SubscribeOptions {
  QoS qos = QoS::at_most_once;
  bool no_local = false;             ///< 5.0
  bool retain_as_published = false;  ///< 5.0
  std::uint8_t retain_handling = 0;  ///< 5.0: 0, 1 or 2
  friend bool operator==(const SubscribeOptions&, const SubscribeOptions&) = default;
};

struct Subscription {
  std::string_view filter;
  SubscribeOptions options;
  friend bool operator==(const Subscription&, const Subscription&) = default;
};

struct Subscribe {
  std::uint16_t packet_id = 0;
  Properties properties;
  std::vector<Subscription> subscriptions;
  friend bool operator==(const Subscribe&, const Subscribe&) = default;
};

struct Suback {
  std::uint16_t packet_id = 0;
  Properties properties;
  /// 5.0 reason codes, or 3.1/3.1.1 return codes (granted QoS or 0x80).
  std::vector<ReasonCode> reason_codes;
  friend bool operator==(const Suback&, const Suback&) = default;
};

struct Unsubscribe {
  std::uint16_t packet_id = 0;
  Properties properties;
  std::vector<std::string_view> filters;
  friend bool operator==(const Unsubscribe&, const Unsubscribe&) = default;
};

struct Unsuback {
  std::uint16_t packet_id = 0;
  Properties properties;
  std::vector<ReasonCode> reason_codes;  ///< 5.0 only
  friend bool operator==(const Unsuback&, const Unsuback&) = default;
};

struct Pingreq {
  friend bool operator==(const Pingreq&, const Pingreq&) = default;
};
struct Pingresp {
  friend bool operator==(const Pingresp&, const Pingresp&) = default;
};

struct Disconnect {
  ReasonCode reason_code = ReasonCode::normal_disconnection;  ///< 5.0 only
  Properties properties;
  friend bool operator==(const Disconnect&, const Disconnect&) = default;
};

struct Auth {
  ReasonCode reason_code = ReasonCode::success;
  Properties properties;
  friend bool operator==(const Auth&, const Auth&) = default;
};

/// The alternatives are in packet-type order: index + 1 is the packet type.
using Packet = std::variant<Connect, Connack, Publish, Puback, Pubrec, Pubrel, Pubcomp, Subscribe,
                            Suback, Unsubscribe, Unsuback, Pingreq, Pingresp, Disconnect, Auth>;

/// "MQIsdp" for 3.1, "MQTT" for 3.1.1 and 5.0.
constexpr std::string_view standard_protocol_name(ProtocolVersion version) noexcept {
  return version == ProtocolVersion::v3_1 ? "MQIsdp" : "MQTT";
}

inline PacketType packet_type(const Packet& packet) noexcept {
  return static_cast<PacketType>(packet.index() + 1);
}

}  // namespace gauntlet::codec
