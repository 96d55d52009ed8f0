// A scripted broker and a virtual clock for Session tests: no socket, no sleep (STYLE.md habits 2
// and 9). The broker's packets are built with codec::encode() and fed to Session::received(); what
// the session sent is decoded from Effects::bytes as a server would decode it (Sender::client,
// strict), so every test also checks that the session's own output is well formed.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "gauntlet/client/session.hpp"
#include "gauntlet/codec/codec.hpp"

namespace gauntlet::client::test {

using Bytes = std::vector<std::uint8_t>;
using codec::PacketType;
using codec::PropertyId;
using codec::ProtocolVersion;
using codec::QoS;
using codec::ReasonCode;
using namespace std::chrono_literals;

inline Bytes bytes_of(std::string_view text) {
  return {text.begin(), text.end()};
}

inline std::string hex(codec::ByteView bytes) {
  return codec::to_hex(bytes, " ");
}

/// One line per event, for comparing whole event logs and for readable failures.
inline std::string describe(const Event& event) {
  const auto codes = [](const std::vector<std::uint8_t>& list) {
    return hex(codec::ByteView(list));
  };
  return std::visit(
      [&](const auto& e) -> std::string {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, PacketReceived>) {
          return "PacketReceived " + std::string(codec::to_string(e.type)) + " [" +
                 hex(codec::ByteView(e.bytes)) + "]";
        } else if constexpr (std::is_same_v<E, Connected>) {
          return "Connected session_present=" + std::to_string(e.session_present) +
                 " resent=" + std::to_string(e.resent);
        } else if constexpr (std::is_same_v<E, ConnectionEnded>) {
          return "ConnectionEnded cause=" + std::string(to_string(e.cause)) +
                 " reason=" + std::to_string(e.reason_code) + " (" + e.detail + ")";
        } else if constexpr (std::is_same_v<E, MessageReceived>) {
          return "MessageReceived " + e.topic + " qos=" + std::to_string(static_cast<int>(e.qos)) +
                 " id=" + std::to_string(e.packet_id) + " dup=" + std::to_string(e.dup) +
                 " retain=" + std::to_string(e.retain) + " payload=[" +
                 hex(codec::ByteView(e.payload)) + "] props=[" +
                 hex(codec::ByteView(e.properties)) + "]";
        } else if constexpr (std::is_same_v<E, PublishCompleted>) {
          return "PublishCompleted id=" + std::to_string(e.packet_id) +
                 " qos=" + std::to_string(static_cast<int>(e.qos)) +
                 " reason=" + std::to_string(e.reason_code) +
                 " abandoned=" + std::to_string(e.abandoned);
        } else if constexpr (std::is_same_v<E, SubscribeCompleted>) {
          return "SubscribeCompleted id=" + std::to_string(e.packet_id) + " [" +
                 codes(e.reason_codes) + "]";
        } else if constexpr (std::is_same_v<E, UnsubscribeCompleted>) {
          return "UnsubscribeCompleted id=" + std::to_string(e.packet_id) + " [" +
                 codes(e.reason_codes) + "]";
        } else if constexpr (std::is_same_v<E, Finding>) {
          return "Finding " + e.statement + " (" + e.description + ")";
        } else if constexpr (std::is_same_v<E, CommandRefused>) {
          return "CommandRefused (" + e.reason + ")";
        } else {
          static_assert(std::is_same_v<E, TransportReady>);
          return "TransportReady";
        }
      },
      event);
}

/// A packet the session sent, decoded; `packet` views `wire`, which it keeps alive.
template <typename T>
struct Sent {
  std::shared_ptr<const Bytes> wire;
  T packet;
  const T* operator->() const noexcept { return &packet; }
  const T& operator*() const noexcept { return packet; }
};

struct SentPacket {
  std::shared_ptr<const Bytes> wire;
  codec::Packet packet;
  [[nodiscard]] PacketType type() const noexcept { return codec::packet_type(packet); }
};

