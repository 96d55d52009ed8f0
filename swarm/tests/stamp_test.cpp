// The 24-byte stamp at the start of every swarm payload: layout, round trip and refusals.
#include "gauntlet/swarm/stamp.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gauntlet::swarm {
namespace {

TEST(Stamp, RoundTripsInAPayload) {
  const Stamp stamp{0xA1B2C3D4, 0x0102030405060708, 2, 1'717'171'717'123'456};
  std::vector<std::uint8_t> payload(64, 0xEE);
  write_stamp(stamp, payload);
  EXPECT_EQ(read_stamp(payload), stamp);
  // Only the first 24 bytes are the stamp; the rest of the payload is left as it was.
  EXPECT_EQ(payload[stamp_size], 0xEE);
  EXPECT_EQ(payload.back(), 0xEE);
}

TEST(Stamp, IsBigEndianWithMagicAndVersion) {
  std::array<std::uint8_t, stamp_size> bytes{};
  write_stamp(Stamp{0x01020304, 0x1112131415161718, 1, 0x2122232425262728}, bytes);
  const std::array<std::uint8_t, stamp_size> expected = {
      'G',  'S',  1,    1,                              // magic, version, QoS
      0x01, 0x02, 0x03, 0x04,                           // publisher
      0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,   // sequence
      0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28};  // scheduled µs
  EXPECT_EQ(bytes, expected);
}

TEST(Stamp, ExtremeValuesRoundTrip) {
  std::array<std::uint8_t, stamp_size> bytes{};
  const Stamp high{0xFFFFFFFF, ~std::uint64_t{0}, 0, ~std::uint64_t{0}};
  write_stamp(high, bytes);
  EXPECT_EQ(read_stamp(bytes), high);
  const Stamp zero{};
  write_stamp(zero, bytes);
  EXPECT_EQ(read_stamp(bytes), zero);
}

TEST(Stamp, AShortPayloadHasNone) {
  std::vector<std::uint8_t> payload(stamp_size, 0);
  write_stamp(Stamp{1, 2, 1, 3}, payload);
  ASSERT_TRUE(read_stamp(payload).has_value());
  payload.pop_back();
  EXPECT_FALSE(read_stamp(payload).has_value());
  EXPECT_FALSE(read_stamp({}).has_value());
  // Writing into a short payload writes nothing.
  std::vector<std::uint8_t> short_payload(stamp_size - 1, 0x55);
  write_stamp(Stamp{1, 2, 1, 3}, short_payload);
  EXPECT_EQ(short_payload, std::vector<std::uint8_t>(stamp_size - 1, 0x55));
}

TEST(Stamp, ForeignPayloadsAreRefused) {
  std::vector<std::uint8_t> payload(stamp_size, 0);
  write_stamp(Stamp{1, 2, 1, 3}, payload);
  auto wrong_magic = payload;
  wrong_magic[1] = 'X';
  EXPECT_FALSE(read_stamp(wrong_magic).has_value());
  auto wrong_version = payload;
  wrong_version[2] = 2;
  EXPECT_FALSE(read_stamp(wrong_version).has_value());
  auto wrong_qos = payload;
  wrong_qos[3] = 3;
  EXPECT_FALSE(read_stamp(wrong_qos).has_value());
  const std::string text = "21.5 degrees, a message of someone else's";
  EXPECT_FALSE(
      read_stamp(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()))
          .has_value());
}

}  // namespace
}  // namespace gauntlet::swarm
