#include "gauntlet/swarm/preflight.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace gauntlet::swarm {
namespace {

// Descriptors beyond the clients: the event loops, the report files, the signal pipe, stdio.
constexpr std::uint64_t spare_descriptors = 64;
// A conservative estimate of one idle client's memory, client and kernel socket together.
constexpr std::uint64_t bytes_per_client_estimate = std::uint64_t{16} * 1024;

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1" || host == "[::1]";
}

std::uint64_t ephemeral_ports() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  std::uint64_t low = 32768;
  std::uint64_t high = 60999;
  range >> low >> high;
  return high >= low ? high - low + 1 : 0;
}

std::uint64_t available_memory_kib() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    if (line.rfind("MemAvailable:", 0) == 0) {
      std::istringstream fields(line.substr(13));
      std::uint64_t kib = 0;
      fields >> kib;
      return kib;
    }
  }
  return 0;
}

}  // namespace

PreflightResult preflight(std::uint64_t connections, const std::string& broker_host,
                          std::uint32_t wanted_addresses) {
  PreflightResult result;
  const std::uint64_t needed_files = connections + spare_descriptors;
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
    if (files.rlim_cur < needed_files) {
      if (files.rlim_max >= needed_files) {
        const rlim_t before = files.rlim_cur;
        files.rlim_cur = files.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &files) == 0) {
          result.notes.push_back("open files: raised the soft limit from " +
                                 std::to_string(before) + " to " + std::to_string(files.rlim_max) +
                                 " (the run needs " + std::to_string(needed_files) + ")");
        }
      } else {
        result.errors.push_back(
            "open files: the run needs " + std::to_string(needed_files) +
            " descriptors but the hard limit is " + std::to_string(files.rlim_max) +
            "; fix: raise it (`ulimit -Hn " + std::to_string(needed_files) +
            "` as root, or LimitNOFILE= in the service) or split the clients over processes "
            "with --shard I/N");
      }
    }
  }

  const std::uint64_t ports = ephemeral_ports();
  if (is_loopback(broker_host) && broker_host.find(':') == std::string::npos) {
    // Each local address has its own ephemeral ports towards the broker's one address and port,
    // but filling them is slow: connect() searches the range for a free port, and the search grows
    // with the ports the address already uses towards that broker (measured on Linux 6.18: 18,000
    // connections from one address spent 77 % of the run's CPU in __inet_hash_connect; spread
    // over 36 addresses, a connect cost 65 µs of system time). So each address carries at most
    // connections_per_source_address, far below the range.
    const std::uint64_t per_address =
        std::clamp<std::uint64_t>(ports * 9 / 10, 1, connections_per_source_address);
    const std::uint64_t needed = (connections + per_address - 1) / per_address;
    result.source_addresses =
        wanted_addresses != 0
            ? wanted_addresses
            : static_cast<std::uint32_t>(std::clamp<std::uint64_t>(needed, 1, 254));
    if (result.source_addresses > 1)
      result.notes.push_back("source addresses: spreading " + std::to_string(connections) +
                             " connections over 127.0.0.1-127.0.0." +
                             std::to_string(result.source_addresses) + " (" +
                             std::to_string(ports) + " ephemeral ports each)");
  } else if (connections > ports * 9 / 10) {
    result.errors.push_back(
        "ephemeral ports: " + std::to_string(connections) +
        " connections to one broker address need more than the " + std::to_string(ports) +
        " local ports of this machine's one address; fix: widen "
        "net.ipv4.ip_local_port_range (`sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\"`) "
        "or run shards from several machines (--shard I/N)");
  }

  const std::uint64_t memory_kib = available_memory_kib();
  const std::uint64_t needed_kib = connections * bytes_per_client_estimate / 1024;
  if (memory_kib != 0 && needed_kib > memory_kib) {
    result.errors.push_back("memory: about " + std::to_string(needed_kib / 1024) +
                            " MiB needed for " + std::to_string(connections) + " clients, " +
                            std::to_string(memory_kib / 1024) +
                            " MiB available; fix: fewer clients per process (--shard I/N over "
                            "machines)");
  }
  return result;
}

}  // namespace gauntlet::swarm
