// Scenario JSON to codec values: property blocks, payloads, and the raw packets of send steps with
// their malformations, checked byte for byte and by decoding them back.
#include "gauntlet/scenarios/packets.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gauntlet/codec/codec.hpp"
#include "test_support.hpp"

namespace gauntlet::scenarios {
namespace {

using codec::PropertyId;
using codec::ProtocolVersion;
using testing::bytes;
using testing::hex;

std::string block_hex(std::string_view properties) {
  return hex(build_properties(Json::parse(properties)).bytes());
}

/// build_raw of a send argument given as JSON text; fails the test on an encoding error.
std::vector<std::uint8_t> raw(std::string_view send,
                              ProtocolVersion version = ProtocolVersion::v3_1_1) {
  std::string error;
  auto out = build_raw(Json::parse(send), version, error);
  EXPECT_EQ(error, "") << send;
  return out;
}

/// Decodes a packet a client sent; fails the test when it does not decode.
codec::Packet decoded(const std::vector<std::uint8_t>& data, ProtocolVersion version) {
  codec::DecodeOptions options;
  options.version = version;
  options.sender = codec::Sender::client;
  const auto result = codec::decode(codec::ByteView(data), options);
  if (!result.ok()) {
    ADD_FAILURE() << "does not decode: " << hex(data);
    return codec::Pingreq{};
  }
  EXPECT_EQ(result.consumed(), data.size());
  return result.packet();
}

// --- build_properties ---------------------------------------------------------------------------

TEST(BuildProperties, OneOfEachType) {
  EXPECT_EQ(block_hex(R"({"payload_format_indicator": 1})"), "01 01");
  EXPECT_EQ(block_hex(R"({"receive_maximum": 20})"), "21 00 14");
  EXPECT_EQ(block_hex(R"({"session_expiry_interval": 30})"), "11 00 00 00 1e");
  EXPECT_EQ(block_hex(R"({"subscription_identifier": 300})"), "0b ac 02");
  EXPECT_EQ(block_hex(R"({"content_type": "a/b"})"), "03 00 03 61 2f 62");
  EXPECT_EQ(block_hex(R"({"correlation_data": {"hex": "01ff"}})"), "09 00 02 01 ff");
  EXPECT_EQ(block_hex(R"({"correlation_data": "ab"})"), "09 00 02 61 62");
  EXPECT_EQ(block_hex(R"({"user_property": [["k", "v"]]})"), "26 00 01 6b 00 01 76");
}

TEST(BuildProperties, EmptyAndNonObjects) {
  EXPECT_TRUE(build_properties(Json::object()).bytes().empty());
  EXPECT_TRUE(build_properties(Json()).bytes().empty());
  EXPECT_TRUE(build_properties(Json::array()).bytes().empty());
}

TEST(BuildProperties, OrderAndValuesAsWritten) {
  const codec::PropertyBuilder builder = build_properties(Json::parse(R"({
    "session_expiry_interval": 30,
    "user_property": [["k", "v"], ["k2", "v2"]],
    "correlation_data": {"hex": "01 ff"},
    "content_type": "text/plain",
    "subscription_identifier": [1, 300],
    "response_topic": "r/{not expanded here}",
    "no_such_property": 5,
    "receive_maximum": 20
  })"));
  std::vector<codec::Property> properties;
  for (const codec::Property& property : builder.view())
    properties.push_back(property);
  ASSERT_EQ(properties.size(), 9U) << hex(builder.bytes());
  EXPECT_EQ(properties[0].id, PropertyId::session_expiry_interval);
  EXPECT_EQ(properties[0].number, 30U);
  EXPECT_EQ(properties[1].id, PropertyId::user_property);
  EXPECT_EQ(properties[1].text, "k");
  EXPECT_EQ(properties[1].value, "v");
  EXPECT_EQ(properties[2].id, PropertyId::user_property);
  EXPECT_EQ(properties[2].text, "k2");
  EXPECT_EQ(properties[2].value, "v2");
  EXPECT_EQ(properties[3].id, PropertyId::correlation_data);
  EXPECT_EQ(properties[3].binary, codec::ByteView(bytes("01ff")));
  EXPECT_EQ(properties[4].id, PropertyId::content_type);
  EXPECT_EQ(properties[4].text, "text/plain");
  EXPECT_EQ(properties[5].id, PropertyId::subscription_identifier);
  EXPECT_EQ(properties[5].number, 1U);
  EXPECT_EQ(properties[6].id, PropertyId::subscription_identifier);
  EXPECT_EQ(properties[6].number, 300U);
  EXPECT_EQ(properties[7].id, PropertyId::response_topic);
  EXPECT_EQ(properties[7].text, "r/{not expanded here}");
  // The unknown name is skipped (the parser refuses it before this runs).
  EXPECT_EQ(properties[8].id, PropertyId::receive_maximum);
  EXPECT_EQ(properties[8].number, 20U);
}

// --- build_payload ------------------------------------------------------------------------------

TEST(BuildPayload, TextHexOrNothing) {
  EXPECT_EQ(hex(build_payload(Json::parse(R"({"topic": "t", "payload": "hi"})"))), "68 69");
  EXPECT_EQ(hex(build_payload(Json::parse(R"({"topic": "t", "payload_hex": "00 FF"})"))), "00 ff");
  EXPECT_TRUE(build_payload(Json::parse(R"({"topic": "t"})")).empty());
  EXPECT_TRUE(build_payload(Json::parse(R"({"payload": ""})")).empty());
  EXPECT_EQ(hex(build_payload(Json::parse(R"({"payload": "\u00e9"})"))), "c3 a9");
}

// --- build_raw ----------------------------------------------------------------------------------

TEST(BuildRaw, HexAsWritten) {
  EXPECT_EQ(hex(raw(R"({"hex": "c0 00"})")), "c0 00");
  EXPECT_EQ(hex(raw(R"({"hex": "30 03 00 01 61"})")), "30 03 00 01 61");
  EXPECT_EQ(hex(raw(R"({"hex": "FF"})")), "ff");
}

constexpr std::string_view publish_packet =
    R"("packet": {"type": "publish", "topic": "a/b", "payload": "hi", "qos": 1, "packet_id": 7,
                  "retain": true})";
