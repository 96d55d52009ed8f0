// gauntlet_planted_broker: a test-only TCP proxy in front of a real broker (Mosquitto) that plants
// one bug, for the tests of the network fuzzer (`gauntlet fuzz`, DESIGN.md §8). It relays every
// byte both ways unchanged, decodes the packets of every connection in both directions with
// gauntlet::codec (leniently, and only to watch: what cannot be decoded is relayed all the same),
// and keeps a small model of the broker's state across connections: live connections and their
// client ids, wills and subscriptions, client -> broker topic aliases, and the filters each client
// id's session ever subscribed. The planted bug fires only after a multi-step sequence spread over
// several connections, so that a state-aware fuzzer finds it in seconds and a one-connection
// fuzzer (CONNECT + a few packets on one connection) never does:
//
//   crash  Client A holds a QoS 2 subscription to a filter with a '+' wildcard. Client B, on
//          another connection, publishes at QoS 2 with RETAIN and an MQTT 5 Topic Alias (the topic
//          named in that PUBLISH or by an alias B set before) to a topic that A's filter matches.
//          When the proxy relays B's PUBREL of that flow, it prints an AddressSanitizer-like
//          "heap-use-after-free" report with a fixed fake stack (top frame
//          `gauntlet::planted::RetainedAliasTable::release`) to stderr and abort()s (SIGABRT).
//   hang   A CONNECT with Clean Start 0 takes over a client id whose earlier connection is still
//          open (a session takeover), then that new connection UNSUBSCRIBEs a filter its client
//          id never subscribed (since the session last started clean). The proxy then stops
//          reading, writing and accepting: the process stays up and the port open (connections
//          are still accepted by the kernel), but nothing answers — a liveness probe's CONNECT
//          never gets a CONNACK. SIGTERM still ends it.
//   leak   Each PUBLISH whose topic is the Will Topic of another connection that is still
//          connected (its will not discarded by a DISCONNECT) makes the proxy allocate and touch
//          1 MiB and open a descriptor (a dup of /dev/null), both kept for good — up to
//          `leak_limit` times, so that a long fuzzing run cannot exhaust the machine.
//   none   No bug: a faithful proxy (the control).
//
// Near misses — any step left out, or everything on one connection — do not trigger; the tests
// (planted_test.sh) check both. Nothing is written to stdout but the startup line; logs go to
// stderr. SIGTERM or SIGINT end the proxy with exit code 0, after stopping the broker it spawned
// with --spawn-upstream (by pid). The planted crash sends that broker SIGTERM before it aborts; if
// the proxy is killed, PR_SET_PDEATHSIG sends it SIGTERM — unless the broker changed its user
// (Mosquitto started as root drops to the mosquitto user, which clears that setting).
//
// Usage: gauntlet_planted_broker --listen PORT --upstream HOST:PORT --bug crash|hang|leak|none
//                                [--spawn-upstream 'COMMAND'] [--verbose]
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <asio.hpp>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "gauntlet/codec/codec.hpp"

