// gauntlet_fault_proxy: a test-only MQTT proxy that sits between Gauntlet and a broker and makes
// the broker look as if it had one bug (faults.hpp). The mutation test
// (conformance/tests/mutation.sh) runs the conformance suite through each fault and requires every
// fault to make at least one case fail, and `pass` to make none fail.
//
// Each client connection gets its own upstream connection. Both directions are framed and decoded
// with gauntlet::codec at the protocol level the client's CONNECT names; a packet that no fault
// touches is relayed as the very bytes that arrived, and bytes that cannot be framed (a malformed
// fixed header) are relayed unframed from there on, so the broker still judges malformed input.
// `pass` relays bytes without framing at all. Every decision depends only on the connection's own
// traffic and --seed: a run is reproducible.
//
// Usage: gauntlet_fault_proxy --fault NAME --listen PORT:UPSTREAM_PORT [--listen ...] [--seed N]
//                             [--pid-file FILE] [--anonymous-upstream PORT] [--verbose]
//        gauntlet_fault_proxy --list
#include <unistd.h>

#include <array>
#include <asio.hpp>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "faults.hpp"
#include "gauntlet/codec/codec.hpp"

namespace gauntlet::fault_proxy {
namespace {

using asio::ip::tcp;
using codec::ByteView;
using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t read_chunk = 16384;
// Packets are framed (held until complete) up to this size; a larger Remaining Length turns the
// rest of that direction into a plain byte relay.
constexpr std::size_t largest_framed_packet = 1U << 20U;
// reorder-delivery holds a lone PUBLISH this long waiting for the next one to swap it with.
constexpr auto reorder_hold = std::chrono::milliseconds(100);
// Packet ids the proxy puts on packets it makes up itself count down from here; the brokers and
// clients under test count up from 1, so the two never meet in a test run.
constexpr std::uint16_t highest_proxy_id = 0xFFFF;

struct Config {
  Fault fault = Fault::pass;
  std::uint64_t seed = 1;
  std::uint16_t anonymous_upstream = 0;  ///< auth-bypass lets refused logins in here
  bool verbose = false;
};

struct Stats {
  std::uint64_t connections = 0;
  std::uint64_t applied = 0;  ///< how many times the fault changed the traffic
};

enum class Side : std::uint8_t { client = 0, upstream = 1 };

constexpr Side other(Side side) noexcept {
  return side == Side::client ? Side::upstream : Side::client;
}
constexpr std::size_t at(Side side) noexcept {
  return static_cast<std::size_t>(side);
}

std::uint16_t read_u16(ByteView bytes, std::size_t offset) {
  return static_cast<std::uint16_t>((bytes[offset] << 8U) | bytes[offset + 1]);
}

// PUBACK, PUBREC, PUBREL or PUBCOMP for a packet id, reason code success.
template <typename Ack>
Ack ack(std::uint16_t id) {
  Ack packet;
  packet.packet_id = id;
  return packet;
}

// A packet id that differs from `id`, is not 0, and depends only on the seed.
std::uint16_t wrong_id(std::uint16_t id, std::uint64_t seed) {
  const auto mask = static_cast<std::uint16_t>(1U + seed % 255U);
  auto wrong = static_cast<std::uint16_t>(id ^ mask);
  if (wrong == 0) wrong = static_cast<std::uint16_t>(id ^ 0x0100U);
  return wrong;
}

// The property block without every property `id`, or nullopt when it has none.
std::optional<Bytes> without_property(const codec::Properties& properties, codec::PropertyId id) {
  const ByteView block = properties.encoded();
  std::vector<std::pair<std::size_t, codec::PropertyId>> entries;
  for (const codec::Property& property : properties)
    entries.emplace_back(property.offset, property.id);
  bool removed = false;
  Bytes kept;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::size_t end = i + 1 < entries.size() ? entries[i + 1].first : block.size();
    if (entries[i].second == id) {
      removed = true;
      continue;
    }
    kept.insert(kept.end(), block.begin() + static_cast<std::ptrdiff_t>(entries[i].first),
                block.begin() + static_cast<std::ptrdiff_t>(end));
  }
  if (!removed) return std::nullopt;
  return kept;
}

// "a/+" -> "a/#", "+" -> "#"; nullopt when the last level is not '+'.
std::optional<std::string> plus_as_hash(std::string_view filter) {
  if (filter == "+" || (filter.size() >= 2 && filter.ends_with("/+"))) {
    std::string widened(filter);
    widened.back() = '#';
    return widened;
  }
  return std::nullopt;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::io_context& io, tcp::socket client, std::uint16_t upstream_port,
          const Config& config, Stats& stats, std::uint64_t number)
      : io_(io),
        client_(std::move(client)),
        upstream_(io),
        upstream_port_(upstream_port),
        config_(config),
        stats_(stats),
        number_(number),
        reorder_timer_(io),
        keepalive_timer_(io) {}

  void start() { connect_upstream(upstream_port_); }