constexpr std::string_view publish_bytes = "33 09 00 03 61 2f 62 00 07 68 69";

std::string send(std::string_view malform = {}) {
  std::string out = "{" + std::string(publish_packet);
  if (!malform.empty()) out += ", \"malform\": " + std::string(malform);
  return out + "}";
}

TEST(BuildRaw, PublishPacket) {
  const auto data = raw(send());
  EXPECT_EQ(hex(data), publish_bytes);
  const codec::Packet packet = decoded(data, ProtocolVersion::v3_1_1);
  ASSERT_TRUE(std::holds_alternative<codec::Publish>(packet));
  const auto& publish = std::get<codec::Publish>(packet);
  EXPECT_EQ(publish.topic, "a/b");
  EXPECT_EQ(publish.payload.as_chars(), "hi");
  EXPECT_EQ(publish.qos, codec::QoS::at_least_once);
  EXPECT_EQ(publish.packet_id, 7);
  EXPECT_TRUE(publish.retain);
  EXPECT_FALSE(publish.dup);
}

TEST(BuildRaw, PublishPacketAt5WithProperties) {
  const auto data = raw(
      R"({"packet": {"type": "publish", "topic": "t", "payload_hex": "00ff", "dup": true,
          "qos": 2, "packet_id": 300,
          "properties": {"message_expiry_interval": 10, "user_property": [["a", "b"]]}}})",
      ProtocolVersion::v5);
  const codec::Packet packet = decoded(data, ProtocolVersion::v5);
  ASSERT_TRUE(std::holds_alternative<codec::Publish>(packet));
  const auto& publish = std::get<codec::Publish>(packet);
  EXPECT_EQ(publish.topic, "t");
  EXPECT_EQ(publish.payload, codec::ByteView(bytes("00ff")));
  EXPECT_TRUE(publish.dup);
  EXPECT_EQ(publish.qos, codec::QoS::exactly_once);
  EXPECT_EQ(publish.packet_id, 300);
  const auto expiry = publish.properties.find(PropertyId::message_expiry_interval);
  ASSERT_TRUE(expiry.has_value());
  EXPECT_EQ(expiry->number, 10U);
  const auto user = publish.properties.find(PropertyId::user_property);
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->text, "a");
  EXPECT_EQ(user->value, "b");
}

TEST(BuildRaw, MalformRemainingLength) {
  EXPECT_EQ(hex(raw(send(R"({"remaining_length": 5})"))), "33 05 00 03 61 2f 62 00 07 68 69");
  EXPECT_EQ(hex(raw(send(R"({"remaining_length": 200})"))), "33 c8 01 00 03 61 2f 62 00 07 68 69");
}

TEST(BuildRaw, MalformRemainingLengthWidth) {
  EXPECT_EQ(hex(raw(send(R"({"remaining_length_width": 3})"))),
            "33 89 80 00 00 03 61 2f 62 00 07 68 69");
  EXPECT_EQ(hex(raw(send(R"({"remaining_length_width": 5})"))),
            "33 89 80 80 80 00 00 03 61 2f 62 00 07 68 69");
}

