// Observations of session events and the matchers of docs/scenarios.md ("Matchers") against them.
#include "gauntlet/scenarios/matching.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gauntlet/codec/codec.hpp"
#include "gauntlet/scenarios/parse.hpp"
#include "test_support.hpp"

namespace gauntlet::scenarios {
namespace {

using client::ConnectionEnded;
using codec::PacketType;
using codec::ProtocolVersion;
using testing::bytes;

/// The observation of a packet from the broker, given as hex.
Observation packet(PacketType type, std::string_view hex,
                   ProtocolVersion version = ProtocolVersion::v3_1_1) {
  const auto observed = observe(client::PacketReceived{type, bytes(hex)}, version, 1.0);
  if (!observed) {
    ADD_FAILURE() << "no observation of " << hex;
    return {};
  }
  return *observed;
}

Observation closed(ConnectionEnded::Cause cause, std::uint8_t reason = 0) {
  return *observe(ConnectionEnded{cause, reason, "detail"}, ProtocolVersion::v5, 0);
}

/// A 5.0 message with properties: user_property k=v and a=b, content_type, correlation_data
/// 01 ff, subscription_identifier 1 and 2.
Observation message(ProtocolVersion version = ProtocolVersion::v5) {
  codec::PropertyBuilder properties;
  properties.add_user_property("k", "v")
      .add(codec::PropertyId::content_type, "text/plain")
      .add_user_property("a", "b");
  const std::vector<std::uint8_t> correlation = {0x01, 0xFF};
  properties.add_binary(codec::PropertyId::correlation_data, codec::ByteView(correlation))
      .add(codec::PropertyId::subscription_identifier, 1)
      .add(codec::PropertyId::subscription_identifier, 2);
  client::MessageReceived received;
  received.topic = "a/b";
  received.payload = {'h', 'i'};
  received.qos = codec::QoS::at_least_once;
  received.retain = true;
  received.dup = false;
  received.packet_id = 7;
  received.properties = properties.bytes();
  return *observe(received, version, 2.0);
}

bool matches(std::string_view matcher, const Observation& observation, std::string* why = nullptr,
             Json* chosen = nullptr) {
  std::string reason;
  const bool result = scenarios::matches(Json::parse(matcher), observation, reason, chosen);
  if (why != nullptr) *why = reason;
  return result;
}

// --- observe ------------------------------------------------------------------------------------

TEST(Observe, ConnackAt311) {
  const auto observed = observe(client::PacketReceived{PacketType::connack, bytes("20 02 00 05")},
                                ProtocolVersion::v3_1_1, 12.5);
  ASSERT_TRUE(observed.has_value());
  EXPECT_EQ(observed->kind, "connack");
  EXPECT_EQ(observed->event["type"], "CONNACK");
  EXPECT_EQ(observed->event["reason_code"], 5);
  EXPECT_EQ(observed->event["session_present"], false);
  EXPECT_EQ(observed->raw, bytes("20 02 00 05"));
  EXPECT_DOUBLE_EQ(observed->at_ms, 12.5);
}

TEST(Observe, SubackAt5) {
  const Observation observed =
      packet(PacketType::suback, "90 05 00 01 00 01 87", ProtocolVersion::v5);
  EXPECT_EQ(observed.kind, "suback");
  EXPECT_EQ(observed.event["packet_id"], 1);
  EXPECT_EQ(observed.event["reason_codes"], Json::array({1, 135}));
}

TEST(Observe, OtherPackets) {
  EXPECT_EQ(packet(PacketType::pingresp, "d0 00").kind, "pingresp");
  EXPECT_EQ(packet(PacketType::unsuback, "b0 02 00 03").kind, "unsuback");
  const Observation disconnect = packet(PacketType::disconnect, "e0 01 8e", ProtocolVersion::v5);
  EXPECT_EQ(disconnect.kind, "disconnect");
  EXPECT_EQ(disconnect.event["reason_code"], 0x8E);
  const Observation pubrec = packet(PacketType::pubrec, "50 02 00 09");
  EXPECT_EQ(pubrec.kind, "pubrec");
  EXPECT_EQ(pubrec.event["packet_id"], 9);
}

TEST(Observe, UndecodablePacketKeepsItsKindAndBytes) {
  // A CONNACK with one byte of body: it still is an event, with the decoder's error.
  const Observation observed = packet(PacketType::connack, "20 01 00");
  EXPECT_EQ(observed.kind, "connack");
  EXPECT_EQ(observed.event["type"], "CONNACK");
  EXPECT_TRUE(observed.event.contains("error")) << observed.event.dump();
  EXPECT_EQ(observed.raw, bytes("20 01 00"));
}

TEST(Observe, PublishPacketsAreLeftToMessageReceived) {
  EXPECT_FALSE(observe(client::PacketReceived{PacketType::publish, bytes("30 05 00 01 61 68 69")},
                       ProtocolVersion::v3_1_1, 0)
                   .has_value());
}

TEST(Observe, MessageReceived) {
  const Observation observed = message();
  EXPECT_EQ(observed.kind, "publish");
  EXPECT_DOUBLE_EQ(observed.at_ms, 2.0);
  EXPECT_EQ(observed.event["type"], "PUBLISH");
  EXPECT_EQ(observed.event["topic"], "a/b");
  EXPECT_EQ(observed.event["qos"], 1);
  EXPECT_EQ(observed.event["retain"], true);
  EXPECT_EQ(observed.event["dup"], false);
  EXPECT_EQ(observed.event["packet_id"], 7);
  EXPECT_EQ(observed.event["payload"]["text"], "hi");
  EXPECT_EQ(observed.event["payload"]["hex"], "6869");
  const Json& properties = observed.event["properties"];
  ASSERT_TRUE(properties.is_array());
  ASSERT_EQ(properties.size(), 6U);
  EXPECT_EQ(properties[0]["name"], "user_property");
  EXPECT_EQ(properties[0]["key"], "k");
  EXPECT_EQ(properties[0]["value"], "v");
  EXPECT_EQ(properties[1]["name"], "content_type");
  EXPECT_EQ(properties[1]["value"], "text/plain");
  EXPECT_EQ(properties[3]["name"], "correlation_data");
  EXPECT_EQ(properties[3]["value"]["hex"], "01ff");
  EXPECT_EQ(properties[5]["value"], 2);
}

TEST(Observe, MessageAt311HasNoPropertiesAndQos0NoPacketId) {
  client::MessageReceived received;
  received.topic = "t";
  received.qos = codec::QoS::at_most_once;
  const auto observed = observe(received, ProtocolVersion::v3_1_1, 0);
  ASSERT_TRUE(observed.has_value());
  EXPECT_FALSE(observed->event.contains("properties"));
  EXPECT_FALSE(observed->event.contains("packet_id"));
  EXPECT_EQ(observed->event["payload"]["length"], 0);
}

TEST(Observe, ConnectionEndedCauseNames) {
  using Cause = ConnectionEnded::Cause;
  const std::vector<std::pair<Cause, std::string>> causes = {
      {Cause::refused, "refused"}, {Cause::server_disconnect, "server_disconnect"},
      {Cause::closed, "closed"},   {Cause::protocol_error, "protocol_error"},
      {Cause::timeout, "timeout"}, {Cause::transport_failed, "transport_failed"}};
  for (const auto& [cause, name] : causes) {
    const Observation observed = closed(cause, 0x87);
    EXPECT_EQ(observed.kind, "closed");
    EXPECT_EQ(observed.event["type"], "CLOSED");
    EXPECT_EQ(observed.event["cause"], name);
    EXPECT_EQ(observed.event["reason_code"], 0x87);
    EXPECT_EQ(observed.event["detail"], "detail");
    EXPECT_TRUE(observed.raw.empty());
  }
}

TEST(Observe, PublishCompleted) {
  const auto observed = observe(client::PublishCompleted{3, codec::QoS::exactly_once, 0x10, false},
                                ProtocolVersion::v5, 4.0);
  ASSERT_TRUE(observed.has_value());
  EXPECT_EQ(observed->kind, "published");
  EXPECT_EQ(observed->event["packet_id"], 3);
  EXPECT_EQ(observed->event["qos"], 2);
  EXPECT_EQ(observed->event["reason_code"], 0x10);
  EXPECT_EQ(observed->event["abandoned"], false);
}

TEST(Observe, CommandRefused) {
  const auto observed =
      observe(client::CommandRefused{"above the maximum packet size"}, ProtocolVersion::v5, 0);
  ASSERT_TRUE(observed.has_value());
  EXPECT_EQ(observed->kind, "refused");
  EXPECT_EQ(observed->event["reason"], "above the maximum packet size");
}

TEST(Observe, TransportReady) {
  const auto observed = observe(client::TransportReady{}, ProtocolVersion::v3_1_1, 0);
  ASSERT_TRUE(observed.has_value());
  EXPECT_EQ(observed->kind, "transport");
}

TEST(Observe, EventsNobodyWaitsFor) {
  EXPECT_FALSE(observe(client::Connected{}, ProtocolVersion::v5, 0).has_value());
  EXPECT_FALSE(observe(client::Finding{"MQTT-1", "x", {}}, ProtocolVersion::v5, 0).has_value());
  EXPECT_FALSE(observe(client::SubscribeCompleted{1, {0}}, ProtocolVersion::v5, 0).has_value());
  EXPECT_FALSE(observe(client::UnsubscribeCompleted{1, {}}, ProtocolVersion::v5, 0).has_value());
}

// --- matches: reason codes ----------------------------------------------------------------------

TEST(MatchReasonCode, NumberHexAndList) {
  const Observation refused = packet(PacketType::connack, "20 02 00 05");
  EXPECT_TRUE(matches(R"({"connack": {"reason_code": 5}})", refused));
  EXPECT_TRUE(matches(R"({"connack": {"reason_code": "0x05"}})", refused));
  EXPECT_TRUE(matches(R"({"connack": {"reason_code": "0x5"}})", refused));
  EXPECT_TRUE(matches(R"({"connack": {"reason_code": [4, 5]}})", refused));
  EXPECT_TRUE(matches(R"({"connack": {"reason_code": ["0x04", 5]}})", refused));
  std::string why;
  EXPECT_FALSE(matches(R"({"connack": {"reason_code": [0, 4]}})", refused, &why));
  EXPECT_EQ(why, "reason_code is 5, expected [0,4]");
}

TEST(MatchReasonCode, NamesAt5) {
  const Observation connack = packet(PacketType::connack, "20 03 00 87 00", ProtocolVersion::v5);
  EXPECT_TRUE(matches(R"({"connack": {"reason_code": "not_authorized"}})", connack));
  EXPECT_TRUE(matches(
      R"({"connack": {"reason_code": ["bad_user_name_or_password", "not_authorized"]}})", connack));
  EXPECT_FALSE(matches(R"({"connack": {"reason_code": "bad_user_name_or_password"}})", connack));
  const Observation disconnect = packet(PacketType::disconnect, "e0 01 82", ProtocolVersion::v5);
  EXPECT_TRUE(
      matches(R"({"disconnect": {"reason_code": ["0x81", "protocol_error"]}})", disconnect));
}

TEST(MatchReasonCode, NamesOfTheMatchersPacket) {
  // no_matching_subscribers (0x10) is a PUBACK / PUBREC code only.
  const Observation puback = packet(PacketType::puback, "40 04 00 07 10 00", ProtocolVersion::v5);
  EXPECT_TRUE(
      matches(R"({"puback": {"packet_id": 7, "reason_code": "no_matching_subscribers"}})", puback));
  const Observation pubcomp = packet(PacketType::pubcomp, "70 02 00 07", ProtocolVersion::v5);
  EXPECT_TRUE(matches(R"({"pubcomp": {"reason_code": "success"}})", pubcomp));
  const Observation auth = packet(PacketType::auth, "f0 02 18 00", ProtocolVersion::v5);
  EXPECT_TRUE(matches(R"({"auth": {"reason_code": "continue_authentication"}})", auth));
}

TEST(MatchReasonCode, ConnackReturnCodeNamesAt311) {
  // docs/scenarios.md: a reason code may be "the code's name as gauntlet decode prints it"; for a
  // 3.1.1 CONNACK with return code 5 that is "not_authorized", and 4 is
  // "bad_user_name_or_password".
  const Observation five = packet(PacketType::connack, "20 02 00 05");
  ASSERT_EQ(five.event["reason"], "not_authorized");
  EXPECT_TRUE(matches(R"({"connack": {"reason_code": "not_authorized"}})", five));
  const Observation four = packet(PacketType::connack, "20 02 00 04");
  ASSERT_EQ(four.event["reason"], "bad_user_name_or_password");
  EXPECT_TRUE(matches(R"({"connack": {"reason_code": "bad_user_name_or_password"}})", four));
  // Names that exist only at 3.1.1 work.
  const Observation two = packet(PacketType::connack, "20 02 00 02");
  EXPECT_TRUE(matches(R"({"connack": {"reason_code": "identifier_rejected"}})", two));
}

TEST(MatchReasonCode, NoReasonCodeInThePacket) {
  // A 3.1.1 PUBACK carries no reason code; a matcher asking for one does not match.
  const Observation puback = packet(PacketType::puback, "40 02 00 07");
  std::string why;
  EXPECT_FALSE(matches(R"({"puback": {"reason_code": 16}})", puback, &why));
  EXPECT_NE(why.find("reason_code"), std::string::npos) << why;
}

TEST(MatchReasonCodes, Lists) {
  const Observation suback =
      packet(PacketType::suback, "90 05 00 01 00 01 87", ProtocolVersion::v5);
  EXPECT_TRUE(matches(R"({"suback": {"reason_codes": [1, "0x87"]}})", suback));
  EXPECT_TRUE(
      matches(R"({"suback": {"reason_codes": ["granted_qos_1", "not_authorized"]}})", suback));
  EXPECT_TRUE(matches(R"({"suback": {"reason_codes": [[0, 1], [128, 135]]}})", suback));
  std::string why;
  EXPECT_FALSE(matches(R"({"suback": {"reason_codes": [1]}})", suback, &why));
  EXPECT_EQ(why, "reason_codes is [1,135], expected [1]");
  EXPECT_FALSE(matches(R"({"suback": {"reason_codes": [1, 2]}})", suback, &why));
  EXPECT_EQ(why, "reason_codes is [1,135], expected [1,2]");
}

TEST(MatchReasonCodes, SubackAt311) {
  const Observation suback = packet(PacketType::suback, "90 04 00 01 01 80");
  EXPECT_TRUE(matches(R"({"suback": {"reason_codes": [1, "0x80"]}})", suback));
  EXPECT_TRUE(matches(R"({"suback": {"reason_codes": [[1, 2], 128]}})", suback));
}

// --- matches: messages --------------------------------------------------------------------------

TEST(MatchPublish, EmptyMatcherMatchesAnyMessage) {
  EXPECT_TRUE(matches(R"({"publish": {}})", message()));
}

TEST(MatchPublish, TopicPayloadFlags) {
  const Observation observed = message();
  EXPECT_TRUE(matches(
      R"({"publish": {"topic": "a/b", "payload": "hi", "qos": 1, "retain": true, "dup": false}})",
      observed));
  std::string why;
  EXPECT_FALSE(matches(R"({"publish": {"topic": "a/c"}})", observed, &why));
  EXPECT_EQ(why, R"(topic is "a/b", expected "a/c")");
  EXPECT_FALSE(matches(R"({"publish": {"qos": 2}})", observed, &why));
  EXPECT_EQ(why, "qos is 1, expected 2");
  EXPECT_FALSE(matches(R"({"publish": {"retain": false}})", observed, &why));
  EXPECT_EQ(why, "retain is true, expected false");
  EXPECT_FALSE(matches(R"({"publish": {"dup": true}})", observed, &why));
  EXPECT_EQ(why, "dup is false, expected true");
}

TEST(MatchPublish, WhyNamesTheFirstDifferingField) {
  std::string why;
  EXPECT_FALSE(
      matches(R"({"publish": {"topic": "a/b", "qos": 0, "retain": false}})", message(), &why));
  EXPECT_EQ(why.rfind("qos is", 0), 0U) << why;
}

TEST(MatchPublish, PayloadTextAndHex) {
  const Observation observed = message();
  EXPECT_TRUE(matches(R"({"publish": {"payload_hex": "6869"}})", observed));
  EXPECT_TRUE(matches(R"({"publish": {"payload_hex": "68 69"}})", observed));
  EXPECT_TRUE(matches(R"({"publish": {"payload_hex": "68:69"}})", observed));
  EXPECT_TRUE(matches(R"({"publish": {"payload_hex": "68-69"}})", observed));
  std::string why;
  EXPECT_FALSE(matches(R"({"publish": {"payload": "ho"}})", observed, &why));
  EXPECT_NE(why.find("payload is"), std::string::npos) << why;
  EXPECT_NE(why.find("expected \"ho\""), std::string::npos) << why;
  EXPECT_FALSE(matches(R"({"publish": {"payload_hex": "6870"}})", observed, &why));
  EXPECT_NE(why.find("payload_hex is"), std::string::npos) << why;
  EXPECT_FALSE(matches(R"({"publish": {"payload": "HI"}})", observed));
  EXPECT_FALSE(matches(R"({"publish": {"payload": ""}})", observed));
}

TEST(MatchPublish, PayloadHexWithPrefixes) {
  // codec::from_hex, which the parser uses to check payload_hex, allows a "0x" prefix on each
  // group; a matcher the parser accepts must compare the same bytes.
  EXPECT_TRUE(matches(R"({"publish": {"payload_hex": "0x6869"}})", message()));
  EXPECT_TRUE(matches(R"({"publish": {"payload_hex": "0x68 0x69"}})", message()));
  EXPECT_TRUE(matches(R"({"publish": {"properties": {"correlation_data": {"hex": "0x01ff"}}}})",
                      message()));
}

TEST(MatchPublish, UppercaseHex) {
  client::MessageReceived received;
  received.topic = "t";
  received.payload = {0xAB, 0xCD};
  const auto observed = observe(received, ProtocolVersion::v3_1_1, 0);
  ASSERT_TRUE(observed.has_value());
  EXPECT_TRUE(matches(R"({"publish": {"payload_hex": "ABCD"}})", *observed));
  // Bytes that are not UTF-8 have no text: a text payload never matches them.
  EXPECT_FALSE(matches(R"({"publish": {"payload": "\u00ab"}})", *observed));
}

TEST(MatchPublish, EmptyPayload) {
  client::MessageReceived received;
  received.topic = "t";
  const auto observed = observe(received, ProtocolVersion::v3_1_1, 0);
  ASSERT_TRUE(observed.has_value());
  EXPECT_TRUE(matches(R"({"publish": {"payload": ""}})", *observed));
  EXPECT_TRUE(matches(R"({"publish": {"payload_hex": ""}})", *observed));
}

// --- matches: properties ------------------------------------------------------------------------

TEST(MatchProperties, SubsetOfWhatArrived) {
  const Observation observed = message();
  EXPECT_TRUE(matches(R"({"publish": {"properties": {}}})", observed));
  EXPECT_TRUE(matches(R"({"publish": {"properties": {"content_type": "text/plain"}}})", observed));
  EXPECT_TRUE(matches(R"({"publish": {"properties": {"user_property": [["a", "b"]]}}})", observed));
  EXPECT_TRUE(matches(R"({"publish": {"properties": {"user_property": [["a", "b"], ["k", "v"]]}}})",
                      observed));
  EXPECT_TRUE(
      matches(R"({"publish": {"properties": {"correlation_data": {"hex": "01FF"}}}})", observed));
  EXPECT_TRUE(
      matches(R"({"publish": {"properties": {"correlation_data": {"hex": "01 ff"}}}})", observed));
  EXPECT_TRUE(matches(R"({"publish": {"properties": {"subscription_identifier": 2}}})", observed));
  EXPECT_TRUE(
      matches(R"({"publish": {"properties": {"subscription_identifier": [1, 2]}}})", observed));
}

TEST(MatchProperties, Mismatches) {
  const Observation observed = message();
  std::string why;
  EXPECT_FALSE(
      matches(R"({"publish": {"properties": {"user_property": [["k", "x"]]}}})", observed, &why));
  EXPECT_EQ(why, R"(no user_property ["k","x"])");
  // A pair is a key with its value, not a key from one pair and a value from another.
  EXPECT_FALSE(
      matches(R"({"publish": {"properties": {"user_property": [["k", "b"]]}}})", observed));
  EXPECT_FALSE(
      matches(R"({"publish": {"properties": {"content_type": "text/html"}}})", observed, &why));
  EXPECT_EQ(why, R"(property content_type is not "text/html")");
  EXPECT_FALSE(matches(R"({"publish": {"properties": {"correlation_data": {"hex": "02"}}}})",
                       observed, &why));
  EXPECT_NE(why.find("correlation_data"), std::string::npos) << why;
  EXPECT_FALSE(matches(R"({"publish": {"properties": {"subscription_identifier": [1, 3]}}})",
                       observed, &why));
  EXPECT_EQ(why, "property subscription_identifier is not 3");
  EXPECT_FALSE(
      matches(R"({"publish": {"properties": {"message_expiry_interval": 10}}})", observed, &why));
  EXPECT_NE(why.find("message_expiry_interval"), std::string::npos) << why;
}

TEST(MatchProperties, BinaryGivenAsText) {
  client::MessageReceived received;
  received.topic = "t";
  codec::PropertyBuilder properties;
  properties.add_binary(codec::PropertyId::correlation_data, codec::ByteView::of("req-1"));
  received.properties = properties.bytes();
  const auto observed = observe(received, ProtocolVersion::v5, 0);
  ASSERT_TRUE(observed.has_value());
  EXPECT_TRUE(matches(R"({"publish": {"properties": {"correlation_data": "req-1"}}})", *observed));
  EXPECT_FALSE(matches(R"({"publish": {"properties": {"correlation_data": "req-2"}}})", *observed));
}

TEST(MatchProperties, ConnackProperties) {
  // CONNACK 5.0 with Topic Alias Maximum 5 and Reason String "ok".
  const Observation connack =
      packet(PacketType::connack, "20 0b 00 00 08 22 00 05 1f 00 02 6f 6b", ProtocolVersion::v5);
  EXPECT_TRUE(matches(
      R"({"connack": {"reason_code": "success", "properties": {"topic_alias_maximum": 5}}})",
      connack));
  EXPECT_TRUE(
      matches(R"({"connack": {"properties": {"reason_string": "ok", "topic_alias_maximum": 5}}})",
              connack));
  EXPECT_FALSE(matches(R"({"connack": {"properties": {"topic_alias_maximum": 6}}})", connack));
}

TEST(MatchProperties, NoPropertiesBelow5) {
  EXPECT_FALSE(matches(R"({"publish": {"properties": {"content_type": "text/plain"}}})",
                       message(ProtocolVersion::v3_1_1)));
}

// --- matches: kinds, closed, any_of -------------------------------------------------------------

TEST(MatchKinds, OtherKindDoesNotMatchAndSaysNothing) {
  std::string why;
  EXPECT_FALSE(matches(R"({"publish": {}})", packet(PacketType::connack, "20 02 00 00"), &why));
  EXPECT_EQ(why, "");
  EXPECT_FALSE(matches(R"({"connack": {}})", closed(ConnectionEnded::Cause::closed), &why));
  EXPECT_EQ(why, "");
}

TEST(MatchKinds, ChosenIsTheMatcherItself) {
  Json chosen;
  EXPECT_TRUE(
      matches(R"({"pingresp": {}})", packet(PacketType::pingresp, "d0 00"), nullptr, &chosen));
  EXPECT_EQ(chosen, Json::parse(R"({"pingresp": {}})"));
}

TEST(MatchClosed, Cause) {
  const Observation timeout = closed(ConnectionEnded::Cause::timeout);
  EXPECT_TRUE(matches(R"({"closed": {}})", timeout));
  EXPECT_TRUE(matches(R"({"closed": {"cause": "timeout"}})", timeout));
  std::string why;
  EXPECT_FALSE(matches(R"({"closed": {"cause": "refused"}})", timeout, &why));
  EXPECT_EQ(why, R"(cause is "timeout", expected "refused")");
  EXPECT_TRUE(matches(R"({"closed": {"cause": "transport_failed"}})",
                      closed(ConnectionEnded::Cause::transport_failed)));
}

TEST(MatchClosed, CauseList) {
  const Observation by_broker = closed(ConnectionEnded::Cause::closed);
  EXPECT_TRUE(matches(R"({"closed": {"cause": ["closed", "server_disconnect"]}})", by_broker));
  std::string why;
  EXPECT_FALSE(matches(R"({"closed": {"cause": ["timeout", "protocol_error"]}})", by_broker, &why));
  EXPECT_NE(why.find(R"(cause is "closed")"), std::string::npos) << why;
}

TEST(MatchProperties, PresentAndAbsent) {
  const Observation m = message();
  EXPECT_TRUE(
      matches(R"({"publish": {"present_properties": ["content_type", "correlation_data"]}})", m));
  EXPECT_TRUE(matches(R"({"publish": {"absent_properties": ["response_topic"]}})", m));
  std::string why;
  EXPECT_FALSE(matches(R"({"publish": {"present_properties": ["response_topic"]}})", m, &why));
  EXPECT_EQ(why, "property response_topic is absent");
  EXPECT_FALSE(matches(R"({"publish": {"absent_properties": ["content_type"]}})", m, &why));
  EXPECT_EQ(why, "property content_type is present");
  // Below 5.0 nothing is present.
  EXPECT_TRUE(matches(R"({"publish": {"absent_properties": ["content_type"]}})",
                      message(ProtocolVersion::v3_1_1)));
}

TEST(MatchPublish, PacketId) {
  EXPECT_TRUE(matches(R"({"publish": {"packet_id": 7}})", message()));
  EXPECT_FALSE(matches(R"({"publish": {"packet_id": 8}})", message()));
}

TEST(MatchReasonCodes, SubackPacketId) {
  const Observation suback = packet(PacketType::suback, "90 03 00 2a 01");
  EXPECT_TRUE(matches(R"({"suback": {"packet_id": 42}})", suback));
  EXPECT_FALSE(matches(R"({"suback": {"packet_id": 43}})", suback));
}

TEST(MatchAnyOf, ChosenIsTheAlternativeThatMatched) {
  const std::string_view matcher =
      R"({"any_of": [{"closed": {}}, {"disconnect": {"reason_code": ["0x81", "0x82"]}}]})";
  Json chosen;
  EXPECT_TRUE(matches(matcher, packet(PacketType::disconnect, "e0 01 82", ProtocolVersion::v5),
                      nullptr, &chosen));
  EXPECT_EQ(chosen, Json::parse(R"({"disconnect": {"reason_code": ["0x81", "0x82"]}})"));
  EXPECT_TRUE(
      matches(matcher, closed(ConnectionEnded::Cause::server_disconnect), nullptr, &chosen));
  EXPECT_EQ(chosen, Json::parse(R"({"closed": {}})"));
}

TEST(MatchAnyOf, FirstMatchingAlternativeWins) {
  Json chosen;
  EXPECT_TRUE(matches(
      R"({"any_of": [{"closed": {"cause": "refused"}}, {"closed": {}},
                     {"closed": {"cause": "closed"}}]})",
      closed(ConnectionEnded::Cause::closed), nullptr, &chosen));
  EXPECT_EQ(chosen, Json::parse(R"({"closed": {}})"));
}