 private:
  struct Inbound {
    Bytes data;
    std::size_t begin = 0;
    bool unframed = false;  ///< framing was lost: the rest of the stream is relayed as bytes
  };
  struct Outbox {
    std::deque<Bytes> queue;
    bool writing = false;
    bool paused = false;            ///< auth-bypass: the upstream connection is being replaced
    bool shutdown_pending = false;  ///< the other side ended: shut this one once drained
    bool shut = false;
  };

  tcp::socket& socket(Side side) noexcept { return side == Side::client ? client_ : upstream_; }
  [[nodiscard]] std::uint64_t generation(Side side) const noexcept {
    return side == Side::client ? 0 : upstream_generation_;
  }
  [[nodiscard]] codec::ProtocolVersion version() const noexcept { return version_; }
  [[nodiscard]] bool v5() const noexcept { return version_ == codec::ProtocolVersion::v5; }
  [[nodiscard]] Fault fault() const noexcept { return config_.fault; }

  void applied(std::string_view what) {
    ++stats_.applied;
    if (config_.verbose) {
      std::fprintf(stderr, "gauntlet_fault_proxy: #%llu %.*s: %.*s\n",
                   static_cast<unsigned long long>(number_),
                   static_cast<int>(fault_name(fault()).size()), fault_name(fault()).data(),
                   static_cast<int>(what.size()), what.data());
    }
  }

  // --- connections -------------------------------------------------------------------------

  void connect_upstream(std::uint16_t port) {
    const std::uint64_t expected = upstream_generation_;
    upstream_.async_connect(
        tcp::endpoint(asio::ip::address_v4::loopback(), port),
        [self = shared_from_this(), expected](const asio::error_code& ec) {
          if (self->closed_ || expected != self->upstream_generation_) return;
          if (ec) {
            std::fprintf(stderr, "gauntlet_fault_proxy: #%llu cannot reach upstream: %s\n",
                         static_cast<unsigned long long>(self->number_), ec.message().c_str());
            return self->close();
          }
          asio::error_code ignored;
          self->upstream_.set_option(tcp::no_delay(true), ignored);
          self->outbox_[at(Side::upstream)].paused = false;
          self->read(Side::upstream);
          self->write(Side::upstream);
          if (!self->client_reading_) {
            self->client_reading_ = true;
            self->client_.set_option(tcp::no_delay(true), ignored);
            self->read(Side::client);
          }
        });
  }

  void read(Side side) {
    const std::uint64_t expected = generation(side);
    socket(side).async_read_some(
        asio::buffer(read_buffers_[at(side)]),
        [self = shared_from_this(), side, expected](const asio::error_code& ec, std::size_t size) {
          if (self->closed_ || expected != self->generation(side)) return;
          if (ec) return self->end_of_input(side);
          self->on_bytes(side, ByteView(self->read_buffers_[at(side)].data(), size));
          if (!self->closed_ && expected == self->generation(side)) self->read(side);
        });
  }

  void send(Side to, Bytes bytes) {
    if (closed_ || outbox_[at(to)].shutdown_pending || bytes.empty()) return;
    outbox_[at(to)].queue.push_back(std::move(bytes));
    write(to);
  }
  void forward(Side to, ByteView bytes) { send(to, Bytes(bytes.begin(), bytes.end())); }
  void send_packet(Side to, const codec::Packet& packet) {
    Bytes bytes;
    if (auto error = codec::encode(packet, version(), bytes)) {
      std::fprintf(stderr, "gauntlet_fault_proxy: #%llu cannot encode: %.*s\n",
                   static_cast<unsigned long long>(number_), static_cast<int>(error->reason.size()),
                   error->reason.data());
      return;
    }
    send(to, std::move(bytes));
  }

  void write(Side side) {
    Outbox& out = outbox_[at(side)];
    if (closed_ || out.writing || out.paused) return;
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
    const std::uint64_t expected = generation(side);
    asio::async_write(socket(side), asio::buffer(*buffer),
                      [self = shared_from_this(), side, buffer, expected](
                          const asio::error_code& ec, std::size_t /*size*/) {
                        if (self->closed_ || expected != self->generation(side)) return;
                        self->outbox_[at(side)].writing = false;
                        if (ec) return self->close();
                        self->write(side);
                      });
  }

  // One side stopped sending (end of stream or an error): give the other side everything that is
  // still queued, then end it too. What that other side sends afterwards has nowhere to go.
  void end_of_input(Side side) {
    if (input_done_[at(side)]) return;
    if (side == Side::upstream) release_held();
    input_done_[at(side)] = true;
    keepalive_timer_.cancel();
    outbox_[at(other(side))].shutdown_pending = true;
    write(other(side));
    maybe_finish();
  }

  void maybe_finish() {
    if (closed_) return;
    if (input_done_[at(Side::client)] && input_done_[at(Side::upstream)]) close();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    reorder_timer_.cancel();
    keepalive_timer_.cancel();
    asio::error_code ignored;
    client_.close(ignored);
    upstream_.close(ignored);
  }

