// A profile describes the broker under test (DESIGN.md §5, a contract; schema in
// scenarios/schema/profile.schema.json): its endpoints, credentials, TLS material, capabilities,
// lifecycle commands and known deviations. A scenario that needs what a profile lacks is skipped
// with the reason, never failed.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "gauntlet/client/endpoint.hpp"
#include "gauntlet/codec/types.hpp"
#include "gauntlet/scenarios/source.hpp"

namespace gauntlet::scenarios {

struct Credentials {
  std::optional<std::string> username;
  std::optional<std::string> password;  ///< resolved from the file, the environment or the text
};

struct KnownDeviation {
  std::string case_id;  ///< a case id or a glob ("mqtt5-retain-*")
  std::string reason;
  std::string link;
};

struct Profile {
  std::string file;  ///< empty for a profile made from --broker
  std::string name;
  std::string version;
  std::map<std::string, client::Endpoint> endpoints;  ///< "plain", "tls", ...
  std::map<std::string, Credentials> credentials;     ///< "valid", "limited", ...
  /// Absolute paths (a profile's relative paths are taken from its own directory).
  std::string ca_file;
  std::string other_ca_file;  ///< a CA that signed nothing the broker uses
  std::string client_cert_file;
  std::string client_key_file;
  std::set<codec::ProtocolVersion> protocols = {
      codec::ProtocolVersion::v3_1, codec::ProtocolVersion::v3_1_1, codec::ProtocolVersion::v5};
  /// Capability name -> available. Absent names count as available: a profile lists what its
  /// broker lacks or what it must confirm.
  std::map<std::string, bool, std::less<>> capabilities;
  std::uint8_t maximum_qos = 2;
  std::uint32_t maximum_packet_size = 0;  ///< 0: no limit known
  std::string start_command, stop_command, restart_command;
  std::vector<KnownDeviation> known_deviations;

  [[nodiscard]] bool has(std::string_view capability) const;
  /// The reason a scenario's need is not met, or nullopt.
  [[nodiscard]] std::optional<std::string> lacks_endpoint(const std::string& wanted) const;
  [[nodiscard]] std::optional<std::string> lacks_credentials(const std::string& wanted) const;
};

std::variant<Profile, FileError> load_profile(const std::string& path);
std::variant<Profile, FileError> parse_profile(const SourceDocument& document);

/// The profile of `--broker URL`: the URL is the endpoint of its kind ("plain" for mqtt://,
/// also "auth" when it carries a user; "tls", "ws", "wss"), its user is the "valid" credentials,
/// and every capability is assumed (an unknown broker is held to the whole spec). `ca_file`
/// applies to mqtts:// and wss://. Returns the profile or what is wrong with the URL.
std::variant<Profile, std::string> profile_from_url(std::string_view url, std::string ca_file);

}  // namespace gauntlet::scenarios
