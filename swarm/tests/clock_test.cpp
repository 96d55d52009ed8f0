// The run's clocks: a stamp carries microseconds since the Unix epoch on the system clock, so that
// a subscriber in another process (another shard) measures latency against its own system clock.
// (Stamps once carried microseconds since the process started: within one process latencies were
// right, across shards they were off by the gap between the processes' starts.)
#include <gtest/gtest.h>

#include <chrono>

#include "../src/loop.hpp"
#include "gauntlet/scenarios/model.hpp"

namespace gauntlet::swarm {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;

TEST(RunClocks, StampsCarryTheSystemClockSinceTheEpoch) {
  scenarios::Scenario scenario;
  scenario.name = "clocks";
  SwarmRequest request;
  request.scenario = &scenario;
  RunContext context(request);
  context.start_clocks();
  const auto system_now = static_cast<double>(
      duration_cast<microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  EXPECT_NEAR(static_cast<double>(context.system_us(Clock::now())), system_now, 1e6);
  // It advances with the steady clock, microsecond for microsecond.
  EXPECT_EQ(
      context.system_us(context.start + std::chrono::seconds(3)) - context.system_us(context.start),
      3'000'000U);
}

}  // namespace
}  // namespace gauntlet::swarm
