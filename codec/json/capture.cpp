#include "gauntlet/codec/capture.hpp"

#include "gauntlet/codec/stream_decoder.hpp"

namespace gauntlet::codec {
namespace {

// The level a capture is at, judged from its first packet: CONNECT names it; a 3.1/3.1.1 CONNACK
// always has Remaining Length 2 while a 5.0 one has at least 3 (its Property Length).
std::optional<ProtocolVersion> infer_version(ByteView stream) {
  if (stream.size() < 2) return std::nullopt;
  const auto type = static_cast<PacketType>(stream[0] >> 4U);
  if (type == PacketType::connect) {
    // The level byte follows the fixed header and the length-prefixed protocol name.
    DecodeOptions options;
    const auto head = read_fixed_header(stream, options);
    const auto* header = std::get_if<FixedHeader>(&head);
    if (header == nullptr) return std::nullopt;
    const std::size_t name_at = header->header_size;
    if (stream.size() < name_at + 2) return std::nullopt;
    const std::size_t name_length =
        (static_cast<std::size_t>(stream[name_at]) << 8U) | stream[name_at + 1];
    const std::size_t level_at = name_at + 2 + name_length;
    if (stream.size() <= level_at) return std::nullopt;
    const std::uint8_t level = stream[level_at];
    if (level >= 3 && level <= 5) return static_cast<ProtocolVersion>(level);
    return ProtocolVersion::v3_1_1;  // the decoder will report the unknown level
  }
  if (type == PacketType::connack) {
    return stream[1] == 2 ? ProtocolVersion::v3_1_1 : ProtocolVersion::v5;
  }
  return std::nullopt;
}

Sender infer_sender(ByteView stream) {
  if (stream.empty()) return Sender::unknown;
  const auto type = static_cast<PacketType>(stream[0] >> 4U);
  if (type == PacketType::connect) return Sender::client;
  if (type == PacketType::connack) return Sender::server;
  return Sender::unknown;
}

}  // namespace

std::variant<CaptureResult, CaptureUsageError> decode_capture(ByteView stream,
                                                              const CaptureOptions& options) {
  CaptureResult result;
  const std::optional<ProtocolVersion> version =
      options.version ? options.version : infer_version(stream);
  if (!version && !stream.empty()) {
    return CaptureUsageError{
        "cannot tell the protocol level: the capture does not start with CONNECT or CONNACK; "
        "give it with --protocol 3.1|3.1.1|5"};
  }
  result.version = version.value_or(ProtocolVersion::v3_1_1);
  result.sender = options.sender != Sender::unknown ? options.sender : infer_sender(stream);

  std::vector<Error> violations;
  DecodeOptions decode_options;
  decode_options.version = result.version;
  decode_options.strict = options.strict;
  decode_options.sender = result.sender;
  decode_options.max_packet_size = options.max_packet_size;
  decode_options.violations = &violations;
  StreamDecoder decoder(decode_options);
  decoder.feed(stream);

  while (true) {
    const std::size_t offset = decoder.stream_offset();
    // CONNECT renders at its own level whatever this says.
    const ProtocolVersion level = decoder.options().version;
    violations.clear();
    DecodeResult decoded = decoder.next();
    if (decoded.ok()) {
      Json entry{{"offset", offset},
                 {"size", decoded.consumed()},
                 {"packet", to_json(decoded.packet(), level, options.json)}};
      if (!violations.empty()) {
        Json list = Json::array();
        for (const Error& v : violations)
          list.push_back(to_json(v));
        entry["violations"] = std::move(list);
        result.violations += violations.size();
      }
      result.entries.push_back(std::move(entry));
      ++result.packets;
      continue;
    }
    if (decoded.need_more()) {
      if (decoder.buffered() == 0) break;  // the capture ended on a packet boundary
      // The capture ends inside a packet.
      const RuleSource source = rule_source(Rule::truncated, level, std::nullopt);
      const Error error{Rule::truncated,  decoder.buffered(), "stream",
                        source.statement, source.section,     std::nullopt};
      result.entries.push_back(Json{{"offset", offset}, {"error", to_json(error)}});
    } else {
      result.entries.push_back(Json{{"offset", offset}, {"error", to_json(decoded.error())}});
    }
    result.stopped = true;
    break;
  }
  return result;
}

}  // namespace gauntlet::codec