  // --- framing -----------------------------------------------------------------------------

  void on_bytes(Side side, ByteView bytes) {
    if (input_done_[at(other(side))]) return;  // nobody left to tell
    if (fault() == Fault::pass) return forward(other(side), bytes);
    Inbound& in = inbound_[at(side)];
    in.data.insert(in.data.end(), bytes.begin(), bytes.end());
    while (!closed_) {
      const ByteView rest(in.data.data() + in.begin, in.data.size() - in.begin);
      if (rest.empty()) break;
      if (in.unframed) {
        on_unframed(side, rest);
        in.begin = in.data.size();
        break;
      }
      const auto header = codec::read_fixed_header(rest, codec::DecodeOptions{});
      if (std::holds_alternative<codec::NeedMore>(header)) break;
      if (std::holds_alternative<codec::Error>(header)) {
        in.unframed = true;
        continue;
      }
      const auto& fixed = std::get<codec::FixedHeader>(header);
      if (fixed.packet_size() > largest_framed_packet) {
        // The receiver must see such a header at once (it may refuse the size before the body
        // arrives), so the rest of this stream goes through as bytes.
        in.unframed = true;
        continue;
      }
      if (rest.size() < fixed.packet_size()) break;
      const ByteView packet = rest.first(fixed.packet_size());
      const std::uint64_t generation_before = upstream_generation_;
      if (side == Side::client) {
        on_client_packet(packet, fixed);
      } else {
        on_upstream_packet(packet, fixed);
      }
      // auth-bypass replaced the upstream connection: what the old one sent is gone with it.
      if (side == Side::upstream && generation_before != upstream_generation_) return;
      in.begin += fixed.packet_size();
    }
    if (in.begin == in.data.size()) {
      in.data.clear();
      in.begin = 0;
    } else if (in.begin > read_chunk) {
      in.data.erase(in.data.begin(), in.data.begin() + static_cast<std::ptrdiff_t>(in.begin));
      in.begin = 0;
    }
  }

  void on_unframed(Side side, ByteView bytes) {
    if (side == Side::client && fault() == Fault::accept_malformed) {
      return applied("dropped client bytes that cannot be framed");
    }
    forward(other(side), bytes);
  }

  // Faults change only packets that are well formed (strict decoding): a malformed packet reaches
  // its receiver as it arrived and is judged there, as without the proxy. Only accept-malformed
  // acts on malformed packets.
  std::optional<codec::Packet> decode(ByteView packet, codec::Sender sender, bool strict = true) {
    const codec::DecodeOptions options{.version = version_, .strict = strict, .sender = sender};
    codec::DecodeResult result = codec::decode(packet, options);
    if (!result.ok()) return std::nullopt;
    return std::move(result.packet());
  }

  // --- client -> broker --------------------------------------------------------------------

  void on_client_packet(ByteView bytes, const codec::FixedHeader& fixed) {
    if (fault() == Fault::pass_framed) {
      if (fixed.type() == codec::PacketType::connect) learn_connect(bytes);
      decode(bytes, codec::Sender::client);
      return forward(Side::upstream, bytes);
    }
    if (fault() == Fault::accept_malformed && fixed.type() != codec::PacketType::connect) {
      if (!decode(bytes, codec::Sender::client)) {
        return applied("dropped a malformed client packet instead of closing");
      }
    }
    switch (fixed.type()) {
      case codec::PacketType::connect:
        return on_client_connect(bytes);
      case codec::PacketType::publish:
        return on_client_publish(bytes);
      case codec::PacketType::puback:
      case codec::PacketType::pubrec:
      case codec::PacketType::pubcomp:
        if (bytes.size() >= fixed.header_size + 2 &&
            answer_to_proxy_publish(fixed.type(), read_u16(bytes, fixed.header_size))) {
          return;
        }
        break;
      case codec::PacketType::pubrel:
        break;
      case codec::PacketType::subscribe:
        return on_client_subscribe(bytes);
      case codec::PacketType::unsubscribe:
        return on_client_unsubscribe(bytes);
      case codec::PacketType::disconnect:
        if (fault() == Fault::will_on_normal_disconnect) {
          // The broker never hears of the DISCONNECT: it sees the connection end, as after a
          // crash, and publishes the will.
          if (has_will_) applied("swallowed DISCONNECT: the will is published anyway");
          return;
        }
        break;
      default:
        break;
    }
    forward(Side::upstream, bytes);
  }

  // The client answers a PUBLISH that the proxy made up (duplicate-delivery, qos-upgrade): the
  // broker never sent it, so it never hears the answer.
  bool answer_to_proxy_publish(codec::PacketType type, std::uint16_t id) {
    auto& ids = proxy_ids_[at(Side::client)];
    if (!ids.contains(id)) return false;
    if (type == codec::PacketType::pubrec) {
      send_packet(Side::client, ack<codec::Pubrel>(id));
    } else {
      ids.erase(id);
    }
    return true;
  }

