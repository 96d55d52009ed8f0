// Broker URLs (DESIGN.md §4): what parses, into what, and what is refused with which message.
#include "gauntlet/client/endpoint.hpp"

#include <gtest/gtest.h>

namespace gauntlet::client {
namespace {

Endpoint parsed(std::string_view url) {
  auto result = parse_broker_url(url);
  if (const auto* error = std::get_if<std::string>(&result)) {
    ADD_FAILURE() << url << ": " << *error;
    return {};
  }
  return std::get<Endpoint>(result);
}

std::string refused(std::string_view url) {
  auto result = parse_broker_url(url);
  if (std::holds_alternative<Endpoint>(result)) {
    ADD_FAILURE() << url << " was accepted";
    return {};
  }
  return std::get<std::string>(result);
}

TEST(BrokerUrl, SchemesAndDefaultPorts) {
  EXPECT_EQ(parsed("mqtt://broker").port, 1883);
  EXPECT_EQ(parsed("mqtts://broker").port, 8883);
  EXPECT_EQ(parsed("ws://broker").port, 80);
  EXPECT_EQ(parsed("wss://broker").port, 443);
  EXPECT_TRUE(parsed("mqtts://b").tls());
  EXPECT_TRUE(parsed("wss://b").tls() && parsed("wss://b").websocket());
  EXPECT_FALSE(parsed("mqtt://b").tls() || parsed("mqtt://b").websocket());
}

TEST(BrokerUrl, HostPortPathAndCredentials) {
  const Endpoint e = parsed("mqtt://alice:s%40cr%3At@127.0.0.1:18830");
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 18830);
  EXPECT_EQ(e.username, "alice");
  EXPECT_EQ(e.password, "s@cr:t");
  EXPECT_EQ(e.display(), "mqtt://alice:***@127.0.0.1:18830") << "the password never shows";
  const Endpoint ws = parsed("ws://localhost:9001/mqtt/v1");
  EXPECT_EQ(ws.path, "/mqtt/v1");
  EXPECT_EQ(parsed("ws://localhost").path, "/mqtt");
  const Endpoint v6 = parsed("mqtt://[::1]:1884");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 1884);
  EXPECT_EQ(v6.display(), "mqtt://[::1]:1884");
  EXPECT_EQ(parsed("mqtt://bob@b").username, "bob");
  EXPECT_FALSE(parsed("mqtt://bob@b").password.has_value());
}

TEST(BrokerUrl, BadUrlsSayWhy) {
  EXPECT_NE(refused("http://broker").find("mqtt://"), std::string::npos);
  EXPECT_NE(refused("mqtt://").find("no host"), std::string::npos);
  EXPECT_NE(refused("mqtt://b:0").find("1 to 65535"), std::string::npos);
  EXPECT_NE(refused("mqtt://b:65536").find("1 to 65535"), std::string::npos);
  EXPECT_NE(refused("mqtt://b:12x").find("1 to 65535"), std::string::npos);
  EXPECT_NE(refused("mqtt://b:").find("1 to 65535"), std::string::npos);
  EXPECT_NE(refused("mqtt://b/path").find("path"), std::string::npos);
  EXPECT_NE(refused("mqtt://[::1").find(']'), std::string::npos);
  EXPECT_NE(refused("mqtt://u:%zz@b").find("escaped"), std::string::npos);
  EXPECT_NE(refused("mqtt://@b").find("user name"), std::string::npos);
}

}  // namespace
}  // namespace gauntlet::client
