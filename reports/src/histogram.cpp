// The log-linear histogram (histogram.hpp). Bucket layout, fixed for every histogram:
//   values 0..127 each have their own bucket (index = value);
//   each power of two [2^k, 2^(k+1)), 7 <= k <= 39, is split into 64 buckets of width 2^(k-6):
//   index = 128 + (k - 7) * 64 + (value >> (k - 6)) - 64.
// 128 + 33 * 64 = 2240 buckets cover 0 .. 2^40 - 1 (highest_trackable).
#include "gauntlet/reports/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "metrics_read.hpp"

namespace gauntlet::reports {

namespace {

constexpr std::uint64_t exact_below = std::uint64_t{1} << Histogram::sub_bucket_bits;  // 128
constexpr std::uint64_t per_power = exact_below / 2;                                   // 64
constexpr unsigned first_power = Histogram::sub_bucket_bits;                           // 2^7
constexpr unsigned last_power = 39;  // highest_trackable < 2^40
constexpr std::size_t bucket_count =
    static_cast<std::size_t>(exact_below + (last_power - first_power + 1) * per_power);

static_assert(Histogram::highest_trackable == (std::uint64_t{1} << (last_power + 1)) - 1);

}  // namespace

std::size_t Histogram::bucket_of(std::uint64_t value) noexcept {
  value = std::min(value, highest_trackable);
  if (value < exact_below) return static_cast<std::size_t>(value);
  const auto power = static_cast<unsigned>(std::bit_width(value) - 1);  // 2^power <= value
  const std::uint64_t sub = (value >> (power - (sub_bucket_bits - 1))) - per_power;  // 0..63
  return static_cast<std::size_t>(exact_below + (power - first_power) * per_power + sub);
}

std::uint64_t Histogram::bucket_lowest(std::size_t bucket) noexcept {
  if (bucket >= bucket_count) return highest_trackable;
  if (bucket < exact_below) return bucket;
  const std::uint64_t offset = bucket - exact_below;
  const auto power = static_cast<unsigned>(first_power + offset / per_power);
  return (per_power + offset % per_power) << (power - (sub_bucket_bits - 1));
}

std::uint64_t Histogram::bucket_highest(std::size_t bucket) noexcept {
  if (bucket >= bucket_count) return highest_trackable;
  if (bucket < exact_below) return bucket;
  const auto power = static_cast<unsigned>(first_power + (bucket - exact_below) / per_power);
  return bucket_lowest(bucket) + (std::uint64_t{1} << (power - (sub_bucket_bits - 1))) - 1;
}

void Histogram::record(std::uint64_t value, std::uint64_t times) {
  if (times == 0) return;
  value = std::min(value, highest_trackable);
  const std::size_t bucket = bucket_of(value);
  if (counts_.size() <= bucket) counts_.resize(bucket + 1, 0);
  counts_[bucket] += times;
  min_ = count_ == 0 ? value : std::min(min_, value);
  max_ = std::max(max_, value);
  count_ += times;
  sum_ += value * times;
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  if (counts_.size() < other.counts_.size()) counts_.resize(other.counts_.size(), 0);
  for (std::size_t i = 0; i < other.counts_.size(); ++i) {
    counts_[i] += other.counts_[i];
  }
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

void Histogram::clear() {
  *this = Histogram();
}

double Histogram::mean() const noexcept {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_);
}

std::uint64_t Histogram::percentile(double percent) const {
  if (count_ == 0) return 0;
  if (!(percent > 0)) percent = 0;  // NaN too
  percent = std::min(percent, 100.0);
  // The rank of the value asked for: ceil(p% of count), at least the first. The small slack keeps
  // a product like 99.9 % x 1000 = 999.0000000001 from asking for the 1000th value.
  const double rank = percent / 100.0 * static_cast<double>(count_);
  const double rounded = std::ceil(rank - rank * 1e-12);
  const std::uint64_t wanted =
      rounded < 1
          ? 1
          : std::min(count_,
                     static_cast<std::uint64_t>(std::min(rounded, static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < counts_.size(); ++bucket) {
    seen += counts_[bucket];
    if (seen >= wanted) return std::clamp(bucket_highest(bucket), min_, max_);
  }
  return max_;
}

nlohmann::ordered_json Histogram::to_json() const {
  nlohmann::ordered_json buckets = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] != 0) buckets.push_back(nlohmann::ordered_json::array({i, counts_[i]}));
  }
  return nlohmann::ordered_json{{"count", count_},
                                {"min", min()},
                                {"max", max_},
                                {"sum", sum_},
                                {"sub_bucket_bits", sub_bucket_bits},
                                {"buckets", std::move(buckets)}};
}

