#include "gauntlet/codec/topic.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace gauntlet::codec {
namespace {

constexpr std::string_view share_prefix = "$share/";

std::optional<TopicIssue> check_wildcards(std::string_view filter, std::size_t base) noexcept {
  for (std::size_t i = 0; i < filter.size(); ++i) {
    const char c = filter[i];
    if (c == '#') {
      const bool level_start = i == 0 || filter[i - 1] == '/';
      if (!level_start || i + 1 != filter.size()) {
        return TopicIssue{Rule::multi_level_wildcard_misplaced, base + i};
      }
    } else if (c == '+') {
      const bool level_start = i == 0 || filter[i - 1] == '/';
      const bool level_end = i + 1 == filter.size() || filter[i + 1] == '/';
      if (!level_start || !level_end) {
        return TopicIssue{Rule::single_level_wildcard_misplaced, base + i};
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<TopicIssue> check_topic_name(std::string_view name) noexcept {
  if (name.empty()) return TopicIssue{Rule::topic_name_empty, 0};
  // Eight bytes at a time: a word without '+' or '#' is skipped whole (libstdc++'s find_first_of
  // would call memchr on the set once per character).
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  const auto has_byte = [](std::uint64_t word, std::uint8_t byte) {
    const std::uint64_t x = word ^ (ones * byte);
    return ((x - ones) & ~x & highs) != 0;
  };
  std::size_t i = 0;
  for (; i + 8 <= name.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, name.data() + i, 8);
    if (has_byte(word, '+') || has_byte(word, '#')) break;
  }
  for (; i < name.size(); ++i) {
    if (name[i] == '+' || name[i] == '#') return TopicIssue{Rule::topic_name_wildcard, i};
  }
  return std::nullopt;
}

std::optional<TopicIssue> check_topic_filter(std::string_view filter,
                                             ProtocolVersion version) noexcept {
  if (filter.empty()) return TopicIssue{Rule::topic_filter_empty, 0};
  if (version == ProtocolVersion::v5 && filter.starts_with(share_prefix)) {
    const std::string_view rest = filter.substr(share_prefix.size());
    const std::size_t slash = rest.find('/');
    const std::string_view name = rest.substr(0, slash);
    if (name.empty()) return TopicIssue{Rule::share_name_empty, share_prefix.size()};
    const std::size_t bad = name.find_first_of("+#");
    if (bad != std::string_view::npos) {
      return TopicIssue{Rule::share_name_invalid, share_prefix.size() + bad};
    }
    if (slash == std::string_view::npos || slash + 1 == rest.size()) {
      return TopicIssue{Rule::share_name_invalid, filter.size()};
    }
    const std::size_t base = share_prefix.size() + slash + 1;
    return check_wildcards(rest.substr(slash + 1), base);
  }
  return check_wildcards(filter, 0);
}

std::optional<SharedSubscription> parse_shared_subscription(std::string_view filter) noexcept {
  if (!filter.starts_with(share_prefix)) return std::nullopt;
  const std::string_view rest = filter.substr(share_prefix.size());
  const std::size_t slash = rest.find('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 == rest.size()) {
    return std::nullopt;
  }
  const std::string_view name = rest.substr(0, slash);
  if (name.find_first_of("+#") != std::string_view::npos) return std::nullopt;
  return SharedSubscription{name, rest.substr(slash + 1)};
}

bool topic_matches(std::string_view filter, std::string_view name,
                   ProtocolVersion version) noexcept {
  if (version == ProtocolVersion::v5) {
    if (const auto shared = parse_shared_subscription(filter)) filter = shared->filter;
  }
  // §4.7.2: a filter that starts with a wildcard does not match a name that starts with '$'.
  if (!name.empty() && name.front() == '$' && !filter.empty() &&
      (filter.front() == '+' || filter.front() == '#')) {
    return false;
  }
  std::size_t f = 0;
  std::size_t n = 0;
  while (true) {
    const std::size_t f_end = std::min(filter.find('/', f), filter.size());
    const std::string_view f_level = filter.substr(f, f_end - f);
    if (f_level == "#") return true;  // matches this level, every level below, and the parent
    const std::size_t n_end = std::min(name.find('/', n), name.size());
    const std::string_view n_level = name.substr(n, n_end - n);
    if (f_level != "+" && f_level != n_level) return false;
    const bool filter_last = f_end == filter.size();
    const bool name_last = n_end == name.size();
    if (filter_last && name_last) return true;
    if (filter_last) return false;
    f = f_end + 1;
    n = n_end + 1;
    if (name_last) {
      // The name has no more levels: only a trailing "#" (which also matches the parent) is left.
      return filter.substr(f) == "#";
    }
  }
}

}  // namespace gauntlet::codec
