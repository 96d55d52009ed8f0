// Shared by the libFuzzer targets and the seed-corpus tool: the selector byte that starts every
// fuzz input, and the check macro that turns a broken invariant into a crash libFuzzer records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "gauntlet/codec/decoder.hpp"
#include "gauntlet/codec/types.hpp"

namespace gauntlet::fuzz {

/// The first byte of every input to fuzz_decode, fuzz_stream and fuzz_roundtrip:
///   bits 0-1  protocol level: 0 = 3.1, 1 = 3.1.1, 2 and 3 = 5.0
///   bit  2    1 = lenient, 0 = strict (fuzz_roundtrip always decodes leniently)
///   bits 3-4  sender: 0 = unknown, 1 = client, 2 = server, 3 = unknown
///   bit  5    a small maximum packet size (small_max_packet_size), to reach packet_too_large
/// Bits 6-7 are ignored.
struct Selector {
  codec::ProtocolVersion version = codec::ProtocolVersion::v3_1_1;
  bool strict = true;
  codec::Sender sender = codec::Sender::unknown;
  bool small_limit = false;
};

inline constexpr std::size_t small_max_packet_size = 64;

constexpr Selector parse_selector(std::uint8_t byte) noexcept {
  Selector s;
  switch (byte & 0x03U) {
    case 0:
      s.version = codec::ProtocolVersion::v3_1;
      break;
    case 1:
      s.version = codec::ProtocolVersion::v3_1_1;
      break;
    default:
      s.version = codec::ProtocolVersion::v5;
      break;
  }
  s.strict = (byte & 0x04U) == 0;
  switch ((byte >> 3U) & 0x03U) {
    case 1:
      s.sender = codec::Sender::client;
      break;
    case 2:
      s.sender = codec::Sender::server;
      break;
    default:
      s.sender = codec::Sender::unknown;
      break;
  }
  s.small_limit = (byte & 0x20U) != 0;
  return s;
}

constexpr std::uint8_t make_selector(codec::ProtocolVersion version, bool strict,
                                     codec::Sender sender = codec::Sender::unknown) noexcept {
  unsigned byte = 0;
  switch (version) {
    case codec::ProtocolVersion::v3_1:
      byte = 0;
      break;
    case codec::ProtocolVersion::v3_1_1:
      byte = 1;
      break;
    case codec::ProtocolVersion::v5:
      byte = 2;
      break;
  }
  if (!strict) byte |= 0x04U;
  if (sender == codec::Sender::client) byte |= 0x08U;
  if (sender == codec::Sender::server) byte |= 0x10U;
  return static_cast<std::uint8_t>(byte);
}

inline codec::DecodeOptions options_for(const Selector& s) noexcept {
  codec::DecodeOptions options;
  options.version = s.version;
  options.strict = s.strict;
  options.sender = s.sender;
  if (s.small_limit) options.max_packet_size = small_max_packet_size;
  return options;
}

/// At most this many packets are taken from one input, so that an input of many tiny packets
/// cannot make one run slow.
inline constexpr int max_packets_per_input = 64;

[[noreturn]] inline void check_failed(const char* expression, const char* file, int line) {
  std::fprintf(stderr, "\n*** invariant broken: %s (%s:%d)\n", expression, file, line);
  std::fflush(stderr);
  __builtin_trap();
}

}  // namespace gauntlet::fuzz

/// Crashes (so that libFuzzer saves the input) when an invariant does not hold. Active in every
/// build type: NDEBUG does not turn it off.
#define GAUNTLET_CHECK(condition)                                                     \
  do {                                                                                \
    if (!(condition)) ::gauntlet::fuzz::check_failed(#condition, __FILE__, __LINE__); \
  } while (false)
