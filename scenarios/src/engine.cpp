// Each step is a coroutine on the scenario's io_context: waiting for an event is suspending until
// the client's inbox changes or the deadline passes, so steps never sleep and thousands of clients
// share one thread. A step that fails throws StepFailure, which ends the scenario.
#include "gauntlet/scenarios/engine.hpp"

#include <array>
#include <asio.hpp>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>

#include "gauntlet/client/connection.hpp"
#include "gauntlet/client/pcap_writer.hpp"
#include "gauntlet/codec/json.hpp"
#include "gauntlet/scenarios/client_setup.hpp"
#include "gauntlet/scenarios/matching.hpp"
#include "gauntlet/scenarios/packets.hpp"
#include "gauntlet/scenarios/parse.hpp"
#include "gauntlet/scenarios/templates.hpp"
#include "gauntlet/scenarios/trace.hpp"

namespace gauntlet::scenarios {

std::optional<std::string> unmet_requirement(const Scenario& scenario, const Profile& profile) {
  for (const std::string& capability : scenario.requires_capabilities) {
    // "!retain": the case is about a broker without the capability.
    if (capability.starts_with('!')) {
      if (profile.has(capability.substr(1)))
        return "the case is for brokers without \"" + capability.substr(1) +
               "\", and this one has it";
    } else if (!profile.has(capability)) {
      return "the broker lacks the capability \"" + capability + "\"";
    }
  }
  for (const ClientGroup& group : scenario.clients) {
    if (auto missing = profile.lacks_endpoint(group.endpoint)) return missing;
    if (auto missing = profile.lacks_credentials(group.credentials)) return missing;
    if (!profile.protocols.contains(group.version))
      return "the broker does not speak MQTT " + std::string(codec::to_string(group.version));
    const client::Endpoint& endpoint = profile.endpoints.at(group.endpoint);
    if (endpoint.tls()) {
      if (group.tls.ca == "other" && profile.other_ca_file.empty())
        return "the profile has no second CA (tls.other_ca) for a wrong-CA test";
      const bool wants_certificate =
          group.tls.client_certificate.value_or(group.endpoint == "mtls");
      if (wants_certificate && profile.client_cert_file.empty())
        return "the profile has no client certificate (tls.cert)";
    }
  }
  return std::nullopt;
}

namespace {

using asio::awaitable;
using asio::use_awaitable;
using client::Clock;
using client::TimePoint;

struct StepFailure {
  reports::Mismatch mismatch;
  bool infrastructure = false;  ///< the broker could not be reached: an error, not a verdict
};
struct Aborted {};  ///< another branch failed, or the run was interrupted

/// A packet id still written as "{name}" after expansion: a name this client has not bound (the
/// parser knows names, not which client binds them, nor whether a parallel branch ran first).
std::optional<std::string> unbound_packet_id(const Json& value) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (it.key() == "packet_id" && it.value().is_string()) return it.value().get<std::string>();
      if (auto inner = unbound_packet_id(it.value())) return inner;
    }
  } else if (value.is_array()) {
    for (const Json& item : value)
      if (auto inner = unbound_packet_id(item)) return inner;
  }
  return std::nullopt;
}

/// A report case for the scenario, before any verdict.
reports::Case case_for(const Scenario& scenario) {
  reports::Case result;
  result.id = scenario.name;
  result.title = scenario.title;
  result.spec = scenario.spec;
  result.level = scenario.level;
  result.area = scenario.area;
  result.protocol = std::string(codec::to_string(scenario.version));
  result.file = scenario.file;
  return result;
}

/// The {"reason_code", "properties"} argument of disconnect and auth steps.
std::pair<codec::ReasonCode, codec::PropertyBuilder> reason_and_properties(
    const Json& arguments, codec::PacketType packet) {
  const std::uint8_t code = arguments.contains("reason_code")
                                ? parse_reason_code(arguments["reason_code"], packet).value_or(0)
                                : 0;
  return {static_cast<codec::ReasonCode>(code),
          build_properties(arguments.value("properties", Json::object()))};
}

// Built outside the coroutines: GCC 12 miscompiles string literals in initializer lists there.
Json refused_filter_expectation(const std::string& kind) {
  return Json{{kind, {{"reason_codes", "every code below 0x80"}}}};
}
Json refused_message_expectation() {
  return Json{{"acknowledgement", {{"reason_code", "below 0x80"}}}};
}

std::string step_name(const Step& step, std::string_view member) {
  static const std::array<const char*, 13> names = {
      "connect", "disconnect", "drop",        "subscribe", "unsubscribe", "publish", "send",
      "auth",    "expect",     "expect_none", "barrier",   "loop",        "parallel"};
  std::string out = step.path;
  out += " (";
  if (!member.empty()) {
    out += member;
    out += ": ";
  }
  out += names.at(static_cast<std::size_t>(step.kind));
  if (!step.label.empty()) out += " \"" + step.label + "\"";
  out += ")";
  return out;
}