  // The protocol level comes from any CONNECT that can be parsed at all, malformed or not.
  void learn_connect(ByteView bytes) {
    if (auto parsed = decode(bytes, codec::Sender::client, false)) {
      const auto& connect = std::get<codec::Connect>(*parsed);
      version_ = connect.version;
      keep_alive_s_ = connect.keep_alive;
      has_will_ = connect.will.has_value();
    }
  }

  void on_client_connect(ByteView bytes) {
    learn_connect(bytes);
    auto packet = decode(bytes, codec::Sender::client);
    if (!packet) {
      if (fault() == Fault::accept_malformed) {
        return applied("dropped a malformed CONNECT instead of closing");
      }
      return forward(Side::upstream, bytes);
    }
    auto& connect = std::get<codec::Connect>(*packet);
    switch (fault()) {
      case Fault::drop_will:
        if (connect.will) {
          connect.will.reset();
          applied("removed the will from CONNECT");
          return send_packet(Side::upstream, connect);
        }
        break;
      case Fault::ignore_clean_start:
        // An empty client id needs a clean session: leave those alone, or the broker refuses.
        if (connect.clean_start && !connect.client_id.empty()) {
          connect.clean_start = false;
          applied("cleared Clean Start / Clean Session");
          return send_packet(Side::upstream, connect);
        }
        break;
      case Fault::auth_bypass: {
        codec::Connect anonymous = connect;
        anonymous.username.reset();
        anonymous.password.reset();
        anonymous_connect_.clear();
        if (codec::encode(anonymous, version(), anonymous_connect_)) anonymous_connect_.clear();
        break;
      }
      default:
        break;
    }
    forward(Side::upstream, bytes);
  }

  void on_client_publish(ByteView bytes) {
    if (fault() == Fault::retain_not_stored && (bytes[0] & 0x01U) != 0 &&
        decode(bytes, codec::Sender::client)) {
      Bytes copy(bytes.begin(), bytes.end());
      copy[0] = static_cast<std::uint8_t>(copy[0] & 0xFEU);
      applied("cleared RETAIN on a client PUBLISH");
      return send(Side::upstream, std::move(copy));
    }
    if (fault() == Fault::ignore_qos2_dup) {
      auto packet = decode(bytes, codec::Sender::client);
      if (packet) {
        const auto& publish = std::get<codec::Publish>(*packet);
        if (publish.qos == codec::QoS::exactly_once && publish.dup) {
          // The resend reaches the broker as it should (the publisher gets its PUBREC), and a copy
          // under a new packet id goes in as a new message, which the proxy completes itself.
          forward(Side::upstream, bytes);
          codec::Publish copy = publish;
          copy.dup = false;
          copy.packet_id = take_proxy_id(Side::upstream);
          applied("forwarded a DUP QoS 2 PUBLISH again as a new message");
          return send_packet(Side::upstream, copy);
        }
      }
    }
    forward(Side::upstream, bytes);
  }

  void on_client_subscribe(ByteView bytes) {
    const bool touches =
        fault() == Fault::plus_matches_many_levels ||
        (v5() && (fault() == Fault::no_local_ignored || fault() == Fault::retain_handling_ignored));
    if (!touches) return forward(Side::upstream, bytes);
    auto packet = decode(bytes, codec::Sender::client);
    if (!packet) return forward(Side::upstream, bytes);
    auto& subscribe = std::get<codec::Subscribe>(*packet);
    std::deque<std::string> storage;
    bool changed = false;
    for (codec::Subscription& subscription : subscribe.subscriptions) {
      switch (fault()) {
        case Fault::plus_matches_many_levels:
          if (auto widened = plus_as_hash(subscription.filter)) {
            subscription.filter = storage.emplace_back(std::move(*widened));
            changed = true;
          }
          break;
        case Fault::no_local_ignored:
          changed = changed || subscription.options.no_local;
          subscription.options.no_local = false;
          break;
        case Fault::retain_handling_ignored:
          changed = changed || subscription.options.retain_handling != 0;
          subscription.options.retain_handling = 0;
          break;
        default:
          break;
      }
    }
    if (!changed) return forward(Side::upstream, bytes);
    applied("changed the subscription options or filters of a SUBSCRIBE");
    send_packet(Side::upstream, subscribe);
  }

