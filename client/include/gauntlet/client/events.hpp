// What a Session reports, as values. Every event owns its data: it outlives the buffer the
// packet was decoded from.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gauntlet/codec/packet.hpp"

namespace gauntlet::client {

/// Any packet the broker sent, as received (the expectation engine matches on these).
struct PacketReceived {
  codec::PacketType type{};
  std::vector<std::uint8_t> bytes;  ///< the whole packet as it came over the wire
};

/// CONNACK with reason 0 (or 3.1.1 return code 0).
struct Connected {
  bool session_present = false;
  /// The session had unacknowledged messages and the broker kept the session: they were sent
  /// again (PUBLISH with DUP, PUBREL) in their original order.
  std::size_t resent = 0;
};

/// CONNACK that refuses, DISCONNECT from the broker, or the connection closing.
struct ConnectionEnded {
  /// transport_failed: the broker could not be reached (resolve, connect, TLS or WebSocket
  /// handshake) — an infrastructure failure, not a verdict on the broker's MQTT.
  enum class Cause {
    refused,
    server_disconnect,
    closed,
    protocol_error,
    timeout,
    transport_failed
  };
  Cause cause = Cause::closed;
  std::uint8_t reason_code = 0;  ///< CONNACK / DISCONNECT reason (or the one we sent)
  std::string detail;
};

/// "refused", "server_disconnect", "closed", "protocol_error", "timeout", "transport_failed" (the
/// names scenario files and reports use).
constexpr std::string_view to_string(ConnectionEnded::Cause cause) noexcept {
  switch (cause) {
    case ConnectionEnded::Cause::refused:
      return "refused";
    case ConnectionEnded::Cause::server_disconnect:
      return "server_disconnect";
    case ConnectionEnded::Cause::closed:
      return "closed";
    case ConnectionEnded::Cause::protocol_error:
      return "protocol_error";
    case ConnectionEnded::Cause::timeout:
      return "timeout";
    case ConnectionEnded::Cause::transport_failed:
      return "transport_failed";
  }
  return "closed";
}

/// An application message delivered to this client.
struct MessageReceived {
  std::string topic;  ///< resolved through the topic alias if one was used
  std::vector<std::uint8_t> payload;
  codec::QoS qos = codec::QoS::at_most_once;
  bool retain = false;
  bool dup = false;
  std::uint16_t packet_id = 0;
  std::vector<std::uint8_t> properties;  ///< encoded 5.0 property block (codec::Properties)
};

/// A QoS 1/2 publish finished: acknowledged (reason < 0x80) or refused. QoS 0 completes at once.
struct PublishCompleted {
  std::uint16_t packet_id = 0;
  codec::QoS qos = codec::QoS::at_most_once;
  std::uint8_t reason_code = 0;
  /// Never acknowledged: the session ended (a clean start, or the broker kept no session), so the
  /// message was dropped unconfirmed. Loss accounting counts these.
  bool abandoned = false;
};

struct SubscribeCompleted {
  std::uint16_t packet_id = 0;
  std::vector<std::uint8_t> reason_codes;
};

struct UnsubscribeCompleted {
  std::uint16_t packet_id = 0;
  std::vector<std::uint8_t> reason_codes;  ///< empty below 5.0
};

/// A broker behaviour that breaks a normative statement, seen by this client.
struct Finding {
  std::string statement;  ///< e.g. "MQTT-3.3.4-9"; empty when the spec does not number it
  std::string description;
  std::vector<std::uint8_t> packet;  ///< the offending packet's bytes, when there is one
};

/// The transport is up (TCP, TLS and WebSocket handshakes done): MQTT bytes can flow. Reported by
/// the Connection just before the session sends CONNECT (or would, see send_connect).
struct TransportReady {};

/// A command the session refused to carry out (e.g. a PUBLISH above the server's Maximum Packet
/// Size, which a client must not send — MQTT-3.2.2-15).
struct CommandRefused {
  std::string reason;
};

using Event =
    std::variant<PacketReceived, Connected, ConnectionEnded, MessageReceived, PublishCompleted,
                 SubscribeCompleted, UnsubscribeCompleted, Finding, CommandRefused, TransportReady>;

}  // namespace gauntlet::client