class Run;

/// One virtual client: its connection, its inbox of observed events and its packet trace.
class Member {
 public:
  Member(Run& owner, const ClientGroup& spec, std::uint32_t position, const Bindings& root);

  void on_event(const client::Event& event);
  void push(Observation observation);
  void wake() { notifier_.cancel(); }

  Run& run;
  const ClientGroup& group;
  std::uint32_t index;
  std::string name;  ///< "sub[0]"
  std::string client_id;
  std::shared_ptr<client::Connection> connection;
  std::deque<Observation> inbox;
  /// Names bound by "bind" on this member's expectations, for its later steps.
  std::map<std::string, std::string> bound;
  std::uint64_t next_sequence = 0;
  std::vector<reports::Finding> findings;
  PacketTrace trace;
  std::unique_ptr<client::PcapWriter> pcap;
  int connections = 0;
  asio::steady_timer notifier_;
};

/// Branches of one parallel step meeting at named barriers.
struct Barriers {
  struct Point {
    std::uint32_t needed = 0;
    std::uint32_t arrived = 0;
    std::uint64_t generation = 0;
  };
  std::map<std::string, Point> points;
};

class Run {
 public:
  Run(const Scenario& scenario, const Profile& profile, const RunOptions& options)
      : scenario_(scenario), profile_(profile), options_(options), wakeup_(io_) {
    root_.set("run", options.run_id);
    // User variables may use the built-in names and each other (in the order written).
    for (const auto& [name, value] : scenario.variables)
      root_.set(name, expand(value, root_));
  }

  reports::Case execute();

  asio::io_context& io() { return io_; }
  [[nodiscard]] double elapsed_ms() const {
    return std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
  }
  [[nodiscard]] bool stopping() const { return stopping_; }
  const RunOptions& options() const { return options_; }
  const Scenario& scenario() const { return scenario_; }
  void record_trace(Member& member, bool outbound, codec::ByteView bytes);
  void open_capture(Member& member);

 private:
  awaitable<void> sequence(const std::vector<Step>& steps, const Bindings& scope,
                           Barriers* barriers);
  awaitable<void> step(const Step& step, const Bindings& scope, Barriers* barriers);
  awaitable<void> parallel(const Step& step, const Bindings& scope);
  awaitable<void> barrier(const Step& step, Barriers* barriers);
  awaitable<void> act(const Step& step, Member& member, const Bindings& scope, TimePoint deadline,
                      std::vector<std::function<awaitable<void>()>>& outcomes);
  awaitable<Observation> expect_one(const Step& step, Member& member, const Json& matcher,
                                    TimePoint deadline, std::uint64_t after_sequence,
                                    bool default_outcome);
  awaitable<void> expect_none(const Step& step, Member& member, const Json& matchers,
                              TimePoint deadline);
  awaitable<void> expect_all(const Step& step, Member& member, Json matchers, std::uint32_t times,
                             TimePoint deadline, std::uint64_t after_sequence,
                             bool default_outcome = false);
  awaitable<void> socket_closed(const Step& step, Member& member, TimePoint deadline);
  awaitable<void> acknowledged(const Step& step, Member& member, std::string kind, std::uint16_t id,
                               TimePoint deadline);
  awaitable<void> published(const Step& step, Member& member, std::vector<std::uint16_t> ids,
                            TimePoint deadline);
  awaitable<void> wait(Member& member, TimePoint deadline);
  std::vector<Member*> targets(const Step& step);

  void connect(const Step& step, Member& member, const Json& overrides, const Bindings& bindings);
  /// Fails the step when a packet id in `expanded` is a name this member has not bound.
  void require_bound(const Step& step, Member& member, const Json& expanded) const {
    if (auto name = unbound_packet_id(expanded))
      fail(step, &member,
           "the packet id " + *name + " is not bound for " + member.name +
               ": an earlier expect of this client must bind it");
  }
  /// A raw CONNECT with "login": true carries the client's own user name and password (its
  /// group's credentials or its endpoint URL's user), unless it names them itself.
  void log_in(Json& arguments, const Member& member, const Bindings& bindings) const;
  client::SessionConfig session_config(const Member& member, const Json& overrides,
                                       const Bindings& bindings) const;
  std::shared_ptr<asio::ssl::context> tls_context(const ClientGroup& group, std::string& error);
  [[noreturn]] void fail(const Step& step, const Member* member, std::string reason,
                         Json expected = nullptr, std::vector<Json> received = {},
                         bool infrastructure = false) const;
  void stop();
  void finish(reports::Case& result);
  awaitable<void> watch_interrupt();

