#include "gauntlet/swarm/accounting.hpp"

#include <algorithm>
#include <bit>
#include <unordered_set>

namespace gauntlet::swarm {

// --- ReceiptLog
// -----------------------------------------------------------------------------------

const std::uint64_t* ReceiptLog::find_word(std::uint64_t sequence) const noexcept {
  const std::uint64_t word = sequence / 64;
  if (word < bits_.size()) return &bits_[word];
  const auto chunk = far_.find(sequence / chunk_bits);
  if (chunk == far_.end()) return nullptr;
  return &chunk->second[word % chunk_words];
}

std::uint64_t* ReceiptLog::word_for(std::uint64_t sequence, bool create) {
  if (const std::uint64_t* found = find_word(sequence)) return const_cast<std::uint64_t*>(found);
  if (!create) return nullptr;
  const std::uint64_t dense_end = bits_.size() * std::uint64_t{64};
  const std::uint64_t chunk = sequence / chunk_bits;
  if (sequence - dense_end >= max_dense_jump) return &far_[chunk][(sequence / 64) % chunk_words];
  // Grow the bitset by whole blocks up to the sequence's block, and take in the sparse blocks it
  // now covers (all of them lie beyond the old end).
  const std::uint64_t blocks = chunk + 1;
  bits_.resize(blocks * chunk_words, 0);
  while (!far_.empty() && far_.begin()->first < blocks) {
    std::copy(far_.begin()->second.begin(), far_.begin()->second.end(),
              bits_.begin() + static_cast<std::ptrdiff_t>(far_.begin()->first * chunk_words));
    far_.erase(far_.begin());
  }
  return &bits_[sequence / 64];
}

std::uint64_t ReceiptLog::merge_word(std::uint64_t base, std::uint64_t mask) {
  std::uint64_t* word = word_for(base, true);
  const auto fresh = static_cast<std::uint64_t>(std::popcount(mask & ~*word));
  const auto already = static_cast<std::uint64_t>(std::popcount(mask & *word));
  *word |= mask;
  distinct_ += fresh;
  if (mask != 0) {
    const std::uint64_t top = base + 63 - static_cast<std::uint64_t>(std::countl_zero(mask));
    highest_ = any_ ? std::max(highest_, top) : top;
    any_ = true;
  }
  return already;
}

template <typename Visit>
void ReceiptLog::for_each_word(Visit&& visit) const {
  for (std::size_t i = 0; i < bits_.size(); ++i)
    if (bits_[i] != 0) visit(std::uint64_t{i} * 64, bits_[i]);
  for (const auto& [chunk, words] : far_) {
    for (std::size_t i = 0; i < chunk_words; ++i)
      if (words[i] != 0) visit(chunk * chunk_bits + std::uint64_t{i} * 64, words[i]);
  }
}

ReceiptLog::Recorded ReceiptLog::record(std::uint64_t sequence) {
  std::uint64_t* word = word_for(sequence, true);
  const std::uint64_t bit = std::uint64_t{1} << (sequence % 64);
  if ((*word & bit) != 0) return {Outcome::duplicate, false};
  *word |= bit;
  ++distinct_;
  Recorded recorded{Outcome::first, any_ && sequence < highest_};
  highest_ = any_ ? std::max(highest_, sequence) : sequence;
  any_ = true;
  return recorded;
}

bool ReceiptLog::contains(std::uint64_t sequence) const noexcept {
  const std::uint64_t* word = find_word(sequence);
  return word != nullptr && (*word >> (sequence % 64) & 1U) != 0;
}

std::uint64_t ReceiptLog::unite(const ReceiptLog& other) {
  if (&other == this) return distinct_;
  std::uint64_t duplicates = 0;
  other.for_each_word(
      [&](std::uint64_t base, std::uint64_t word) { duplicates += merge_word(base, word); });
  return duplicates;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> ReceiptLog::ranges() const {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  // A run that reaches the last sequence (2^64 - 1) ends at 2^64, which a u64 cannot hold: such
  // a run stops one short (last = 2^64 - 1 wraps to 0 here, see the header).
  const auto extend = [&](std::uint64_t first, std::uint64_t last) {
    if (last == 0) last = ~std::uint64_t{0};
    if (first >= last) return;
    if (!out.empty() && out.back().second == first) {
      out.back().second = last;
    } else {
      out.emplace_back(first, last);
    }
  };
  for_each_word([&](std::uint64_t base, std::uint64_t word) {
    if (word == ~std::uint64_t{0}) {
      extend(base, base + 64);
      return;
    }
    std::uint64_t offset = 0;
    while (word != 0) {
      const auto zeros = static_cast<std::uint64_t>(std::countr_zero(word));
      offset += zeros;
      word >>= zeros;
      const auto ones = static_cast<std::uint64_t>(std::countr_one(word));
      extend(base + offset, base + offset + ones);
      offset += ones;
      word = ones >= 64 ? 0 : word >> ones;
    }
  });
  return out;
}

ReceiptLog ReceiptLog::from_ranges(
    const std::vector<std::pair<std::uint64_t, std::uint64_t>>& ranges) {
  ReceiptLog log;
  for (const auto& [first, last] : ranges) {
    std::uint64_t at = first;
    while (at < last) {
      const std::uint64_t base = at - at % 64;
      const std::uint64_t end = std::min(last, base + 64);  // bits [at, end) of this word
      const std::uint64_t width = end - at;
      const std::uint64_t ones = width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
      log.merge_word(base, ones << (at - base));
      at = end;
    }
  }
  return log;
}

std::size_t ReceiptLog::memory_bytes() const noexcept {
  return bits_.capacity() * sizeof(std::uint64_t) + far_.size() * sizeof(Chunk);
}

bool SinkReceipts::record(std::uint32_t publisher, std::uint64_t sequence) {
  const ReceiptLog::Recorded recorded = by_publisher[publisher].record(sequence);
  if (recorded.outcome == ReceiptLog::Outcome::duplicate) {
    ++counts.duplicated;
    return false;
  }
  ++counts.delivered;
  if (recorded.out_of_order) ++counts.out_of_order;
  return true;
}

// --- topic matching ---------------------------------------------------------------------------

namespace {

bool has_wildcard(std::string_view text) noexcept {
  // One pass over the text: find_first_of("+#") calls memchr once for each of the text's
  // characters, and this runs for every delivered message (topic_matches).
  return std::any_of(text.begin(), text.end(), [](char c) { return c == '+' || c == '#'; });
}

/// The level of `text` that starts at `at`, and where the next one starts (npos after the last).
std::string_view level_at(std::string_view text, std::size_t at, std::size_t& next) noexcept {
  const std::size_t slash = text.find('/', at);
  if (slash == std::string_view::npos) {
    next = std::string_view::npos;
    return text.substr(at);
  }
  next = slash + 1;
  return text.substr(at, slash - at);
}

}  // namespace

bool topic_matches(std::string_view filter, std::string_view topic) noexcept {
  if (filter.empty() || topic.empty() || has_wildcard(topic)) return false;
  if (topic.front() == '$' && (filter.front() == '+' || filter.front() == '#')) return false;
  std::size_t f = 0;  // where the filter's next level starts (npos: no more levels)
  std::size_t t = 0;  // where the topic's next level starts
  for (;;) {
    std::size_t f_next = 0;
    const std::string_view wanted = level_at(filter, f, f_next);
    // '#' is the last level of a filter and matches the parent level too ("sport/#": "sport").
    if (wanted == "#") return f_next == std::string_view::npos;
    if (wanted != "+" && has_wildcard(wanted)) return false;  // "a#", "a+b": not a filter
    if (t == std::string_view::npos) return false;            // the topic has fewer levels
    std::size_t t_next = 0;
    const std::string_view level = level_at(topic, t, t_next);
    if (wanted != "+" && wanted != level) return false;
    f = f_next;
    t = t_next;
    if (f == std::string_view::npos) return t == std::string_view::npos;
  }
}

// --- SubscriptionTable ------------------------------------------------------------------------

void SubscriptionTable::add(std::uint64_t subscriber, const std::string& filter, unsigned qos,
                            const std::string& share) {
  qos = std::min(qos, 2U);
  std::string key;
  if (share.empty()) {
    key = "n" + std::to_string(qos) + '\0' + filter;
  } else {
    key = "s" + share + '\0' + filter;
  }
  auto [found, fresh] = index_.try_emplace(key, entries_.size());
  if (fresh) {
    entries_.push_back(Entry{filter, qos, {}, share});
    if (has_wildcard(filter)) {
      wildcard_.push_back(found->second);
    } else {
      exact_.emplace(filter, found->second);
    }
  }
  Entry& entry = entries_[found->second];
  if (!share.empty()) {
    entry.qos = std::max(entry.qos, qos);
    return;
  }
  auto& list = entry.subscribers;
  if (list.empty() || list.back() < subscriber) {
    list.push_back(subscriber);  // the usual order: clients subscribe by index
    return;
  }
  const auto at = std::lower_bound(list.begin(), list.end(), subscriber);
  if (at == list.end() || *at != subscriber) list.insert(at, subscriber);
}

Fanout SubscriptionTable::fanout(const std::string& topic, unsigned qos) const {
  Fanout out{};
  std::vector<const Entry*> matching;
  const auto [first, last] = exact_.equal_range(topic);
  for (auto it = first; it != last; ++it)
    matching.push_back(&entries_[it->second]);
  for (const std::size_t index : wildcard_)
    if (topic_matches(entries_[index].filter, topic)) matching.push_back(&entries_[index]);

  std::vector<const Entry*> own;
  for (const Entry* entry : matching) {
    if (entry->share.empty()) {
      own.push_back(entry);
    } else {
      ++out[std::min(qos, entry->qos)];
    }
  }
  if (own.size() == 1) {
    out[std::min(qos, own[0]->qos)] += own[0]->subscribers.size();
    return out;
  }
  // A client with several matching filters is one sink at the highest of their QoS: visit the
  // filters from the highest QoS down and count each client the first time it shows up.
  std::stable_sort(own.begin(), own.end(),
                   [](const Entry* a, const Entry* b) { return a->qos > b->qos; });
  std::unordered_set<std::uint64_t> counted;
  for (const Entry* entry : own) {
    for (const std::uint64_t subscriber : entry->subscribers)
      if (counted.insert(subscriber).second) ++out[std::min(qos, entry->qos)];
  }
  return out;
}

}  // namespace gauntlet::swarm
