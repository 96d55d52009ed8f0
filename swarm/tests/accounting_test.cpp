// Exact accounting: receipt logs (first copies, duplicates, order, uniting logs, the report form,
// far-off sequences), sinks, the fan-out of the subscription table and MQTT topic matching.
#include "gauntlet/swarm/accounting.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gauntlet::swarm {
namespace {

using Ranges = std::vector<std::pair<std::uint64_t, std::uint64_t>>;
using Outcome = ReceiptLog::Outcome;

// --- ReceiptLog
// -----------------------------------------------------------------------------------

TEST(ReceiptLog, FirstDuplicateAndOutOfOrder) {
  ReceiptLog log;
  auto r = log.record(0);
  EXPECT_EQ(r.outcome, Outcome::first);
  EXPECT_FALSE(r.out_of_order);
  r = log.record(2);
  EXPECT_EQ(r.outcome, Outcome::first);
  EXPECT_FALSE(r.out_of_order);  // a gap is not disorder
  r = log.record(1);
  EXPECT_EQ(r.outcome, Outcome::first);
  EXPECT_TRUE(r.out_of_order);  // below the highest seen before
  r = log.record(2);
  EXPECT_EQ(r.outcome, Outcome::duplicate);
  EXPECT_FALSE(r.out_of_order);
  EXPECT_EQ(log.distinct(), 3U);
  EXPECT_EQ(log.highest(), 2U);
  EXPECT_TRUE(log.contains(1));
  EXPECT_FALSE(log.contains(3));
  EXPECT_FALSE(log.contains(1'000'000));
  // Across a word boundary.
  EXPECT_EQ(log.record(64).outcome, Outcome::first);
  EXPECT_EQ(log.record(63).outcome, Outcome::first);
  EXPECT_EQ(log.record(64).outcome, Outcome::duplicate);
  EXPECT_EQ(log.distinct(), 5U);
}

TEST(ReceiptLog, RangesAndFromRangesRoundTrip) {
  ReceiptLog log;
  for (std::uint64_t s = 0; s < 10; ++s)
    log.record(s);
  for (std::uint64_t s = 60; s < 200; ++s)
    log.record(s);
  log.record(4096 + 7);
  log.record(5000);
  const Ranges expected = {{0, 10}, {60, 200}, {4103, 4104}, {5000, 5001}};
  EXPECT_EQ(log.ranges(), expected);
  const ReceiptLog back = ReceiptLog::from_ranges(expected);
  EXPECT_EQ(back.ranges(), expected);
  EXPECT_EQ(back.distinct(), log.distinct());
  EXPECT_EQ(back.highest(), 5000U);
  EXPECT_TRUE(ReceiptLog().ranges().empty());
  // Unsorted, overlapping and empty ranges are read as the set they describe.
  const ReceiptLog messy = ReceiptLog::from_ranges({{70, 130}, {5, 5}, {0, 64}, {60, 80}});
  EXPECT_EQ(messy.ranges(), (Ranges{{0, 130}}));
  EXPECT_EQ(messy.distinct(), 130U);
}

TEST(ReceiptLog, RangesOfEveryShapeRoundTrip) {
  // Runs of every length and alignment around word boundaries.
  ReceiptLog log;
  Ranges expected;
  std::uint64_t at = 3;
  for (std::uint64_t length = 1; length < 140; length += 7) {
    for (std::uint64_t s = at; s < at + length; ++s)
      log.record(s);
    expected.emplace_back(at, at + length);
    at += length + 1 + length % 5;
  }
  EXPECT_EQ(log.ranges(), expected);
  EXPECT_EQ(ReceiptLog::from_ranges(expected).ranges(), expected);
}

TEST(ReceiptLog, UniteCountsTheOverlap) {
  ReceiptLog a = ReceiptLog::from_ranges({{0, 100}});
  const ReceiptLog b = ReceiptLog::from_ranges({{90, 150}, {1'000'000, 1'000'002}});
  EXPECT_EQ(a.unite(b), 10U);  // 90..99 were in both
  EXPECT_EQ(a.distinct(), 152U);
  EXPECT_EQ(a.ranges(), (Ranges{{0, 150}, {1'000'000, 1'000'002}}));
  EXPECT_EQ(a.highest(), 1'000'001U);
  EXPECT_EQ(a.unite(b), 62U);  // all of b again
  EXPECT_EQ(a.distinct(), 152U);
  ReceiptLog empty;
  EXPECT_EQ(empty.unite(a), 0U);
  EXPECT_EQ(empty.ranges(), a.ranges());
}

TEST(ReceiptLog, AHugeSequenceDoesNotAllocateGigabytes) {
  ReceiptLog log;
  log.record(0);
  log.record(1);
  // A corrupt stamp's sequence, or a sink that missed billions of messages in a row.
  const std::uint64_t far = std::uint64_t{1} << 62U;
  auto r = log.record(far);
  EXPECT_EQ(r.outcome, Outcome::first);
  EXPECT_LT(log.memory_bytes(), std::size_t{64} * 1024);
  EXPECT_TRUE(log.contains(far));
  EXPECT_FALSE(log.contains(far + 1));
  EXPECT_EQ(log.record(far).outcome, Outcome::duplicate);
  EXPECT_EQ(log.record(~std::uint64_t{0}).outcome, Outcome::first);
  EXPECT_EQ(log.highest(), ~std::uint64_t{0});
  EXPECT_EQ(log.distinct(), 4U);
  EXPECT_LT(log.memory_bytes(), std::size_t{64} * 1024);
  // Messages after the far one are still counted exactly, one bit each.
  for (std::uint64_t s = far + 1; s < far + 10'000; ++s)
    EXPECT_EQ(log.record(s).outcome, Outcome::first);
  EXPECT_LT(log.memory_bytes(), std::size_t{64} * 1024);
  const auto ranges = log.ranges();
  // 2^64 - 1 has no half-open range [first, 2^64): the report form leaves it out.
  EXPECT_EQ(ranges, (Ranges{{0, 2}, {far, far + 10'000}}));
}

TEST(ReceiptLog, AGapClosedFromBelowFoldsTheSparseBlocksIn) {
  ReceiptLog log;
  const std::uint64_t jump = ReceiptLog::max_dense_jump;
  log.record(jump + 5);  // beyond the reach of the (empty) bitset: a sparse block
  const std::size_t sparse = log.memory_bytes();
  EXPECT_LE(sparse, std::size_t{4096});
  // Sequences coming up from 0 grow the bitset until it covers the block.
  for (std::uint64_t s = 0; s < jump + 5000; s += 1000)
    log.record(s);
  EXPECT_GT(log.memory_bytes(), jump / 8);  // the bitset reaches past the block now
  log.record(jump + 6);
  EXPECT_TRUE(log.contains(jump + 5));
  EXPECT_TRUE(log.contains(jump + 6));
  EXPECT_EQ(log.record(jump + 5).outcome, Outcome::duplicate);
  const auto ranges = log.ranges();
  EXPECT_NE(std::find(ranges.begin(), ranges.end(),
                      std::pair<std::uint64_t, std::uint64_t>{jump + 5, jump + 7}),
            ranges.end());
  EXPECT_TRUE(std::is_sorted(ranges.begin(), ranges.end()));
  EXPECT_EQ(log.distinct(), (jump + 5000 + 999) / 1000 + 2);
}

TEST(SinkReceipts, CountsDeliveriesDuplicatesAndDisorderPerPublisher) {
  SinkReceipts sink;
  EXPECT_TRUE(sink.record(1, 0));
  EXPECT_TRUE(sink.record(1, 2));
  EXPECT_TRUE(sink.record(2, 0));  // another publisher's sequence 0
  EXPECT_TRUE(sink.record(1, 1));  // late
  EXPECT_FALSE(sink.record(1, 2));
  EXPECT_EQ(sink.counts.delivered, 4U);
  EXPECT_EQ(sink.counts.duplicated, 1U);
  EXPECT_EQ(sink.counts.out_of_order, 1U);
  EXPECT_EQ(sink.counts.expected, 0U);
}

// --- topic matching
// -------------------------------------------------------------------------------

struct MatchCase {
  const char* filter;
  const char* topic;
  bool matches;
};

TEST(TopicMatches, TheCasesOfTheSpecification) {
  // MQTT 3.1.1 §4.7.1 / 5.0 §4.7.1 (their examples), §4.7.2 ('$' topics) and invalid input.
  const MatchCase cases[] = {
      {"sport/tennis/player1", "sport/tennis/player1", true},
      {"sport/tennis/player1", "sport/tennis/player2", false},
      {"sport/tennis/player1", "sport/tennis/player1/ranking", false},
      {"sport/tennis/player1/#", "sport/tennis/player1", true},
      {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
      {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
      {"sport/#", "sport", true},
      {"sport/#", "sports", false},
      {"#", "sport/tennis", true},
      {"#", "/", true},
      {"sport/tennis/+", "sport/tennis/player1", true},
      {"sport/tennis/+", "sport/tennis/player1/tournament", false},
      {"sport/+", "sport", false},
      {"sport/+", "sport/", true},  // '+' matches an empty level
      {"+/+", "/finance", true},
      {"/+", "/finance", true},
      {"+", "/finance", false},
      {"+/tennis/#", "sport/tennis/player1", true},
      {"+/tennis/#", "sport/tennis", true},
      {"+/+/+", "a//c", true},
      {"a/+/c", "a//c", true},
      {"a//c", "a//c", true},
      {"a/b", "a/b/", false},
      {"a/b/", "a/b/", true},
      {"a/b/+", "a/b/", true},
      {"A/b", "a/b", false},  // case-sensitive
      // '$' topics: no match for a filter starting with a wildcard.
      {"#", "$SYS/broker/uptime", false},
      {"+/monitor/Clients", "$SYS/monitor/Clients", false},
      {"$SYS/#", "$SYS/monitor/Clients", true},
      {"$SYS/monitor/+", "$SYS/monitor/Clients", true},
      {"$SYS/#", "$SYS", true},
      {"a/#", "a/$b", true},  // only a first-level '$' is special
      // Invalid filters match nothing.
      {"sport/tennis#", "sport/tennis", false},
      {"sport/tennis/#/ranking", "sport/tennis/x/ranking", false},
      {"sport+", "sport+", false},
      {"sport/+x", "sport/+x", false},
      {"", "a", false},
      // Topic names carry no wildcards, and are not empty.
      {"a/+", "a/+", false},
      {"#", "a/#", false},
      {"#", "", false},
  };
  for (const MatchCase& c : cases)
    EXPECT_EQ(topic_matches(c.filter, c.topic), c.matches) << c.filter << " vs " << c.topic;
}

// --- SubscriptionTable ------------------------------------------------------------------------

TEST(SubscriptionTable, OverlappingFiltersCountOneSinkPerClientAtItsHighestQos) {
  SubscriptionTable table;
  table.add(1, "fleet/+/temp", 0, "");
  table.add(1, "fleet/#", 2, "");
  table.add(1, "fleet/7/temp", 1, "");
  table.add(2, "fleet/+/temp", 0, "");
  table.add(3, "fleet/7/temp", 1, "");
  table.add(3, "other/#", 2, "");
  // Client 1: QoS 2 (fleet/#) capped at the publish QoS; client 2: QoS 0; client 3: QoS 1.
  EXPECT_EQ(table.fanout("fleet/7/temp", 2), (Fanout{1, 1, 1}));
  EXPECT_EQ(table.fanout("fleet/7/temp", 1), (Fanout{1, 2, 0}));
  EXPECT_EQ(table.fanout("fleet/7/temp", 0), (Fanout{3, 0, 0}));
  EXPECT_EQ(table.fanout("fleet/8/temp", 2), (Fanout{1, 0, 1}));
  EXPECT_EQ(table.fanout("fleet/8/humidity", 1), (Fanout{0, 1, 0}));
  EXPECT_EQ(table.fanout("nobody/listens", 2), (Fanout{0, 0, 0}));
  // Subscribing again changes nothing.
  table.add(2, "fleet/+/temp", 0, "");
  EXPECT_EQ(table.fanout("fleet/7/temp", 2), (Fanout{1, 1, 1}));
}

TEST(SubscriptionTable, ASharedGroupIsOneSinkPerFilter) {
  SubscriptionTable table;
  for (std::uint64_t member = 0; member < 8; ++member)
    table.add(member, "jobs/#", 1, "pool");
  table.add(100, "jobs/#", 2, "other-pool");
  table.add(101, "jobs/+", 0, "pool");  // another filter: another shared subscription
  table.add(102, "jobs/#", 1, "");      // and a plain subscriber
  EXPECT_EQ(table.fanout("jobs/1", 2), (Fanout{1, 2, 1}));
  EXPECT_EQ(table.fanout("jobs/1/x", 2), (Fanout{0, 2, 1}));
  EXPECT_EQ(table.fanout("jobs/1", 1), (Fanout{1, 3, 0}));
  // A member asking for a higher QoS raises the group's.
  table.add(9, "jobs/#", 2, "pool");
  EXPECT_EQ(table.fanout("jobs/1/x", 2), (Fanout{0, 1, 2}));
}

TEST(SubscriptionTable, DollarTopicsAndExactFilters) {
  SubscriptionTable table;
  table.add(1, "#", 1, "");
  table.add(2, "$SYS/broker/load", 1, "");
  table.add(3, "+/broker/load", 1, "");
  table.add(4, "$SYS/#", 0, "");
  EXPECT_EQ(table.fanout("$SYS/broker/load", 1), (Fanout{1, 1, 0}));  // clients 4 and 2
  EXPECT_EQ(table.fanout("x/broker/load", 1), (Fanout{0, 2, 0}));     // clients 1 and 3
}

TEST(SubscriptionTable, ExactAndWildcardMix) {
  SubscriptionTable table;
  table.add(1, "a/b", 1, "");
  table.add(2, "a/b", 1, "");
  table.add(2, "a/+", 2, "");
  table.add(3, "a/c", 0, "");
  table.add(4, "a/b", 0, "");
  EXPECT_EQ(table.fanout("a/b", 2), (Fanout{1, 1, 1}));
  EXPECT_EQ(table.fanout("a/c", 2), (Fanout{1, 0, 1}));
  EXPECT_EQ(table.size(), 4U);
}

TEST(SubscriptionTable, OneHundredThousandExactFilters) {
  // A fleet where each device listens on its own topic: each lookup finds its filter by hash
  // rather than comparing 100k filters (this loop would take minutes otherwise).
  SubscriptionTable table;
  const std::uint64_t devices = 100'000;
  for (std::uint64_t i = 0; i < devices; ++i)
    table.add(i, "fleet/" + std::to_string(i) + "/cmd", 1, "");
  table.add(devices, "fleet/+/cmd", 0, "");  // one wildcard listener
  for (std::uint64_t i = 0; i < devices; ++i) {
    const Fanout fanout = table.fanout("fleet/" + std::to_string(i) + "/cmd", 1);
    if (fanout != Fanout{1, 1, 0}) FAIL() << "device " << i;
  }
  EXPECT_EQ(table.fanout("fleet/x/cmd", 2), (Fanout{1, 0, 0}));
}

}  // namespace
}  // namespace gauntlet::swarm
