// Reads of many connections on one event loop, batched into time windows (a load generator's
// option: `load.batch_us` in docs/swarm.md).
//
// Without it a connection waits for its socket again as soon as it has read, so under load every
// few messages cost a read: a system call, and on loopback the TCP acknowledgement it sends makes
// the kernel push the broker's queued segments in *our* process's time (the broker's Nagle
// algorithm holds small writes until that acknowledgement). With a batcher, a connection that has
// read rests until the next window boundary and then reads everything that arrived meanwhile:
// one read and one acknowledgement per window instead of one per few messages. The cost is
// latency: bytes wait up to one window before they are read.
#pragma once

#include <asio.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "gauntlet/client/session.hpp"

namespace gauntlet::client {

class Connection;

class ReadBatcher {
 public:
  /// `window` > 0. Boundaries are the multiples of `window` on the steady clock, so that every
  /// batcher (and a swarm loop's send windows) of a process wakes at the same instants.
  ReadBatcher(asio::io_context& io, std::chrono::microseconds window);

  /// The first window boundary after `at`.
  [[nodiscard]] TimePoint next_boundary(TimePoint at) const noexcept;
  /// The first boundary at or after `at` (an instant on a boundary stays where it is).
  [[nodiscard]] TimePoint boundary_at_or_after(TimePoint at) const noexcept;

  /// Called by a connection that has read: it waits for its socket again at the next boundary
  /// (unless it was closed or reopened by then).
  void defer(std::shared_ptr<Connection> connection, std::uint64_t generation);

 private:
  void on_boundary();

  struct Resting {
    std::shared_ptr<Connection> connection;
    std::uint64_t generation = 0;
  };
  std::chrono::microseconds window_;
  asio::steady_timer timer_;
  std::vector<Resting> resting_;
  std::vector<Resting> waking_;  ///< the batch being resumed (kept to reuse its memory)
};

}  // namespace gauntlet::client