  // The io_context is declared first so that it outlives every socket and timer below.
  asio::io_context io_;
  const Scenario& scenario_;
  const Profile& profile_;
  const RunOptions& options_;
  Bindings root_;
  std::map<std::string, std::vector<std::unique_ptr<Member>>> groups_;
  TlsContexts tls_contexts_;
  asio::steady_timer wakeup_;  ///< parallel joins and barriers wait on it
  TimePoint started_ = Clock::now();
  bool stopping_ = false;
  bool finished_ = false;
  std::vector<std::string> capture_errors_;
  /// The alternative each any_of expectation matched: what the broker chose where the spec lets
  /// it choose.
  std::vector<std::string> choices_;
};

Member::Member(Run& owner, const ClientGroup& spec, std::uint32_t position, const Bindings& root)
    : run(owner),
      group(spec),
      index(position),
      name(spec.name + "[" + std::to_string(position) + "]"),
      trace(owner.options().trace_packets),
      notifier_(owner.io()) {
  Bindings scope(&root);
  scope.set("i", std::to_string(index));
  scope.set("client", group.name);
  client_id = expand(group.id_template, scope);
}

/// The templates of one member inside `scope` (the run's, or a loop's): {i}, {client}, {id}.
Bindings member_bindings(const Bindings& scope, const Member& member) {
  Bindings bindings(&scope);
  bindings.set("i", std::to_string(member.index));
  bindings.set("client", member.group.name);
  bindings.set("id", member.client_id);
  for (const auto& [name, value] : member.bound)
    bindings.set(name, value);
  return bindings;
}

/// An observation as a failure shows it: without the inbox's bookkeeping, with its raw bytes.
Json shown(const Observation& seen) {
  Json event = seen.event;
  event.erase("sequence");
  if (!seen.raw.empty()) event["raw"] = codec::to_hex(codec::ByteView(seen.raw), " ");
  return event;
}

void Member::push(Observation observation) {
  observation.event["sequence"] = next_sequence++;
  inbox.push_back(std::move(observation));
  wake();
}

void Member::on_event(const client::Event& event) {
  if (const auto* finding = std::get_if<client::Finding>(&event)) {
    findings.push_back({finding->statement, finding->description, name,
                        codec::to_hex(codec::ByteView(finding->packet), " ")});
    return;
  }
  if (auto observation = observe(event, group.version, run.elapsed_ms()))
    push(std::move(*observation));
}

void Run::record_trace(Member& member, bool outbound, codec::ByteView bytes) {
  member.trace.record(outbound, bytes, elapsed_ms());
  if (!options_.pcap_dir) return;
  if (!member.pcap) open_capture(member);
  if (!member.pcap) return;
  member.pcap->record(outbound ? client::PcapWriter::Direction::to_broker
                               : client::PcapWriter::Direction::from_broker,
                      bytes, std::chrono::system_clock::now());
}

void Run::open_capture(Member& member) {
  // The capture shows the real socket addresses when they are IPv4 (pcap_writer.hpp writes
  // IPv4 frames); otherwise loopback stand-ins. The broker side is always port 1883: the capture
  // holds plain MQTT (TLS and WebSocket framing taken off), and Wireshark dissects MQTT on 1883
  // without a "Decode As".
  client::PcapEndpoints endpoints;
  const auto local = member.connection->local_address();
  const auto remote = member.connection->remote_address();
  if (local && local->address().is_v4()) {
    endpoints.client_address = local->address().to_v4().to_bytes();
    endpoints.client_port = local->port();
  }
  if (remote && remote->address().is_v4()) {
    endpoints.broker_address = remote->address().to_v4().to_bytes();
  }
  endpoints.broker_port = 1883;
  const std::filesystem::path directory =
      std::filesystem::path(*options_.pcap_dir) / scenario_.name;
  std::error_code ignored;
  std::filesystem::create_directories(directory, ignored);
  std::string file = member.group.name + "-" + std::to_string(member.index);
  if (member.connections > 1) file += "-" + std::to_string(member.connections);
  std::string error;
  member.pcap = client::PcapWriter::open(directory / (file + ".pcap"), endpoints, error);
  if (!member.pcap) capture_errors_.push_back(error);
}

std::vector<Member*> Run::targets(const Step& step) {
  std::vector<Member*> out;
  auto& members = groups_.at(step.client);
  if (step.member) {
    out.push_back(members.at(*step.member).get());
  } else {
    for (auto& member : members)
      out.push_back(member.get());
  }
  return out;
}

void Run::fail(const Step& step, const Member* member, std::string reason, Json expected,
               std::vector<Json> received, bool infrastructure) const {
  reports::Mismatch mismatch;
  mismatch.step =
      step_name(step, member != nullptr ? member->name : "") + " at " + step.position.to_string();
  mismatch.client = member != nullptr ? member->name : "";
  mismatch.expected = std::move(expected);
  mismatch.received = std::move(received);
  mismatch.reason = std::move(reason);
  throw StepFailure{std::move(mismatch), infrastructure};
}

void Run::stop() {
  stopping_ = true;
  for (auto& [name, members] : groups_)
    for (auto& member : members)
      member->wake();
  wakeup_.cancel();
}

