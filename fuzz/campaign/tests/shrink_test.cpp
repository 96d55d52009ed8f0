#include "gauntlet/fuzzer/shrink.hpp"

#include <gtest/gtest.h>

#include "gauntlet/codec/codec.hpp"
#include "gauntlet/fuzzer/generator.hpp"

namespace gauntlet::fuzzer {
namespace {

bool contains(const Sequence& s, const Bytes& needle) {
  for (const Step& step : s.steps) {
    if (step.bytes == needle) return true;
  }
  return false;
}

TEST(Shrinker, KeepsOnlyTheStepsTheFailureNeeds) {
  Generator generator(11, {});
  Sequence s = generator.generate(0);
  while (s.steps.size() < 10)
    s = generator.generate(0);
  // The "failure": the sequence still holds its 2nd and its last send.
  std::vector<Bytes> needed;
  for (const Step& step : s.steps) {
    if (step.action == Step::Action::send) needed.push_back(step.bytes);
  }
  ASSERT_GE(needed.size(), 3U);
  const Bytes a = needed[1];
  const Bytes b = needed.back();
  Shrinker shrinker(s, [&](const Sequence& candidate) {
    return contains(candidate, a) && contains(candidate, b);
  });
  const Sequence minimal = shrinker.run(500);
  EXPECT_LE(minimal.steps.size(), 2U);
  EXPECT_TRUE(contains(minimal, a) && contains(minimal, b));
  EXPECT_LE(shrinker.trials(), 500U);
  for (const Step& step : minimal.steps)
    EXPECT_LT(step.client, minimal.clients.size());
}

TEST(Shrinker, StopsAtItsBudget) {
  Generator generator(12, {});
  Sequence s = generator.generate(0);
  int calls = 0;
  Shrinker shrinker(s, [&](const Sequence&) {
    ++calls;
    return false;
  });
  EXPECT_EQ(shrinker.run(5), s);
  EXPECT_LE(calls, 5);
}

TEST(SmallerPackets, PropertiesPayloadsAndBrokenTails) {
  codec::PropertyBuilder properties;
  properties.add(codec::PropertyId::topic_alias, 1);
  properties.add_user_property("k", "v");
  codec::Publish publish;
  publish.qos = codec::QoS::exactly_once;
  publish.packet_id = 3;
  publish.topic = "a/b";
  publish.retain = true;
  publish.payload = codec::ByteView::of("payload");
  publish.properties = properties.view();
  Bytes bytes;
  ASSERT_FALSE(codec::encode(publish, codec::ProtocolVersion::v5, bytes));
  const auto smaller = smaller_packets(bytes, codec::ProtocolVersion::v5);
  ASSERT_EQ(smaller.size(), 3U);  // without the alias, without the user property, no payload
  for (const Bytes& b : smaller) {
    EXPECT_LT(b.size(), bytes.size());
    codec::DecodeOptions options;
    options.version = codec::ProtocolVersion::v5;
    EXPECT_TRUE(codec::decode(codec::ByteView(b), options).ok());
  }
  // A packet the codec cannot read: its body is cut and the Remaining Length repaired.
  Bytes broken = {0x82, 0x08, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  const auto cuts = smaller_packets(broken, codec::ProtocolVersion::v3_1_1);
  ASSERT_FALSE(cuts.empty());
  EXPECT_EQ(cuts.front(), (Bytes{0x82, 0x02, 0x00, 0x01}));
  for (const Bytes& cut : cuts)
    EXPECT_EQ(cut[1], cut.size() - 2);
}

}  // namespace
}  // namespace gauntlet::fuzzer