namespace gauntlet::planted {
namespace {

using asio::ip::tcp;
using codec::ByteView;
using Bytes = std::vector<std::uint8_t>;

constexpr std::string_view program = "gauntlet_planted_broker";
constexpr std::size_t read_chunk = 16384;
constexpr std::size_t leak_size = 1U << 20U;
constexpr std::size_t leak_limit = 256;
// A direction whose packet is still incomplete after this many buffered bytes is no longer
// modelled (its bytes are still relayed): the model never needs large packets.
constexpr std::size_t largest_modelled_packet = 1U << 20U;

enum class Bug : std::uint8_t { none, crash, hang, leak };

std::optional<Bug> parse_bug(std::string_view name) {
  if (name == "none") return Bug::none;
  if (name == "crash") return Bug::crash;
  if (name == "hang") return Bug::hang;
  if (name == "leak") return Bug::leak;
  return std::nullopt;
}

std::string_view bug_name(Bug bug) {
  switch (bug) {
    case Bug::crash:
      return "crash";
    case Bug::hang:
      return "hang";
    case Bug::leak:
      return "leak";
    case Bug::none:
      break;
  }
  return "none";
}

bool verbose = false;
/// The broker started with --spawn-upstream (0: none); the planted crash takes it down too.
pid_t spawned_upstream = 0;

[[gnu::format(printf, 1, 2)]] void log(const char* format, ...) {
  std::fprintf(stderr, "%s: ", program.data());
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fputc('\n', stderr);
}

// --- the planted crash ---------------------------------------------------------------------------

// What a sanitizer prints for a use-after-free, with a fixed fake stack: the fuzzer deduplicates
// findings by their top frames, so the frames must be the same at every trigger.
[[noreturn]] void planted_crash(std::uint64_t connection, std::uint16_t packet_id) {
  std::fflush(stdout);
  std::fprintf(stderr,
               "=================================================================\n"
               "==%d==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000f10 "
               "at pc 0x55d0c0de1a2b bp 0x7ffc0ffee010 sp 0x7ffc0ffee008\n"
               "READ of size 8 at 0x602000000f10 thread T0\n"
               "    #0 0x55d0c0de1a2b in gauntlet::planted::RetainedAliasTable::release(unsigned "
               "short) planted_broker.cpp:201\n"
               "    #1 0x55d0c0de2b3c in gauntlet::planted::Qos2Flow::on_pubrel(unsigned short) "
               "planted_broker.cpp:233\n"
               "    #2 0x55d0c0de3c4d in gauntlet::planted::Session::on_client_packet(gauntlet::"
               "codec::Packet const&) planted_broker.cpp:412\n"
               "    #3 0x55d0c0de4d5e in main planted_broker.cpp:640\n"
               "SUMMARY: AddressSanitizer: heap-use-after-free planted_broker.cpp:201 in "
               "gauntlet::planted::RetainedAliasTable::release(unsigned short)\n"
               "==%d==ABORTING (planted crash: connection #%llu, PUBREL %u)\n",
               getpid(), getpid(), static_cast<unsigned long long>(connection), packet_id);
  std::fflush(stderr);
  if (spawned_upstream > 0) kill(spawned_upstream, SIGTERM);
  // A real crash here would leave a core file wherever the tests run: none for a planted one.
  const rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  std::abort();
}

// --- the planted leak ----------------------------------------------------------------------------

class Leak {
 public:
  Leak() = default;
  Leak(const Leak&) = delete;
  Leak& operator=(const Leak&) = delete;
  ~Leak() {
    for (const int fd : descriptors_)
      close(fd);
  }

  // Keeps 1 MiB (every page written, so that it counts in the RSS) and one more descriptor.
  void grow(std::uint64_t connection) {
    if (blocks_.size() >= leak_limit) {
      if (blocks_.size() == leak_limit) log("leak: limit of %zu reached, not growing", leak_limit);
      return;
    }
    auto block = std::make_unique<std::uint8_t[]>(leak_size);
    std::memset(block.get(), 0xA5, leak_size);
    blocks_.push_back(std::move(block));
    const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) descriptors_.push_back(fd);
    log("leak #%zu: kept 1 MiB and fd %d (publish from connection #%llu to a live will topic)",
        blocks_.size(), fd, static_cast<unsigned long long>(connection));
  }

 private:
  std::vector<std::unique_ptr<std::uint8_t[]>> blocks_;
  std::vector<int> descriptors_;
};

// --- the model of the broker's state -------------------------------------------------------------

// What the proxy must do after a client packet.
enum class Effect : std::uint8_t { relay, crash, hang, leak };

struct Subscription {
  std::string filter;
  codec::QoS qos = codec::QoS::at_most_once;
};

struct Connection {
  bool connected = false;  ///< its CONNECT was seen
  codec::ProtocolVersion version = codec::ProtocolVersion::v3_1_1;
  std::string client_id;
  std::optional<std::string> will_topic;
  std::map<std::uint16_t, std::string> aliases;  ///< client -> broker topic aliases
  std::vector<Subscription> subscriptions;       ///< of this connection
  bool took_over = false;                        ///< its CONNECT took over a live session
  std::set<std::uint16_t> armed_pubrels;         ///< crash: QoS 2 flows whose PUBREL crashes
};

class Model {
 public:
  explicit Model(Bug bug) : bug_(bug) {}

  void opened(std::uint64_t id) { connections_[id]; }
  void closed(std::uint64_t id) { connections_.erase(id); }

