// The framer gives the same packets however the stream is split, enforces the maximum packet size
// before the body arrives, learns the protocol level from CONNECT, and stops for good on an error.
#include "gauntlet/codec/stream_decoder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "packet_generator.hpp"
#include "test_support.hpp"

namespace gauntlet::codec {
namespace {

using test::Bytes;
using test::hex;
using V = ProtocolVersion;

/// A stream of encoded packets: a CONNECT at `version`, then packets of every type at that level.
struct Stream {
  explicit Stream(V version, std::uint32_t seed, int count) : gen(seed) {
    add(gen.make(PacketType::connect, version), version);
    // Every type at least once, then random ones.
    for (unsigned t = 2; t <= 15; ++t) {
      const auto type = static_cast<PacketType>(t);
      if (test::PacketGenerator::exists(type, version)) add(gen.make(type, version), version);
    }
    for (int i = 0; i < count; ++i)
      add(gen.make(gen.any_type_but_connect(version), version), version);
  }
  void add(Packet packet, V version) {
    const std::size_t before = bytes.size();
    EXPECT_FALSE(encode(packet, version, bytes).has_value());
    starts.push_back(before);
    sizes.push_back(bytes.size() - before);
    packets.push_back(std::move(packet));
  }

  test::PacketGenerator gen;  // owns what the packets view
  Bytes bytes;
  std::vector<Packet> packets;
  std::vector<std::size_t> starts;
  std::vector<std::size_t> sizes;
};

/// Feeds `stream` in the given chunk sizes (summing to its size) and checks every packet as it
/// comes out, before the next call invalidates it. Returns the number of packets checked.
std::size_t feed_in_chunks(const Stream& stream, const std::vector<std::size_t>& chunks) {
  StreamDecoder decoder;  // starts at the default level (3.1.1) and learns from the CONNECT
  std::size_t position = 0;
  std::size_t index = 0;
  for (std::size_t chunk : chunks) {
    decoder.feed(ByteView(stream.bytes.data() + position, chunk));
    position += chunk;
    while (true) {
      const DecodeResult result = decoder.next();
      if (result.need_more()) break;
      if (result.failed()) {
        ADD_FAILURE() << "packet " << index << ": " << result.error().to_string();
        return index;
      }
      if (index >= stream.packets.size()) {
        ADD_FAILURE() << "more packets than were encoded";
        return index;
      }
      EXPECT_EQ(result.consumed(), stream.sizes[index]) << "packet " << index;
      EXPECT_TRUE(result.packet() == stream.packets[index])
          << "packet " << index << " (" << to_string(packet_type(stream.packets[index]))
          << ") differs; bytes "
          << hex(ByteView(stream.bytes.data() + stream.starts[index], stream.sizes[index]));
      ++index;
    }
  }
  EXPECT_EQ(position, stream.bytes.size());
  EXPECT_TRUE(decoder.next().need_more());
  return index;
}

class StreamSplits : public ::testing::TestWithParam<V> {};

TEST_P(StreamSplits, AllAtOnce) {
  const Stream stream(GetParam(), 101, 400);
  EXPECT_EQ(feed_in_chunks(stream, {stream.bytes.size()}), stream.packets.size());
}

TEST_P(StreamSplits, OneByteAtATime) {
  const Stream stream(GetParam(), 101, 400);
  const std::vector<std::size_t> chunks(stream.bytes.size(), 1);
  EXPECT_EQ(feed_in_chunks(stream, chunks), stream.packets.size());
}

TEST_P(StreamSplits, RandomSplitPoints) {
  const Stream stream(GetParam(), 101, 400);
  std::mt19937 rng(2024);
  for (int round = 0; round < 20; ++round) {
    std::vector<std::size_t> chunks;
    std::size_t left = stream.bytes.size();
    // Small and large pieces alike, so that headers and bodies both get split.
    const std::size_t largest = round % 2 == 0 ? 8 : 700;
    while (left > 0) {
      const std::size_t chunk =
          std::min(left, std::uniform_int_distribution<std::size_t>(1, largest)(rng));
      chunks.push_back(chunk);
      left -= chunk;
    }
    EXPECT_EQ(feed_in_chunks(stream, chunks), stream.packets.size()) << "round " << round;
  }
}

TEST_P(StreamSplits, PrepareAndCommit) {
  const Stream stream(GetParam(), 55, 200);
  std::mt19937 rng(99);
  StreamDecoder decoder;
  std::size_t position = 0;
  std::size_t index = 0;
  while (index < stream.packets.size()) {
    // Ask for more room than the "transport" then delivers.
    const std::size_t room = std::uniform_int_distribution<std::size_t>(1, 512)(rng);
    const std::size_t left = stream.bytes.size() - position;
    const std::size_t got =
        std::min(left, std::uniform_int_distribution<std::size_t>(0, room)(rng));
    const std::span<std::uint8_t> area = decoder.prepare(room);
    ASSERT_GE(area.size(), room);
    if (got > 0) std::memcpy(area.data(), stream.bytes.data() + position, got);
    decoder.commit(got);
    position += got;
    while (true) {
      const DecodeResult result = decoder.next();
      if (result.need_more()) break;
      ASSERT_TRUE(result.ok()) << result.error().to_string();
      ASSERT_LT(index, stream.packets.size());
      EXPECT_EQ(result.consumed(), stream.sizes[index]);
      EXPECT_TRUE(result.packet() == stream.packets[index]) << "packet " << index;
      ++index;
    }
    ASSERT_LE(position, stream.bytes.size());
    if (position == stream.bytes.size() && index < stream.packets.size()) {
      FAIL() << "stream exhausted after " << index << " packets";
    }
  }
  EXPECT_EQ(position, stream.bytes.size());
  EXPECT_EQ(decoder.buffered(), 0U);
}

std::string level_name(const ::testing::TestParamInfo<V>& param) {
  return param.param == V::v3_1 ? "v3_1" : param.param == V::v3_1_1 ? "v3_1_1" : "v5";
}

INSTANTIATE_TEST_SUITE_P(Levels, StreamSplits, ::testing::Values(V::v3_1, V::v3_1_1, V::v5),
                         level_name);

// --- learning the level ---------------------------------------------------------------------

// A v5 PUBLISH whose properties would be read as payload at 3.1.1.
Bytes v5_connect_then_publish(Publish& publish, PropertyBuilder& props) {
  Connect connect;
  connect.version = V::v5;
  connect.client_id = "c";
  props.add(PropertyId::message_expiry_interval, 30).add(PropertyId::content_type, "text/plain");
  publish.topic = "a/b";
  publish.qos = QoS::at_least_once;
  publish.packet_id = 7;
  publish.properties = props.view();
  publish.payload = ByteView::of("hello");
  Bytes bytes = test::encode_ok(connect, V::v5);
  const Bytes second = test::encode_ok(publish, V::v5);
  bytes.insert(bytes.end(), second.begin(), second.end());
  return bytes;
}

TEST(StreamDecoder, LearnsTheLevelFromConnect) {
  Publish publish;
  PropertyBuilder props;
  const Bytes bytes = v5_connect_then_publish(publish, props);

  StreamDecoder decoder;  // default level 3.1.1
  EXPECT_EQ(decoder.options().version, V::v3_1_1);
  decoder.feed(bytes);
  const DecodeResult first = decoder.next();
  ASSERT_TRUE(first.ok()) << test::describe(first);
  ASSERT_TRUE(std::holds_alternative<Connect>(first.packet()));
  EXPECT_EQ(decoder.options().version, V::v5);
  const DecodeResult second = decoder.next();
  ASSERT_TRUE(second.ok()) << test::describe(second);
  EXPECT_TRUE(second.packet() == Packet(publish));
  const auto& decoded = std::get<Publish>(second.packet());
  EXPECT_EQ(decoded.properties.count(PropertyId::message_expiry_interval), 1U);
  EXPECT_EQ(decoded.payload.as_chars(), "hello");
}

TEST(StreamDecoder, WithoutLearningTheLevelStaysPut) {
  Publish publish;
  PropertyBuilder props;
  const Bytes bytes = v5_connect_then_publish(publish, props);

  StreamDecoder decoder;
  decoder.set_learn_version(false);
  decoder.feed(bytes);
  ASSERT_TRUE(decoder.next().ok());
  EXPECT_EQ(decoder.options().version, V::v3_1_1);
  const DecodeResult second = decoder.next();
  ASSERT_TRUE(second.ok()) << test::describe(second);
  // Read at 3.1.1 the property block is part of the payload.
  EXPECT_FALSE(second.packet() == Packet(publish));
  EXPECT_TRUE(std::get<Publish>(second.packet()).properties.empty());
}

TEST(StreamDecoder, SetVersionAppliesToFollowingPackets) {
  StreamDecoder decoder;
  decoder.set_version(V::v5);
  EXPECT_EQ(decoder.options().version, V::v5);
  const Bytes disconnect = {
      0xe0,  // DISCONNECT
      0x01,  // remaining length 1
      0x8e,  // reason code: session taken over (only meaningful at 5.0)
  };
  decoder.feed(disconnect);
  const DecodeResult result = decoder.next();
  ASSERT_TRUE(result.ok()) << test::describe(result);
  EXPECT_EQ(std::get<Disconnect>(result.packet()).reason_code, ReasonCode::session_taken_over);
}

// --- limits and errors ------------------------------------------------------------------------

TEST(StreamDecoder, MaximumPacketSizeIsEnforcedOnTheFixedHeader) {
  DecodeOptions options;
  options.max_packet_size = 1024;
  StreamDecoder decoder(options);
  decoder.feed(Bytes{0x30});  // PUBLISH, QoS 0
  EXPECT_TRUE(decoder.next().need_more());
  decoder.feed(Bytes{0x80, 0x80});  // remaining length, first two bytes (continuation set)
  EXPECT_TRUE(decoder.next().need_more());
  decoder.feed(Bytes{0x40});  // remaining length, last byte: 0x40 << 14 = 1,048,576
  const DecodeResult result = decoder.next();
  ASSERT_TRUE(result.failed()) << test::describe(result);
  EXPECT_EQ(result.error().rule, Rule::packet_too_large);
  EXPECT_EQ(result.error().offset, 1U);
  EXPECT_EQ(decoder.buffered(), 4U);
}

TEST(StreamDecoder, MaximumPacketSizeCountsTheWholePacket) {
  // PUBLISH, QoS 0, topic "t", payload filling the packet to exactly 1024 bytes.
  const std::string payload(1024 - 2 /*header*/ - 1 /*more header*/ - 3 /*topic*/, 'x');
  Publish publish;
  publish.topic = "t";
  publish.payload = ByteView::of(payload);
  const Bytes exact = test::encode_ok(publish, V::v3_1_1);
  ASSERT_EQ(exact.size(), 1024U);

  DecodeOptions options;
  options.max_packet_size = 1024;
  StreamDecoder fits(options);
  fits.feed(exact);
  EXPECT_TRUE(fits.next().ok());

  options.max_packet_size = 1023;
  StreamDecoder too_large(options);
  too_large.feed(ByteView(exact.data(), 3));  // the fixed header only
  const DecodeResult result = too_large.next();
  ASSERT_TRUE(result.failed()) << test::describe(result);
  EXPECT_EQ(result.error().rule, Rule::packet_too_large);
}

TEST(StreamDecoder, ErrorIsStickyAndLocated) {
  const Bytes stream = {
      0xc0,             // PINGREQ
      0x00,             // remaining length 0
      0xd0,             // PINGRESP
      0x00,             // remaining length 0
      0x36,             // PUBLISH with both QoS bits set (QoS 3): structural
      0x05,             // remaining length 5
      0x00, 0x01, 't',  // topic "t"
      0x00, 0x01,       // packet id 1
      0xc0,             // PINGREQ (never reached)
      0x00,             // remaining length 0
  };
  StreamDecoder decoder;
  decoder.feed(stream);
  ASSERT_TRUE(decoder.next().ok());
  ASSERT_TRUE(decoder.next().ok());
  const DecodeResult error = decoder.next();
  ASSERT_TRUE(error.failed()) << test::describe(error);
  EXPECT_EQ(error.error().rule, Rule::publish_qos_3);
  EXPECT_EQ(error.error().offset, 0U);
  // The failing packet starts at byte 4 of the stream.
  EXPECT_EQ(decoder.stream_offset(), 4U);
  // Every further call returns the same error, whatever arrives.
  decoder.feed(Bytes{
      0xc0,  // PINGREQ
      0x00,  // remaining length 0
  });
  for (int i = 0; i < 3; ++i) {
    const DecodeResult again = decoder.next();
    ASSERT_TRUE(again.failed());
    EXPECT_EQ(again.error(), error.error());
  }
  EXPECT_EQ(decoder.stream_offset(), 4U);
}

TEST(StreamDecoder, StrictViolationStopsTheStream) {
  const Bytes stream = {
      0x62,        // PUBREL with the required flags 0010
      0x02,        // remaining length 2
      0x00, 0x01,  // packet id 1
      0x60,        // PUBREL with flags 0000: fixed_header_flags
      0x02,        // remaining length 2
      0x00, 0x02,  // packet id 2
  };
  StreamDecoder decoder;
  decoder.feed(stream);
  ASSERT_TRUE(decoder.next().ok());
  const DecodeResult result = decoder.next();
  ASSERT_TRUE(result.failed());
  EXPECT_EQ(result.error().rule, Rule::fixed_header_flags);
  EXPECT_EQ(result.error().statement, "MQTT-3.6.1-1");
  EXPECT_TRUE(decoder.next().failed());
}

TEST(StreamDecoder, StreamOffsetAndBufferedFollowThePackets) {
  const Bytes stream = {
      0xc0,        // PINGREQ
      0x00,        // remaining length 0
      0x40,        // PUBACK
      0x02,        // remaining length 2
      0x12, 0x34,  // packet id 0x1234
      0xd0,        // PINGRESP
      0x00,        // remaining length 0
      0x30,        // PUBLISH QoS 0 (incomplete)
      0x03,        // remaining length 3
  };
  StreamDecoder decoder;
  EXPECT_EQ(decoder.stream_offset(), 0U);
  EXPECT_EQ(decoder.buffered(), 0U);
  decoder.feed(stream);
  EXPECT_EQ(decoder.stream_offset(), 0U);
  EXPECT_EQ(decoder.buffered(), 10U);

  // The header: "Offset in the whole stream of the next byte next() will read (the start of the
  // next packet)" and "Bytes received and not yet returned as packets".
  const std::size_t ends[] = {2, 6, 8};
  for (std::size_t end : ends) {
    const DecodeResult result = decoder.next();
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(decoder.stream_offset(), end) << "after the packet ending at " << end;
    EXPECT_EQ(decoder.buffered(), 10U - end) << "after the packet ending at " << end;
  }
  EXPECT_TRUE(decoder.next().need_more());
  EXPECT_EQ(decoder.stream_offset(), 8U);
  EXPECT_EQ(decoder.buffered(), 2U);
}

TEST(StreamDecoder, NeedMoreOnAnEmptyStream) {
  StreamDecoder decoder;
  const DecodeResult result = decoder.next();
  ASSERT_TRUE(result.need_more());
  EXPECT_GE(result.bytes_needed(), 1U);
  decoder.feed(ByteView{});
  EXPECT_TRUE(decoder.next().need_more());
}

TEST(StreamDecoder, LongStreamDoesNotGrowTheBufferWithoutBound) {
  // Thousands of small packets fed a few at a time: buffered() never exceeds what is unread.
  StreamDecoder decoder;
  const Bytes ping = {
      0xc0,  // PINGREQ
      0x00,  // remaining length 0
  };
  std::size_t packets = 0;
  for (int i = 0; i < 5000; ++i) {
    decoder.feed(ping);
    decoder.feed(ping);
    while (decoder.next().ok())
      ++packets;
    EXPECT_EQ(decoder.buffered() <= 2U, true);
  }
  EXPECT_EQ(packets, 10000U);
  EXPECT_EQ(decoder.stream_offset() + decoder.buffered(), 20000U);
}

}  // namespace
}  // namespace gauntlet::codec

namespace gauntlet::codec {
namespace {

// packet_bytes() is the packet next() just returned, byte for byte, however the stream arrived.
TEST(StreamDecoderPacketBytes, AreThePacketJustReturned) {
  Publish first;
  first.topic = "a/b";
  first.payload = ByteView::of("one");
  const Pingreq second;
  std::vector<std::uint8_t> stream;
  ASSERT_FALSE(encode(first, ProtocolVersion::v3_1_1, stream));
  const std::size_t first_size = stream.size();
  ASSERT_FALSE(encode(second, ProtocolVersion::v3_1_1, stream));
  StreamDecoder decoder;
  for (std::uint8_t byte : stream)
    decoder.feed(ByteView(&byte, 1));
  ASSERT_TRUE(decoder.next().ok());
  EXPECT_EQ(decoder.packet_bytes(), ByteView(stream.data(), first_size));
  ASSERT_TRUE(decoder.next().ok());
  EXPECT_EQ(decoder.packet_bytes(), ByteView(stream.data() + first_size, 2));
}

}  // namespace
}  // namespace gauntlet::codec
