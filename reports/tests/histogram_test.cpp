// The log-linear histogram: its bucket layout, percentiles against exact ones, exact merging, and
// its JSON form both ways (strictly).
#include "gauntlet/reports/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <vector>

namespace gauntlet::reports {
namespace {

using Json = nlohmann::ordered_json;

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (std::uint64_t v = 0; v < 128; ++v) {
    EXPECT_EQ(Histogram::bucket_of(v), v);
    EXPECT_EQ(Histogram::bucket_lowest(v), v);
    EXPECT_EQ(Histogram::bucket_highest(v), v);
    h.record(v);
  }
  EXPECT_EQ(h.count(), 128U);
  EXPECT_EQ(h.min(), 0U);
  EXPECT_EQ(h.max(), 127U);
  EXPECT_EQ(h.sum(), 127U * 128U / 2U);
  EXPECT_DOUBLE_EQ(h.mean(), 63.5);
  // The k-th smallest of 0..127 is k-1, and percentile p asks for the ceil(p% x 128)-th.
  EXPECT_EQ(h.percentile(50), 63U);
  EXPECT_EQ(h.percentile(1), 1U);  // ceil(1.28) = 2nd value
  EXPECT_EQ(h.percentile(0), 0U);  // at least the first value
  EXPECT_EQ(h.percentile(100), 127U);
  EXPECT_EQ(h.percentile(250), 127U);  // clamped to 100 %
}

TEST(Histogram, EmptyHasNoValues) {
  const Histogram h;
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.percentile(50), 0U);
  EXPECT_EQ(h.min(), 0U);
  EXPECT_EQ(h.max(), 0U);
  EXPECT_DOUBLE_EQ(h.mean(), 0.0);
}

TEST(Histogram, BucketsAboveTheExactRangeSplitEachPowerOfTwoIn64) {
  EXPECT_EQ(Histogram::bucket_of(128), 128U);  // [128, 256): width 2
  EXPECT_EQ(Histogram::bucket_of(129), 128U);
  EXPECT_EQ(Histogram::bucket_of(130), 129U);
  EXPECT_EQ(Histogram::bucket_of(255), 191U);
  EXPECT_EQ(Histogram::bucket_of(256), 192U);  // [256, 512): width 4
  EXPECT_EQ(Histogram::bucket_of(259), 192U);
  EXPECT_EQ(Histogram::bucket_of(260), 193U);
  EXPECT_EQ(Histogram::bucket_lowest(193), 260U);
  EXPECT_EQ(Histogram::bucket_highest(193), 263U);
  const std::size_t last = Histogram::bucket_of(Histogram::highest_trackable);
  EXPECT_EQ(last, 128U + 33U * 64U - 1U);
  EXPECT_EQ(Histogram::bucket_highest(last), Histogram::highest_trackable);
  // Contiguous, and no bucket wider than 1/64 of its lowest value.
  for (std::size_t b = 0; b < last; ++b) {
    ASSERT_EQ(Histogram::bucket_highest(b) + 1, Histogram::bucket_lowest(b + 1)) << b;
    const std::uint64_t width = Histogram::bucket_highest(b) - Histogram::bucket_lowest(b) + 1;
    ASSERT_LE(width * 64, std::max<std::uint64_t>(Histogram::bucket_lowest(b), 64)) << b;
    ASSERT_EQ(Histogram::bucket_of(Histogram::bucket_lowest(b)), b);
    ASSERT_EQ(Histogram::bucket_of(Histogram::bucket_highest(b)), b);
  }
}

TEST(Histogram, ClampsAboveTheHighestTrackableValue) {
  Histogram h;
  h.record(std::uint64_t{1} << 50);
  EXPECT_EQ(h.count(), 1U);
  EXPECT_EQ(h.max(), Histogram::highest_trackable);
  EXPECT_EQ(h.sum(), Histogram::highest_trackable);
  EXPECT_EQ(h.percentile(50), Histogram::highest_trackable);
}

TEST(Histogram, RecordTimesCountsEachTime) {
  Histogram once, many;
  for (int i = 0; i < 5; ++i)
    once.record(1000);
  many.record(1000, 5);
  many.record(77, 0);  // nothing
  EXPECT_EQ(once, many);
}

// Values log-uniform over 1 µs .. 1000 s, from a seeded engine (its output is specified exactly).
std::vector<std::uint64_t> random_values(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::vector<std::uint64_t> out;
  for (std::size_t i = 0; i < n; ++i) {
    const double u = static_cast<double>(engine() >> 11) / static_cast<double>(1ULL << 53);
    out.push_back(static_cast<std::uint64_t>(std::exp(u * std::log(1e9))));
  }
  return out;
}

TEST(Histogram, PercentilesAreWithinTheBucketOfTheExactValue) {
  for (const std::uint64_t seed : {1U, 2U, 3U}) {
    std::vector<std::uint64_t> values = random_values(20000 + seed * 777, seed);
    Histogram h;
    for (const std::uint64_t v : values)
      h.record(v);
    std::sort(values.begin(), values.end());
    const auto n = static_cast<double>(values.size());
    for (const double p : {0.0, 0.1, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
      const auto rank = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(p / 100 * n)));
      const std::uint64_t exact = values[rank - 1];
      const std::uint64_t got = h.percentile(p);
      // Never below the exact value, and at most one bucket (1/64 of it) above.
      EXPECT_GE(got, exact) << "p" << p << " seed " << seed;
      EXPECT_LE(static_cast<double>(got - exact), static_cast<double>(exact) / 64.0)
          << "p" << p << " seed " << seed;
      EXPECT_EQ(got, std::min(Histogram::bucket_highest(Histogram::bucket_of(exact)), h.max()))
          << "p" << p << " seed " << seed;
    }
    EXPECT_EQ(h.min(), values.front());
    EXPECT_EQ(h.max(), values.back());
  }
}