awaitable<void> Run::wait(Member& member, TimePoint deadline) {
  if (stopping_) throw Aborted{};
  member.notifier_.expires_at(deadline);
  asio::error_code ignored;
  co_await member.notifier_.async_wait(asio::redirect_error(use_awaitable, ignored));
  if (stopping_) throw Aborted{};
}

// --- connections -----------------------------------------------------------------------------

std::shared_ptr<asio::ssl::context> Run::tls_context(const ClientGroup& group, std::string& error) {
  return tls_contexts_.get(tls_options(group, profile_, Bindings()), error);
}

void Run::log_in(Json& arguments, const Member& member, const Bindings& bindings) const {
  if (!arguments.contains("packet")) return;
  Json& packet = arguments["packet"];
  if (!packet.value("login", false)) return;
  packet.erase("login");
  const client::SessionConfig own = session_config(member, Json::object(), bindings);
  if (own.username && !packet.contains("username")) packet["username"] = *own.username;
  if (own.password && !packet.contains("password"))
    packet["password"] = std::string(own.password->begin(), own.password->end());
}

client::SessionConfig Run::session_config(const Member& member, const Json& overrides,
                                          const Bindings& bindings) const {
  return scenarios::session_config(member.group, profile_, member.client_id, overrides, bindings,
                                   scenario_.timeout);
}

void Run::connect(const Step& step, Member& member, const Json& overrides,
                  const Bindings& bindings) {
  client::SessionConfig config = session_config(member, overrides, bindings);
  // Events of the previous connection (its end) are no outcome of this one.
  std::erase_if(member.inbox, [](const Observation& seen) {
    return seen.kind == "closed" || seen.kind == "transport";
  });
  if (member.connection) {
    if (member.connection->is_open()) fail(step, &member, "the client is already connected");
    if (!member.connection->session().reconfigure(std::move(config)))
      fail(step, &member, "the client's previous connection has not ended yet");
  } else {
    const ClientGroup& group = member.group;
    client::Endpoint endpoint = profile_.endpoints.at(group.endpoint);
    std::shared_ptr<asio::ssl::context> tls;
    client::TlsOptions tls_options;
    if (endpoint.tls()) {
      std::string error;
      tls = tls_context(group, error);
      if (!tls) fail(step, &member, error, nullptr, {}, true);
      tls_options = scenarios::tls_options(group, profile_, bindings);
    }
    Member* self = &member;
    member.connection =
        client::Connection::create(io_, endpoint, std::move(config), tls, tls_options,
                                   [self](const client::Event& event) { self->on_event(event); });
    member.connection->set_tap([this, self](bool outbound, codec::ByteView bytes) {
      record_trace(*self, outbound, bytes);
    });
  }
  if (options_.pcap_dir) {
    // One capture per connection; the addresses are known once the socket is up, so the file
    // is opened by the first bytes (see the tap above) — here the previous one is closed.
    if (member.pcap) member.pcap->close();
    member.pcap.reset();
  }
  ++member.connections;
  member.connection->open();
}

// --- steps -------------------------------------------------------------------------------------

awaitable<void> Run::sequence(const std::vector<Step>& steps, const Bindings& scope,
                              Barriers* barriers) {
  for (const Step& one : steps)
    co_await step(one, scope, barriers);
}

awaitable<void> Run::step(const Step& step, const Bindings& scope, Barriers* barriers) {
  if (stopping_) throw Aborted{};
  switch (step.kind) {
    case StepKind::loop:
      for (std::uint32_t n = 0; n < step.count; ++n) {
        Bindings iteration(&scope);
        iteration.set(step.loop_variable, std::to_string(n));
        co_await sequence(step.children[0], iteration, barriers);
      }
      co_return;
    case StepKind::parallel:
      co_await parallel(step, scope);
      co_return;
    case StepKind::barrier:
      co_await barrier(step, barriers);
      co_return;
    default:
      break;
  }
  const TimePoint deadline =
      Clock::now() + step.within.value_or(step.kind == StepKind::expect_none ? Milliseconds(1000)
                                                                             : scenario_.timeout);
  const std::vector<Member*> members = targets(step);
  if (step.kind == StepKind::expect || step.kind == StepKind::expect_none) {
    for (Member* member : members) {
      const Bindings bindings = member_bindings(scope, *member);
      const Json matchers = expand_tree(step.arguments, bindings);
      require_bound(step, *member, matchers);
      if (step.kind == StepKind::expect_none) {
        co_await expect_none(step, *member, matchers, deadline);
        continue;
      }
      co_await expect_all(step, *member, matchers, step.count, deadline, 0);
    }
    co_return;
  }
  // Actions: every member acts first, then every member's outcome is awaited, so that a group
  // acts at once and the deadline is shared.
  std::vector<std::function<awaitable<void>()>> outcomes;
  for (Member* member : members)
    co_await act(step, *member, scope, deadline, outcomes);
  for (auto& outcome : outcomes)
    co_await outcome();
}