  void on_client_unsubscribe(ByteView bytes) {
    if (fault() != Fault::ignore_unsubscribe && fault() != Fault::plus_matches_many_levels) {
      return forward(Side::upstream, bytes);
    }
    auto packet = decode(bytes, codec::Sender::client);
    if (!packet) return forward(Side::upstream, bytes);
    auto& unsubscribe = std::get<codec::Unsubscribe>(*packet);
    if (fault() == Fault::ignore_unsubscribe) {
      codec::Unsuback answer;
      answer.packet_id = unsubscribe.packet_id;
      answer.reason_codes.assign(unsubscribe.filters.size(), codec::ReasonCode::success);
      applied("answered UNSUBSCRIBE without telling the broker");
      return send_packet(Side::client, answer);
    }
    // plus-matches-many-levels: the filter to remove is the widened one the broker knows.
    std::deque<std::string> storage;
    bool changed = false;
    for (std::string_view& filter : unsubscribe.filters) {
      if (auto widened = plus_as_hash(filter)) {
        filter = storage.emplace_back(std::move(*widened));
        changed = true;
      }
    }
    if (!changed) return forward(Side::upstream, bytes);
    send_packet(Side::upstream, unsubscribe);
  }

  // --- broker -> client --------------------------------------------------------------------

  void on_upstream_packet(ByteView bytes, const codec::FixedHeader& fixed) {
    if (fault() == Fault::pass_framed) {
      decode(bytes, codec::Sender::server);
      return forward(Side::client, bytes);
    }
    const std::size_t body = fixed.header_size;
    const bool has_id = bytes.size() >= body + 2;
    switch (fixed.type()) {
      case codec::PacketType::connack:
        return on_upstream_connack(bytes, fixed);
      case codec::PacketType::publish:
        return on_upstream_publish(bytes);
      case codec::PacketType::puback:
      case codec::PacketType::pubrec:
      case codec::PacketType::pubcomp: {
        if (!has_id) break;
        const std::uint16_t id = read_u16(bytes, body);
        auto& ids = proxy_ids_[at(Side::upstream)];
        if (ids.contains(id)) {  // the broker answers a PUBLISH the proxy made up
          if (fixed.type() == codec::PacketType::pubrec) {
            send_packet(Side::upstream, ack<codec::Pubrel>(id));
          } else {
            ids.erase(id);
          }
          return;
        }
        if ((fixed.type() == codec::PacketType::puback && fault() == Fault::wrong_puback_id) ||
            (fixed.type() == codec::PacketType::pubrec && fault() == Fault::wrong_pubrec_id)) {
          applied("changed the packet id of an acknowledgement");
          return send(Side::client, with_id(bytes, body, wrong_id(id, config_.seed)));
        }
        break;
      }
      case codec::PacketType::pubrel:
        if (has_id && absorbed_.erase(read_u16(bytes, body)) > 0) {
          // A QoS 2 delivery that the proxy took over (drop-delivery, qos-downgrade).
          return send_packet(Side::upstream, ack<codec::Pubcomp>(read_u16(bytes, body)));
        }
        break;
      case codec::PacketType::suback:
        return on_upstream_suback(bytes, fixed);
      case codec::PacketType::unsuback:
        if (has_id && fault() == Fault::wrong_unsuback_id) {
          applied("changed the packet id of an UNSUBACK");
          return send(Side::client,
                      with_id(bytes, body, wrong_id(read_u16(bytes, body), config_.seed)));
        }
        break;
      case codec::PacketType::pingresp:
        if (injected_pings_ > 0) {
          --injected_pings_;
          return;
        }
        break;
      default:
        break;
    }
    forward(Side::client, bytes);
  }

  static Bytes with_id(ByteView bytes, std::size_t offset, std::uint16_t id) {
    Bytes copy(bytes.begin(), bytes.end());
    copy[offset] = static_cast<std::uint8_t>(id >> 8U);
    copy[offset + 1] = static_cast<std::uint8_t>(id & 0xFFU);
    return copy;
  }

  void on_upstream_connack(ByteView bytes, const codec::FixedHeader& fixed) {
    auto packet = decode(bytes, codec::Sender::server);
    if (!packet) return forward(Side::client, bytes);
    const auto& connack = std::get<codec::Connack>(*packet);
    const auto code = codec::to_byte(connack.reason_code);
    if (fault() == Fault::auth_bypass && !rerouted_ && config_.anonymous_upstream != 0 &&
        !anonymous_connect_.empty()) {
      const bool refused = v5() ? (code == 0x86 || code == 0x87) : (code == 4 || code == 5);
      if (refused) return reroute_anonymous();
    }
    if (code == 0 && fault() == Fault::keepalive_ignored) {
      std::uint32_t keep_alive = keep_alive_s_;
      if (auto server = connack.properties.find(codec::PropertyId::server_keep_alive)) {
        keep_alive = server->number;
      }
      if (keep_alive > 0) {
        keepalive_period_ =
            std::chrono::milliseconds(std::max<std::uint32_t>(keep_alive * 500, 100));
        arm_keepalive();
      }
    }
    if (code == 0 && fault() == Fault::session_present_wrong && bytes.size() > fixed.header_size) {
      Bytes copy(bytes.begin(), bytes.end());
      copy[fixed.header_size] = static_cast<std::uint8_t>(copy[fixed.header_size] ^ 0x01U);
      applied("inverted Session Present");
      return send(Side::client, std::move(copy));
    }
    forward(Side::client, bytes);
  }