  Effect on_client_packet(std::uint64_t id, const codec::Packet& packet) {
    const auto found = connections_.find(id);
    if (found == connections_.end()) return Effect::relay;
    Connection& self = found->second;
    if (const auto* connect = std::get_if<codec::Connect>(&packet)) {
      on_connect(id, self, *connect);
    } else if (const auto* publish = std::get_if<codec::Publish>(&packet)) {
      return on_publish(id, self, *publish);
    } else if (const auto* pubrel = std::get_if<codec::Pubrel>(&packet)) {
      if (self.armed_pubrels.erase(pubrel->packet_id) != 0 && bug_ == Bug::crash) {
        return Effect::crash;
      }
    } else if (const auto* subscribe = std::get_if<codec::Subscribe>(&packet)) {
      for (const codec::Subscription& entry : subscribe->subscriptions) {
        std::string filter(entry.filter);
        std::erase_if(self.subscriptions,
                      [&](const Subscription& known) { return known.filter == filter; });
        self.subscriptions.push_back({filter, entry.options.qos});
        if (self.connected) sessions_[self.client_id].insert(std::move(filter));
      }
    } else if (const auto* unsubscribe = std::get_if<codec::Unsubscribe>(&packet)) {
      return on_unsubscribe(self, *unsubscribe);
    } else if (std::holds_alternative<codec::Disconnect>(packet)) {
      self.will_topic.reset();  // a normal DISCONNECT discards the will
    }
    return Effect::relay;
  }

 private:
  void on_connect(std::uint64_t id, Connection& self, const codec::Connect& connect) {
    if (self.connected) return;  // a second CONNECT is the broker's protocol error, not a session
    self.connected = true;
    self.version = connect.version;
    self.client_id = std::string(connect.client_id);
    if (connect.will) self.will_topic = std::string(connect.will->topic);
    if (self.client_id.empty()) return;  // the broker assigns a fresh id: no session to share
    if (connect.clean_start) {
      sessions_.erase(self.client_id);
      return;
    }
    for (const auto& [other_id, other] : connections_) {
      if (other_id != id && other.connected && other.client_id == self.client_id) {
        self.took_over = true;
        if (verbose)
          log("model: connection #%llu takes over client id '%s'",
              static_cast<unsigned long long>(id), self.client_id.c_str());
        break;
      }
    }
  }

  Effect on_publish(std::uint64_t id, Connection& self, const codec::Publish& publish) {
    std::string topic(publish.topic);
    std::optional<std::uint16_t> alias;
    if (const auto property = publish.properties.find(codec::PropertyId::topic_alias)) {
      alias = static_cast<std::uint16_t>(property->number);
    }
    if (alias) {
      if (!topic.empty()) {
        self.aliases[*alias] = topic;
      } else if (const auto known = self.aliases.find(*alias); known != self.aliases.end()) {
        topic = known->second;
      }
    }
    if (topic.empty()) return Effect::relay;

    if (alias && publish.qos == codec::QoS::exactly_once && publish.retain &&
        wildcard_qos2_subscriber(id, topic)) {
      self.armed_pubrels.insert(publish.packet_id);
      if (verbose)
        log("model: connection #%llu PUBLISH %u armed", static_cast<unsigned long long>(id),
            publish.packet_id);
    }
    if (bug_ == Bug::leak && live_will_of_another(id, topic)) return Effect::leak;
    return Effect::relay;
  }

  Effect on_unsubscribe(Connection& self, const codec::Unsubscribe& unsubscribe) {
    const auto& session = sessions_[self.client_id];
    for (const std::string_view filter : unsubscribe.filters) {
      std::erase_if(self.subscriptions,
                    [&](const Subscription& known) { return known.filter == filter; });
      const bool never_subscribed = !session.contains(std::string(filter));
      if (self.took_over && never_subscribed && bug_ == Bug::hang) return Effect::hang;
    }
    return Effect::relay;
  }

  bool wildcard_qos2_subscriber(std::uint64_t publisher, const std::string& topic) const {
    if (codec::check_topic_name(topic)) return false;
    for (const auto& [id, connection] : connections_) {
      if (id == publisher) continue;
      for (const Subscription& subscription : connection.subscriptions) {
        if (subscription.qos == codec::QoS::exactly_once &&
            subscription.filter.find('+') != std::string::npos &&
            !codec::check_topic_filter(subscription.filter, connection.version) &&
            codec::topic_matches(subscription.filter, topic, connection.version)) {
          return true;
        }
      }
    }
    return false;
  }

  bool live_will_of_another(std::uint64_t publisher, const std::string& topic) const {
    for (const auto& [id, connection] : connections_) {
      if (id != publisher && connection.will_topic == topic) return true;
    }
    return false;
  }

