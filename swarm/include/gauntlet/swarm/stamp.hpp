// The stamp every swarm message carries at the start of its payload: who published it, its
// sequence number, the QoS it was published with and when it was *scheduled* (not sent). With it a
// subscriber counts loss, duplicates and reordering exactly and measures end-to-end latency from
// the scheduled time, whatever shard or machine published it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace gauntlet::swarm {

struct Stamp {
  std::uint32_t publisher = 0;  ///< the publishing client's index among all the run's publishers
  std::uint64_t sequence = 0;   ///< 0, 1, 2, ... per publisher
  std::uint8_t qos = 0;         ///< the QoS it was published with
  /// Microseconds since the Unix epoch (system clock: comparable across processes and machines).
  std::uint64_t scheduled_us = 0;

  friend bool operator==(const Stamp&, const Stamp&) = default;
};

/// "GS", the layout version (1), the QoS, then publisher (u32), sequence (u64) and time (u64),
/// big-endian: bytes 0-1 magic, 2 version, 3 QoS, 4-7 publisher, 8-15 sequence, 16-23 time.
inline constexpr std::size_t stamp_size = 24;

/// Writes the stamp into the first stamp_size bytes of `payload` (which must be that long: a
/// shorter payload is left as it is).
void write_stamp(const Stamp& stamp, std::span<std::uint8_t> payload) noexcept;
/// Reads a stamp; nullopt when the payload is shorter or does not start with one (a message that
/// another client put on the topic): another magic, another layout version or a QoS above 2.
[[nodiscard]] std::optional<Stamp> read_stamp(std::span<const std::uint8_t> payload) noexcept;

}  // namespace gauntlet::swarm
