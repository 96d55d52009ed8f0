// Topic names, topic filters, shared subscriptions and matching (§4.7, §4.8 of 5.0).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "gauntlet/codec/error.hpp"
#include "gauntlet/codec/types.hpp"

namespace gauntlet::codec {

/// A rule broken by a topic string, and the offset inside the string where it shows.
struct TopicIssue {
  Rule rule;
  std::size_t offset;
  friend bool operator==(const TopicIssue&, const TopicIssue&) = default;
};

/// Wildcard and length rules of a Topic Name (UTF-8 validity is checked separately, see utf8.hpp).
/// An empty name is reported as topic_name_empty; 5.0 allows it only with a Topic Alias, which the
/// caller knows about.
std::optional<TopicIssue> check_topic_name(std::string_view name) noexcept;

/// Wildcard rules of a Topic Filter; with 5.0 also the Shared Subscription syntax
/// ($share/NAME/...).
std::optional<TopicIssue> check_topic_filter(std::string_view filter,
                                             ProtocolVersion version) noexcept;

struct SharedSubscription {
  std::string_view share_name;
  std::string_view filter;  ///< the filter that follows "$share/NAME/"
};

/// Splits "$share/NAME/FILTER". Returns nullopt for a filter that does not start with "$share/";
/// a malformed shared filter (empty NAME, NAME with '/', '+' or '#', no FILTER) returns nullopt
/// too — check_topic_filter says why.
std::optional<SharedSubscription> parse_shared_subscription(std::string_view filter) noexcept;

/// Whether a topic name matches a topic filter (§4.7): '+' matches one level, '#' the parent level
/// and every level below it, and a filter that starts with a wildcard does not match names that
/// start with '$'. At 5.0 a shared subscription filter matches as the filter after its ShareName;
/// before 5.0 "$share/..." is an ordinary filter. Both arguments are assumed valid (check them
/// first); no normalisation is applied.
bool topic_matches(std::string_view filter, std::string_view name,
                   ProtocolVersion version = ProtocolVersion::v5) noexcept;

}  // namespace gauntlet::codec
