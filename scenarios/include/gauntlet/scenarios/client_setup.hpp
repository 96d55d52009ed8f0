// How a client group of a scenario becomes a client session: its credentials and endpoint from the
// profile, its templates expanded, its TLS choices. The scenario engine (one client per member,
// scripted) and the swarm (thousands of members, loaded) set clients up with this one code.
#pragma once

#include <asio/ssl.hpp>
#include <map>
#include <memory>
#include <string>

#include "gauntlet/client/endpoint.hpp"
#include "gauntlet/client/session.hpp"
#include "gauntlet/scenarios/model.hpp"
#include "gauntlet/scenarios/profile.hpp"
#include "gauntlet/scenarios/templates.hpp"

namespace gauntlet::scenarios {

/// The session of `client_id`, a member of `group`. `overrides` are a connect step's arguments
/// (clean_start, keep_alive_s, username, password, properties, will, send_connect; an empty object
/// for none); `bindings` expand the group's templates; `response_timeout` bounds the waits for
/// CONNACK and PINGRESP. The group's endpoint and credentials must exist in the profile (scenarios
/// needing what a profile lacks are skipped before this).
client::SessionConfig session_config(const ClientGroup& group, const Profile& profile,
                                     std::string client_id, const Json& overrides,
                                     const Bindings& bindings, Milliseconds response_timeout);

/// The TLS options of the group's members: the CA it chose, the profile's client certificate when
/// it presents one (by default on the "mtls" endpoint), verification and the server name.
client::TlsOptions tls_options(const ClientGroup& group, const Profile& profile,
                               const Bindings& bindings);

/// TLS contexts made once per set of options and shared by every client that uses them (a context
/// loads the CA and the certificate files).
class TlsContexts {
 public:
  /// nullptr and `error` when the files cannot be loaded.
  std::shared_ptr<asio::ssl::context> get(const client::TlsOptions& options, std::string& error);

 private:
  std::map<std::string, std::shared_ptr<asio::ssl::context>> contexts_;
};

}  // namespace gauntlet::scenarios