/// The time the session sees: starts at an arbitrary point and moves only when a test says so.
class VirtualClock {
 public:
  [[nodiscard]] TimePoint now() const noexcept { return now_; }
  TimePoint advance(Duration by) noexcept { return now_ += by; }
  TimePoint advance_to(TimePoint to) noexcept { return now_ = to; }

 private:
  TimePoint now_ = TimePoint{} + std::chrono::hours(1000);
};

/// The fixture: one Session, a virtual clock, the broker's side of the conversation, and the log
/// of what the session produced. Tests read as a dialogue:
///   start(config); expect_sent<Connect>(); broker(connack()); expect_event<Connected>();
class ScriptedBroker : public ::testing::Test {
 protected:
  // --- the session ---------------------------------------------------------------------------
  static SessionConfig config_for(ProtocolVersion version, std::string client_id) {
    SessionConfig config;
    config.version = version;
    config.client_id = std::move(client_id);
    return config;
  }

  /// Creates the session and connects the transport (CONNECT is queued in sent()).
  void start(SessionConfig config) {
    version_ = config.version;
    session_.emplace(std::move(config));
    connect();
  }
  /// A new transport connection for the same Session.
  void connect() {
    session().connected(clock_.now());
    pump();
  }
  /// start() + CONNECT + CONNACK accepted; leaves the log empty.
  void start_connected(SessionConfig config, const codec::Connack& connack = {}) {
    start(std::move(config));
    expect_sent<codec::Connect>();
    broker(connack);
    expect_event<Connected>();
    forget_received();
  }

  Session& session() { return *session_; }
  [[nodiscard]] ProtocolVersion version() const noexcept { return version_; }
  [[nodiscard]] bool v5() const noexcept { return version_ == ProtocolVersion::v5; }
  TimePoint now() const noexcept { return clock_.now(); }
  void advance(Duration by) { clock_.advance(by); }

  // --- the broker speaks ---------------------------------------------------------------------
  /// Encodes `packet` at the session's level and delivers it in one piece.
  void broker(const codec::Packet& packet) { broker_bytes(encode(packet)); }
  void broker_bytes(const Bytes& bytes) {
    session().received(codec::ByteView(bytes), clock_.now());
    pump();
  }
  Bytes encode(const codec::Packet& packet, const codec::Malformation* malformation = nullptr) {
    Bytes out;
    const auto error = codec::encode(packet, version_, out, malformation);
    EXPECT_FALSE(error.has_value())
        << "the broker's packet does not encode: " << (error ? error->field : "") << " "
        << (error ? error->reason : "");
    return out;
  }
  void timer() {
    session().timer(clock_.now());
    pump();
  }
  void transport_closed(std::string_view why = "test closed the transport") {
    session().closed(clock_.now(), why);
    pump();
  }

  // Packet builders for the broker's side.
  static codec::Connack connack(bool session_present = false,
                                ReasonCode reason = ReasonCode::success,
                                codec::Properties properties = {}) {
    return codec::Connack{session_present, reason, properties};
  }
  static codec::Publish publish(std::string_view topic, std::string_view payload, QoS qos,
                                std::uint16_t id = 0, bool dup = false,
                                codec::Properties properties = {}) {
    codec::Publish p;
    p.dup = dup;
    p.qos = qos;
    p.topic = topic;
    p.packet_id = id;
    p.properties = properties;
    p.payload = codec::ByteView::of(payload);
    return p;
  }
  template <typename Ack>
  static Ack ack(std::uint16_t id, ReasonCode reason = ReasonCode::success) {
    Ack a;
    a.packet_id = id;
    a.reason_code = reason;
    return a;
  }
  static codec::Puback puback(std::uint16_t id, ReasonCode r = ReasonCode::success) {
    return ack<codec::Puback>(id, r);
  }
  static codec::Pubrec pubrec(std::uint16_t id, ReasonCode r = ReasonCode::success) {
    return ack<codec::Pubrec>(id, r);
  }
  static codec::Pubrel pubrel(std::uint16_t id, ReasonCode r = ReasonCode::success) {
    return ack<codec::Pubrel>(id, r);
  }
  static codec::Pubcomp pubcomp(std::uint16_t id, ReasonCode r = ReasonCode::success) {
    return ack<codec::Pubcomp>(id, r);
  }
  static codec::Suback suback(std::uint16_t id, std::vector<ReasonCode> codes) {
    codec::Suback s;
    s.packet_id = id;
    s.reason_codes = std::move(codes);
    return s;
  }
  static codec::Unsuback unsuback(std::uint16_t id, std::vector<ReasonCode> codes = {}) {
    codec::Unsuback u;
    u.packet_id = id;
    u.reason_codes = std::move(codes);
    return u;
  }

