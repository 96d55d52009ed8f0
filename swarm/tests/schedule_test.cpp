// Open-loop schedules: rate curves (constant, ramps, steps), their integral and its inverse, and
// the uniform and Poisson event streams built on them (DESIGN.md §7).
#include "gauntlet/swarm/schedule.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

namespace gauntlet::swarm {
namespace {

RateCurve ramp(double from, double to, double seconds) {
  return RateCurve{{{0.0, from}, {seconds, to}}, false};
}

/// Every due time of a stream before `horizon`.
std::vector<double> times(const RateCurve& curve, double horizon, double phase = 0,
                          std::uint64_t seed = 1) {
  Schedule schedule(curve, phase, seed);
  std::vector<double> out;
  while (auto due = schedule.next(horizon))
    out.push_back(*due);
  return out;
}

// --- the curve
// ------------------------------------------------------------------------------------

TEST(RateCurve, ConstantRateAndIntegral) {
  const RateCurve curve = RateCurve::constant(250);
  EXPECT_DOUBLE_EQ(curve.rate_at(0), 250);
  EXPECT_DOUBLE_EQ(curve.rate_at(1e6), 250);
  EXPECT_DOUBLE_EQ(curve.integral(0), 0);
  EXPECT_DOUBLE_EQ(curve.integral(4), 1000);
  EXPECT_DOUBLE_EQ(*curve.time_of(1000), 4);
}

TEST(RateCurve, RampIntegralIsAnalytic) {
  // 0 → R over T: the area under the ramp is R·T/2, then R per second.
  const RateCurve up = ramp(0, 1000, 10);
  EXPECT_DOUBLE_EQ(up.rate_at(5), 500);
  EXPECT_DOUBLE_EQ(up.integral(10), 1000.0 * 10 / 2);
  EXPECT_DOUBLE_EQ(up.integral(4), 1000.0 / 10 * 4 * 4 / 2);  // slope·t²/2
  EXPECT_DOUBLE_EQ(up.integral(12), 5000 + 2 * 1000);
  // From r0: (r0 + R)/2 · T.
  const RateCurve from = ramp(200, 1000, 10);
  EXPECT_DOUBLE_EQ(from.integral(10), (200.0 + 1000) / 2 * 10);
  EXPECT_DOUBLE_EQ(from.rate_at(-1), 200);  // the first rate before the first corner
}

TEST(RateCurve, StepsJumpAtTheirTime) {
  const RateCurve steps{{{0.0, 10.0}, {5.0, 10.0}, {5.0, 100.0}, {8.0, 100.0}, {8.0, 0.0}}, false};
  EXPECT_DOUBLE_EQ(steps.rate_at(4.999), 10);
  EXPECT_DOUBLE_EQ(steps.rate_at(5), 100);  // the later corner at the same time
  EXPECT_DOUBLE_EQ(steps.rate_at(7.5), 100);
  EXPECT_DOUBLE_EQ(steps.rate_at(8), 0);
  EXPECT_DOUBLE_EQ(steps.integral(5), 50);
  EXPECT_DOUBLE_EQ(steps.integral(6), 150);
  EXPECT_DOUBLE_EQ(steps.integral(100), 350);
  // The integral stops growing at 350: nothing passes it.
  EXPECT_TRUE(steps.time_of(349.5).has_value());
  EXPECT_FALSE(steps.time_of(350).has_value());
  EXPECT_FALSE(steps.time_of(1e9).has_value());
}

TEST(RateCurve, TimeOfIsTheInverseOfTheIntegral) {
  const std::vector<RateCurve> curves = {
      RateCurve::constant(3),
      ramp(0, 50, 7),
      ramp(80, 5, 3),  // falling
      RateCurve{{{0.0, 1.0}, {2.0, 1.0}, {2.0, 40.0}, {6.0, 0.5}, {9.0, 0.5}, {9.0, 12.0}}, false},
      RateCurve{{{2.5, 0.0}, {2.5, 30.0}}, false},  // silent before 2.5 s
  };
  for (std::size_t c = 0; c < curves.size(); ++c) {
    const RateCurve& curve = curves[c];
    for (double area = 0; area < 400; area += 0.37) {
      const std::optional<double> t = curve.time_of(area);
      ASSERT_TRUE(t.has_value()) << "curve " << c << " area " << area;
      EXPECT_NEAR(curve.integral(*t), area, 1e-9 * std::max(1.0, area))
          << "curve " << c << " area " << area;
      if (c == 4) {
        EXPECT_GE(*t, 2.5);
      }
    }
    for (double t = 0.01; t < 20; t += 0.13) {
      if (curve.rate_at(t) <= 0) continue;
      EXPECT_NEAR(*curve.time_of(curve.integral(t)), t, 1e-9) << "curve " << c << " t " << t;
    }
  }
}

TEST(RateCurve, ScaledMultipliesEveryRate) {
  const RateCurve curve = ramp(100, 400, 3).scaled(0.25);
  EXPECT_DOUBLE_EQ(curve.rate_at(0), 25);
  EXPECT_DOUBLE_EQ(curve.rate_at(3), 100);
  EXPECT_DOUBLE_EQ(curve.integral(3), (25.0 + 100) / 2 * 3);
  RateCurve poisson = RateCurve::constant(8);
  poisson.poisson = true;
  EXPECT_TRUE(poisson.scaled(2).poisson);
}

TEST(RateCurve, EmptyOrZeroCurveHasNoEvents) {
  EXPECT_FALSE(RateCurve{}.time_of(0).has_value());
  EXPECT_FALSE(RateCurve::constant(0).time_of(0).has_value());
  EXPECT_DOUBLE_EQ(RateCurve{}.integral(10), 0);
}

// --- uniform streams
// ------------------------------------------------------------------------------

TEST(Schedule, ConstantRateGivesExactlyRateTimesDuration) {
  for (const double phase : {0.0, 0.3, 0.999}) {
    const auto due = times(RateCurve::constant(100), 10, phase);
    ASSERT_EQ(due.size(), 1000U) << "phase " << phase;
    for (std::size_t k = 0; k < due.size(); ++k)
      ASSERT_DOUBLE_EQ(due[k], (static_cast<double>(k) + phase) / 100) << k;
  }
  EXPECT_EQ(times(RateCurve::constant(7), 3).size(), 21U);
}

TEST(Schedule, PhaseStaggersTheClientsOfAGroup) {
  // Four clients at 1 message/s each: their messages interleave a quarter second apart.
  std::vector<double> first;
  for (int i = 0; i < 4; ++i) {
    Schedule schedule(RateCurve::constant(1), i / 4.0, 9);
    first.push_back(*schedule.next(10));
    EXPECT_DOUBLE_EQ(*schedule.next(10), 1 + i / 4.0);
  }
  EXPECT_EQ(first, (std::vector<double>{0, 0.25, 0.5, 0.75}));
}

TEST(Schedule, RampCountMatchesItsArea) {
  // 0 → R over T: R·T/2 events in [0, T] (±1 for where the first one falls).
  for (const double rate : {10.0, 333.0, 5000.0}) {
    const double seconds = 6;
    const auto due = times(ramp(0, rate, seconds), seconds);
    EXPECT_NEAR(static_cast<double>(due.size()), rate * seconds / 2, 1) << rate;
    // Denser at the end than at the start.
    const auto count_in = [&](double from, double to) {
      return std::count_if(due.begin(), due.end(), [&](double t) { return t >= from && t < to; });
    };
    EXPECT_LT(count_in(0, 1), count_in(5, 6)) << rate;
  }
}

TEST(Schedule, StepsChangeTheRateAtOnce) {
  const RateCurve steps{{{0.0, 10.0}, {5.0, 10.0}, {5.0, 100.0}}, false};
  const auto due = times(steps, 6);
  const auto before = std::count_if(due.begin(), due.end(), [](double t) { return t < 5; });
  EXPECT_EQ(before, 50);
  EXPECT_EQ(static_cast<long>(due.size()) - before, 100);
}

TEST(Schedule, NothingBeforeASilentStart) {
  const RateCurve late{{{10.0, 0.0}, {10.0, 4.0}}, false};
  const auto due = times(late, 11);
  ASSERT_EQ(due.size(), 4U);
  EXPECT_DOUBLE_EQ(due.front(), 10);
}

TEST(Schedule, TheHorizonConsumesNothing) {
  Schedule schedule(RateCurve::constant(100), 0.5, 1);
  EXPECT_DOUBLE_EQ(*schedule.next(1), 0.005);
  EXPECT_FALSE(schedule.next(0.015).has_value());  // the next one is due at 0.015
  EXPECT_EQ(schedule.produced(), 1U);
  EXPECT_DOUBLE_EQ(*schedule.next(1), 0.015);
  EXPECT_EQ(schedule.produced(), 2U);
}

TEST(Schedule, NoDriftAfterTenMillionEvents) {
  const double rate = 1000;
  const double phase = 0.37;
  Schedule schedule(RateCurve::constant(rate), phase, 1);
  double previous = -1;
  const std::uint64_t count = 10'000'000;
  for (std::uint64_t k = 0; k < count; ++k) {
    const double due = *schedule.next(1e9);
    // The exact time, not a sum of 10^7 rounded gaps.
    if (std::abs(due - (static_cast<double>(k) + phase) / rate) > 1e-12 * due + 1e-15)
      FAIL() << "event " << k << " at " << due;
    if (!(due > previous)) FAIL() << "event " << k << " does not come after " << previous;
    previous = due;
  }
  EXPECT_EQ(schedule.produced(), count);
  // A ramp then a constant rate: event k is still where the integral passes k + phase.
  const RateCurve curve = ramp(0, 10'000, 100);
  Schedule ramped(curve, phase, 1);
  for (std::uint64_t k = 0; k < count; ++k) {
    const double due = *ramped.next(1e9);
    if (k % 999'983 != 0 && k != count - 1) continue;
    const double area = static_cast<double>(k) + phase;
    EXPECT_NEAR(curve.integral(due), area, 1e-9 * area) << k;
  }
}

// --- Poisson streams
// ------------------------------------------------------------------------------

TEST(Schedule, PoissonCountsHavePoissonMeanAndVariance) {
  // 100 /s, counted in 2000 one-second windows: a Poisson count has mean = variance = 100. The
  // standard error of the mean is 0.22 and of the variance about 3.2: the bounds are ~5 of them.
  RateCurve curve = RateCurve::constant(100);
  curve.poisson = true;
  const int windows = 2000;
  std::vector<int> counts(windows, 0);
  Schedule schedule(curve, 0, 20240601);
  while (auto due = schedule.next(windows))
    ++counts[static_cast<std::size_t>(*due)];
  double mean = 0;
  for (const int count : counts)
    mean += count;
  mean /= windows;
  double variance = 0;
  for (const int count : counts)
    variance += (count - mean) * (count - mean);
  variance /= windows - 1;
  EXPECT_NEAR(mean, 100, 1.2);
  EXPECT_GT(variance, 84);
  EXPECT_LT(variance, 116);
}

TEST(Schedule, PoissonFollowsTheCurveAndTheSeed) {
  RateCurve curve = ramp(0, 2000, 10);
  curve.poisson = true;
  const auto first = times(curve, 10, 0, 7);
  EXPECT_NEAR(static_cast<double>(first.size()), 10'000, 5 * 100);  // σ = √10000
  EXPECT_TRUE(std::is_sorted(first.begin(), first.end()));
  EXPECT_EQ(times(curve, 10, 0, 7), first);  // the same seed, the same times
  EXPECT_NE(times(curve, 10, 0, 8), first);
  // Not uniform: the gaps vary.
  std::vector<double> gaps;
  for (std::size_t i = 1; i < first.size(); ++i)
    gaps.push_back(first[i] - first[i - 1]);
  EXPECT_GT(*std::max_element(gaps.begin(), gaps.end()),
            10 * *std::min_element(gaps.begin(), gaps.end()));
}

}  // namespace
}  // namespace gauntlet::swarm