TEST(BuildRaw, MalformTrailingBytes) {
  // The trailing bytes count in the Remaining Length.
  EXPECT_EQ(hex(raw(send(R"({"trailing_hex": "aa bb"})"))),
            "33 0b 00 03 61 2f 62 00 07 68 69 aa bb");
  // Unless it is overridden.
  EXPECT_EQ(hex(raw(send(R"({"trailing_hex": "aa", "remaining_length": 9})"))),
            "33 09 00 03 61 2f 62 00 07 68 69 aa");
}

TEST(BuildRaw, MalformTruncate) {
  EXPECT_EQ(hex(raw(send(R"({"truncate_to": 4})"))), "33 09 00 03");
  EXPECT_EQ(hex(raw(send(R"({"truncate_to": 0})"))), "");
  EXPECT_EQ(hex(raw(send(R"({"truncate_to": 100})"))), publish_bytes);
  // Truncation comes after everything else.
  EXPECT_EQ(hex(raw(send(R"({"trailing_hex": "aa", "truncate_to": 2})"))), "33 0a");
}

TEST(BuildRaw, MalformStringLengths) {
  EXPECT_EQ(hex(raw(send(R"({"string_lengths": {"publish.topic": 70}})"))),
            "33 09 00 46 61 2f 62 00 07 68 69");
}

TEST(BuildRaw, MalformFixedHeader) {
  EXPECT_EQ(hex(raw(send(R"({"fixed_header_flags": 15})"))), "3f 09 00 03 61 2f 62 00 07 68 69");
  EXPECT_EQ(hex(raw(send(R"({"packet_type": 0})"))), "03 09 00 03 61 2f 62 00 07 68 69");
}

TEST(BuildRaw, ConnectPacket) {
  const std::string connect = R"({"packet": {"type": "connect", "client_id": "c"}})";
  EXPECT_EQ(hex(raw(connect)), "10 0d 00 04 4d 51 54 54 04 02 00 3c 00 01 63");
  EXPECT_EQ(hex(raw(R"({"packet": {"type": "connect", "client_id": "c"},
                        "malform": {"protocol_level": 9, "flags_byte": 255}})")),
            "10 0d 00 04 4d 51 54 54 09 ff 00 3c 00 01 63");
  // The packet's own protocol wins over the session's.
  EXPECT_EQ(hex(raw(R"({"packet": {"type": "connect", "client_id": "c", "protocol": "3.1"}})",
                    ProtocolVersion::v5)),
            "10 0f 00 06 4d 51 49 73 64 70 03 02 00 3c 00 01 63");
}

TEST(BuildRaw, ConnectPacketWithEverything) {
  const auto data = raw(
      R"({"packet": {"type": "connect", "client_id": "me", "clean_start": false, "keep_alive": 5,
          "username": "u", "password": {"hex": "0102"},
          "will": {"topic": "w", "payload": "bye", "qos": 1, "retain": true,
                   "properties": {"will_delay_interval": 3}},
          "properties": {"session_expiry_interval": 60}}})",
      ProtocolVersion::v5);
  const codec::Packet packet = decoded(data, ProtocolVersion::v5);
  ASSERT_TRUE(std::holds_alternative<codec::Connect>(packet));
  const auto& connect = std::get<codec::Connect>(packet);
  EXPECT_EQ(connect.version, ProtocolVersion::v5);
  EXPECT_EQ(connect.client_id, "me");
  EXPECT_FALSE(connect.clean_start);
  EXPECT_EQ(connect.keep_alive, 5);
  EXPECT_EQ(connect.username, "u");
  ASSERT_TRUE(connect.password.has_value());
  EXPECT_EQ(*connect.password, codec::ByteView(bytes("0102")));
  ASSERT_TRUE(connect.will.has_value());
  EXPECT_EQ(connect.will->topic, "w");
  EXPECT_EQ(connect.will->payload.as_chars(), "bye");
  EXPECT_EQ(connect.will->qos, codec::QoS::at_least_once);
  EXPECT_TRUE(connect.will->retain);
  ASSERT_TRUE(connect.will->properties.find(PropertyId::will_delay_interval).has_value());
  EXPECT_EQ(connect.will->properties.find(PropertyId::will_delay_interval)->number, 3U);
  ASSERT_TRUE(connect.properties.find(PropertyId::session_expiry_interval).has_value());
  EXPECT_EQ(connect.properties.find(PropertyId::session_expiry_interval)->number, 60U);
}

TEST(BuildRaw, SubscribeAndUnsubscribe) {
  EXPECT_EQ(hex(raw(R"({"packet": {"type": "subscribe", "packet_id": 5,
                                    "filters": [{"topic": "a", "qos": 1}]}})")),
            "82 06 00 05 00 01 61 01");
  EXPECT_EQ(hex(raw(R"({"packet": {"type": "subscribe", "packet_id": 5,
                                    "filters": [{"topic": "a", "qos": 1}]},
                        "malform": {"subscription_options_bits": 192}})")),
            "82 06 00 05 00 01 61 c1");
  // A filter given as a string is QoS 0; the packet id defaults to 1.
  EXPECT_EQ(hex(raw(R"({"packet": {"type": "subscribe", "filters": ["a"]}})")),
            "82 06 00 01 00 01 61 00");
  EXPECT_EQ(hex(raw(R"({"packet": {"type": "unsubscribe", "packet_id": 2, "filters": ["a"]}})")),
            "a2 05 00 02 00 01 61");
}