  Bug bug_;
  std::map<std::uint64_t, Connection> connections_;
  /// Client id -> the filters its session subscribed since it last started clean.
  std::map<std::string, std::set<std::string>> sessions_;
};

// --- the proxy -----------------------------------------------------------------------------------

struct Runtime {
  Bug bug = Bug::none;
  tcp::endpoint upstream;
  Model model{Bug::none};
  Leak leak;
  bool hung = false;
  std::uint64_t connections = 0;
  tcp::acceptor* acceptor = nullptr;
};

enum class Side : std::uint8_t { client = 0, upstream = 1 };
constexpr Side other(Side side) noexcept {
  return side == Side::client ? Side::upstream : Side::client;
}
constexpr std::size_t at(Side side) noexcept {
  return static_cast<std::size_t>(side);
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::io_context& io, tcp::socket client, Runtime& runtime, std::uint64_t id)
      : client_(std::move(client)),
        upstream_(io),
        runtime_(runtime),
        id_(id),
        decoders_{codec::StreamDecoder({.strict = false, .sender = codec::Sender::client}),
                  codec::StreamDecoder({.strict = false, .sender = codec::Sender::server})} {
    // The broker's packets are laid out at the level the client's CONNECT names (set below).
    decoders_[at(Side::upstream)].set_learn_version(false);
  }

  void start() {
    runtime_.model.opened(id_);
    upstream_.async_connect(
        runtime_.upstream, [self = shared_from_this()](const asio::error_code& ec) {
          if (self->closed_ || self->runtime_.hung) return;
          if (ec) {
            log("#%llu cannot reach the upstream broker: %s",
                static_cast<unsigned long long>(self->id_), ec.message().c_str());
            return self->close();
          }
          asio::error_code ignored;
          self->upstream_.set_option(tcp::no_delay(true), ignored);
          self->client_.set_option(tcp::no_delay(true), ignored);
          self->read(Side::upstream);
          self->read(Side::client);
        });
  }

 private:
  struct Outbox {
    std::deque<Bytes> queue;
    bool writing = false;
    bool shutdown_pending = false;  ///< the other side ended: shut this one once drained
    bool shut = false;
  };

  tcp::socket& socket(Side side) noexcept { return side == Side::client ? client_ : upstream_; }

  void read(Side side) {
    socket(side).async_read_some(
        asio::buffer(read_buffers_[at(side)]),
        [self = shared_from_this(), side](const asio::error_code& ec, std::size_t size) {
          // Hung: what arrives is never relayed, and nothing more is read.
          if (self->closed_ || self->runtime_.hung) return;
          if (ec) return self->end_of_input(side);
          self->on_bytes(side, ByteView(self->read_buffers_[at(side)].data(), size));
          if (!self->closed_ && !self->runtime_.hung) self->read(side);
        });
  }

  void on_bytes(Side side, ByteView bytes) {
    if (input_done_[at(other(side))]) return;  // nobody left to tell
    if (!observe(side, bytes)) return;
    outbox_[at(other(side))].queue.emplace_back(bytes.begin(), bytes.end());
    write(other(side));
  }

  // Feeds the bytes to the model; false when they must not be relayed (the proxy hangs).
  bool observe(Side side, ByteView bytes) {
    if (modelling_done_[at(side)]) return true;
    codec::StreamDecoder& decoder = decoders_[at(side)];
    decoder.feed(bytes);
    while (true) {
      codec::DecodeResult result = decoder.next();
      if (result.need_more()) {
        if (decoder.buffered() > largest_modelled_packet) stop_modelling(side, "packet too large");
        return true;
      }
      if (result.failed()) {
        stop_modelling(side, result.error().to_string());
        return true;
      }
      const codec::Packet& packet = result.packet();
      if (side == Side::upstream) continue;  // the model needs nothing from the broker yet
      if (const auto* connect = std::get_if<codec::Connect>(&packet)) {
        decoders_[at(Side::upstream)].set_version(connect->version);
      }
      switch (runtime_.model.on_client_packet(id_, packet)) {
        case Effect::crash:
          planted_crash(id_, std::get<codec::Pubrel>(packet).packet_id);
        case Effect::hang:
          hang();
          return false;
        case Effect::leak:
          runtime_.leak.grow(id_);
          break;
        case Effect::relay:
          break;
      }
    }
  }

  void stop_modelling(Side side, std::string_view why) {
    modelling_done_[at(side)] = true;
    if (verbose) {
      log("#%llu %s stream no longer modelled (still relayed): %.*s",
          static_cast<unsigned long long>(id_), side == Side::client ? "client" : "broker",
          static_cast<int>(why.size()), why.data());
    }
  }

