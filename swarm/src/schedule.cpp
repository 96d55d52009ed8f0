#include "gauntlet/swarm/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gauntlet::swarm {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

/// The integral over a whole piece (+inf for the last piece at a positive rate).
double piece_area(const RateCurve::Piece& piece) {
  if (std::isinf(piece.end)) return piece.from > 0 ? infinity : 0;
  return (piece.from + piece.to) / 2 * (piece.end - piece.start);
}

/// The x in [0, length] where ∫ of the piece from its start reaches `a` (0 ≤ a < its area).
double solve_in_piece(const RateCurve::Piece& piece, double a) {
  const double length = piece.end - piece.start;
  const double slope = std::isinf(piece.end) ? 0 : (piece.to - piece.from) / length;
  double x = 0;
  if (slope == 0) {
    x = a / piece.from;
  } else {
    // from·x + slope·x²/2 = a, in the form without cancellation (valid for either sign of slope).
    const double discriminant = std::max(0.0, piece.from * piece.from + 2 * slope * a);
    const double denominator = piece.from + std::sqrt(discriminant);
    x = denominator > 0 ? 2 * a / denominator : 0;
  }
  return piece.start + std::clamp(x, 0.0, length);
}

/// inf{t : integral(t) > area}, scanning the pieces from `index` on (moved to the piece found, so
/// that a stream of growing areas scans each piece once).
std::optional<double> locate(const std::vector<RateCurve::Piece>& pieces, std::size_t& index,
                             double area) {
  area = std::max(area, 0.0);
  for (; index < pieces.size(); ++index) {
    const RateCurve::Piece& piece = pieces[index];
    const double a = area - piece.area_before;
    if (a < piece_area(piece)) return solve_in_piece(piece, std::max(a, 0.0));
  }
  if (!pieces.empty()) index = pieces.size() - 1;
  return std::nullopt;
}

}  // namespace

RateCurve RateCurve::constant(double rate) {
  return RateCurve{{{0.0, rate}}, false};
}

double RateCurve::rate_at(double t) const {
  if (corners.empty()) return 0;
  // The last corner at or before t (the later of two at the same time: steps are right-continuous).
  const auto after =
      std::upper_bound(corners.begin(), corners.end(), t,
                       [](double time, const auto& corner) { return time < corner.first; });
  if (after == corners.begin()) return corners.front().second;
  if (after == corners.end()) return corners.back().second;
  const auto& [t0, r0] = *(after - 1);
  const auto& [t1, r1] = *after;
  return r0 + (r1 - r0) * (t - t0) / (t1 - t0);
}

std::vector<RateCurve::Piece> RateCurve::pieces() const {
  std::vector<Piece> out;
  double area = 0;
  const auto add = [&](double start, double end, double from, double to) {
    if (!(end > start)) return;
    if (std::isinf(end)) to = from;
    out.push_back(Piece{start, end, from, to, area});
    area += piece_area(out.back());
  };
  if (corners.empty()) {
    add(0, infinity, 0, 0);
    return out;
  }
  if (corners.front().first > 0)
    add(0, corners.front().first, corners.front().second, corners.front().second);
  for (std::size_t i = 0; i + 1 < corners.size(); ++i) {
    auto [t0, r0] = corners[i];
    const auto [t1, r1] = corners[i + 1];
    if (t1 <= 0 || t1 <= t0) continue;
    if (t0 < 0) {
      r0 += (r1 - r0) * (0 - t0) / (t1 - t0);
      t0 = 0;
    }
    add(t0, t1, r0, r1);
  }
  add(std::max(0.0, corners.back().first), infinity, corners.back().second, corners.back().second);
  return out;
}

double RateCurve::integral(double t) const {
  if (!(t > 0)) return 0;
  double total = 0;
  for (const Piece& piece : pieces()) {
    if (t <= piece.start) break;
    if (t >= piece.end) {
      total = piece.area_before + piece_area(piece);
      continue;
    }
    const double x = t - piece.start;
    const double slope =
        std::isinf(piece.end) ? 0 : (piece.to - piece.from) / (piece.end - piece.start);
    return piece.area_before + piece.from * x + slope * x * x / 2;
  }
  return total;
}

std::optional<double> RateCurve::time_of(double area) const {
  std::size_t index = 0;
  return locate(pieces(), index, area);
}

RateCurve RateCurve::scaled(double factor) const {
  RateCurve out = *this;
  for (auto& corner : out.corners)
    corner.second *= factor;
  return out;
}

Schedule::Schedule(RateCurve curve, double phase, std::uint64_t seed)
    : curve_(std::move(curve)),
      pieces_(curve_.pieces()),
      phase_(std::isfinite(phase) ? std::clamp(phase - std::floor(phase), 0.0, 1.0) : 0.0),
      random_(seed) {
  if (curve_.poisson) area_ = exponential();
}

double Schedule::exponential() {
  // -ln(1 - U), U uniform in [0, 1) from the top 53 bits: the same numbers on every platform
  // (std::exponential_distribution's algorithm is the library's choice).
  const double u = static_cast<double>(random_() >> 11U) * 0x1.0p-53;
  return -std::log1p(-u);
}

std::optional<double> Schedule::time_of(double area) {
  return locate(pieces_, piece_, area);
}

std::optional<double> Schedule::next(double horizon_s) {
  const double area = curve_.poisson ? area_ : static_cast<double>(produced_) + phase_;
  const std::optional<double> due = time_of(area);
  if (!due || !(*due < horizon_s)) return std::nullopt;
  ++produced_;
  if (curve_.poisson) area_ += exponential();
  return due;
}

}  // namespace gauntlet::swarm
