#include "gauntlet/client/read_batcher.hpp"

#include <utility>

#include "gauntlet/client/connection.hpp"

namespace gauntlet::client {

ReadBatcher::ReadBatcher(asio::io_context& io, std::chrono::microseconds window)
    : window_(window), timer_(io) {}

TimePoint ReadBatcher::next_boundary(TimePoint at) const noexcept {
  const auto since_epoch = at.time_since_epoch();
  const auto window = std::chrono::duration_cast<Clock::duration>(window_);
  return TimePoint((since_epoch / window + 1) * window);
}

TimePoint ReadBatcher::boundary_at_or_after(TimePoint at) const noexcept {
  return next_boundary(at - Clock::duration{1});
}

void ReadBatcher::defer(std::shared_ptr<Connection> connection, std::uint64_t generation) {
  resting_.push_back({std::move(connection), generation});
  if (resting_.size() > 1) return;  // the timer is set for this window already
  // One timer for every connection resting in this window; asio reprograms its timerfd only
  // when this becomes its earliest deadline (the loop's send window ends at the same instant).
  timer_.expires_at(next_boundary(Clock::now()));
  timer_.async_wait([this](const asio::error_code& ec) {
    if (!ec) on_boundary();
  });
}

void ReadBatcher::on_boundary() {
  // Connections that read during this pass rest until the next boundary, in resting_.
  std::swap(waking_, resting_);
  for (const Resting& entry : waking_)
    entry.connection->resume_reading(entry.generation);
  waking_.clear();
}

}  // namespace gauntlet::client