  void hang() {
    runtime_.hung = true;
    asio::error_code ignored;
    if (runtime_.acceptor) runtime_.acceptor->cancel(ignored);
    log("hang: connection #%llu unsubscribed a filter never subscribed after a session takeover; "
        "no more reading, writing or accepting",
        static_cast<unsigned long long>(id_));
  }

  void write(Side side) {
    Outbox& out = outbox_[at(side)];
    if (closed_ || runtime_.hung || out.writing) return;
    if (out.queue.empty()) {
      if (out.shutdown_pending && !out.shut) {
        out.shut = true;
        asio::error_code ignored;
        socket(side).shutdown(tcp::socket::shutdown_send, ignored);
      }
      return maybe_finish();
    }
    auto buffer = std::make_shared<Bytes>(std::move(out.queue.front()));
    out.queue.pop_front();
    out.writing = true;
    asio::async_write(socket(side), asio::buffer(*buffer),
                      [self = shared_from_this(), side, buffer](const asio::error_code& ec,
                                                                std::size_t /*size*/) {
                        if (self->closed_ || self->runtime_.hung) return;
                        self->outbox_[at(side)].writing = false;
                        if (ec) return self->close();
                        self->write(side);
                      });
  }

  // One side stopped sending: the other gets what is still queued, then its end of stream too.
  // The connection leaves the model at once: for the broker, the client is gone.
  void end_of_input(Side side) {
    if (input_done_[at(side)]) return;
    input_done_[at(side)] = true;
    runtime_.model.closed(id_);
    outbox_[at(other(side))].shutdown_pending = true;
    write(other(side));
    maybe_finish();
  }

  void maybe_finish() {
    if (input_done_[at(Side::client)] && input_done_[at(Side::upstream)]) close();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    runtime_.model.closed(id_);
    asio::error_code ignored;
    client_.close(ignored);
    upstream_.close(ignored);
    if (verbose) log("#%llu closed", static_cast<unsigned long long>(id_));
  }

  tcp::socket client_;
  tcp::socket upstream_;
  Runtime& runtime_;
  std::uint64_t id_;
  std::array<codec::StreamDecoder, 2> decoders_;
  std::array<std::array<std::uint8_t, read_chunk>, 2> read_buffers_{};
  std::array<Outbox, 2> outbox_;
  std::array<bool, 2> input_done_{};
  std::array<bool, 2> modelling_done_{};
  bool closed_ = false;
};

void accept(asio::io_context& io, tcp::acceptor& acceptor, Runtime& runtime) {
  acceptor.async_accept([&io, &acceptor, &runtime](const asio::error_code& ec, tcp::socket socket) {
    if (runtime.hung || !acceptor.is_open()) return;
    if (!ec) {
      const std::uint64_t id = ++runtime.connections;
      if (verbose) log("#%llu accepted", static_cast<unsigned long long>(id));
      std::make_shared<Session>(io, std::move(socket), runtime, id)->start();
    }
    accept(io, acceptor, runtime);
  });
}

// --- the spawned upstream broker -----------------------------------------------------------------

// Runs `command` through /bin/sh (exec'd, so the pid is the broker's own); the broker gets SIGTERM
// if the proxy dies first, even by SIGKILL or abort().
pid_t spawn(const std::string& command) {
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid != 0) return pid;  // the parent, or -1
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(127);
  const std::string script = "exec " + command;
  execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));  // NOLINT: POSIX
  _exit(127);
}

bool exited(pid_t pid, int& status) {
  return waitpid(pid, &status, WNOHANG) == pid;
}