  // --- the client speaks ---------------------------------------------------------------------
  std::uint16_t publish_out(std::string topic, std::string_view payload, QoS qos) {
    Outgoing message;
    message.topic = std::move(topic);
    message.payload = bytes_of(payload);
    message.qos = qos;
    const std::uint16_t id = session().publish(std::move(message), clock_.now());
    pump();
    return id;
  }
  std::uint16_t subscribe(std::vector<codec::Subscription> subscriptions,
                          const codec::Properties& properties = {}) {
    const std::uint16_t id =
        session().subscribe(std::move(subscriptions), properties, clock_.now());
    pump();
    return id;
  }
  std::uint16_t unsubscribe(std::vector<std::string> filters,
                            const codec::Properties& properties = {}) {
    const std::uint16_t id = session().unsubscribe(std::move(filters), properties, clock_.now());
    pump();
    return id;
  }

  // --- what the session sent -----------------------------------------------------------------
  /// The oldest packet sent and not yet checked; fails the test when it is not a T.
  template <typename T>
  Sent<T> expect_sent() {
    const PacketType want = codec::packet_type(codec::Packet{T{}});
    if (sent_.empty()) {
      ADD_FAILURE() << "expected the session to send " << codec::to_string(want)
                    << ", it sent nothing";
      return {std::make_shared<const Bytes>(), T{}};
    }
    SentPacket next = std::move(sent_.front());
    sent_.pop_front();
    if (const T* packet = std::get_if<T>(&next.packet)) return {next.wire, *packet};
    ADD_FAILURE() << "expected the session to send " << codec::to_string(want) << ", it sent "
                  << codec::to_string(next.type()) << " [" << hex(codec::ByteView(*next.wire))
                  << "]";
    return {next.wire, T{}};
  }
  void expect_nothing_sent() {
    for (const SentPacket& p : sent_) {
      ADD_FAILURE() << "unexpected " << codec::to_string(p.type()) << " ["
                    << hex(codec::ByteView(*p.wire)) << "]";
    }
    sent_.clear();
  }
  [[nodiscard]] std::size_t sent_count() const noexcept { return sent_.size(); }
  /// The bytes of everything sent since the last effects, as they left the session.
  [[nodiscard]] const Bytes& last_bytes() const noexcept { return last_bytes_; }
  [[nodiscard]] std::optional<TimePoint> deadline() const noexcept { return deadline_; }

  // --- what the session reported -------------------------------------------------------------
  /// Removes and returns every event of type E, in order.
  template <typename E>
  std::vector<E> take() {
    std::vector<E> found;
    std::vector<Event> rest;
    for (Event& event : events_) {
      if (E* e = std::get_if<E>(&event)) {
        found.push_back(std::move(*e));
      } else {
        rest.push_back(std::move(event));
      }
    }
    events_ = std::move(rest);
    return found;
  }
  /// Exactly one event of type E must be pending; returns it (removed from the log).
  template <typename E>
  E expect_event() {
    std::vector<E> found = take<E>();
    EXPECT_EQ(found.size(), 1U) << "events of the wanted type: " << found.size() << "\n" << log();
    return found.empty() ? E{} : std::move(found.front());
  }
  template <typename E>
  void expect_no() {
    const std::vector<E> found = take<E>();
    for (const E& e : found)
      ADD_FAILURE() << "unexpected event: " << describe(Event{e});
  }
  /// Drops the PacketReceived events (most tests judge the other events).
  void forget_received() { (void)take<PacketReceived>(); }
  /// Every other event must have been checked already.
  void expect_no_events() {
    forget_received();
    for (const Event& e : events_)
      ADD_FAILURE() << "unexpected event: " << describe(e);
    events_.clear();
  }
  [[nodiscard]] std::string log() const {
    std::string text;
    for (const Event& e : events_)
      text += "  " + describe(e) + "\n";
    return text;
  }
  std::vector<Event>& events() noexcept { return events_; }

