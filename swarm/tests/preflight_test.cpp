// The pre-flight check's choice of source addresses: enough 127.0.0.x addresses that none carries
// more than connections_per_source_address connections to a loopback broker, the scenario's own
// choice when it makes one, and no binding at all for a broker elsewhere.
#include "gauntlet/swarm/preflight.hpp"

#include <gtest/gtest.h>

namespace gauntlet::swarm {
namespace {

TEST(Preflight, SpreadsLoopbackConnectionsSoNoAddressCarriesMoreThanItsShare) {
  EXPECT_EQ(preflight(1, "127.0.0.1", 0).source_addresses, 1U);
  EXPECT_EQ(preflight(connections_per_source_address, "127.0.0.1", 0).source_addresses, 1U);
  EXPECT_EQ(preflight(connections_per_source_address + 1, "127.0.0.1", 0).source_addresses, 2U);
  EXPECT_EQ(preflight(18000, "localhost", 0).source_addresses,
            (18000 + connections_per_source_address - 1) / connections_per_source_address);
}

TEST(Preflight, UsesAtMostTheLoopbackAddressesThereAre) {
  EXPECT_EQ(preflight(1'000'000, "127.0.0.1", 0).source_addresses, 254U);
}

TEST(Preflight, KeepsTheScenarioChoice) {
  EXPECT_EQ(preflight(18000, "127.0.0.1", 4).source_addresses, 4U);
}

TEST(Preflight, DoesNotBindForABrokerOffThisMachine) {
  EXPECT_EQ(preflight(18000, "10.213.1.1", 0).source_addresses, 0U);
  EXPECT_EQ(preflight(18000, "::1", 0).source_addresses, 0U);
}

}  // namespace
}  // namespace gauntlet::swarm