// Waits up to 10 s for the spawned broker to accept connections.
bool wait_for_upstream(pid_t pid, const tcp::endpoint& upstream) {
  asio::io_context io;
  for (int attempt = 0; attempt < 200; ++attempt) {
    int status = 0;
    if (exited(pid, status)) {
      log("the upstream broker exited at start (status %d)", status);
      return false;
    }
    tcp::socket probe(io);
    asio::error_code ec;
    probe.connect(upstream, ec);
    if (!ec) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  log("the upstream broker does not accept connections on %s:%u after 10 s",
      upstream.address().to_string().c_str(), upstream.port());
  return false;
}

void stop_spawned(pid_t pid) {
  if (pid <= 0) return;
  int status = 0;
  if (exited(pid, status)) return;
  kill(pid, SIGTERM);
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (exited(pid, status)) {
      log("stopped the upstream broker (pid %d)", pid);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  log("killed the upstream broker (pid %d): it ignored SIGTERM for 5 s", pid);
}

// --- command line --------------------------------------------------------------------------------

constexpr std::string_view usage =
    "usage: gauntlet_planted_broker --listen PORT --upstream HOST:PORT --bug crash|hang|leak|none\n"
    "                               [--spawn-upstream 'COMMAND'] [--verbose]\n"
    "Listens on 127.0.0.1:PORT and relays every connection, unchanged, to the broker at\n"
    "HOST:PORT (started with COMMAND and stopped at exit if --spawn-upstream is given), with one\n"
    "planted bug that a multi-client sequence triggers (see the header of planted_broker.cpp).\n";

int bad_usage(const std::string& message) {
  std::fprintf(stderr, "%s: %s\n%.*s", program.data(), message.c_str(),
               static_cast<int>(usage.size()), usage.data());
  return 2;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  std::uint16_t port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port == 0) return std::nullopt;
  return port;
}

int run(int argc, char** argv) {
  std::optional<std::uint16_t> listen_port;
  std::optional<Bug> bug;
  std::string upstream_host;
  std::optional<std::uint16_t> upstream_port;
  std::string spawn_command;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      std::printf("%.*s", static_cast<int>(usage.size()), usage.data());
      return 0;
    }
    if (arg == "--verbose") {
      verbose = true;
      continue;
    }
    if (arg != "--listen" && arg != "--upstream" && arg != "--bug" && arg != "--spawn-upstream") {
      return bad_usage("unknown option " + std::string(arg));
    }
    if (i + 1 >= args.size()) return bad_usage(std::string(arg) + " needs a value");
    const std::string_view value = args[++i];
    if (arg == "--listen") {
      listen_port = parse_port(value);
      if (!listen_port) return bad_usage("--listen takes a port");
    } else if (arg == "--upstream") {
      const auto colon = value.rfind(':');
      if (colon == std::string_view::npos || colon == 0) {
        return bad_usage("--upstream takes HOST:PORT");
      }
      upstream_host = std::string(value.substr(0, colon));
      upstream_port = parse_port(value.substr(colon + 1));
      if (!upstream_port) return bad_usage("--upstream takes HOST:PORT");
    } else if (arg == "--bug") {
      bug = parse_bug(value);
      if (!bug) return bad_usage("--bug takes crash, hang, leak or none");
    } else {
      spawn_command = std::string(value);
    }
  }
  if (!listen_port || !upstream_port || !bug) {
    return bad_usage("--listen, --upstream and --bug are required");
  }

  asio::io_context io;
  Runtime runtime;
  runtime.bug = *bug;
  runtime.model = Model(*bug);
  try {
    tcp::resolver resolver(io);
    runtime.upstream = *resolver.resolve(upstream_host, std::to_string(*upstream_port)).begin();
  } catch (const std::exception& error) {
    log("cannot resolve %s: %s", upstream_host.c_str(), error.what());
    return 3;
  }

  pid_t spawned = 0;
  if (!spawn_command.empty()) {
    spawned = spawn(spawn_command);
    spawned_upstream = spawned;
    if (spawned < 0) {
      log("cannot start the upstream broker: %s", std::strerror(errno));
      return 3;
    }
    if (!wait_for_upstream(spawned, runtime.upstream)) {
      stop_spawned(spawned);
      return 3;
    }
  }

  tcp::acceptor acceptor(io);
  try {
    const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), *listen_port);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen();
  } catch (const std::exception& error) {
    log("cannot listen on 127.0.0.1:%u: %s", *listen_port, error.what());
    stop_spawned(spawned);
    return 3;
  }
  runtime.acceptor = &acceptor;
  accept(io, acceptor, runtime);

  asio::signal_set stop_signals(io, SIGINT, SIGTERM);
  stop_signals.async_wait([&io](const asio::error_code& /*ec*/, int signal) {
    log("signal %d: stopping", signal);
    io.stop();
  });
  // The one line on stdout: tests and the fuzzer wait for it before connecting.
  const std::string spawned_note =
      spawned > 0 ? " (spawned, pid " + std::to_string(spawned) + ")" : std::string();
  std::printf("%s listening on 127.0.0.1:%u, upstream %s:%u%s, bug %.*s, pid %d\n", program.data(),
              *listen_port, upstream_host.c_str(), *upstream_port, spawned_note.c_str(),
              static_cast<int>(bug_name(*bug).size()), bug_name(*bug).data(), getpid());
  std::fflush(stdout);
  io.run();
  stop_spawned(spawned);
  return 0;
}

}  // namespace
}  // namespace gauntlet::planted

int main(int argc, char** argv) {
  return gauntlet::planted::run(argc, argv);
}
