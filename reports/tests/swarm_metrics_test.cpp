// Swarm metrics: report.json's "metrics" both ways, the exact merge of shards (counts, histograms,
// series, shared-subscription receipts), SLO evaluation, the swarm cases and merge_reports.
#include "gauntlet/reports/swarm_metrics.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "gauntlet/reports/report.hpp"
#include "samples.hpp"

namespace gauntlet::reports {
namespace {

using Json = nlohmann::ordered_json;

std::vector<std::string> keys(const Json& object) {
  std::vector<std::string> out;
  for (const auto& [key, value] : object.items())
    out.push_back(key);
  return out;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A small shard with round numbers, so that sums are easy to check by hand.
SwarmMetrics shard(std::uint32_t index, std::uint32_t count, std::uint64_t scale) {
  SwarmMetrics m;
  m.scenario = "fleet";
  m.measured_s = 10.0 + static_cast<double>(index);
  m.publishing = {.published = 100 * scale,
                  .acknowledged = 60 * scale,
                  .refused = 1,
                  .abandoned = 2,
                  .behind_schedule = 3};
  m.by_qos[0] = {
      .expected = 40 * scale, .delivered = 39 * scale, .duplicated = 0, .out_of_order = 1};
  m.by_qos[1] = {
      .expected = 40 * scale, .delivered = 40 * scale, .duplicated = 2, .out_of_order = 0};
  m.by_qos[2] = {
      .expected = 20 * scale, .delivered = 20 * scale, .duplicated = 0, .out_of_order = 0};
  m.connections = {.attempted = 10 * scale,
                   .succeeded = 9 * scale,
                   .failed = scale,
                   .peak = 9 * scale,
                   .reconnects = 1,
                   .dropped = 1,
                   .subscribe_failed = 0};
  for (std::uint64_t i = 0; i < 100 * scale; ++i)
    m.end_to_end.record(500 + i * 37 % 4000);
  m.connect.record(3000 * scale);
  m.subscribe.record(400);
  m.ack_qos1.record(900);
  m.ack_qos2.record(1800);
  for (std::uint64_t second = index; second < index + 3; ++second) {
    SecondSample s;
    s.second = second;
    s.connections = 9 * scale;
    s.connects = scale;
    s.published = 10 * scale;
    s.delivered = 10 * scale;
    s.acknowledged = 6 * scale;
    s.inflight = second;
    s.latency.record(700 + second, 10 * scale);
    m.series.push_back(s);
  }
  m.slos = {SloResult{"p99_latency_ms", 50, 0, true}, SloResult{"loss", 0, 0, true}};
  m.resources = {.cpu_user_s = 1.5,
                 .cpu_system_s = 0.5,
                 .max_rss_kib = 1000,
                 .threads = 2,
                 .broker_cpu_s = 3.0 + index};
  m.shards = {ShardInfo{.index = index, .count = count, .seed = 40 + index, .complete = true}};
  m.plan = Json{{"clients", 10 * count}};
  m.notes = {"same note in every shard"};
  evaluate_slos(m);
  return m;
}

// --- JSON
// ------------------------------------------------------------------------------------------

TEST(SwarmMetricsJson, StartsWithTheContractFields) {
  const SwarmMetrics m = shard(0, 1, 1);
  const Json j = to_json(m);
  const std::vector<std::string> all = keys(j);
  EXPECT_EQ(std::vector<std::string>(all.begin(), all.begin() + 8),
            (std::vector<std::string>{"published", "delivered", "expected", "lost", "duplicated",
                                      "out_of_order", "latency_us", "connections"}));
  EXPECT_EQ(j["published"], 100);
  EXPECT_EQ(j["delivered"], 99);
  EXPECT_EQ(j["expected"], 100);
  EXPECT_EQ(j["lost"], 0);  // QoS 1/2 only
  EXPECT_EQ(j["lost_qos0"], 1);
  EXPECT_EQ(j["duplicated"], 2);
  EXPECT_EQ(j["out_of_order"], 1);
  EXPECT_EQ(j["latency_us"]["p99"], m.end_to_end.percentile(99));
  EXPECT_EQ(j["latency_us"]["max"], m.end_to_end.max());
  EXPECT_EQ(j["connections"]["failed"], 1);
  EXPECT_EQ(j["throughput_per_s"], 9.9);
  EXPECT_EQ(j["by_qos"]["0"]["lost"], 1);
  EXPECT_EQ(j["histograms"]["end_to_end"]["p50"], m.end_to_end.percentile(50));
  EXPECT_EQ(j["histograms"]["end_to_end"]["sub_bucket_bits"], 7);
  EXPECT_EQ(j["series"][1]["latency_us"]["p99"], 701);
  EXPECT_EQ(j["resources"]["cpu_us_per_delivered"], 2.0 * 1e6 / 99);
  EXPECT_EQ(j["resources"]["broker_cpu_us_per_delivered"], 3.0 * 1e6 / 99);
  EXPECT_EQ(j["slos"][0], (Json{{"name", "p99_latency_ms"},
                                {"limit", 50.0},
                                {"measured", m.slos[0].measured},
                                {"passed", true}}));
  EXPECT_FALSE(j.contains("shared"));  // empty: left out
  EXPECT_EQ(j["plan"]["clients"], 10);
}

TEST(SwarmMetricsJson, RoundTrips) {
  std::vector<SwarmMetrics> all = {shard(0, 1, 1), shard(1, 3, 5), *samples::swarm().metrics,
                                   *samples::swarm_shard(1, 2).metrics,
                                   *samples::swarm_merged().metrics};
  SwarmMetrics bare;  // nothing measured at all
  bare.shards = {ShardInfo{}};
  all.push_back(bare);
  for (const SwarmMetrics& m : all) {
    const Json once = to_json(m);
    std::string error;
    const auto back = swarm_metrics_from_json(once, error);
    ASSERT_TRUE(back) << m.scenario << ": " << error;
    EXPECT_EQ(*back, m) << m.scenario;
    EXPECT_EQ(to_json(*back), once) << m.scenario;
    // Through text too: doubles survive printing.
    const auto parsed = swarm_metrics_from_json(Json::parse(once.dump()), error);
    ASSERT_TRUE(parsed) << error;
    EXPECT_EQ(to_json(*parsed), once) << m.scenario;
  }
}

TEST(SwarmMetricsJson, DerivedFieldsAreRecomputedNotRead) {
  const SwarmMetrics m = shard(0, 1, 1);
  Json j = to_json(m);
  j["lost"] = 12345;
  j["delivered"] = 1;
  j["throughput_per_s"] = 1e9;
  j["latency_us"]["p99"] = 1;
  j["by_qos"]["1"]["lost"] = 40;
  j["slos"][0]["passed"] = false;
  j["slos"][0]["measured"] = 1e6;
  j["resources"]["cpu_us_per_delivered"] = 0;
  j["histograms"]["connect"]["p99"] = 0;
  std::string error;
  const auto back = swarm_metrics_from_json(j, error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, m);
  EXPECT_EQ(to_json(*back), to_json(m));
}

struct Bad {
  const char* what;
  std::function<void(Json&)> edit;
  const char* error;
};

TEST(SwarmMetricsJson, RejectsBadDocumentsNamingTheField) {
  const std::vector<Bad> cases = {
      {"not an object", [](Json& j) { j = 3; }, "metrics: expected an object"},
      {"no scenario", [](Json& j) { j.erase("scenario"); },
       "missing required field \"metrics.scenario\""},
      {"negative measured_s", [](Json& j) { j["measured_s"] = -1; },
       "metrics.measured_s: expected a number >= 0"},
      {"no QoS 1 class", [](Json& j) { j["by_qos"].erase("1"); },
       "missing required field \"metrics.by_qos.1\""},
      {"a QoS 3 class", [](Json& j) { j["by_qos"]["3"] = j["by_qos"]["0"]; },
       "metrics.by_qos.3: expected QoS 0, 1 or 2"},
      {"negative expected", [](Json& j) { j["by_qos"]["2"]["expected"] = -4; },
       "metrics.by_qos.2.expected: expected an integer >= 0"},
      {"no publishing", [](Json& j) { j.erase("publishing"); },
       "missing required field \"metrics.publishing\""},
      {"connections without dropped", [](Json& j) { j["connections"].erase("dropped"); },
       "missing required field \"metrics.connections.dropped\""},
      {"no connect histogram", [](Json& j) { j["histograms"].erase("connect"); },
       "missing required field \"metrics.histograms.connect\""},
      {"another bucket layout",
       [](Json& j) { j["histograms"]["end_to_end"]["sub_bucket_bits"] = 6; },
       "metrics.histograms.end_to_end.sub_bucket_bits: expected 7"},
      {"a bucket out of range",
       [](Json& j) { j["series"][1]["histogram"]["buckets"][0][0] = 99999; },
       "metrics.series[1].histogram.buckets[0]: bucket index 99999 is out of range"},
      {"seconds going back", [](Json& j) { j["series"][2]["second"] = 0; },
       "metrics.series[2].second: seconds must increase: 0 after 1"},
      {"an unknown SLO", [](Json& j) { j["slos"][1]["name"] = "p42_latency_ms"; },
       "metrics.slos[1].name: expected one of p50_latency_ms"},
      {"an SLO twice", [](Json& j) { j["slos"][1]["name"] = "p99_latency_ms"; },
       "metrics.slos[1].name: \"p99_latency_ms\" appears twice"},
      {"an SLO without a limit", [](Json& j) { j["slos"][0].erase("limit"); },
       "missing required field \"metrics.slos[0].limit\""},
      {"a shared sink at QoS 3",
       [](Json& j) {
         j["shared"] = Json::parse(R"([{"sink": "s", "delivery_qos": 3, "by_publisher": {}}])");
       },
       "metrics.shared[0].delivery_qos: expected 0, 1 or 2"},
      {"an empty range",
       [](Json& j) {
         j["shared"] =
             Json::parse(R"([{"sink": "s", "delivery_qos": 1, "by_publisher": {"4": [[5, 5]]}}])");
       },
       "metrics.shared[0].by_publisher.4[0]: an empty range"},
      {"overlapping ranges",
       [](Json& j) {
         j["shared"] = Json::parse(
             R"([{"sink": "s", "delivery_qos": 1, "by_publisher": {"4": [[0, 10], [9, 12]]}}])");
       },
       "metrics.shared[0].by_publisher.4[1]: ranges must be sorted and disjoint"},
      {"no resources", [](Json& j) { j.erase("resources"); },
       "missing required field \"metrics.resources\""},
      {"a shard index beyond the count", [](Json& j) { j["shards"][0]["index"] = 1; },
       "metrics.shards[0].index: expected an index below count (1)"},
      {"a shard count of 0", [](Json& j) { j["shards"][0]["count"] = 0; },
       "metrics.shards[0].count: expected at least 1"},
      {"a shard twice", [](Json& j) { j["shards"].push_back(j["shards"][0]); },
       "metrics.shards[1].index: appears twice"},
      {"a plan that is not an object", [](Json& j) { j["plan"] = "x"; },
       "metrics.plan: expected an object"},
      {"a note that is not text", [](Json& j) { j["notes"][0] = 1; },
       "metrics.notes[0]: expected a string"},
  };
  for (const Bad& bad : cases) {
    Json j = to_json(shard(0, 1, 1));
    bad.edit(j);
    std::string error;
    EXPECT_FALSE(swarm_metrics_from_json(j, error)) << bad.what;
    EXPECT_NE(error.find(bad.error), std::string::npos)
        << bad.what << ": \"" << error << "\" does not contain \"" << bad.error << "\"";
  }
}

TEST(SwarmMetricsJson, ReportReadsAndNamesMetricsFields) {
  Json j = to_json(samples::swarm());
  j["metrics"]["by_qos"]["1"].erase("delivered");
  std::string error;
  EXPECT_FALSE(from_json(j, error));
  EXPECT_EQ(error, "missing required field \"metrics.by_qos.1.delivered\"");
}

// --- merging -----------------------------------------------------------------------------------

TEST(SwarmMerge, AddsCountsExactly) {
  const SwarmMetrics a = shard(0, 2, 1);
  const SwarmMetrics b = shard(1, 2, 3);
  SwarmMetrics total = a;
  std::string error;
  ASSERT_TRUE(merge_into(total, b, error)) << error;

  EXPECT_EQ(total.publishing, (PublishCounts{.published = 400,
                                             .acknowledged = 240,
                                             .refused = 2,
                                             .abandoned = 4,
                                             .behind_schedule = 6}));
  EXPECT_EQ(
      total.by_qos[0],
      (DeliveryCounts{.expected = 160, .delivered = 156, .duplicated = 0, .out_of_order = 2}));
  EXPECT_EQ(
      total.by_qos[1],
      (DeliveryCounts{.expected = 160, .delivered = 160, .duplicated = 4, .out_of_order = 0}));
  EXPECT_EQ(total.by_qos[2].expected, 80U);
  EXPECT_EQ(total.connections, (ConnectionCounts{.attempted = 40,
                                                 .succeeded = 36,
                                                 .failed = 4,
                                                 .peak = 36,
                                                 .reconnects = 2,
                                                 .dropped = 2,
                                                 .subscribe_failed = 0}));
  Histogram end_to_end = a.end_to_end;
  end_to_end.merge(b.end_to_end);
  EXPECT_EQ(total.end_to_end, end_to_end);
  EXPECT_EQ(total.end_to_end.count(), 400U);
  EXPECT_EQ(total.connect.count(), 2U);
  EXPECT_EQ(total.connect.max(), 9000U);

  // Seconds 0..2 and 1..3: 1 and 2 add up, 0 and 3 come from one shard each.
  ASSERT_EQ(total.series.size(), 4U);
  EXPECT_EQ(total.series[0], a.series[0]);
  EXPECT_EQ(total.series[1].second, 1U);
  EXPECT_EQ(total.series[1].published, 40U);
  EXPECT_EQ(total.series[1].inflight, 2U);
  EXPECT_EQ(total.series[1].latency.count(), 40U);
  EXPECT_EQ(total.series[1].latency.min(), 701U);
  EXPECT_EQ(total.series[3], b.series[2]);

  EXPECT_DOUBLE_EQ(total.resources.cpu_user_s, 3.0);
  EXPECT_DOUBLE_EQ(total.resources.cpu_system_s, 1.0);
  EXPECT_EQ(total.resources.max_rss_kib, 2000U);
  EXPECT_EQ(total.resources.threads, 4U);
  EXPECT_EQ(total.resources.broker_cpu_s, 4.0);  // the same broker: the longest measurement
  EXPECT_DOUBLE_EQ(total.measured_s, 11.0);
  EXPECT_EQ(total.notes, std::vector<std::string>{"same note in every shard"});
  ASSERT_EQ(total.shards.size(), 2U);
  EXPECT_EQ(total.shards[1].seed, 41U);
  EXPECT_EQ(total.plan, a.plan);
  EXPECT_EQ(total.slos[0].measured,
            static_cast<double>(end_to_end.percentile(99)) / 1000.0);  // evaluated again
}

TEST(SwarmMerge, OrderDoesNotChangeTheNumbers) {
  SwarmMetrics ab = shard(0, 3, 1), cba = shard(2, 3, 2);
  std::string error;
  ASSERT_TRUE(merge_into(ab, shard(1, 3, 4), error)) << error;
  ASSERT_TRUE(merge_into(ab, shard(2, 3, 2), error)) << error;
  ASSERT_TRUE(merge_into(cba, shard(1, 3, 4), error)) << error;
  ASSERT_TRUE(merge_into(cba, shard(0, 3, 1), error)) << error;
  EXPECT_EQ(to_json(ab), to_json(cba));
}

TEST(SwarmMerge, IntoNothingTakesTheShard) {
  SwarmMetrics total;
  std::string error;
  ASSERT_TRUE(merge_into(total, shard(0, 2, 1), error)) << error;
  EXPECT_EQ(total, shard(0, 2, 1));
}

TEST(SwarmMerge, OverlappingSharedReceiptsAreDuplicatesNotDeliveries) {
  SwarmMetrics a = shard(0, 3, 1), b = shard(1, 3, 1), c = shard(2, 3, 1);
  a.shared = {
      SharedReceipts{"$share/g/t (qos 1)", 1, {{"3", {{0, 10}, {20, 30}}}, {"4", {{0, 5}}}}},
      SharedReceipts{"$share/h/t (qos 2)", 2, {{"3", {{0, 10}}}}}};
  b.shared = {SharedReceipts{"$share/g/t (qos 1)", 1, {{"3", {{5, 25}}}, {"9", {{0, 1}}}}}};
  // The same group at another delivery QoS is another sink: no overlap with a's.
  c.shared = {SharedReceipts{"$share/g/t (qos 1)", 2, {{"3", {{0, 10}}}}}};
  std::string error;
  SwarmMetrics total = a;
  ASSERT_TRUE(merge_into(total, b, error)) << error;
  // 5..10 and 20..25 arrived in both shards: 10 duplicates, 10 fewer distinct deliveries.
  EXPECT_EQ(total.by_qos[1].delivered, 80U - 10U);
  EXPECT_EQ(total.by_qos[1].duplicated, 4U + 10U);
  EXPECT_EQ(total.lost(), 10U);
  ASSERT_EQ(total.shared.size(), 2U);
  EXPECT_EQ(total.shared[0].by_publisher["3"],
            (std::vector<std::pair<std::uint64_t, std::uint64_t>>{{0, 30}}));
  EXPECT_EQ(total.shared[0].by_publisher["4"],
            (std::vector<std::pair<std::uint64_t, std::uint64_t>>{{0, 5}}));
  EXPECT_EQ(total.shared[0].by_publisher["9"],
            (std::vector<std::pair<std::uint64_t, std::uint64_t>>{{0, 1}}));

  ASSERT_TRUE(merge_into(total, c, error)) << error;
  EXPECT_EQ(total.by_qos[2].delivered, 60U);
  EXPECT_EQ(total.by_qos[2].duplicated, 0U);
  EXPECT_EQ(total.shared.size(), 3U);

  // A third copy of 0..30 in yet another shard: all 30 are duplicates once more.
  SwarmMetrics d = shard(0, 3, 1);
  d.shards[0].index = 2;
  d.shards[0].count = 3;
  SwarmMetrics again = total;
  again.shards.pop_back();  // make room for index 2
  d.shared = {SharedReceipts{"$share/g/t (qos 1)", 1, {{"3", {{0, 30}}}}}};
  ASSERT_TRUE(merge_into(again, d, error)) << error;
  EXPECT_EQ(again.by_qos[1].duplicated, total.by_qos[1].duplicated + 2 + 30);
  EXPECT_EQ(again.by_qos[1].delivered, total.by_qos[1].delivered + 40 - 30);
}

TEST(SwarmMerge, RefusesWhatIsNotAnotherShardOfTheSameRun) {
  const SwarmMetrics a = shard(0, 2, 1);
  std::string error;

  SwarmMetrics total = a;
  EXPECT_FALSE(merge_into(total, a, error));
  EXPECT_EQ(error, "shard 1/2 is there twice");
  EXPECT_EQ(total, a);  // untouched

  SwarmMetrics other_scenario = shard(1, 2, 1);
  other_scenario.scenario = "other";
  EXPECT_FALSE(merge_into(total, other_scenario, error));
  EXPECT_EQ(error, "another scenario: \"other\", not \"fleet\"");

  EXPECT_FALSE(merge_into(total, shard(1, 3, 1), error));
  EXPECT_EQ(error, "shard 2/3 is of a run split 3 ways, not 2");

  SwarmMetrics unnamed = shard(1, 2, 1);
  unnamed.shards.clear();
  EXPECT_FALSE(merge_into(total, unnamed, error));
  EXPECT_TRUE(contains(error, "name no shard")) << error;
  EXPECT_EQ(total, a);
}

// --- SLOs and cases ----------------------------------------------------------------------------

TEST(SwarmSlos, MeasureWhatTheirNameSays) {
  SwarmMetrics m = shard(0, 1, 1);
  m.end_to_end.clear();
  m.end_to_end.record(12400);
  m.connect.clear();
  m.connect.record(3007, 99);  // the top of its bucket: the percentile is exact
  m.connect.record(9000);
  m.by_qos[1].delivered = 37;  // 3 lost
  m.by_qos[2].duplicated = 5;
  m.connections.subscribe_failed = 6;
  m.slos.clear();
  for (const std::string_view name : slo_names) {
    m.slos.push_back(SloResult{std::string(name), 5, 0, true});
  }
  m.slos.push_back(SloResult{"made_up", 1e9, 0, true});
  evaluate_slos(m);
  auto measured = [&m](std::string_view name) {
    for (const SloResult& s : m.slos)
      if (s.name == name) return s.measured;
    return -1.0;
  };
  EXPECT_DOUBLE_EQ(measured("p50_latency_ms"), 12.4);
  EXPECT_DOUBLE_EQ(measured("p90_latency_ms"), 12.4);
  EXPECT_DOUBLE_EQ(measured("p99_latency_ms"), 12.4);
  EXPECT_DOUBLE_EQ(measured("p999_latency_ms"), 12.4);
  EXPECT_DOUBLE_EQ(measured("max_latency_ms"), 12.4);
  EXPECT_DOUBLE_EQ(measured("connect_p99_ms"), 3.007);  // the 99th of 100 connects
  EXPECT_DOUBLE_EQ(measured("loss"), 3);
  EXPECT_DOUBLE_EQ(measured("loss_qos0"), 1);
  EXPECT_DOUBLE_EQ(measured("duplicates"), 7);
  EXPECT_DOUBLE_EQ(measured("out_of_order"), 1);
  EXPECT_DOUBLE_EQ(measured("connect_failures"), 1);
  EXPECT_DOUBLE_EQ(measured("subscribe_failures"), 6);
  for (const SloResult& s : m.slos) {
    if (s.name == "made_up") {
      EXPECT_FALSE(s.passed);  // cannot be measured: not met
    } else {
      EXPECT_EQ(s.passed, s.measured <= 5) << s.name;
    }
  }
  // At the limit passes.
  m.slos = {SloResult{"loss", 3, 0, false}};
  evaluate_slos(m);
  EXPECT_TRUE(m.slos[0].passed);
}

const Case* find_case(const std::vector<Case>& cases, const std::string& id) {
  for (const Case& c : cases)
    if (c.id == id) return &c;
  return nullptr;
}

TEST(SwarmCases, VerdictsFollowTheMetrics) {
  SwarmMetrics m = shard(0, 1, 1);
  m.end_to_end.clear();
  m.end_to_end.record(12400);
  m.slos = {SloResult{"p99_latency_ms", 50, 0, true}, SloResult{"loss", 0, 0, true}};
  evaluate_slos(m);
  std::vector<Case> cases = swarm_cases(m);
  ASSERT_EQ(cases.size(), 4U);
  EXPECT_EQ(cases[0].id, "delivery-qos1-2");
  EXPECT_EQ(cases[0].verdict, Verdict::pass);
  EXPECT_EQ(cases[1].id, "duplicates-qos2");
  EXPECT_EQ(cases[1].verdict, Verdict::pass);
  EXPECT_EQ(cases[2].id, "slo-p99_latency_ms");
  EXPECT_EQ(cases[2].title, "SLO: p99 latency at most 50 ms");
  EXPECT_EQ(cases[2].detail, "p99 latency 12.4 ms <= 50 ms");
  EXPECT_EQ(cases[2].verdict, Verdict::pass);
  EXPECT_EQ(cases[3].detail, "QoS 1/2 loss 0 <= 0");
  for (const Case& c : cases)
    EXPECT_EQ(c.area, "swarm");

  m.by_qos[1].delivered -= 3;
  m.by_qos[2].duplicated = 2;
  evaluate_slos(m);
  cases = swarm_cases(m);
  EXPECT_EQ(cases[0].verdict, Verdict::fail);
  EXPECT_EQ(cases[0].detail,
            "3 QoS 1/2 messages lost\nQoS 1: expected 40, delivered 37, lost 3\n"
            "QoS 2: expected 20, delivered 20, lost 0");
  EXPECT_EQ(cases[1].verdict, Verdict::fail);
  EXPECT_EQ(cases[1].detail, "QoS 2: 2 duplicates among 20 delivered messages");
  EXPECT_EQ(cases[3].verdict, Verdict::fail);
  EXPECT_EQ(cases[3].detail, "QoS 1/2 loss 3 > 0");

  // QoS 0 only: nothing owed at QoS 1 or 2, so those two cases do not apply.
  m.by_qos[1] = {};
  m.by_qos[2] = {};
  cases = swarm_cases(m);
  EXPECT_EQ(cases[0].verdict, Verdict::skip);
  EXPECT_EQ(cases[1].verdict, Verdict::skip);
}

TEST(SwarmCases, AShardOfSeveralLeavesWhatNeedsTheWholeRunToTheMerge) {
  // Shard 1 of 2 sees copies owed to the other shard's subscribers as lost: that is not a verdict.
  SwarmMetrics m = shard(0, 2, 1);
  m.by_qos[1].delivered = 10;
  m.end_to_end.clear();
  m.end_to_end.record(90'000, 100);  // 90 ms: over the shard's p99 and max limits
  m.connections.failed = 2;
  m.slos = {SloResult{"p99_latency_ms", 50, 0, true}, SloResult{"loss", 0, 0, true},
            SloResult{"max_latency_ms", 60, 0, true}, SloResult{"connect_failures", 1, 0, true}};
  evaluate_slos(m);
  const std::vector<Case> cases = swarm_cases(m);
  ASSERT_EQ(cases.size(), 6U);
  EXPECT_EQ(cases[0].id, "delivery-qos1-2");
  EXPECT_EQ(cases[0].verdict, Verdict::skip);
  EXPECT_NE(cases[0].detail.find("1 of 2 shards"), std::string::npos) << cases[0].detail;
  EXPECT_NE(cases[0].detail.find("gauntlet report merge"), std::string::npos);
  EXPECT_EQ(cases[2].id, "slo-p99_latency_ms");
  EXPECT_EQ(cases[2].verdict, Verdict::skip);  // a percentile of a part is not the run's
  EXPECT_EQ(cases[3].verdict, Verdict::skip);  // loss
  // What can only grow in the merge: over the limit in a shard is over it in the run.
  EXPECT_EQ(cases[4].id, "slo-max_latency_ms");
  EXPECT_EQ(cases[4].verdict, Verdict::fail);
  EXPECT_EQ(cases[5].id, "slo-connect_failures");
  EXPECT_EQ(cases[5].verdict, Verdict::fail);

  // Both shards merged: every verdict is given.
  SwarmMetrics merged = shard(0, 2, 1);
  std::string why;
  ASSERT_TRUE(merge_into(merged, shard(1, 2, 1), why)) << why;
  evaluate_slos(merged);
  for (const Case& c : swarm_cases(merged))
    EXPECT_NE(c.verdict, Verdict::skip) << c.id;
}

// --- merge_reports -----------------------------------------------------------------------------

TEST(SwarmMergeReports, MergesShardsIntoOneSwarmReport) {
  const Report a = samples::swarm_shard(0, 2), b = samples::swarm_shard(1, 2);
  // Alone, a shard cannot tell loss from copies delivered to the other shard's subscribers.
  EXPECT_EQ(find_case(a.cases, "delivery-qos1-2")->verdict, Verdict::skip);
  std::string error;
  const auto merged = merge_reports({b, a}, error);
  ASSERT_TRUE(merged) << error;
  EXPECT_EQ(merged->kind, Kind::swarm);
  EXPECT_TRUE(merged->complete);
  EXPECT_FALSE(merged->seed);
  EXPECT_EQ(merged->started_at, a.started_at);         // the earliest
  EXPECT_DOUBLE_EQ(merged->duration_s, b.duration_s);  // the longest
  EXPECT_EQ(merged->summary().failed, 0U) << to_markdown(*merged);
  const SwarmMetrics& m = *merged->metrics;
  EXPECT_EQ(m.lost(), 0U);
  EXPECT_EQ(m.by_qos[1].duplicated,
            a.metrics->by_qos[1].duplicated + b.metrics->by_qos[1].duplicated + 10);
  EXPECT_EQ(m.shards.size(), 2U);
  EXPECT_EQ(merged->cases, swarm_cases(m));
  // The order of the inputs does not matter.
  const auto other_order = merge_reports({a, b}, error);
  ASSERT_TRUE(other_order) << error;
  EXPECT_EQ(to_json(*other_order), to_json(*merged));
}

TEST(SwarmMergeReports, LinesShardsUpOnTheClock) {
  // Shard 2 started 3 s after shard 1: its second 0 is the run's second 3.
  const Report a = samples::swarm_shard(0, 2);
  Report b = samples::swarm_shard(1, 2);
  b.started_at = a.started_at + std::chrono::milliseconds(3200);
  std::string error;
  const auto merged = merge_reports({b, a}, error);
  ASSERT_TRUE(merged) << error;
  std::vector<std::uint64_t> a_seconds, merged_seconds;
  for (const SecondSample& s : a.metrics->series)
    a_seconds.push_back(s.second);
  std::uint64_t b_published = 0;
  for (const SecondSample& s : b.metrics->series) {
    a_seconds.push_back(s.second + 3);
    b_published += s.published;
  }
  std::sort(a_seconds.begin(), a_seconds.end());
  a_seconds.erase(std::unique(a_seconds.begin(), a_seconds.end()), a_seconds.end());
  std::uint64_t published = 0;
  for (const SecondSample& s : merged->metrics->series) {
    merged_seconds.push_back(s.second);
    published += s.published;
  }
  EXPECT_EQ(merged_seconds, a_seconds);
  std::uint64_t a_published = 0;
  for (const SecondSample& s : a.metrics->series)
    a_published += s.published;
  EXPECT_EQ(published, a_published + b_published);  // shifted, nothing lost
  EXPECT_EQ(merged->started_at, a.started_at);
}

TEST(SwarmMergeReports, AMissingShardMakesItIncompleteAndIsNamed) {
  std::string error;
  const auto merged =
      merge_reports({samples::swarm_shard(0, 4), samples::swarm_shard(2, 4)}, error);
  ASSERT_TRUE(merged) << error;
  EXPECT_FALSE(merged->complete);
  const std::vector<std::string>& notes = merged->metrics->notes;
  ASSERT_FALSE(notes.empty());
  EXPECT_TRUE(contains(notes.back(), "2 of 4 shards missing (2/4, 4/4)")) << notes.back();
  EXPECT_TRUE(contains(to_markdown(*merged), "2 of 4 shards missing"));
}

TEST(SwarmMergeReports, AnInterruptedShardMakesItIncomplete) {
  Report b = samples::swarm_shard(1, 2);
  b.complete = false;
  std::string error;
  const auto merged = merge_reports({samples::swarm_shard(0, 2), b}, error);
  ASSERT_TRUE(merged) << error;
  EXPECT_FALSE(merged->complete);
  EXPECT_FALSE(merged->metrics->shards[1].complete);
  EXPECT_TRUE(contains(merged->metrics->notes.back(), "shard 2/2 was interrupted"));
}

TEST(SwarmMergeReports, NamesTheInputThatDoesNotFit) {
  std::string error;
  EXPECT_FALSE(merge_reports({}, error));
  EXPECT_EQ(error, "no report to merge");
  EXPECT_FALSE(merge_reports({samples::swarm_shard(0, 2), samples::passing()}, error));
  EXPECT_EQ(error, "report 2: not a swarm report (kind run)");
  Report no_metrics = samples::swarm_shard(1, 2);
  no_metrics.metrics.reset();
  EXPECT_FALSE(merge_reports({samples::swarm_shard(0, 2), no_metrics}, error));
  EXPECT_EQ(error, "report 2: a swarm report without metrics");
  EXPECT_FALSE(merge_reports(
      {samples::swarm_shard(0, 2), samples::swarm_shard(1, 2), samples::swarm_shard(0, 2)}, error));
  EXPECT_EQ(error, "report 3: shard 1/2 is there twice");
  EXPECT_FALSE(merge_reports({samples::swarm_shard(0, 2), samples::swarm()}, error));
  EXPECT_EQ(error, "report 2: another scenario: \"fleet\", not \"fleet-sharded\"");
}

}  // namespace
}  // namespace gauntlet::reports