  // auth-bypass: the broker refused the login; the proxy swallows the refusal and logs the client
  // in on the anonymous listener instead, so the connection goes on working.
  void reroute_anonymous() {
    applied("let a refused login in as an anonymous client");
    rerouted_ = true;
    ++upstream_generation_;
    asio::error_code ignored;
    upstream_.close(ignored);
    upstream_ = tcp::socket(io_);
    inbound_[at(Side::upstream)] = Inbound{};
    Outbox& out = outbox_[at(Side::upstream)];
    out.writing = false;
    out.paused = true;
    out.queue.push_front(anonymous_connect_);
    connect_upstream(config_.anonymous_upstream);
  }

  void on_upstream_publish(ByteView bytes) {
    auto packet = decode(bytes, codec::Sender::server);
    if (!packet) return forward(Side::client, bytes);
    const auto& publish = std::get<codec::Publish>(*packet);
    ++deliveries_;
    switch (fault()) {
      case Fault::drop_delivery:
        if (deliveries_ % 2 == 0) {
          absorb(publish);
          return applied("lost a delivery");
        }
        break;
      case Fault::duplicate_delivery: {
        forward(Side::client, bytes);
        codec::Publish copy = publish;
        copy.dup = false;
        if (copy.qos != codec::QoS::at_most_once) copy.packet_id = take_proxy_id(Side::client);
        applied("delivered a PUBLISH twice");
        return send_packet(Side::client, copy);
      }
      case Fault::reorder_delivery:
        if (!held_) {
          held_ = Bytes(bytes.begin(), bytes.end());
          return arm_reorder();
        }
        forward(Side::client, bytes);
        applied("swapped two deliveries");
        return release_held();
      case Fault::truncate_payload:
        if (!publish.payload.empty()) {
          codec::Publish copy = publish;
          copy.payload = publish.payload.first(publish.payload.size() - 1);
          applied("cut the last byte of a payload");
          return send_packet(Side::client, copy);
        }
        break;
      case Fault::qos_upgrade:
        if (publish.qos == codec::QoS::at_most_once) {
          codec::Publish copy = publish;
          copy.qos = codec::QoS::at_least_once;
          copy.packet_id = take_proxy_id(Side::client);
          applied("delivered QoS 0 at QoS 1");
          return send_packet(Side::client, copy);
        }
        break;
      case Fault::qos_downgrade:
        if (publish.qos != codec::QoS::at_most_once) {
          absorb(publish);
          codec::Publish copy = publish;
          copy.qos = codec::QoS::at_most_once;
          copy.dup = false;
          copy.packet_id = 0;
          applied("delivered QoS 1/2 at QoS 0");
          return send_packet(Side::client, copy);
        }
        break;
      case Fault::retain_flag_on_live:
        if (!publish.retain) {
          Bytes copy(bytes.begin(), bytes.end());
          copy[0] = static_cast<std::uint8_t>(copy[0] | 0x01U);
          applied("set RETAIN on a live delivery");
          return send(Side::client, std::move(copy));
        }
        break;
      case Fault::retain_flag_cleared:
        if (publish.retain) {
          Bytes copy(bytes.begin(), bytes.end());
          copy[0] = static_cast<std::uint8_t>(copy[0] & 0xFEU);
          applied("cleared RETAIN on a retained delivery");
          return send(Side::client, std::move(copy));
        }
        break;
      case Fault::strip_user_properties:
      case Fault::strip_message_expiry: {
        if (!v5()) break;
        const auto id = fault() == Fault::strip_user_properties
                            ? codec::PropertyId::user_property
                            : codec::PropertyId::message_expiry_interval;
        if (auto kept = without_property(publish.properties, id)) {
          codec::Publish copy = publish;
          copy.properties = codec::Properties(ByteView(*kept));
          applied("removed a property from a delivery");
          return send_packet(Side::client, copy);
        }
        break;
      }
      default:
        break;
    }
    forward(Side::client, bytes);
  }

  // The proxy takes a delivery over from the client: it acknowledges it to the broker itself.
  void absorb(const codec::Publish& publish) {
    if (publish.qos == codec::QoS::at_least_once) {
      send_packet(Side::upstream, ack<codec::Puback>(publish.packet_id));
    } else if (publish.qos == codec::QoS::exactly_once) {
      absorbed_.insert(publish.packet_id);
      send_packet(Side::upstream, ack<codec::Pubrec>(publish.packet_id));
    }
  }

