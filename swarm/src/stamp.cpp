#include "gauntlet/swarm/stamp.hpp"

namespace gauntlet::swarm {
namespace {

constexpr std::uint8_t magic_0 = 'G';
constexpr std::uint8_t magic_1 = 'S';
constexpr std::uint8_t version = 1;

template <typename Unsigned>
void put(std::span<std::uint8_t> out, std::size_t at, Unsigned value) noexcept {
  for (std::size_t i = 0; i < sizeof(Unsigned); ++i)
    out[at + i] = static_cast<std::uint8_t>(value >> (8 * (sizeof(Unsigned) - 1 - i)));
}

template <typename Unsigned>
Unsigned get(std::span<const std::uint8_t> in, std::size_t at) noexcept {
  Unsigned value = 0;
  for (std::size_t i = 0; i < sizeof(Unsigned); ++i)
    value = static_cast<Unsigned>((value << 8U) | in[at + i]);
  return value;
}

}  // namespace

void write_stamp(const Stamp& stamp, std::span<std::uint8_t> payload) noexcept {
  if (payload.size() < stamp_size) return;
  payload[0] = magic_0;
  payload[1] = magic_1;
  payload[2] = version;
  payload[3] = stamp.qos;
  put(payload, 4, stamp.publisher);
  put(payload, 8, stamp.sequence);
  put(payload, 16, stamp.scheduled_us);
}

std::optional<Stamp> read_stamp(std::span<const std::uint8_t> payload) noexcept {
  if (payload.size() < stamp_size || payload[0] != magic_0 || payload[1] != magic_1 ||
      payload[2] != version || payload[3] > 2)
    return std::nullopt;
  Stamp stamp;
  stamp.qos = payload[3];
  stamp.publisher = get<std::uint32_t>(payload, 4);
  stamp.sequence = get<std::uint64_t>(payload, 8);
  stamp.scheduled_us = get<std::uint64_t>(payload, 16);
  return stamp;
}

}  // namespace gauntlet::swarm
