#include "gauntlet/client/endpoint.hpp"

#include <charconv>

namespace gauntlet::client {
namespace {

struct SchemeInfo {
  std::string_view prefix;
  Endpoint::Scheme scheme;
  std::uint16_t default_port;
};

constexpr SchemeInfo schemes[] = {{"mqtt://", Endpoint::Scheme::mqtt, 1883},
                                  {"mqtts://", Endpoint::Scheme::mqtts, 8883},
                                  {"ws://", Endpoint::Scheme::ws, 80},
                                  {"wss://", Endpoint::Scheme::wss, 443}};

// %XX escapes in user names and passwords (a password may contain '@' or ':').
std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= text.size()) return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
    if (ec != std::errc() || end != text.data() + i + 3) return std::nullopt;
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return out;
}

}  // namespace

std::string Endpoint::display() const {
  std::string url;
  for (const SchemeInfo& s : schemes) {
    if (s.scheme == scheme) url = s.prefix;
  }
  if (username) url += *username + (password ? ":***@" : "@");
  url += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  url += ":" + std::to_string(port) + path;
  return url;
}

std::variant<Endpoint, std::string> parse_broker_url(std::string_view url) {
  Endpoint endpoint;
  const SchemeInfo* scheme = nullptr;
  for (const SchemeInfo& s : schemes) {
    if (url.starts_with(s.prefix)) scheme = &s;
  }
  if (scheme == nullptr) {
    return std::string("the broker URL must start with mqtt://, mqtts://, ws:// or wss://");
  }
  endpoint.scheme = scheme->scheme;
  endpoint.port = scheme->default_port;
  std::string_view rest = url.substr(scheme->prefix.size());
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    if (!endpoint.websocket()) return std::string("only ws:// and wss:// URLs have a path");
    endpoint.path = std::string(rest.substr(slash));
  } else if (endpoint.websocket()) {
    endpoint.path = "/mqtt";
  }
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const std::size_t colon = userinfo.find(':');
    const auto user = percent_decode(userinfo.substr(0, colon));
    if (!user || user->empty())
      return std::string("the user name in the broker URL is empty or badly escaped");
    endpoint.username = *user;
    if (colon != std::string_view::npos) {
      const auto pass = percent_decode(userinfo.substr(colon + 1));
      if (!pass) return std::string("the password in the broker URL is badly escaped");
      endpoint.password = *pass;
    }
  }
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::string("an IPv6 host must end with ']'");
    endpoint.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return std::string("unexpected text after ']'");
    if (!after.empty()) port_text = after.substr(1);
  } else {
    const std::size_t colon = authority.rfind(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (endpoint.host.empty()) return std::string("the broker URL names no host");
  if (!port_text.empty() || authority.ends_with(':')) {
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return "the port \"" + std::string(port_text) + "\" is not a number from 1 to 65535";
    }
    endpoint.port = static_cast<std::uint16_t>(port);
  }
  return endpoint;
}

}  // namespace gauntlet::client
