// Packets, properties and violations as JSON: what `gauntlet decode` prints, what test vectors
// and scenario expectations compare against, and what reports quote. Kept out of gauntlet::codec
// so that the codec itself needs nothing beyond the standard library.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "gauntlet/codec/error.hpp"
#include "gauntlet/codec/packet.hpp"
#include "gauntlet/codec/types.hpp"

namespace gauntlet::codec {

/// JSON that keeps keys in insertion order, so that "type" comes first in every packet.
using Json = nlohmann::ordered_json;

struct JsonOptions {
  /// Passwords are shown only as their length unless asked for: they must not reach logs.
  bool reveal_secrets = false;
};

/// {"type": "PUBLISH", "qos": 1, "topic": "a/b", "packet_id": 7, "payload": {...}, ...}
/// `version` is the level the packet was decoded at (CONNECT carries its own).
Json to_json(const Packet& packet, ProtocolVersion version, JsonOptions options = {});

/// [{"name": "topic_alias", "id": 35, "value": 5}, {"name": "user_property", "key": ..}, ...]
Json to_json(const Properties& properties);

/// {"length": 5, "hex": "68656c6c6f", "text": "hello"} — "text" only when the bytes are UTF-8.
Json binary_json(ByteView bytes);

/// {"rule": "...", "statement": "MQTT-...", "section": "...", "offset": 9, "field": "...",
///  "packet": "CONNECT", "description": "..."}
Json to_json(const Error& error);

/// A packet's JSON as one readable line: `PUBLISH qos=1 topic="a/b" packet_id=7 payload="hi"`.
std::string to_text(const Json& packet);

}  // namespace gauntlet::codec