TEST(MatchAnyOf, NoneMatches) {
  std::string why;
  Json chosen = "untouched";
  EXPECT_FALSE(
      matches(R"({"any_of": [{"closed": {}}, {"disconnect": {"reason_code": ["0x81", "0x82"]}}]})",
              packet(PacketType::disconnect, "e0 01 8e", ProtocolVersion::v5), &why, &chosen));
  EXPECT_EQ(why, "none of the accepted outcomes");
  EXPECT_EQ(chosen, "untouched");
}

TEST(MatchAnyOf, Nested) {
  Json chosen;
  EXPECT_TRUE(matches(R"({"any_of": [{"any_of": [{"pingresp": {}}, {"closed": {}}]}]})",
                      closed(ConnectionEnded::Cause::closed), nullptr, &chosen));
  EXPECT_EQ(chosen, Json::parse(R"({"any_of": [{"pingresp": {}}, {"closed": {}}]})"));
}

TEST(MatcherKinds, Kinds) {
  EXPECT_EQ(matcher_kinds(Json::parse(R"({"publish": {"topic": "x"}})")),
            (std::vector<std::string>{"publish"}));
  EXPECT_EQ(
      matcher_kinds(Json::parse(
          R"({"any_of": [{"closed": {}}, {"any_of": [{"puback": {}}, {"disconnect": {}}]}]})")),
      (std::vector<std::string>{"closed", "puback", "disconnect"}));
}

TEST(PacketKind, LowerCaseNames) {
  EXPECT_EQ(packet_kind("connack"), PacketType::connack);
  EXPECT_EQ(packet_kind("pubrec"), PacketType::pubrec);
  EXPECT_EQ(packet_kind("auth"), PacketType::auth);
  EXPECT_EQ(packet_kind("closed"), std::nullopt);
  EXPECT_EQ(packet_kind("any_of"), std::nullopt);
}

}  // namespace
}  // namespace gauntlet::scenarios