awaitable<void> Run::act(const Step& step, Member& member, const Bindings& scope,
                         TimePoint deadline,
                         std::vector<std::function<awaitable<void>()>>& outcomes) {
  const Bindings bindings = member_bindings(scope, member);
  // Outcomes of earlier commands that nobody waited for are not this step's.
  std::erase_if(member.inbox, [](const Observation& seen) {
    return seen.kind == "published" || seen.kind == "refused";
  });
  const std::uint64_t first_sequence = member.next_sequence;
  const Json custom = step.expect.is_null() ? Json() : expand_tree(step.expect, bindings);
  require_bound(step, member, custom);
  // The action's argument, expanded once (a publish step expands its messages one by one).
  Json arguments = expand_tree(step.arguments, bindings);
  require_bound(step, member, arguments);
  const auto expect_custom = [this, &step, &member, custom, deadline,
                              first_sequence](std::uint32_t times) {
    return [this, &step, &member, custom, deadline, first_sequence, times] {
      return expect_all(step, member, custom, times, deadline, first_sequence);
    };
  };
  const auto needs_connection = [&] {
    if (!member.connection || !member.connection->is_open())
      fail(step, &member, "the client is not connected (add a connect step before this one)");
  };

  switch (step.kind) {
    case StepKind::connect: {
      connect(step, member, arguments, bindings);
      if (!custom.is_null()) {
        outcomes.emplace_back(expect_custom(1));
      } else {
        // Without CONNECT, the step ends when the transport is up (the next step sends one).
        const Json outcome = step.arguments.value("send_connect", true)
                                 ? Json{{"connack", {{"reason_code", 0}}}}
                                 : Json{{"transport", Json::object()}};
        outcomes.emplace_back([this, &step, &member, deadline, outcome] {
          return expect_all(step, member, outcome, 1, deadline, 0, true);
        });
      }
      break;
    }
    case StepKind::disconnect: {
      needs_connection();
      const auto disconnect = reason_and_properties(arguments, codec::PacketType::disconnect);
      member.connection->command([&](client::Session& session, TimePoint now) {
        session.disconnect(disconnect.first, disconnect.second.view(), now);
      });
      if (!custom.is_null()) outcomes.emplace_back(expect_custom(1));
      outcomes.emplace_back(
          [this, &step, &member, deadline] { return socket_closed(step, member, deadline); });
      break;
    }
    case StepKind::drop:
      if (member.connection) member.connection->drop();
      break;
    case StepKind::subscribe:
    case StepKind::unsubscribe: {
      needs_connection();
      const Json& filters = arguments.is_array() ? arguments : arguments["filters"];
      const auto properties = build_properties(
          arguments.is_object() ? arguments.value("properties", Json::object()) : Json::object());
      std::uint16_t id = 0;
      if (step.kind == StepKind::subscribe) {
        std::vector<std::string> topics;
        std::vector<codec::Subscription> subscriptions;
        for (const Json& entry : filters)
          topics.push_back(entry.is_string() ? entry.get<std::string>()
                                             : entry["topic"].get<std::string>());
        for (std::size_t i = 0; i < filters.size(); ++i) {
          codec::Subscription subscription;
          subscription.filter = topics[i];
          if (filters[i].is_object()) {
            subscription.options.qos = static_cast<codec::QoS>(filters[i].value("qos", 0));
            subscription.options.no_local = filters[i].value("no_local", false);
            subscription.options.retain_as_published =
                filters[i].value("retain_as_published", false);
            subscription.options.retain_handling =
                static_cast<std::uint8_t>(filters[i].value("retain_handling", 0));
          }
          subscriptions.push_back(subscription);
        }
        member.connection->command([&](client::Session& session, TimePoint now) {
          id = session.subscribe(subscriptions, properties.view(), now);
        });
      } else {
        std::vector<std::string> topics;
        for (const Json& entry : filters)
          topics.push_back(entry.get<std::string>());
        member.connection->command([&](client::Session& session, TimePoint now) {
          id = session.unsubscribe(std::move(topics), properties.view(), now);
        });
      }
      if (!custom.is_null()) {
        outcomes.emplace_back(expect_custom(1));
        break;
      }
      const std::string kind = step.kind == StepKind::subscribe ? "suback" : "unsuback";
      outcomes.emplace_back([this, &step, &member, deadline, kind, id] {
        return acknowledged(step, member, kind, id, deadline);
      });
      break;
    }
    case StepKind::publish: {
      needs_connection();
      std::vector<std::uint16_t> ids;
      for (std::uint32_t n = 0; n < step.count; ++n) {
        Bindings message_scope(&bindings);
        // {n} counts the messages of a step with a count; with one message, a loop's {n} shows.
        if (step.count > 1 || bindings.find("n") == nullptr)
          message_scope.set("n", std::to_string(n));
        const Json message = expand_tree(step.arguments, message_scope);
        client::Outgoing outgoing;
        outgoing.topic = message["topic"].get<std::string>();
        outgoing.payload = build_payload(message);
        outgoing.qos = static_cast<codec::QoS>(message.value("qos", 0));
        outgoing.retain = message.value("retain", false);
        outgoing.properties = build_properties(message.value("properties", Json::object()));
        member.connection->command([&](client::Session& session, TimePoint now) {
          const std::uint16_t id = session.publish(std::move(outgoing), now);
          if (id != 0) ids.push_back(id);
        });
      }
      if (!custom.is_null()) {
        outcomes.emplace_back(expect_custom(step.count));
        break;
      }
      outcomes.emplace_back(
          [this, &step, &member, deadline, ids] { return published(step, member, ids, deadline); });
      break;
    }
    case StepKind::send: {
      if (!member.connection || !member.connection->is_open()) needs_connection();
      std::string error;
      log_in(arguments, member, bindings);
      const auto bytes = build_raw(arguments, member.group.version, error);
      if (!error.empty()) fail(step, &member, error);
      member.connection->command([&](client::Session& session, TimePoint now) {
        session.send_raw(codec::ByteView(bytes), now);
      });
      if (!custom.is_null()) outcomes.emplace_back(expect_custom(1));
      break;
    }
    case StepKind::auth: {
      needs_connection();
      const auto auth = reason_and_properties(arguments, codec::PacketType::auth);
      member.connection->command([&](client::Session& session, TimePoint now) {
        session.auth(auth.first, auth.second.view(), now);
      });
      if (!custom.is_null()) outcomes.emplace_back(expect_custom(1));
      break;
    }
    default:
      break;
  }
  co_return;
}

