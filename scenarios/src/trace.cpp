#include "gauntlet/scenarios/trace.hpp"

#include <optional>

#include "gauntlet/codec/codec.hpp"
#include "gauntlet/codec/json.hpp"

namespace gauntlet::scenarios {
namespace {

/// Size of the whole packet at the front of `bytes`: nullopt when more bytes are needed, 0 when
/// the Remaining Length is malformed (the rest is then shown as one chunk).
std::optional<std::size_t> frame_size(const std::vector<std::uint8_t>& bytes) {
  const auto header = codec::read_fixed_header(codec::ByteView(bytes), codec::DecodeOptions{});
  if (std::holds_alternative<codec::NeedMore>(header)) return std::nullopt;
  if (const auto* fixed = std::get_if<codec::FixedHeader>(&header)) {
    if (bytes.size() < fixed->packet_size()) return std::nullopt;
    return fixed->packet_size();
  }
  return 0;
}

}  // namespace

void PacketTrace::keep(Packet packet) {
  packets_.push_back(std::move(packet));
  while (packets_.size() > keep_)
    packets_.pop_front();
}

void PacketTrace::record(bool outbound, codec::ByteView bytes, double at_ms) {
  std::vector<std::uint8_t>& partial = partial_[outbound ? 1 : 0];
  partial.insert(partial.end(), bytes.begin(), bytes.end());
  while (!partial.empty()) {
    const auto size = frame_size(partial);
    if (!size) {
      // A declared size far beyond what a trace would show: keep what came, drop the rest.
      if (partial.size() > 1U << 20U) {
        keep({outbound, at_ms, std::move(partial)});
        partial.clear();
      }
      return;
    }
    const std::size_t take = *size == 0 ? partial.size() : *size;
    keep({outbound, at_ms, {partial.begin(), partial.begin() + static_cast<std::ptrdiff_t>(take)}});
    partial.erase(partial.begin(), partial.begin() + static_cast<std::ptrdiff_t>(take));
  }
}

reports::ClientTrace PacketTrace::to_report(const std::string& client,
                                            codec::ProtocolVersion version) const {
  reports::ClientTrace trace;
  trace.client = client;
  for (const Packet& packet : packets_) {
    reports::PacketRecord record;
    record.outbound = packet.outbound;
    record.at_ms = packet.at_ms;
    // Long payloads make unreadable reports: the first 256 bytes are plenty to recognise one.
    const std::size_t shown = std::min<std::size_t>(packet.bytes.size(), 256);
    record.hex = codec::to_hex(codec::ByteView(packet.bytes.data(), shown), " ") +
                 (shown < packet.bytes.size() ? " ..." : "");
    codec::DecodeOptions options;
    options.version = version;
    options.strict = false;
    options.sender = packet.outbound ? codec::Sender::client : codec::Sender::server;
    const auto result = codec::decode(codec::ByteView(packet.bytes), options);
    record.decoded = result.ok() ? codec::to_json(result.packet(), version)
                                 : reports::Json{{"error", codec::to_json(result.error())}};
    trace.packets.push_back(std::move(record));
  }
  return trace;
}

std::string describe_failure(const reports::Case& failed) {
  std::string out = failed.detail;
  for (const reports::Mismatch& mismatch : failed.mismatches) {
    if (!out.empty()) out += "\n";
    out += "step " + mismatch.step + "\n";
    out += "  " + mismatch.reason + "\n";
    if (!mismatch.expected.is_null()) out += "  expected: " + mismatch.expected.dump() + "\n";
    if (mismatch.received.empty()) {
      out += "  received: nothing\n";
    } else {
      out += "  received (not yet consumed, oldest first):\n";
      for (const reports::Json& event : mismatch.received) {
        const bool packet = event.contains("type") && !event.contains("cause");
        out += "    " + (packet ? codec::to_text(event) : event.dump()) + "\n";
        for (const auto& [field, value] : event.items()) {
          if (field == "type" || field == "sequence") continue;
          out += "      " + field + ": " + value.dump() + "\n";
        }
      }
    }
  }
  for (const reports::Finding& finding : failed.findings) {
    out += "finding [" + (finding.statement.empty() ? "unnumbered" : finding.statement) + "] " +
           finding.client + ": " + finding.description + "\n";
    if (!finding.packet_hex.empty()) out += "    bytes: " + finding.packet_hex + "\n";
  }
  for (const reports::ClientTrace& trace : failed.traces) {
    out += "last packets of " + trace.client + ":\n";
    for (const reports::PacketRecord& record : trace.packets) {
      char at[32];
      std::snprintf(at, sizeof at, "%9.1f ms", record.at_ms);
      const bool decoded = !record.decoded.contains("error");
      out += std::string("  ") + at + (record.outbound ? " -> " : " <- ") +
             (decoded
                  ? codec::to_text(record.decoded)
                  : "undecodable: " + record.decoded["error"].value("description", std::string())) +
             "\n              " + record.hex + "\n";
    }
  }
  return out;
}

}  // namespace gauntlet::scenarios