  void on_upstream_suback(ByteView bytes, const codec::FixedHeader& fixed) {
    if (fault() == Fault::wrong_suback_id && bytes.size() >= fixed.header_size + 2) {
      applied("changed the packet id of a SUBACK");
      return send(Side::client,
                  with_id(bytes, fixed.header_size,
                          wrong_id(read_u16(bytes, fixed.header_size), config_.seed)));
    }
    if (fault() != Fault::suback_grant_higher && fault() != Fault::suback_wrong_count) {
      return forward(Side::client, bytes);
    }
    auto packet = decode(bytes, codec::Sender::server);
    if (!packet) return forward(Side::client, bytes);
    auto& suback = std::get<codec::Suback>(*packet);
    if (fault() == Fault::suback_grant_higher) {
      bool changed = false;
      for (codec::ReasonCode& code : suback.reason_codes) {
        if (codec::to_byte(code) < 2) {
          code = codec::ReasonCode::granted_qos_2;
          changed = true;
        }
      }
      if (!changed) return forward(Side::client, bytes);
      applied("granted QoS 2 in a SUBACK");
    } else {
      if (suback.reason_codes.size() > 1) {
        suback.reason_codes.pop_back();
      } else {
        suback.reason_codes.push_back(suback.reason_codes.empty() ? codec::ReasonCode::granted_qos_0
                                                                  : suback.reason_codes.front());
      }
      applied("changed the number of SUBACK return codes");
    }
    send_packet(Side::client, suback);
  }

  // --- proxy-made flows and timers ---------------------------------------------------------

  std::uint16_t take_proxy_id(Side to) {
    auto& ids = proxy_ids_[at(to)];
    std::uint16_t& next = next_proxy_id_[at(to)];
    while (next == 0 || ids.contains(next))
      --next;
    const std::uint16_t id = next--;
    ids.insert(id);
    return id;
  }

  void arm_reorder() {
    const std::uint64_t serial = ++held_serial_;
    reorder_timer_.expires_after(reorder_hold);
    reorder_timer_.async_wait([self = shared_from_this(), serial](const asio::error_code& ec) {
      if (ec || self->closed_ || serial != self->held_serial_) return;
      self->release_held();
    });
  }

  void release_held() {
    if (!held_) return;
    ++held_serial_;
    Bytes held = std::move(*held_);
    held_.reset();
    send(Side::client, std::move(held));
  }

  // keepalive-ignored: the proxy pings the broker for a client that stays silent, and keeps the
  // answers to itself, so the broker never sees the client miss its keep-alive.
  void arm_keepalive() {
    keepalive_timer_.expires_after(keepalive_period_);
    keepalive_timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
      if (ec || self->closed_ || self->input_done_[at(Side::client)]) return;
      ++self->injected_pings_;
      self->send_packet(Side::upstream, codec::Pingreq{});
      self->applied("pinged the broker for the client");
      self->arm_keepalive();
    });
  }

  asio::io_context& io_;
  tcp::socket client_;
  tcp::socket upstream_;
  std::uint16_t upstream_port_;
  const Config& config_;
  Stats& stats_;
  std::uint64_t number_;
  std::uint64_t upstream_generation_ = 1;
  bool client_reading_ = false;
  bool closed_ = false;
  std::array<bool, 2> input_done_{};
  std::array<std::array<std::uint8_t, read_chunk>, 2> read_buffers_{};
  std::array<Inbound, 2> inbound_;
  std::array<Outbox, 2> outbox_;

  codec::ProtocolVersion version_ = codec::ProtocolVersion::v3_1_1;
  std::uint16_t keep_alive_s_ = 0;
  bool has_will_ = false;
  std::uint64_t deliveries_ = 0;
  /// Packet ids of PUBLISH packets the proxy made up, per side they went to.
  std::array<std::set<std::uint16_t>, 2> proxy_ids_;
  std::array<std::uint16_t, 2> next_proxy_id_{highest_proxy_id, highest_proxy_id};
  /// Broker QoS 2 deliveries the proxy acknowledged itself, waiting for their PUBREL.
  std::set<std::uint16_t> absorbed_;
  std::optional<Bytes> held_;
  std::uint64_t held_serial_ = 0;
  asio::steady_timer reorder_timer_;
  asio::steady_timer keepalive_timer_;
  std::chrono::milliseconds keepalive_period_{0};
  std::uint32_t injected_pings_ = 0;
  Bytes anonymous_connect_;
  bool rerouted_ = false;
};

class Listener {
 public:
  Listener(asio::io_context& io, std::uint16_t port, std::uint16_t upstream_port,
           const Config& config, Stats& stats)
      : io_(io),
        acceptor_(io, tcp::endpoint(asio::ip::address_v4::loopback(), port)),
        upstream_port_(upstream_port),
        config_(config),
        stats_(stats) {}

  void accept() {
    acceptor_.async_accept([this](const asio::error_code& ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        ++stats_.connections;
        std::make_shared<Session>(io_, std::move(socket), upstream_port_, config_, stats_,
                                  stats_.connections)
            ->start();
      }
      accept();
    });
  }

 private:
  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::uint16_t upstream_port_;
  const Config& config_;
  Stats& stats_;
};

// --- command line ------------------------------------------------------------------------------

