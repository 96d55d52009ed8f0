// The fuzz report's numbers for people (internal to gauntlet::reports): the wording summary.md and
// report.html share, so the two say the same thing. Plain text: each writer escapes it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gauntlet/reports/fuzz_metrics.hpp"

namespace gauntlet::reports::detail {

/// "2 findings in 412,345 sequences", "1 finding in ...", "no finding in 412,345 sequences".
[[nodiscard]] std::string fuzz_outcome(const FuzzMetrics& metrics);
/// A count and what it counts, plural unless one: ("1 sequence", "412,345 sequences").
[[nodiscard]] std::string counted(std::uint64_t count, std::string_view what);
/// A rate for a sentence: "229" (whole above 100, grouped), "12.5".
[[nodiscard]] std::string fuzz_rate_number(double per_second);
/// "1,234,567 (456,789 mutated)".
[[nodiscard]] std::string fuzz_packets(const FuzzMetrics& metrics);
/// "120 → 340 (+220)": sequences in the corpus at the start and at the end.
[[nodiscard]] std::string fuzz_corpus(const FuzzMetrics& metrics);
/// "1,000 (3 failed)", "none".
[[nodiscard]] std::string fuzz_probes(const FuzzMetrics& metrics);
/// "duration reached", "sequence limit reached", "interrupted", "broker lost"; the value itself
/// when unknown.
[[nodiscard]] std::string_view fuzz_stop_reason(std::string_view reason);
/// "black box" (broker) or "spawned broker" (spawn); the value itself when unknown.
[[nodiscard]] std::string_view fuzz_mode(std::string_view mode);
/// "resource growth" for "resource_growth": a kind for people.
[[nodiscard]] std::string fuzz_kind(std::string_view kind);
/// "yes, 3 of 3 replays", "no, 0 of 5 replays", "not replayed".
[[nodiscard]] std::string fuzz_replays(const FuzzFinding& finding);
/// "12 → 3 packets, 480 → 41 bytes".
[[nodiscard]] std::string fuzz_minimised(const FuzzFinding& finding);
/// Whether `gauntlet run` of the reproducer failed as predicted: "verified", "not reproduced by
/// gauntlet run", "not checked"; "no reproducer" when there is no file.
[[nodiscard]] std::string_view fuzz_reproducer_status(const FuzzFinding& finding);

}  // namespace gauntlet::reports::detail
