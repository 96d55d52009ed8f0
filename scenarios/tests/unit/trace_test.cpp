// PacketTrace: whole packets cut out of arbitrary slices of each direction's byte stream, the last
// N kept, and their report form; describe_failure's readable account of a failing case.
#include "gauntlet/scenarios/trace.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_support.hpp"

namespace gauntlet::scenarios {
namespace {

using codec::ProtocolVersion;
using testing::bytes;

constexpr bool outbound = true;
constexpr bool inbound = false;

void record(PacketTrace& trace, bool direction, std::string_view hex, double at_ms) {
  const auto data = bytes(hex);
  trace.record(direction, codec::ByteView(data), at_ms);
}

std::vector<std::string> hexes(const reports::ClientTrace& report) {
  std::vector<std::string> out;
  for (const reports::PacketRecord& packet : report.packets)
    out.push_back(packet.hex);
  return out;
}

TEST(PacketTrace, PacketSplitOverThreeRecords) {
  PacketTrace trace(10);
  record(trace, inbound, "33", 1);
  record(trace, inbound, "09 00 03 61", 2);
  EXPECT_TRUE(trace.empty()) << "no whole packet yet";
  record(trace, inbound, "2f 62 00 07 68 69", 3);
  ASSERT_FALSE(trace.empty());
  const reports::ClientTrace report = trace.to_report("sub[0]", ProtocolVersion::v3_1_1);
  EXPECT_EQ(report.client, "sub[0]");
  ASSERT_EQ(report.packets.size(), 1U);
  const reports::PacketRecord& packet = report.packets[0];
  EXPECT_FALSE(packet.outbound);
  EXPECT_DOUBLE_EQ(packet.at_ms, 3);
  EXPECT_EQ(packet.hex, "33 09 00 03 61 2f 62 00 07 68 69");
  EXPECT_EQ(packet.decoded["type"], "PUBLISH");
  EXPECT_EQ(packet.decoded["topic"], "a/b");
  EXPECT_EQ(packet.decoded["packet_id"], 7);
  EXPECT_EQ(packet.decoded["payload"]["text"], "hi");
}

TEST(PacketTrace, RemainingLengthSplitBetweenRecords) {
  // A 130-byte body: the Remaining Length takes two bytes, and the slices cut between them.
  PacketTrace trace(10);
  record(trace, outbound, "30 82", 1);
  record(trace, outbound, "01 00 01 74", 2);
  EXPECT_TRUE(trace.empty());
  const std::vector<std::uint8_t> rest(127, 0x78);
  trace.record(outbound, codec::ByteView(rest), 3);
  const auto report = trace.to_report("c", ProtocolVersion::v3_1_1);
  ASSERT_EQ(report.packets.size(), 1U);
  EXPECT_EQ(report.packets[0].decoded["topic"], "t");
  EXPECT_EQ(report.packets[0].decoded["payload"]["length"], 127);
}

TEST(PacketTrace, TwoPacketsInOneRecord) {
  PacketTrace trace(10);
  record(trace, outbound, "c0 00 e0 00", 5);
  const auto report = trace.to_report("c", ProtocolVersion::v3_1_1);
  EXPECT_EQ(hexes(report), (std::vector<std::string>{"c0 00", "e0 00"}));
  EXPECT_EQ(report.packets[0].decoded["type"], "PINGREQ");
  EXPECT_EQ(report.packets[1].decoded["type"], "DISCONNECT");
  EXPECT_TRUE(report.packets[0].outbound);
  EXPECT_DOUBLE_EQ(report.packets[1].at_ms, 5);
}

TEST(PacketTrace, PacketsAcrossRecordBoundaries) {
  PacketTrace trace(10);
  record(trace, inbound, "d0 00 20", 1);
  record(trace, inbound, "02 00 00 90 03 00", 2);
  record(trace, inbound, "01 01", 3);
  const auto report = trace.to_report("c", ProtocolVersion::v3_1_1);
  EXPECT_EQ(hexes(report), (std::vector<std::string>{"d0 00", "20 02 00 00", "90 03 00 01 01"}));
  EXPECT_EQ(report.packets[1].decoded["type"], "CONNACK");
  EXPECT_EQ(report.packets[2].decoded["type"], "SUBACK");
}

TEST(PacketTrace, DirectionsAreCutSeparately) {
  PacketTrace trace(10);
  record(trace, outbound, "c0", 1);
  record(trace, inbound, "d0 00", 2);
  record(trace, outbound, "00", 3);
  const auto report = trace.to_report("c", ProtocolVersion::v3_1_1);
  ASSERT_EQ(report.packets.size(), 2U);
  EXPECT_FALSE(report.packets[0].outbound);
  EXPECT_EQ(report.packets[0].decoded["type"], "PINGRESP");
  EXPECT_TRUE(report.packets[1].outbound);
  EXPECT_EQ(report.packets[1].decoded["type"], "PINGREQ");
}

TEST(PacketTrace, KeepsOnlyTheLastN) {
  PacketTrace trace(3);
  for (int i = 1; i <= 5; ++i)
    record(trace, outbound, "c0 00", i);
  const auto report = trace.to_report("c", ProtocolVersion::v3_1_1);
  ASSERT_EQ(report.packets.size(), 3U);
  EXPECT_DOUBLE_EQ(report.packets[0].at_ms, 3);
  EXPECT_DOUBLE_EQ(report.packets[1].at_ms, 4);
  EXPECT_DOUBLE_EQ(report.packets[2].at_ms, 5);
}

TEST(PacketTrace, KeepsOnlyTheLastNFromOneRecord) {
  PacketTrace trace(2);
  record(trace, outbound, "c0 00 e0 00 c0 00 30 02 00 00", 1);
  EXPECT_EQ(hexes(trace.to_report("c", ProtocolVersion::v3_1_1)),
            (std::vector<std::string>{"c0 00", "30 02 00 00"}));
}

TEST(PacketTrace, MalformedRemainingLengthIsOneChunk) {
  // Five continuation bytes: no Remaining Length ends; what came is shown as one chunk.
  PacketTrace trace(10);
  record(trace, outbound, "30 ff ff ff ff ff", 1);
  auto report = trace.to_report("c", ProtocolVersion::v3_1_1);
  ASSERT_EQ(report.packets.size(), 1U);
  EXPECT_EQ(report.packets[0].hex, "30 ff ff ff ff ff");
  EXPECT_TRUE(report.packets[0].decoded.contains("error")) << report.packets[0].decoded.dump();
  // The trace goes on with the packets after it.
  record(trace, outbound, "c0 00", 2);
  report = trace.to_report("c", ProtocolVersion::v3_1_1);
  EXPECT_EQ(hexes(report), (std::vector<std::string>{"30 ff ff ff ff ff", "c0 00"}));
}

TEST(PacketTrace, MalformedRemainingLengthTakesTheWholeRecord) {
  PacketTrace trace(10);
  record(trace, outbound, "30 80 80 80 80 01 61", 1);
  EXPECT_EQ(hexes(trace.to_report("c", ProtocolVersion::v3_1_1)),
            (std::vector<std::string>{"30 80 80 80 80 01 61"}));
}

TEST(PacketTrace, IncompletePacketIsNotShown) {
  PacketTrace trace(10);
  record(trace, inbound, "30 0a 00 01", 1);
  EXPECT_TRUE(trace.empty());
  EXPECT_TRUE(trace.to_report("c", ProtocolVersion::v3_1_1).packets.empty());
}

TEST(PacketTrace, UndecodablePacketIsStillShown) {
  PacketTrace trace(10);
  record(trace, inbound, "20 01 00", 1);
  const auto report = trace.to_report("c", ProtocolVersion::v3_1_1);
  ASSERT_EQ(report.packets.size(), 1U);
  EXPECT_EQ(report.packets[0].hex, "20 01 00");
  ASSERT_TRUE(report.packets[0].decoded.contains("error"));
  EXPECT_TRUE(report.packets[0].decoded["error"].contains("description"));
}

TEST(PacketTrace, DecodesAtTheGivenVersion) {
  PacketTrace trace(10);
  record(trace, inbound, "20 03 00 87 00", 1);
  const auto report = trace.to_report("c", ProtocolVersion::v5);
  ASSERT_EQ(report.packets.size(), 1U);
  EXPECT_EQ(report.packets[0].decoded["reason_code"], 0x87);
  EXPECT_EQ(report.packets[0].decoded["reason"], "not_authorized");
}

TEST(PacketTrace, LongPacketsShowTheirFirst256Bytes) {
  std::vector<std::uint8_t> packet = bytes("30 b0 02 00 01 74");  // Remaining Length 304
  packet.resize(3 + 304, 0x41);
  PacketTrace trace(10);
  trace.record(outbound, codec::ByteView(packet), 1);
  const auto report = trace.to_report("c", ProtocolVersion::v3_1_1);
  ASSERT_EQ(report.packets.size(), 1U);
  const std::string& shown = report.packets[0].hex;
  EXPECT_EQ(shown.rfind("30 b0 02 00 01 74 41", 0), 0U);
  EXPECT_EQ(shown.substr(shown.size() - 4), " ...");
  EXPECT_EQ(shown.size(), 256 * 3 - 1 + 4) << "256 bytes, spaced, then \" ...\"";
  EXPECT_EQ(report.packets[0].decoded["payload"]["length"], 301) << "decoded in full";
}

// --- describe_failure ---------------------------------------------------------------------------

reports::Case failing_case() {
  reports::Case failed;
  failed.id = "s";
  failed.verdict = reports::Verdict::fail;
  failed.detail = "the scenario failed at steps[3]";
  reports::Mismatch mismatch;
  mismatch.step = "steps[3] (sub: expect publish)";
  mismatch.client = "sub[0]";
  mismatch.expected = Json::parse(R"({"publish": {"topic": "a", "qos": 1}})");
  mismatch.received.push_back(Json::parse(
      R"({"type": "PUBLISH", "dup": false, "qos": 0, "retain": false, "topic": "b",
          "payload": {"length": 2, "hex": "6869", "text": "hi"}, "sequence": 4})"));
  mismatch.received.push_back(Json::parse(R"({"type": "CLOSED", "cause": "server_disconnect"})"));
  mismatch.reason = "no matching PUBLISH within 100 ms";
  failed.mismatches.push_back(mismatch);
  failed.findings.push_back({"MQTT-3.3.1-1", "a retained message with DUP", "sub[0]", "38 00"});
  PacketTrace trace(10);
  record(trace, outbound, "82 06 00 01 00 01 61 01", 1.5);
  record(trace, inbound, "90 03 00 01 01", 2.5);
  record(trace, inbound, "20 01 00", 3);
  failed.traces.push_back(trace.to_report("sub[0]", codec::ProtocolVersion::v3_1_1));
  return failed;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(DescribeFailure, ExpectedAndReceivedFieldByField) {
  const std::string text = describe_failure(failing_case());
  EXPECT_EQ(text.rfind("the scenario failed at steps[3]\n", 0), 0U) << text;
  EXPECT_TRUE(contains(text, "step steps[3] (sub: expect publish)\n")) << text;
  EXPECT_TRUE(contains(text, "  no matching PUBLISH within 100 ms\n")) << text;
  EXPECT_TRUE(contains(text, R"(  expected: {"publish":{"topic":"a","qos":1}})")) << text;
  EXPECT_TRUE(contains(text, "  received (not yet consumed, oldest first):\n")) << text;
  EXPECT_TRUE(contains(text, "    PUBLISH ")) << text;
  EXPECT_TRUE(contains(text, "      topic: \"b\"\n")) << text;
  EXPECT_TRUE(contains(text, "      qos: 0\n")) << text;
  EXPECT_FALSE(contains(text, "sequence:")) << "bookkeeping fields are left out: " << text;
  EXPECT_TRUE(contains(text, R"(    {"type":"CLOSED","cause":"server_disconnect"})")) << text;
  EXPECT_TRUE(contains(text, "      cause: \"server_disconnect\"\n")) << text;
}

TEST(DescribeFailure, Findings) {
  const std::string text = describe_failure(failing_case());
  EXPECT_TRUE(contains(text, "finding [MQTT-3.3.1-1] sub[0]: a retained message with DUP\n"))
      << text;
  EXPECT_TRUE(contains(text, "    bytes: 38 00\n")) << text;
}

TEST(DescribeFailure, LastPacketsOfEachClient) {
  const std::string text = describe_failure(failing_case());
  const auto section = text.find("last packets of sub[0]:\n");
  ASSERT_NE(section, std::string::npos) << text;
  const std::string packets = text.substr(section);
  EXPECT_TRUE(contains(packets, "      1.5 ms -> SUBSCRIBE")) << packets;
  EXPECT_TRUE(contains(packets, "82 06 00 01 00 01 61 01\n")) << packets;
  EXPECT_TRUE(contains(packets, "      2.5 ms <- SUBACK")) << packets;
  EXPECT_TRUE(contains(packets, "90 03 00 01 01\n")) << packets;
  EXPECT_TRUE(contains(packets, "<- undecodable: ")) << packets;
  EXPECT_TRUE(contains(packets, "20 01 00\n")) << packets;
  // In the order they were recorded.
  EXPECT_LT(packets.find("SUBSCRIBE"), packets.find("SUBACK"));
  EXPECT_LT(packets.find("SUBACK"), packets.find("undecodable"));
}

TEST(DescribeFailure, NothingReceived) {
  reports::Case failed;
  reports::Mismatch mismatch;
  mismatch.step = "steps[1]";
  mismatch.reason = "no CONNACK within 5000 ms";
  mismatch.expected = Json::parse(R"({"connack": {}})");
  failed.mismatches.push_back(mismatch);
  const std::string text = describe_failure(failed);
  EXPECT_EQ(text.rfind("step steps[1]\n", 0), 0U) << text;
  EXPECT_TRUE(contains(text, "  received: nothing\n")) << text;
  EXPECT_FALSE(contains(text, "last packets of")) << text;
}

TEST(DescribeFailure, SkipReasonOnly) {
  reports::Case skipped;
  skipped.detail = "the profile has no \"mtls\" endpoint";
  EXPECT_EQ(describe_failure(skipped), "the profile has no \"mtls\" endpoint");
}

}  // namespace
}  // namespace gauntlet::scenarios