awaitable<void> Run::socket_closed(const Step& step, Member& member, TimePoint deadline) {
  // The connection closes once the DISCONNECT is written; a reconnect must not race it. Writes
  // to loopback take microseconds, so a short poll is simpler than another event.
  asio::steady_timer poll(io_);
  while (member.connection->is_open()) {
    if (stopping_) throw Aborted{};
    if (Clock::now() >= deadline)
      fail(step, &member, "the connection did not close after DISCONNECT");
    poll.expires_after(std::chrono::milliseconds(1));
    asio::error_code ignored;
    co_await poll.async_wait(asio::redirect_error(use_awaitable, ignored));
  }
}

awaitable<void> Run::expect_all(const Step& step, Member& member, Json matchers,
                                std::uint32_t times, TimePoint deadline,
                                std::uint64_t after_sequence, bool default_outcome) {
  const std::vector<Json> list = matchers.is_array()
                                     ? std::vector<Json>(matchers.begin(), matchers.end())
                                     : std::vector<Json>{matchers};
  std::uint64_t after = after_sequence;
  for (std::uint32_t round = 0; round < times; ++round) {
    for (const Json& matcher : list) {
      const Observation seen =
          co_await expect_one(step, member, matcher, deadline, after, default_outcome);
      if (step.in_order) after = seen.event.value("sequence", std::uint64_t{0}) + 1;
      for (const auto& [name, field] : step.bind) {
        const Json value = seen.event.value(field, Json());
        if (value.is_null())
          fail(step, &member,
               "the event that matched has no " + field + " to bind to {" + name + "}");
        member.bound[name] = value.is_string() ? value.get<std::string>() : value.dump();
      }
    }
  }
}

awaitable<void> Run::acknowledged(const Step& step, Member& member, std::string kind,
                                  std::uint16_t id, TimePoint deadline) {
  Json matcher = Json::object();
  matcher[kind] = Json::object();
  const Observation ack = co_await expect_one(step, member, matcher, deadline, 0, true);
  const Json codes = ack.event.value("reason_codes", Json::array());
  if (ack.event.value("packet_id", 0) != id) {
    fail(step, &member,
         "the " + kind + " is for packet id " + ack.event.value("packet_id", Json()).dump() +
             ", not " + std::to_string(id),
         nullptr, {ack.event});
  }
  for (const Json& code : codes) {
    if (code.get<unsigned>() >= 0x80) {
      fail(step, &member, "the broker refused a filter: " + codes.dump(),
           refused_filter_expectation(kind), {ack.event});
    }
  }
}

awaitable<void> Run::published(const Step& step, Member& member, std::vector<std::uint16_t> ids,
                               TimePoint deadline) {
  for (const std::uint16_t id : ids) {
    Json matcher = Json::object();
    matcher["published"]["packet_id"] = id;
    const Observation done = co_await expect_one(step, member, matcher, deadline, 0, true);
    const bool abandoned = done.event.value("abandoned", false);
    if (abandoned || done.event.value("reason_code", 0U) >= 0x80) {
      fail(step, &member,
           abandoned ? "the message was dropped unacknowledged (the session ended)"
                     : "the broker refused the message",
           refused_message_expectation(), {done.event});
    }
  }
}