std::optional<Histogram> Histogram::from_json(const nlohmann::ordered_json& json,
                                              std::string& error) {
  try {
    return detail::read_histogram(json, "");
  } catch (const detail::ReadError& e) {
    error = e.message;
    return std::nullopt;
  }
}

namespace detail {

Histogram read_histogram(const Json& json, const std::string& path) {
  as_object(json, path);
  Histogram h;
  h.count_ = count_field(json, "count", path);
  h.min_ = count_field(json, "min", path);
  h.max_ = count_field(json, "max", path);
  h.sum_ = count_field(json, "sum", path);
  const std::uint64_t bits = count_field(json, "sub_bucket_bits", path);
  if (bits != Histogram::sub_bucket_bits) {
    fail(member(path, "sub_bucket_bits"), "expected " + std::to_string(Histogram::sub_bucket_bits) +
                                              " (the only bucket layout gauntlet reads), got " +
                                              std::to_string(bits));
  }

  const std::string buckets_path = member(path, "buckets");
  const Json& buckets = as_array(require(json, "buckets", path), buckets_path);
  std::uint64_t total = 0;
  std::size_t first = 0;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const std::string at = element(buckets_path, i);
    const Json& pair = buckets[i];
    if (!pair.is_array() || pair.size() != 2) fail(at, "expected [bucket index, count]");
    const std::uint64_t index = as_count(pair[0], element(at, 0));
    const std::uint64_t count = as_count(pair[1], element(at, 1));
    if (index >= bucket_count) {
      fail(at, "bucket index " + std::to_string(index) + " is out of range (0 to " +
                   std::to_string(bucket_count - 1) + ")");
    }
    const auto bucket = static_cast<std::size_t>(index);
    if (i > 0 && bucket < h.counts_.size()) {
      fail(at, "bucket indices must increase: " + std::to_string(index) + " after " +
                   std::to_string(h.counts_.size() - 1));
    }
    if (count == 0) fail(at, "a listed bucket must have a count > 0");
    if (count > std::numeric_limits<std::uint64_t>::max() - total) fail(at, "counts overflow");
    if (i == 0) first = bucket;
    h.counts_.resize(bucket + 1, 0);
    h.counts_[bucket] = count;
    total += count;
  }
  if (total != h.count_) {
    fail(buckets_path, "the bucket counts add up to " + std::to_string(total) + ", not to count " +
                           std::to_string(h.count_));
  }
  if (h.count_ == 0) {
    if (h.min_ != 0 || h.max_ != 0 || h.sum_ != 0) {
      fail(path, "an empty histogram must have min, max and sum 0");
    }
    return h;
  }
  if (h.min_ > h.max_) {
    fail(member(path, "min"),
         std::to_string(h.min_) + " is greater than max " + std::to_string(h.max_));
  }
  if (h.max_ > Histogram::highest_trackable) {
    fail(member(path, "max"),
         "above the highest trackable value " + std::to_string(Histogram::highest_trackable));
  }
  const std::size_t last = h.counts_.size() - 1;
  if (Histogram::bucket_of(h.min_) != first) {
    fail(member(path, "min"), std::to_string(h.min_) + " is not in the first non-empty bucket (" +
                                  std::to_string(first) + ")");
  }
  if (Histogram::bucket_of(h.max_) != last) {
    fail(member(path, "max"), std::to_string(h.max_) + " is not in the last non-empty bucket (" +
                                  std::to_string(last) + ")");
  }
  // min x count <= sum <= max x count, without overflowing.
  const std::uint64_t whole = h.sum_ / h.count_;
  const std::uint64_t rest = h.sum_ % h.count_;
  if (whole < h.min_ || whole > h.max_ || (whole == h.max_ && rest != 0)) {
    fail(member(path, "sum"),
         std::to_string(h.sum_) + " is not between min x count and max x count");
  }
  return h;
}

}  // namespace detail

}  // namespace gauntlet::reports