TEST(BuildRaw, SubscribeOptionsAt5) {
  const auto data = raw(
      R"({"packet": {"type": "subscribe", "packet_id": 9, "filters": [{"topic": "x/#", "qos": 2,
          "no_local": true, "retain_as_published": true, "retain_handling": 2}],
          "properties": {"subscription_identifier": 4}}})",
      ProtocolVersion::v5);
  const codec::Packet packet = decoded(data, ProtocolVersion::v5);
  ASSERT_TRUE(std::holds_alternative<codec::Subscribe>(packet));
  const auto& subscribe = std::get<codec::Subscribe>(packet);
  EXPECT_EQ(subscribe.packet_id, 9);
  ASSERT_EQ(subscribe.subscriptions.size(), 1U);
  EXPECT_EQ(subscribe.subscriptions[0].filter, "x/#");
  EXPECT_EQ(subscribe.subscriptions[0].options.qos, codec::QoS::exactly_once);
  EXPECT_TRUE(subscribe.subscriptions[0].options.no_local);
  EXPECT_TRUE(subscribe.subscriptions[0].options.retain_as_published);
  EXPECT_EQ(subscribe.subscriptions[0].options.retain_handling, 2);
  ASSERT_TRUE(subscribe.properties.find(PropertyId::subscription_identifier).has_value());
}

TEST(BuildRaw, AcknowledgementsWithReasonCodes) {
  const codec::Packet puback = decoded(
      raw(R"({"packet": {"type": "puback", "packet_id": 1, "reason_code": "not_authorized"}})",
          ProtocolVersion::v5),
      ProtocolVersion::v5);
  ASSERT_TRUE(std::holds_alternative<codec::Puback>(puback));
  EXPECT_EQ(std::get<codec::Puback>(puback).packet_id, 1);
  EXPECT_EQ(std::get<codec::Puback>(puback).reason_code, codec::ReasonCode::not_authorized);
  const codec::Packet pubrec = decoded(raw(R"({"packet": {"type": "pubrec", "packet_id": 2,
                         "reason_code": "no_matching_subscribers"}})",
                                           ProtocolVersion::v5),
                                       ProtocolVersion::v5);
  ASSERT_TRUE(std::holds_alternative<codec::Pubrec>(pubrec));
  EXPECT_EQ(std::get<codec::Pubrec>(pubrec).reason_code,
            codec::ReasonCode::no_matching_subscribers);
  EXPECT_EQ(hex(raw(R"({"packet": {"type": "pubrel", "packet_id": 3}})")), "62 02 00 03");
  EXPECT_EQ(hex(raw(R"({"packet": {"type": "pubcomp", "packet_id": 3}})")), "70 02 00 03");
}

TEST(BuildRaw, PingreqDisconnectAuth) {
  EXPECT_EQ(hex(raw(R"({"packet": {"type": "pingreq"}})")), "c0 00");
  EXPECT_EQ(hex(raw(R"({"packet": {"type": "disconnect"}})")), "e0 00");
  const codec::Packet disconnect = decoded(
      raw(R"({"packet": {"type": "disconnect", "reason_code": "0x04"}})", ProtocolVersion::v5),
      ProtocolVersion::v5);
  ASSERT_TRUE(std::holds_alternative<codec::Disconnect>(disconnect));
  EXPECT_EQ(std::get<codec::Disconnect>(disconnect).reason_code,
            codec::ReasonCode::disconnect_with_will_message);
  const codec::Packet auth =
      decoded(raw(R"({"packet": {"type": "auth", "reason_code": "re_authenticate",
                         "properties": {"authentication_method": "m"}}})",
                  ProtocolVersion::v5),
              ProtocolVersion::v5);
  ASSERT_TRUE(std::holds_alternative<codec::Auth>(auth));
  EXPECT_EQ(std::get<codec::Auth>(auth).reason_code, codec::ReasonCode::re_authenticate);
}

TEST(BuildRaw, EncodingTheCodecRefuses) {
  // AUTH does not exist below 5.0.
  std::string error;
  const auto data =
      build_raw(Json::parse(R"({"packet": {"type": "auth"}})"), ProtocolVersion::v3_1_1, error);
  EXPECT_TRUE(data.empty());
  EXPECT_NE(error.find("cannot encode the auth packet"), std::string::npos) << error;
}

}  // namespace
}  // namespace gauntlet::scenarios
