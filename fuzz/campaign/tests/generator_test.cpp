#include "gauntlet/fuzzer/generator.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "gauntlet/codec/codec.hpp"

namespace gauntlet::fuzzer {
namespace {

using codec::PacketType;

TEST(Generator, SameSeedSameSequences) {
  Generator a(42, {});
  Generator b(42, {});
  Generator c(43, {});
  bool differs = false;
  for (std::uint32_t i = 0; i < 200; ++i) {
    const Sequence x = a.generate(i % 16);
    ASSERT_EQ(x, b.generate(i % 16));
    const Sequence y = c.generate(i % 16);
    differs = differs || !(x == y);
    ASSERT_EQ(a.evolve(x, y, 3), b.evolve(x, y, 3));
    c.evolve(y, x, 3);
  }
  EXPECT_TRUE(differs);
}

TEST(Generator, EveryClientConnectsBeforeItSendsAnythingElse) {
  Generator generator(1, {});
  for (int n = 0; n < 300; ++n) {
    const Sequence s = generator.generate(0);
    ASSERT_FALSE(s.steps.empty());
    EXPECT_EQ(s.steps[0].action, Step::Action::open);
    std::map<std::uint8_t, int> state;  // 0 closed, 1 opened, 2 connect sent
    for (const Step& step : s.steps) {
      ASSERT_LT(step.client, s.clients.size());
      if (step.action == Step::Action::open) {
        state[step.client] = 1;
      } else if (step.action == Step::Action::drop) {
        state[step.client] = 0;
      } else {
        ASSERT_GE(state[step.client], 1) << step.note;
        if (state[step.client] == 1) {
          EXPECT_EQ(step.type, PacketType::connect) << step.note;
        }
        state[step.client] = step.type == PacketType::disconnect ? 0 : 2;
      }
    }
  }
}

TEST(Generator, UnmutatedPacketsAreValidAndTheStatefulPartsShowUp) {
  Generator generator(9, {});
  std::map<std::string, int> seen;
  int mutated = 0;
  int sends = 0;
  for (std::uint32_t n = 0; n < 500; ++n) {
    const Sequence s = generator.generate(n % 8);
    std::map<std::uint8_t, std::vector<std::uint16_t>> qos2;
    for (const Step& step : s.steps) {
      if (step.action != Step::Action::send) continue;
      ++sends;
      if (step.mutated) {
        ++mutated;
        continue;
      }
      codec::DecodeOptions options;
      options.version = s.clients[step.client].version;
      options.sender = codec::Sender::client;
      const codec::DecodeResult decoded = codec::decode(codec::ByteView(step.bytes), options);
      ASSERT_TRUE(decoded.ok()) << step.note << ": " << codec::to_hex(codec::ByteView(step.bytes));
      ASSERT_EQ(decoded.consumed(), step.bytes.size());
      if (step.note.find("alias=") != std::string::npos) ++seen["alias"];
      if (step.note.find(" will=") != std::string::npos) ++seen["will"];
      if (step.note.find(" resume") != std::string::npos) ++seen["resume"];
      if (step.note.find("$share/") != std::string::npos) ++seen["shared"];
      if (step.note.find("/+") != std::string::npos) ++seen["plus"];
      if (step.note == "auth") ++seen["auth"];
      if (const auto* publish = std::get_if<codec::Publish>(&decoded.packet())) {
        if (publish->qos == codec::QoS::exactly_once)
          qos2[step.client].push_back(publish->packet_id);
        if (publish->retain) ++seen["retain"];
      }
      if (const auto* pubrel = std::get_if<codec::Pubrel>(&decoded.packet())) {
        auto& ids = qos2[step.client];
        if (std::find(ids.begin(), ids.end(), pubrel->packet_id) != ids.end()) ++seen["pubrel"];
      }
    }
  }
  for (const char* part :
       {"alias", "will", "resume", "shared", "plus", "auth", "retain", "pubrel"}) {
    EXPECT_GT(seen[part], 10) << part;
  }
  // About a tenth of the packets are mutated (CONNECT less often).
  EXPECT_GT(mutated * 100, sends * 5);
  EXPECT_LT(mutated * 100, sends * 15);
}

TEST(Generator, LanesKeepSequencesApart) {
  Generator generator(5, {});
  Sequence s = generator.generate(3);
  auto text = [](const Sequence& seq) {
    std::string all;
    for (const Step& step : seq.steps)
      all.append(step.bytes.begin(), step.bytes.end());
    return all;
  };
  EXPECT_NE(text(s).find("L03"), std::string::npos);
  move_to_lane(s, 12);
  EXPECT_EQ(text(s).find("gf/L03"), std::string::npos);
  EXPECT_EQ(text(s).find("gfL03"), std::string::npos);
  EXPECT_NE(text(s).find("L12"), std::string::npos);
  EXPECT_EQ(lane_token(7), "L07");
}

}  // namespace
}  // namespace gauntlet::fuzzer
