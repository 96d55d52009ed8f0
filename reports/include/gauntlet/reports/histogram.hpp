// An HDR-style log-linear histogram of non-negative integers (microseconds in practice). Values
// below 2^sub_bucket_bits are counted exactly; above, every power of two is split into
// 2^(sub_bucket_bits-1) equal buckets, so a bucket's width is at most 1/64 of its lower bound
// (relative error below 1.6 %) over the whole range, at a fixed few KiB of memory.
//
// Why not a Debian package: HdrHistogram_c is not packaged in Debian 12, and what we need from it
// is small — record, exact merge (bucket counts add), percentiles and a sparse serialisation that
// report.json and `gauntlet report merge` carry (DESIGN.md §7). Every histogram in every process
// uses the same bucket layout, so merging across threads, processes and machines is exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet::reports {

class Histogram;
namespace detail {
// report.json's reader (reports/src/metrics_read.hpp): from_json with the field path of the
// histogram in the document, so that its errors name the field from the root.
Histogram read_histogram(const nlohmann::ordered_json& json, const std::string& path);
}  // namespace detail

class Histogram {
 public:
  /// 7: 64 buckets per power of two above 128. Fixed: histograms of one layout merge exactly.
  static constexpr unsigned sub_bucket_bits = 7;
  /// Values above this (about 12.7 days in µs) are clamped to it and counted.
  static constexpr std::uint64_t highest_trackable = (std::uint64_t{1} << 40) - 1;

  void record(std::uint64_t value, std::uint64_t times = 1);
  /// Adds every count of `other` (exact).
  void merge(const Histogram& other);
  void clear();

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
  [[nodiscard]] std::uint64_t min() const noexcept { return count_ ? min_ : 0; }
  [[nodiscard]] std::uint64_t max() const noexcept { return max_; }
  /// The exact sum of the recorded values (clamped values count as clamped).
  [[nodiscard]] std::uint64_t sum() const noexcept { return sum_; }
  [[nodiscard]] double mean() const noexcept;
  /// The smallest recorded-bucket upper bound at or below which `percent` % of the values lie,
  /// clamped to [min(), max()]; 0 when empty. percentile(100) == max().
  [[nodiscard]] std::uint64_t percentile(double percent) const;

  /// {"count", "min", "max", "sum", "sub_bucket_bits", "buckets": [[index, count], ...]} with
  /// only the non-empty buckets, in index order.
  [[nodiscard]] nlohmann::ordered_json to_json() const;
  /// Reads to_json()'s form back; nullopt and `error` when it is not one (another bucket layout,
  /// an index out of range or not increasing, an empty bucket listed, counts that do not add up
  /// to "count", min/max outside the first/last bucket, a sum out of reach). Other keys (derived
  /// percentiles beside it) are ignored.
  [[nodiscard]] static std::optional<Histogram> from_json(const nlohmann::ordered_json& json,
                                                          std::string& error);

  /// The bucket of a value, and a bucket's value range [lowest, highest].
  [[nodiscard]] static std::size_t bucket_of(std::uint64_t value) noexcept;
  [[nodiscard]] static std::uint64_t bucket_lowest(std::size_t bucket) noexcept;
  [[nodiscard]] static std::uint64_t bucket_highest(std::size_t bucket) noexcept;

  friend bool operator==(const Histogram&, const Histogram&) = default;

 private:
  friend Histogram detail::read_histogram(const nlohmann::ordered_json& json,
                                          const std::string& path);

  std::vector<std::uint64_t> counts_;  ///< grows to the highest bucket used
  std::uint64_t count_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t sum_ = 0;
};

}  // namespace gauntlet::reports
