// Where a broker listens, and how to reach it: the broker URLs of DESIGN.md §4 and TLS options.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace gauntlet::client {

struct TlsOptions {
  std::string ca_file;    ///< trust these CAs (empty: the system's default store)
  std::string cert_file;  ///< client certificate, for mutual TLS
  std::string key_file;
  std::string server_name;  ///< SNI and the name verified (default: the URL's host)
  /// Verify the server's certificate chain and name. Turning this off must be asked for
  /// explicitly and is reported (DESIGN.md §4).
  bool verify = true;
};

struct Endpoint {
  enum class Scheme { mqtt, mqtts, ws, wss };
  Scheme scheme = Scheme::mqtt;
  std::string host;
  std::uint16_t port = 1883;
  std::string path;  ///< WebSocket only (default "/mqtt")
  std::optional<std::string> username;
  std::optional<std::string> password;
  /// Bind the local end to this address before connecting (spreads ports over 127.0.0.x).
  std::optional<std::string> source_address;

  [[nodiscard]] bool tls() const noexcept {
    return scheme == Scheme::mqtts || scheme == Scheme::wss;
  }
  [[nodiscard]] bool websocket() const noexcept {
    return scheme == Scheme::ws || scheme == Scheme::wss;
  }
  /// The URL without the password, for logs and reports.
  [[nodiscard]] std::string display() const;
};

/// Parses mqtt://[user[:pass]@]host[:port], mqtts://, ws://host[:port][/path], wss://; IPv6 hosts
/// in brackets ("mqtt://[::1]:1883"). Default ports 1883, 8883, 80, 443. Returns the endpoint or
/// an error message naming the problem.
std::variant<Endpoint, std::string> parse_broker_url(std::string_view url);

}  // namespace gauntlet::client
