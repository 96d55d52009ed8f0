// Open-loop schedules (DESIGN.md §7): when each message (or connection) is due, fixed in advance
// and never moved by how fast the broker answers, so latency measured from the scheduled time
// includes any queueing the broker caused (no coordinated omission).
//
// Every shape is one rate function λ(t), piecewise linear in time: constant, a ramp (from → to
// over some seconds, then constant), steps (jumps at given times). Uniform arrivals put event k
// where the integral of λ passes k + phase; Poisson arrivals add exponential gaps (mean 1) to the
// integral instead. One piece of code therefore serves every shape and both arrival kinds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <utility>
#include <vector>

namespace gauntlet::swarm {

/// A rate in events per second over time, given by (time s, rate /s) corners sorted by time:
/// linear between corners, the last rate after the last corner, the first before the first. Two
/// corners at the same time make a step (the rate at that instant is the later corner's). Rates
/// are ≥ 0; a stretch at rate 0 has no events. Only t ≥ 0 counts.
struct RateCurve {
  std::vector<std::pair<double, double>> corners;
  bool poisson = false;  ///< arrivals: Poisson (true) or uniform (false)

  [[nodiscard]] static RateCurve constant(double rate);
  [[nodiscard]] double rate_at(double t) const;
  /// ∫₀ᵗ λ.
  [[nodiscard]] double integral(double t) const;
  /// The first t ≥ 0 where the integral passes `area` — inf{t : integral(t) > area} — so an event
  /// never falls inside (or at the end of) a stretch at rate 0; nullopt when the integral never
  /// gets past `area` (the curve ends at rate 0 before).
  [[nodiscard]] std::optional<double> time_of(double area) const;
  /// The same curve with every rate multiplied (a group rate split over its clients).
  [[nodiscard]] RateCurve scaled(double factor) const;

  /// One linear piece of the curve, [start, end) with rates from → to, and the integral up to its
  /// start. The last piece has end = +inf (and from == to).
  struct Piece {
    double start = 0;
    double end = 0;
    double from = 0;
    double to = 0;
    double area_before = 0;
  };
  /// The curve as pieces covering [0, +inf), in order (empty pieces left out).
  [[nodiscard]] std::vector<Piece> pieces() const;
};

/// The due times of one event stream: next() gives seconds since the stream's start, never
/// decreasing. Uniform due times are computed from the event count (event k where the integral
/// passes k + phase), so they do not drift however many events a stream has.
class Schedule {
 public:
  /// `phase` in [0, 1) staggers uniform streams of many clients (client i of n: i / n) so that a
  /// group's messages do not all fall on the same instant; `seed` drives Poisson gaps (a portable
  /// generator: the same seed gives the same times on every platform).
  Schedule(RateCurve curve, double phase, std::uint64_t seed);
  /// The next due time, or nullopt when no further event falls before `horizon_s` (a later call
  /// with a later horizon may still give it: nothing is consumed).
  [[nodiscard]] std::optional<double> next(double horizon_s);
  [[nodiscard]] std::uint64_t produced() const noexcept { return produced_; }

 private:
  [[nodiscard]] std::optional<double> time_of(double area);
  [[nodiscard]] double exponential();

  RateCurve curve_;
  std::vector<RateCurve::Piece> pieces_;
  std::size_t piece_ = 0;  ///< the first piece that may hold the next event (areas only grow)
  double phase_ = 0;
  double area_ = 0;  ///< Poisson: the integral at the next event
  std::mt19937_64 random_;
  std::uint64_t produced_ = 0;
};

}  // namespace gauntlet::swarm
