// The pre-flight check of a swarm (DESIGN.md §7): before connecting anything, compare what the run
// needs with what this machine allows — open files, ephemeral ports per source address, memory —
// and say how to fix each shortfall. A soft open-file limit below the need is raised to the hard
// limit when that is enough.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gauntlet::swarm {

/// At most this many connections from one local address towards the broker (when it is on
/// loopback): connect()'s search for a free ephemeral port slows down as an address fills
/// (preflight.cpp has the measurement).
inline constexpr std::uint64_t connections_per_source_address = 500;

struct PreflightResult {
  std::vector<std::string> notes;   ///< facts and adjustments, for the report and the log
  std::vector<std::string> errors;  ///< shortfalls that would make the run fail, with the fix
  /// Source addresses to spread the connections over (127.0.0.1 .. 127.0.0.N); 0: do not bind.
  std::uint32_t source_addresses = 0;
};

/// `connections`: the clients this process opens; `broker_host`: the host of the broker's
/// endpoint; `wanted_addresses`: the scenario's "source_addresses" (0: as many as needed).
PreflightResult preflight(std::uint64_t connections, const std::string& broker_host,
                          std::uint32_t wanted_addresses);

}  // namespace gauntlet::swarm