awaitable<Observation> Run::expect_one(const Step& step, Member& member, const Json& matcher,
                                       TimePoint deadline, std::uint64_t after_sequence,
                                       bool default_outcome) {
  const std::vector<std::string> kinds = matcher_kinds(matcher);
  const bool accepts_closed = std::ranges::find(kinds, "closed") != kinds.end();
  while (true) {
    std::string why;
    const Observation* closest = nullptr;
    std::string closest_why;
    for (auto it = member.inbox.begin(); it != member.inbox.end(); ++it) {
      if (it->event.value("sequence", std::uint64_t{0}) < after_sequence) continue;
      Json chosen;
      why.clear();
      if (matches(matcher, *it, why, &chosen)) {
        if (matcher.contains("any_of")) {
          Json arrived = shown(*it);
          arrived.erase("raw");
          choices_.push_back(step.path + " (" + member.name + "): " + chosen.dump() + " matched " +
                             arrived.dump());
        }
        Observation seen = std::move(*it);
        member.inbox.erase(it);
        co_return seen;
      }
      if (closest == nullptr && std::ranges::find(kinds, it->kind) != kinds.end()) {
        closest = &*it;
        closest_why = why;
      }
    }
    const auto received = [&] {
      std::vector<Json> out;
      for (const Observation& seen : member.inbox) {
        if (seen.kind == "published" || seen.kind == "transport") continue;
        out.push_back(shown(seen));
      }
      return out;
    };
    // A connection that has ended delivers nothing more: fail now instead of at the deadline.
    for (const Observation& seen : member.inbox) {
      if (seen.kind == "refused") {
        fail(step, &member, "the client refused the command: " + seen.event.value("reason", ""),
             matcher, received());
      }
      if (seen.kind == "closed" && !accepts_closed) {
        const std::string cause = seen.event.value("cause", "");
        const std::string ended =
            "the connection ended (" + cause + ": " + seen.event.value("detail", "") + ")";
        fail(step, &member,
             closest != nullptr
                 ? "a " + closest->kind + " arrived, but " + closest_why + "; " + ended
                 : ended,
             matcher, received(), default_outcome && cause == "transport_failed");
      }
    }
    if (Clock::now() >= deadline) {
      const auto waited =
          std::chrono::duration_cast<Milliseconds>(step.within.value_or(scenario_.timeout));
      std::string reason =
          closest != nullptr
              ? "a " + closest->kind + " arrived, but " + closest_why
              : "nothing matching arrived within " + std::to_string(waited.count()) + " ms";
      fail(step, &member, std::move(reason), matcher, received());
    }
    co_await wait(member, deadline);
  }
}

awaitable<void> Run::expect_none(const Step& step, Member& member, const Json& matchers,
                                 TimePoint deadline) {
  const std::vector<Json> list = matchers.is_array()
                                     ? std::vector<Json>(matchers.begin(), matchers.end())
                                     : std::vector<Json>{matchers};
  while (true) {
    for (const Observation& seen : member.inbox) {
      for (const Json& matcher : list) {
        std::string why;
        if (matches(matcher, seen, why)) {
          fail(step, &member, "an event arrived that must not", Json{{"none_of", list}},
               {shown(seen)});
        }
      }
    }
    if (Clock::now() >= deadline) co_return;
    co_await wait(member, deadline);
  }
}

awaitable<void> Run::parallel(const Step& step, const Bindings& scope) {
  Barriers barriers;
  for (const auto& [name, count] : step.arguments["barriers"].items())
    barriers.points[name].needed = count.get<std::uint32_t>();
  std::size_t running = step.children.size();
  std::exception_ptr first_failure;
  for (const auto& branch : step.children) {
    asio::co_spawn(io_, sequence(branch, scope, &barriers),
                   [this, &running, &first_failure](const std::exception_ptr& failure) {
                     if (failure && !first_failure) {
                       first_failure = failure;
                       // The other branches stop at their next wait.
                       try {
                         std::rethrow_exception(failure);
                       } catch (const Aborted&) {
                       } catch (...) {
                         stop();
                       }
                     }
                     --running;
                     wakeup_.cancel();
                   });
  }
  while (running > 0) {
    wakeup_.expires_at(TimePoint::max());
    asio::error_code ignored;
    co_await wakeup_.async_wait(asio::redirect_error(use_awaitable, ignored));
  }
  if (first_failure) std::rethrow_exception(first_failure);
}

