// Decoding a whole capture: the bytes one side of an MQTT connection sent, as one stream. The
// protocol level and the sending side are taken from the options or learned from the first packet.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gauntlet/codec/bytes.hpp"
#include "gauntlet/codec/decoder.hpp"
#include "gauntlet/codec/json.hpp"

namespace gauntlet::codec {

struct CaptureOptions {
  std::optional<ProtocolVersion> version;  ///< nullopt: learn it from CONNECT or CONNACK
  bool strict = true;
  Sender sender =
      Sender::unknown;  ///< unknown: client if it starts with CONNECT, server if CONNACK
  std::size_t max_packet_size = max_remaining_length + 5;
  JsonOptions json;
};

struct CaptureResult {
  /// One entry a packet, in stream order: {"offset", "size", "packet", "violations"?}, and at most
  /// one final {"offset", "error"} where decoding had to stop.
  std::vector<Json> entries;
  std::size_t packets = 0;
  std::size_t violations = 0;  ///< lenient mode: violations recorded on decoded packets
  bool stopped = false;        ///< a violation (strict) or a structural error ended decoding
  ProtocolVersion version = ProtocolVersion::v3_1_1;
  Sender sender = Sender::unknown;
};

/// Why a capture cannot be decoded at all (not a violation in it: a usage problem).
struct CaptureUsageError {
  std::string message;
};

/// Decodes every packet of `stream`. Fails only when the protocol level cannot be known.
std::variant<CaptureResult, CaptureUsageError> decode_capture(ByteView stream,
                                                              const CaptureOptions& options);

}  // namespace gauntlet::codec
