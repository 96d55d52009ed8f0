// The last packets of a virtual client in both directions, for failing cases, and the readable
// account of a failure (reports' `detail`).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "gauntlet/codec/bytes.hpp"
#include "gauntlet/codec/types.hpp"
#include "gauntlet/reports/report.hpp"

namespace gauntlet::scenarios {

class PacketTrace {
 public:
  explicit PacketTrace(std::size_t keep) : keep_(keep) {}

  /// Any slice of one direction's byte stream; whole packets are cut out of it by their fixed
  /// header. (Not by the codec's StreamDecoder: the bytes may be broken on purpose, and a trace
  /// must still show them.)
  void record(bool outbound, codec::ByteView bytes, double at_ms);
  [[nodiscard]] bool empty() const noexcept { return packets_.empty(); }
  [[nodiscard]] reports::ClientTrace to_report(const std::string& client,
                                               codec::ProtocolVersion version) const;

 private:
  struct Packet {
    bool outbound;
    double at_ms;
    std::vector<std::uint8_t> bytes;
  };
  void keep(Packet packet);

  std::size_t keep_;
  std::deque<Packet> packets_;
  std::vector<std::uint8_t> partial_[2];  ///< [outbound]: bytes of a packet not yet complete
};

/// Expected against received, field by field, and the raw bytes of each client's last packets.
std::string describe_failure(const reports::Case& failed);

}  // namespace gauntlet::scenarios