awaitable<void> Run::barrier(const Step& step, Barriers* barriers) {
  Barriers::Point& point = barriers->points.at(step.arguments.get<std::string>());
  const std::uint64_t generation = point.generation;
  if (++point.arrived == point.needed) {
    point.arrived = 0;
    ++point.generation;
    wakeup_.cancel();
    co_return;
  }
  const TimePoint deadline = Clock::now() + step.within.value_or(scenario_.timeout);
  while (point.generation == generation) {
    if (stopping_) throw Aborted{};
    if (Clock::now() >= deadline) {
      fail(step, nullptr,
           std::to_string(point.arrived) + " of " + std::to_string(point.needed) +
               " branches reached the barrier \"" + step.arguments.get<std::string>() +
               "\" in time");
    }
    // wakeup_ is shared with the join of the parallel step; each waiter re-checks its own state.
    wakeup_.expires_at(deadline);
    asio::error_code ignored;
    co_await wakeup_.async_wait(asio::redirect_error(use_awaitable, ignored));
  }
}

awaitable<void> Run::watch_interrupt() {
  asio::steady_timer tick(io_);
  while (!finished_) {
    if (options_.interrupted != nullptr && options_.interrupted->load()) {
      stop();
      co_return;
    }
    tick.expires_after(std::chrono::milliseconds(50));
    asio::error_code ignored;
    co_await tick.async_wait(asio::redirect_error(use_awaitable, ignored));
  }
}

// --- the whole run -----------------------------------------------------------------------------

void Run::finish(reports::Case& result) {
  // Every client that is still connected says goodbye; then everything is closed.
  for (auto& [name, members] : groups_) {
    for (auto& member : members) {
      if (member->connection && member->connection->is_open() &&
          member->connection->session().is_connected()) {
        member->connection->command([](client::Session& session, TimePoint now) {
          session.disconnect(codec::ReasonCode::normal_disconnection, {}, now);
        });
      }
    }
  }
  // Until every DISCONNECT is written and its socket closed (loopback: microseconds), at most
  // 200 ms for a broker that does not read.
  const auto all_closed = [this] {
    for (auto& [name, members] : groups_)
      for (auto& member : members)
        if (member->connection && member->connection->is_open()) return false;
    return true;
  };
  const TimePoint until = Clock::now() + std::chrono::milliseconds(200);
  io_.restart();
  while (!all_closed() && Clock::now() < until)
    io_.run_for(std::chrono::milliseconds(2));
  for (auto& [name, members] : groups_) {
    for (auto& member : members) {
      if (member->connection) member->connection->drop();
      if (member->pcap) member->pcap->close();
      for (const reports::Finding& finding : member->findings)
        result.findings.push_back(finding);
    }
  }
  // The handlers of the closed sockets run (cancelled) before the io_context goes.
  io_.restart();
  io_.run_for(std::chrono::milliseconds(5));
  io_.stop();
}

reports::Case Run::execute() {
  reports::Case result = case_for(scenario_);
  for (const ClientGroup& group : scenario_.clients) {
    auto& members = groups_[group.name];
    for (std::uint32_t i = 0; i < group.count; ++i)
      members.push_back(std::make_unique<Member>(*this, group, i, root_));
  }

  std::exception_ptr failure;
  bool done = false;
  asio::co_spawn(io_, sequence(scenario_.steps, root_, nullptr),
                 [&](const std::exception_ptr& error) {
                   failure = error;
                   done = true;
                   finished_ = true;
                 });
  asio::co_spawn(io_, watch_interrupt(), asio::detached);
  while (!done)
    io_.run_one();

  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (StepFailure& step_failure) {
      result.verdict =
          step_failure.infrastructure ? reports::Verdict::error : reports::Verdict::fail;
      result.mismatches.push_back(std::move(step_failure.mismatch));
    } catch (const Aborted&) {
      result.verdict = reports::Verdict::error;
      result.detail = "interrupted before the scenario ended";
    } catch (const std::exception& error) {
      result.verdict = reports::Verdict::error;
      result.detail = std::string("internal error: ") + error.what();
    }
  }
  finish(result);
  result.choices = choices_;
  if (!capture_errors_.empty() && result.verdict == reports::Verdict::pass) {
    result.verdict = reports::Verdict::error;
    result.detail = "cannot write the capture: " + capture_errors_.front();
  }
  if (result.verdict == reports::Verdict::pass && !result.findings.empty() &&
      !scenario_.allow_findings) {
    result.verdict = reports::Verdict::fail;
    result.detail = "the broker broke the spec (findings below)";
  }
  if (result.verdict != reports::Verdict::pass) {
    for (auto& [name, members] : groups_)
      for (auto& member : members)
        if (!member->trace.empty())
          result.traces.push_back(member->trace.to_report(member->name, member->group.version));
    result.detail = describe_failure(result);
  }
  result.duration_ms = elapsed_ms();
  return result;
}

}  // namespace

reports::Case run_scenario(const Scenario& scenario, const Profile& profile,
                           const RunOptions& options) {
  if (auto missing = unmet_requirement(scenario, profile)) {
    reports::Case skipped = case_for(scenario);
    skipped.verdict = reports::Verdict::skip;
    skipped.detail = *missing;
    return skipped;
  }
  Run run(scenario, profile, options);
  return run.execute();
}

}  // namespace gauntlet::scenarios
