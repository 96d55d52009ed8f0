#include "gauntlet/fuzzer/sequence.hpp"

#include <gtest/gtest.h>

#include "gauntlet/fuzzer/broker_process.hpp"
#include "gauntlet/fuzzer/generator.hpp"

namespace gauntlet::fuzzer {
namespace {

TEST(Sequence, ScenarioRoundTripKeepsBytesClientsAndMutationFlags) {
  Generator generator(7, {});
  for (std::uint32_t i = 0; i < 50; ++i) {
    const Sequence sequence = generator.generate(i % 4);
    ScenarioOptions options;
    options.name = "corpus-" + std::to_string(i);
    const Json scenario = to_scenario(sequence, options);
    std::string error;
    const auto back = from_scenario(scenario, error);
    ASSERT_TRUE(back) << error;
    ASSERT_EQ(back->clients, sequence.clients);
    ASSERT_EQ(back->steps.size(), sequence.steps.size());
    for (std::size_t k = 0; k < sequence.steps.size(); ++k) {
      EXPECT_EQ(back->steps[k].action, sequence.steps[k].action);
      EXPECT_EQ(back->steps[k].client, sequence.steps[k].client);
      EXPECT_EQ(back->steps[k].bytes, sequence.steps[k].bytes);
      EXPECT_EQ(back->steps[k].mutated, sequence.steps[k].mutated);
    }
  }
}

TEST(Sequence, RepeatedReproducerReadsBackAsOnePass) {
  Sequence sequence;
  sequence.clients = {{codec::ProtocolVersion::v5}, {codec::ProtocolVersion::v3_1_1}};
  sequence.steps = {
      {Step::Action::open, 0, {}, std::nullopt, false, {}},
      {Step::Action::send, 0, {0xC0, 0x00}, codec::PacketType::pingreq, false, "ping"},
      {Step::Action::open, 1, {}, std::nullopt, false, {}},
      {Step::Action::drop, 1, {}, std::nullopt, false, {}}};
  ScenarioOptions options;
  options.name = "leak";
  options.repeat = 32;
  options.probe_ms = 2000;
  options.echoes = {{}, {codec::PacketType::pingresp, false}, {}, {}};
  const Json scenario = to_scenario(sequence, options);
  ASSERT_EQ(scenario["steps"].size(), 2U);  // the loop and the probe
  EXPECT_EQ(scenario["steps"][0]["loop"]["count"], 32);
  EXPECT_EQ(scenario["steps"][1]["client"], "probe");
  EXPECT_EQ(scenario["steps"][1]["expect"]["connack"]["reason_code"], 0);
  const Json& body = scenario["steps"][0]["loop"]["steps"];
  // open, send, expect pingresp, open, drop, then one closing drop per client
  ASSERT_EQ(body.size(), 7U);
  EXPECT_TRUE(body[2]["expect"].contains("pingresp"));
  std::string error;
  const auto back = from_scenario(scenario, error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, sequence);
}

TEST(Sequence, LabelsThatAreNotUtf8DoNotStopTheFile) {
  // A mutation's note may quote bytes that are not UTF-8 (a surrogate half, 0xBF alone): the file
  // is still written, with U+FFFD in the label, and reads back with the same bytes to send.
  Sequence sequence;
  sequence.clients = {{codec::ProtocolVersion::v5}};
  sequence.steps = {{Step::Action::open, 0, {}, std::nullopt, false, {}},
                    {Step::Action::send,
                     0,
                     {0x30, 0x03, 0x00, 0x01, 0xBF},
                     codec::PacketType::publish,
                     true,
                     std::string("field.utf8_edge \xBF\xED\xA0")}};
  ScenarioOptions options;
  options.name = "not-utf8";
  const Json scenario = to_scenario(sequence, options);
  EXPECT_THROW((void)scenario.dump(), nlohmann::json::type_error);
  const std::string text = scenario_file_text(scenario);
  EXPECT_NE(text.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD
  std::string error;
  const auto back = from_scenario(Json::parse(text), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->steps[1].bytes, sequence.steps[1].bytes);
}

TEST(Sequence, ErrorsNameThePath) {
  std::string error;
  EXPECT_FALSE(from_scenario(Json::parse(R"({"clients": {}})"), error));
  EXPECT_NE(error.find("clients"), std::string::npos);
  const Json bad_hex = Json::parse(
      R"({"clients": {"c0": {"protocol": "5"}}, "steps": [{"client": "c0", "send": {"hex": "zz"}}]})");
  EXPECT_FALSE(from_scenario(bad_hex, error));
  EXPECT_EQ(error, "steps[0].send.hex: not hex");
  const Json stranger =
      Json::parse(R"({"clients": {"c0": {}}, "steps": [{"client": "sub", "connect": {}}]})");
  EXPECT_FALSE(from_scenario(stranger, error));
  EXPECT_NE(error.find("steps[0].client"), std::string::npos);
}

TEST(CrashReport, TopFramesOfAnAddressSanitizerReport) {
  const std::string log =
      "1700000000: mosquitto version 2.0.11 starting\n"
      "=================================================================\n"
      "==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000f10 at pc 0x1\n"
      "READ of size 8 at 0x602000000f10 thread T0\n"
      "    #0 0x55d0c0de1a2b in RetainedAliasTable::release(unsigned short) broker.cpp:201\n"
      "    #1 0x55d0c0de2b3c in Qos2Flow::on_pubrel(unsigned short) broker.cpp:233:7\n"
      "    #2 0x55d0c0de3c4d in main broker.cpp:640\n"
      "    #3 0x55d0c0de3c4e in __libc_start_main\n"
      "freed by thread T0 here:\n"
      "    #0 0x55d0c0de9999 in free\n"
      "SUMMARY: AddressSanitizer: heap-use-after-free broker.cpp:201 in release\n"
      "after the summary\n";
  const CrashReport report = parse_crash_report(log);
  EXPECT_EQ(report.error, "AddressSanitizer: heap-use-after-free");
  EXPECT_EQ(report.top_frames,
            "RetainedAliasTable::release(unsigned short) | Qos2Flow::on_pubrel(unsigned short) | "
            "main");
  EXPECT_EQ(report.excerpt.find("==4242==ERROR"), 0U);
  EXPECT_EQ(report.excerpt.find("after the summary"), std::string::npos);
  EXPECT_TRUE(parse_crash_report("no report here\n").error.empty());
  const CrashReport ubsan =
      parse_crash_report("src/x.c:10:5: runtime error: signed integer overflow: 1 + 2147483647\n");
  EXPECT_EQ(ubsan.error.rfind("UndefinedBehaviorSanitizer: signed integer overflow", 0), 0U);
}

TEST(CrashReport, WaitStatusInWords) {
  EXPECT_EQ(describe_wait_status(6), "killed by SIGABRT");  // WIFSIGNALED, signal 6
  EXPECT_EQ(describe_wait_status(1 << 8), "exited with 1");
}

}  // namespace
}  // namespace gauntlet::fuzzer
