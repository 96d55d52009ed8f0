// Exact message accounting (DESIGN.md §7). A sink is what is owed one copy of each matching
// message: a client's non-shared subscriptions together, or one shared-subscription group. Each
// event loop keeps its own receipt logs (nothing shared on the hot path); logs of a shared sink
// kept by several loops — or several shards — are united afterwards, and the overlap counts as
// duplicates.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "gauntlet/reports/swarm_metrics.hpp"

namespace gauntlet::swarm {

/// Which sequence numbers of one publisher a sink received: a bitset that grows with the highest
/// sequence seen (one bit per message), exact whatever arrives.
///
/// A sequence far beyond the bitset's end (more than max_dense_jump above it: a corrupt stamp, or
/// a sink that missed 16 million messages of one publisher in a row) does not stretch the bitset to
/// reach it. It goes into a sparse block of chunk_bits bits instead, so one such sequence costs 512
/// bytes, never gigabytes; the blocks are kept in order and folded into the bitset if it grows to
/// meet them. Every query and the report form treat both parts as one set.
class ReceiptLog {
 public:
  /// Bits per sparse block (a multiple of 64; the bitset also grows by whole blocks).
  static constexpr std::uint64_t chunk_bits = 4096;
  /// How far beyond the bitset's end a sequence may extend it (2^24 bits: 2 MiB at most at once).
  static constexpr std::uint64_t max_dense_jump = std::uint64_t{1} << 24U;

  enum class Outcome { first, duplicate };
  struct Recorded {
    Outcome outcome = Outcome::first;
    bool out_of_order = false;  ///< a first copy below the highest sequence seen before
  };
  Recorded record(std::uint64_t sequence);

  [[nodiscard]] bool contains(std::uint64_t sequence) const noexcept;
  [[nodiscard]] std::uint64_t distinct() const noexcept { return distinct_; }
  /// The highest sequence recorded (0 when empty).
  [[nodiscard]] std::uint64_t highest() const noexcept { return highest_; }
  /// Adds `other`'s receipts; returns how many were already here (duplicates across logs).
  std::uint64_t unite(const ReceiptLog& other);
  /// Sorted disjoint half-open ranges [first, last) of the received sequences (report form). The
  /// sequence 2^64 - 1 (no publisher gets there; a corrupt stamp might) has no half-open range and
  /// is left out.
  [[nodiscard]] std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges() const;
  /// The log of some ranges (in any order; they may overlap; empty ones are ignored).
  [[nodiscard]] static ReceiptLog from_ranges(
      const std::vector<std::pair<std::uint64_t, std::uint64_t>>& ranges);
  /// Bytes held for the bits (the bitset's capacity and the sparse blocks), for tests and budgets.
  [[nodiscard]] std::size_t memory_bytes() const noexcept;

 private:
  static constexpr std::uint64_t chunk_words = chunk_bits / 64;
  using Chunk = std::array<std::uint64_t, chunk_words>;
  /// The word holding `sequence`'s bit, made when `create` (nullptr when absent and not made).
  std::uint64_t* word_for(std::uint64_t sequence, bool create);
  [[nodiscard]] const std::uint64_t* find_word(std::uint64_t sequence) const noexcept;
  /// Sets the bits of `mask` in the word of `base` (a multiple of 64); returns how many were set
  /// already.
  std::uint64_t merge_word(std::uint64_t base, std::uint64_t mask);
  /// Calls visit(base, word) for every word that has a bit set, in increasing order.
  template <typename Visit>
  void for_each_word(Visit&& visit) const;

  std::vector<std::uint64_t> bits_;     ///< bit s of [0, 64·size): size a multiple of chunk_words
  std::map<std::uint64_t, Chunk> far_;  ///< block index → bits, all beyond the bitset's end
  std::uint64_t distinct_ = 0;
  std::uint64_t highest_ = 0;
  bool any_ = false;
};

/// The receipts of one sink on one event loop, by publisher index.
struct SinkReceipts {
  std::unordered_map<std::uint32_t, ReceiptLog> by_publisher;
  reports::DeliveryCounts counts;  ///< delivered, duplicated and out_of_order (expected: 0)
  /// Records one delivery; returns whether it was a first copy (latency is recorded for those).
  bool record(std::uint32_t publisher, std::uint64_t sequence);
};

/// What a publisher's message is owed: the number of sinks per delivery QoS. Computed from the
/// whole scenario (every shard's subscribers), so each shard counts its own publishers'
/// expectations and the shards' counts add up.
using Fanout = std::array<std::uint64_t, 3>;

/// The subscriptions of the whole run, for computing fan-outs. Built once before publishing.
class SubscriptionTable {
 public:
  /// A subscribing client (non-shared filters; its own index) or a shared group (`share` set,
  /// `subscriber` ignored: the group is one sink per filter however many members it has, at the
  /// highest QoS its members asked for). Adding the same subscription twice changes nothing.
  void add(std::uint64_t subscriber, const std::string& filter, unsigned qos,
           const std::string& share);
  /// The sinks owed a copy of a message on `topic` published with `qos`: each subscriber whose
  /// non-shared filters match counts once, at the highest QoS among them (min with `qos`); each
  /// (shared group, filter) that matches counts once.
  [[nodiscard]] Fanout fanout(const std::string& topic, unsigned qos) const;
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    std::string filter;
    unsigned qos = 0;
    std::vector<std::uint64_t> subscribers;  ///< non-shared: who subscribed (sorted, unique)
    std::string share;                       ///< shared: the group name
  };
  std::vector<Entry> entries_;
  /// Non-shared: (filter, qos) -> entry; shared: (share, filter) -> entry.
  std::unordered_map<std::string, std::size_t> index_;
  /// Filters without wildcards are found by the topic itself (a fleet of 100k devices each on its
  /// own topic must not cost 100k comparisons per publisher); only wildcard filters are scanned.
  std::unordered_multimap<std::string, std::size_t> exact_;
  std::vector<std::size_t> wildcard_;
};

/// True when the topic name matches the filter by the rules of MQTT 3.1.1 §4.7 and 5.0 §4.7: '+'
/// is one whole level (possibly empty), '#' the last level and every level below, including none
/// ("sport/#" matches "sport"); a filter starting with a wildcard does not match a topic starting
/// with '$'. An invalid filter ("a/b#", "a/#/b", "a+"), an empty one, or a topic name with a
/// wildcard matches nothing.
[[nodiscard]] bool topic_matches(std::string_view filter, std::string_view topic) noexcept;

}  // namespace gauntlet::swarm