TEST(Histogram, MergingTwoIsRecordingAllIntoOne) {
  const std::vector<std::uint64_t> a = random_values(5000, 11);
  const std::vector<std::uint64_t> b = random_values(3000, 12);
  Histogram ha, hb, all;
  for (const std::uint64_t v : a) {
    ha.record(v);
    all.record(v);
  }
  for (const std::uint64_t v : b) {
    hb.record(v);
    all.record(v);
  }
  Histogram merged = ha;
  merged.merge(hb);
  EXPECT_EQ(merged, all);
  Histogram other_order = hb;
  other_order.merge(ha);
  EXPECT_EQ(other_order, all);
  // Empty on either side.
  Histogram empty;
  empty.merge(ha);
  EXPECT_EQ(empty, ha);
  Histogram copy = ha;
  copy.merge(Histogram{});
  EXPECT_EQ(copy, ha);
  copy.clear();
  EXPECT_EQ(copy, Histogram{});
}

TEST(HistogramJson, IsSparse) {
  Histogram h;
  h.record(5, 2);
  h.record(1000);
  EXPECT_EQ(h.to_json(), Json::parse(R"({"count": 3, "min": 5, "max": 1000, "sum": 1010,
      "sub_bucket_bits": 7, "buckets": [[5, 2], [317, 1]]})"));
  EXPECT_EQ(Histogram::bucket_of(1000), 317U);
  EXPECT_EQ(Histogram{}.to_json()["buckets"], Json::array());
}

TEST(HistogramJson, RoundTrips) {
  Histogram h;
  for (const std::uint64_t v : random_values(4000, 5))
    h.record(v);
  h.record(Histogram::highest_trackable);
  for (const Histogram& original : {h, Histogram{}}) {
    std::string error;
    const auto back = Histogram::from_json(original.to_json(), error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(*back, original);
    EXPECT_EQ(back->percentile(99), original.percentile(99));
  }
}

struct Bad {
  const char* what;
  std::function<void(Json&)> edit;
  const char* error;
};

TEST(HistogramJson, RejectsEveryBadForm) {
  Histogram h;
  h.record(5, 2);
  h.record(1000);  // buckets [[5, 2], [317, 1]]
  const std::vector<Bad> cases = {
      {"not an object", [](Json& j) { j = Json::array(); }, "expected an object"},
      {"no count", [](Json& j) { j.erase("count"); }, "missing required field \"count\""},
      {"no buckets", [](Json& j) { j.erase("buckets"); }, "missing required field \"buckets\""},
      {"negative count", [](Json& j) { j["count"] = -3; }, "count: expected an integer >= 0"},
      {"another layout", [](Json& j) { j["sub_bucket_bits"] = 5; },
       "sub_bucket_bits: expected 7 (the only bucket layout gauntlet reads), got 5"},
      {"buckets not an array", [](Json& j) { j["buckets"] = Json::object(); },
       "buckets: expected an array"},
      {"a bucket not a pair", [](Json& j) { j["buckets"][0] = Json::array({5}); },
       "buckets[0]: expected [bucket index, count]"},
      {"an index out of range", [](Json& j) { j["buckets"][1][0] = 2240; },
       "buckets[1]: bucket index 2240 is out of range (0 to 2239)"},
      {"decreasing indices", [](Json& j) { j["buckets"] = Json::parse("[[317, 1], [5, 2]]"); },
       "buckets[1]: bucket indices must increase: 5 after 317"},
      {"a repeated index", [](Json& j) { j["buckets"] = Json::parse("[[5, 2], [5, 1]]"); },
       "buckets[1]: bucket indices must increase"},
      {"a zero count",
       [](Json& j) {
         j["buckets"].push_back(Json::array({400, 0}));
       },
       "buckets[2]: a listed bucket must have a count > 0"},
      {"counts that do not add up", [](Json& j) { j["count"] = 4; },
       "buckets: the bucket counts add up to 3, not to count 4"},
      {"min above max", [](Json& j) { j["min"] = 2000; }, "min: 2000 is greater than max 1000"},
      {"min outside the first bucket", [](Json& j) { j["min"] = 6; },
       "min: 6 is not in the first non-empty bucket (5)"},
      {"max outside the last bucket", [](Json& j) { j["max"] = 900; },
       "max: 900 is not in the last non-empty bucket (317)"},
      {"sum out of reach", [](Json& j) { j["sum"] = 5000; },
       "sum: 5000 is not between min x count and max x count"},
      {"an empty one with a max",
       [](Json& j) {
         j = Json::parse(R"({"count":0,"min":0,"max":3,"sum":0,"sub_bucket_bits":7,
                                         "buckets":[]})");
       },
       "an empty histogram must have min, max and sum 0"},
  };
  for (const Bad& bad : cases) {
    Json j = h.to_json();
    bad.edit(j);
    std::string error;
    EXPECT_FALSE(Histogram::from_json(j, error)) << bad.what;
    EXPECT_NE(error.find(bad.error), std::string::npos)
        << bad.what << ": \"" << error << "\" does not contain \"" << bad.error << "\"";
  }
  // The unchanged form reads, and derived fields beside it are ignored.
  Json j = h.to_json();
  j["p99"] = 12345;
  std::string error;
  const auto back = Histogram::from_json(j, error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, h);
}

}  // namespace
}  // namespace gauntlet::reports