constexpr std::string_view usage =
    "usage: gauntlet_fault_proxy --fault NAME --listen PORT:UPSTREAM_PORT [--listen ...]\n"
    "                            [--seed N] [--pid-file FILE] [--anonymous-upstream PORT]\n"
    "                            [--verbose]\n"
    "       gauntlet_fault_proxy --list\n"
    "Listens on 127.0.0.1:PORT and relays each connection to 127.0.0.1:UPSTREAM_PORT, with one\n"
    "broker bug simulated (--list names them). auth-bypass logs refused clients in on\n"
    "--anonymous-upstream (default: the upstream port of the first --listen).\n";

template <typename Number>
std::optional<Number> parse_number(std::string_view text) {
  Number value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  auto port = parse_number<std::uint16_t>(text);
  if (!port || *port == 0) return std::nullopt;
  return port;
}

int bad_usage(const std::string& message) {
  std::fprintf(stderr, "gauntlet_fault_proxy: %s\n%.*s", message.c_str(),
               static_cast<int>(usage.size()), usage.data());
  return 2;
}

int run(int argc, char** argv) {
  Config config;
  std::optional<Fault> fault;
  std::vector<std::pair<std::uint16_t, std::uint16_t>> listens;
  std::string pid_file;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    auto value = [&]() -> std::optional<std::string_view> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (arg == "--list") {
      for (const FaultInfo& info : fault_table) {
        std::printf("%-26.*s %.*s\n", static_cast<int>(info.name.size()), info.name.data(),
                    static_cast<int>(info.description.size()), info.description.data());
      }
      return 0;
    }
    if (arg == "--help" || arg == "-h") {
      std::printf("%.*s", static_cast<int>(usage.size()), usage.data());
      return 0;
    }
    if (arg == "--verbose") {
      config.verbose = true;
      continue;
    }
    if (arg != "--fault" && arg != "--listen" && arg != "--seed" && arg != "--pid-file" &&
        arg != "--anonymous-upstream") {
      return bad_usage("unknown option " + std::string(arg));
    }
    const auto text = value();
    if (!text) return bad_usage(std::string(arg) + " needs a value");
    if (arg == "--fault") {
      fault = parse_fault(*text);
      if (!fault) return bad_usage("unknown fault '" + std::string(*text) + "' (see --list)");
    } else if (arg == "--listen") {
      const auto colon = text->find(':');
      const auto port = parse_port(text->substr(0, colon));
      const auto upstream =
          colon == std::string_view::npos ? std::nullopt : parse_port(text->substr(colon + 1));
      if (!port || !upstream) return bad_usage("--listen takes PORT:UPSTREAM_PORT");
      listens.emplace_back(*port, *upstream);
    } else if (arg == "--seed") {
      const auto seed = parse_number<std::uint64_t>(*text);
      if (!seed) return bad_usage("--seed takes a number");
      config.seed = *seed;
    } else if (arg == "--pid-file") {
      pid_file = *text;
    } else {  // --anonymous-upstream
      const auto port = parse_port(*text);
      if (!port) return bad_usage("--anonymous-upstream takes a port");
      config.anonymous_upstream = *port;
    }
  }
  if (!fault) return bad_usage("--fault is required");
  if (listens.empty()) return bad_usage("at least one --listen is required");
  config.fault = *fault;
  if (config.anonymous_upstream == 0) config.anonymous_upstream = listens.front().second;

  asio::io_context io;
  Stats stats;
  std::vector<std::unique_ptr<Listener>> listeners;
  try {
    for (const auto& [port, upstream] : listens) {
      listeners.push_back(std::make_unique<Listener>(io, port, upstream, config, stats));
      listeners.back()->accept();
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "gauntlet_fault_proxy: cannot listen: %s\n", error.what());
    return 3;
  }
  if (!pid_file.empty()) {
    std::ofstream out(pid_file + ".tmp");
    out << getpid() << '\n';
    out.close();
    if (!out || std::rename((pid_file + ".tmp").c_str(), pid_file.c_str()) != 0) {
      std::fprintf(stderr, "gauntlet_fault_proxy: cannot write %s\n", pid_file.c_str());
      return 3;
    }
  }
  const std::string_view name = fault_name(config.fault);
  for (const auto& [port, upstream] : listens) {
    std::fprintf(stderr, "gauntlet_fault_proxy: fault %.*s: 127.0.0.1:%u -> 127.0.0.1:%u\n",
                 static_cast<int>(name.size()), name.data(), port, upstream);
  }
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](const asio::error_code& /*ec*/, int /*signal*/) { io.stop(); });
  io.run();
  // The mutation test reads this line: a fault applied 0 times was never exercised by the suite.
  std::fprintf(stderr, "gauntlet_fault_proxy: fault %.*s applied=%llu connections=%llu\n",
               static_cast<int>(name.size()), name.data(),
               static_cast<unsigned long long>(stats.applied),
               static_cast<unsigned long long>(stats.connections));
  if (!pid_file.empty()) std::remove(pid_file.c_str());
  return 0;
}

}  // namespace
}  // namespace gauntlet::fault_proxy

int main(int argc, char** argv) {
  return gauntlet::fault_proxy::run(argc, argv);
}
