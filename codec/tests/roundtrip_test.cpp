// Randomised round trips: a valid packet encodes, decodes in strict mode without a violation, and
// compares equal to what was encoded — for every packet type at every level where it exists.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "packet_generator.hpp"
#include "test_support.hpp"

namespace gauntlet::codec {
namespace {

using test::Bytes;
using test::hex;

struct Combination {
  PacketType type;
  ProtocolVersion version;
};

std::string combination_name(const ::testing::TestParamInfo<Combination>& info) {
  std::string name(to_string(info.param.type));
  name += "_v";
  for (char c : to_string(info.param.version))
    name += c == '.' ? '_' : c;
  return name;
}

std::vector<Combination> all_combinations() {
  std::vector<Combination> all;
  for (ProtocolVersion version : test::all_versions) {
    for (unsigned t = 1; t <= 15; ++t) {
      const auto type = static_cast<PacketType>(t);
      if (test::PacketGenerator::exists(type, version)) all.push_back({type, version});
    }
  }
  return all;
}

class RoundTrip : public ::testing::TestWithParam<Combination> {};

constexpr int iterations = 2000;

TEST_P(RoundTrip, EncodeDecodeGivesTheSamePacket) {
  const auto [type, version] = GetParam();
  // A fixed seed per combination: failures reproduce, and combinations do not share values.
  test::PacketGenerator gen(0x6A75'0000U + static_cast<std::uint32_t>(type) * 16U +
                            static_cast<std::uint32_t>(version));
  for (int i = 0; i < iterations; ++i) {
    const Packet packet = gen.make(type, version);
    ASSERT_EQ(packet_type(packet), type);
    Bytes bytes;
    const auto error = encode(packet, version, bytes);
    ASSERT_FALSE(error.has_value())
        << "iteration " << i << ": " << error->field << ": " << error->reason;
    const auto size = encoded_size(packet, version);
    ASSERT_TRUE(size.has_value()) << "iteration " << i;
    ASSERT_EQ(*size, bytes.size()) << "iteration " << i << ": " << hex(bytes);

    const DecodeResult result = decode(bytes, test::options_for(version));
    ASSERT_TRUE(result.ok()) << "iteration " << i << ": " << test::describe(result) << "\n"
                             << hex(bytes);
    ASSERT_EQ(result.consumed(), bytes.size()) << "iteration " << i;
    ASSERT_TRUE(result.packet() == packet) << "iteration " << i << ": decoded packet differs\n"
                                           << hex(bytes);

    // Re-encoding the decoded packet gives the same bytes.
    Bytes again;
    ASSERT_FALSE(encode(result.packet(), version, again).has_value());
    ASSERT_EQ(again, bytes) << "iteration " << i;

    // Lenient mode records nothing for a valid packet and decodes it the same way.
    std::vector<Error> violations;
    DecodeOptions lenient = test::options_for(version, false);
    lenient.violations = &violations;
    const DecodeResult relaxed = decode(bytes, lenient);
    ASSERT_TRUE(relaxed.ok()) << test::describe(relaxed);
    ASSERT_TRUE(violations.empty()) << violations.front().to_string();
    ASSERT_TRUE(relaxed.packet() == packet);
  }
}

INSTANTIATE_TEST_SUITE_P(AllTypesAllLevels, RoundTrip, ::testing::ValuesIn(all_combinations()),
                         combination_name);

TEST(RoundTrip, TrailingBytesAreLeftAlone) {
  test::PacketGenerator gen(7);
  for (int i = 0; i < 500; ++i) {
    const auto version = test::all_versions[i % 3];
    const Packet packet = gen.make(gen.any_type_but_connect(version), version);
    Bytes bytes = test::encode_ok(packet, version);
    const std::size_t size = bytes.size();
    bytes.insert(bytes.end(), {0xE0, 0x00, 0x30});  // the start of more packets
    const DecodeResult result = decode(bytes, test::options_for(version));
    ASSERT_TRUE(result.ok()) << test::describe(result) << "\n" << hex(bytes);
    EXPECT_EQ(result.consumed(), size);
    EXPECT_TRUE(result.packet() == packet);
  }
}

TEST(RoundTrip, EveryStrictPrefixNeedsMore) {
  test::PacketGenerator gen(11);
  for (int i = 0; i < 200; ++i) {
    const auto version = test::all_versions[i % 3];
    const auto type =
        static_cast<PacketType>(gen.uniform(1, version == ProtocolVersion::v5 ? 15 : 14));
    const Packet packet = gen.make(type, version);
    const Bytes bytes = test::encode_ok(packet, version);
    if (bytes.size() > 2000) continue;
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
      const DecodeResult result = decode(ByteView(bytes.data(), cut), test::options_for(version));
      ASSERT_TRUE(result.need_more())
          << "prefix of " << cut << " bytes: " << test::describe(result) << "\n"
          << hex(bytes);
      // Once the fixed header is complete, the decoder knows exactly how much is missing.
      const std::size_t header = bytes.size() - result.bytes_needed();
      if (cut >= 2 && result.bytes_needed() > 1) {
        EXPECT_EQ(header, cut) << "prefix of " << cut << " bytes";
      }
    }
  }
}

}  // namespace
}  // namespace gauntlet::codec