  /// Sent bytes that do not decode end the decoding of what was sent instead of failing the test
  /// (tests of send_raw() with broken packets).
  void allow_broken_sends() noexcept { broken_sends_allowed_ = true; }

  /// Collects the effects: decodes the bytes as a server would, appends the events.
  void pump() {
    Effects effects = session().take_effects();
    deadline_ = effects.deadline;
    last_bytes_ = effects.bytes;
    for (Event& e : effects.events)
      events_.push_back(std::move(e));
    auto wire = std::make_shared<const Bytes>(std::move(effects.bytes));
    std::size_t offset = 0;
    while (offset < wire->size()) {
      codec::DecodeOptions options;
      options.version = version_;
      options.sender = codec::Sender::client;
      const codec::ByteView rest(wire->data() + offset, wire->size() - offset);
      codec::DecodeResult result = codec::decode(rest, options);
      if (!result.ok()) {
        if (broken_sends_allowed_) return;  // a test of deliberately broken raw bytes
        ADD_FAILURE() << "the session sent bytes a server cannot decode: "
                      << (result.failed() ? result.error().to_string() : "truncated") << " ["
                      << hex(rest) << "]";
        return;
      }
      const codec::ByteView one(rest.data(), result.consumed());
      auto own = std::make_shared<const Bytes>(one.begin(), one.end());
      // Decode again over the packet's own copy so that its views outlive this buffer.
      codec::DecodeResult again = codec::decode(codec::ByteView(*own), options);
      sent_.push_back({own, std::move(again.packet())});
      offset += result.consumed();
    }
  }

 private:
  VirtualClock clock_;
  ProtocolVersion version_ = ProtocolVersion::v3_1_1;
  std::optional<Session> session_;
  std::deque<SentPacket> sent_;
  std::vector<Event> events_;
  bool broken_sends_allowed_ = false;
  std::optional<TimePoint> deadline_;
  Bytes last_bytes_;
};

/// The same fixture, run at 3.1.1 and at 5.0.
class SessionAtEachVersion : public ScriptedBroker,
                             public ::testing::WithParamInterface<ProtocolVersion> {
 protected:
  SessionConfig config(std::string client_id) {
    return config_for(GetParam(), std::move(client_id));
  }
  /// The parameter, usable before start() (v5() is the running session's level).
  [[nodiscard]] bool at_v5() const { return GetParam() == ProtocolVersion::v5; }
};

inline std::string version_name(const ::testing::TestParamInfo<ProtocolVersion>& info) {
  return info.param == ProtocolVersion::v5 ? "v5" : "v3_1_1";
}

}  // namespace gauntlet::client::test

namespace gauntlet::codec {
// Readable values in GoogleTest failure messages.
inline void PrintTo(ProtocolVersion version, std::ostream* os) {
  *os << to_string(version);
}
inline void PrintTo(PacketType type, std::ostream* os) {
  *os << to_string(type);
}
inline void PrintTo(QoS qos, std::ostream* os) {
  *os << "QoS " << static_cast<int>(qos);
}
inline void PrintTo(ReasonCode code, std::ostream* os) {
  *os << "0x" << std::hex << static_cast<int>(to_byte(code)) << std::dec;
}
}  // namespace gauntlet::codec

namespace gauntlet::client {
inline void PrintTo(ConnectionEnded::Cause cause, std::ostream* os) {
  *os << to_string(cause);
}
}  // namespace gauntlet::client
