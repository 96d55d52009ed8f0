// The client over real sockets against Debian's Mosquitto, started by the CTest fixture
// (ci/brokers/mosquitto.sh). No sleeps: every wait is for an event, with a deadline.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <string>

#include "gauntlet/client/connection.hpp"

namespace gauntlet::client {
namespace {

using codec::ProtocolVersion;
using codec::QoS;
using namespace std::chrono_literals;

std::uint16_t port(int offset) {
  return static_cast<std::uint16_t>(GAUNTLET_TEST_PORT_BASE + offset);
}

std::string pki(const std::string& file) {
  return std::string(GAUNTLET_BROKER_DIR) + "/pki/" + file;
}

// A unique suffix per test, so that tests running in parallel never share ids or topics.
std::string unique(const std::string& stem) {
  const auto* info = testing::UnitTest::GetInstance()->current_test_info();
  return stem + "-" + info->name() + "-" + std::to_string(::getpid());
}

// One client and everything it reported.
struct Client {
  std::shared_ptr<Connection> connection;
  std::vector<Event> events;

  template <typename T>
  [[nodiscard]] std::vector<T> all() const {
    std::vector<T> out;
    for (const Event& e : events) {
      if (const auto* v = std::get_if<T>(&e)) out.push_back(*v);
    }
    return out;
  }
  template <typename T>
  [[nodiscard]] bool has() const {
    return !all<T>().empty();
  }
};

class BrokerTest : public testing::Test {
 protected:
  Client& client(int port_offset, SessionConfig config,
                 Endpoint::Scheme scheme = Endpoint::Scheme::mqtt, const TlsOptions& tls = {}) {
    Endpoint endpoint;
    endpoint.scheme = scheme;
    endpoint.host = scheme == Endpoint::Scheme::mqtt ? "127.0.0.1" : "localhost";
    endpoint.port = port(port_offset);
    std::shared_ptr<asio::ssl::context> context;
    if (endpoint.tls()) {
      std::string error;
      context = make_tls_context(tls, error);
      EXPECT_TRUE(context) << error;
    }
    auto& c = clients_.emplace_back(std::make_unique<Client>());
    Client* raw = c.get();
    c->connection = Connection::create(io_, endpoint, std::move(config), context, tls,
                                       [raw](const Event& e) { raw->events.push_back(e); });
    return *c;
  }

  // Runs the event loop until `done` holds, or fails the test after `limit`.
  void wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "timed out waiting";
      io_.run_one_for(20ms);
      if (io_.stopped()) io_.restart();
    }
  }

  void connect(Client& c) {
    c.connection->open();
    wait_for([&] { return c.has<Connected>() || c.has<ConnectionEnded>(); });
    ASSERT_TRUE(c.has<Connected>()) << "not connected";
  }

  static SessionConfig config(ProtocolVersion version, const std::string& id) {
    SessionConfig config;
    config.version = version;
    config.client_id = id;
    return config;
  }

  asio::io_context io_;
  std::vector<std::unique_ptr<Client>> clients_;
};

class RoundTrip : public BrokerTest, public testing::WithParamInterface<ProtocolVersion> {};

// Subscribe at QoS 2, publish at QoS 0, 1 and 2: each arrives once, at its own QoS, and each
// publish completes.
TEST_P(RoundTrip, EveryQoSBothWays) {
  const ProtocolVersion v = GetParam();
  const std::string topic = unique("gauntlet/roundtrip");
  Client& sub = client(0, config(v, unique("sub")));
  Client& pub = client(0, config(v, unique("pub")));
  connect(sub);
  connect(pub);
  sub.connection->command([&](Session& s, TimePoint now) {
    s.subscribe({{topic + "/#", {QoS::exactly_once}}}, {}, now);
  });
  wait_for([&] { return sub.has<SubscribeCompleted>(); });
  EXPECT_EQ(sub.all<SubscribeCompleted>().front().reason_codes, std::vector<std::uint8_t>{2});
  for (const QoS qos : {QoS::at_most_once, QoS::at_least_once, QoS::exactly_once}) {
    pub.connection->command([&](Session& s, TimePoint now) {
      Outgoing m;
      m.topic = topic + "/q" + std::to_string(static_cast<int>(qos));
      m.payload = {'h', 'o', 't'};
      m.qos = qos;
      s.publish(std::move(m), now);
    });
  }
  wait_for([&] {
    return sub.all<MessageReceived>().size() == 3 && pub.all<PublishCompleted>().size() == 3;
  });
  for (const MessageReceived& m : sub.all<MessageReceived>()) {
    EXPECT_EQ(m.topic, topic + "/q" + std::to_string(static_cast<int>(m.qos)));
    EXPECT_EQ(m.payload, (std::vector<std::uint8_t>{'h', 'o', 't'}));
  }
  for (const PublishCompleted& p : pub.all<PublishCompleted>())
    EXPECT_EQ(p.reason_code, 0);
  EXPECT_FALSE(sub.has<Finding>());
  EXPECT_FALSE(pub.has<Finding>());
  pub.connection->command([](Session& s, TimePoint now) {
    s.disconnect(codec::ReasonCode::normal_disconnection, {}, now);
  });
  wait_for([&] { return pub.has<ConnectionEnded>(); });
}

INSTANTIATE_TEST_SUITE_P(Levels, RoundTrip,
                         testing::Values(ProtocolVersion::v3_1_1, ProtocolVersion::v5),
                         [](const auto& level) {
                           return level.param == ProtocolVersion::v5 ? "v5" : "v311";
                         });

// The same QoS 2 round trip over ws:// and wss:// (subprotocol "mqtt", binary frames).
TEST_F(BrokerTest, WebSocketAndSecureWebSocketCarryQoS2) {
  TlsOptions tls;
  tls.ca_file = pki("ca.crt");
  for (const auto& [offset, scheme] :
       {std::pair{4, Endpoint::Scheme::ws}, std::pair{5, Endpoint::Scheme::wss}}) {
    const std::string topic = unique("gauntlet/ws") + std::to_string(offset);
    Client& c = client(offset, config(ProtocolVersion::v5, unique("ws") + std::to_string(offset)),
                       scheme, tls);
    std::vector<std::uint8_t> sent;
    std::vector<std::uint8_t> received;
    c.connection->set_tap([&](bool outbound, codec::ByteView bytes) {
      auto& into = outbound ? sent : received;
      into.insert(into.end(), bytes.begin(), bytes.end());
    });
    connect(c);
    c.connection->command([&](Session& s, TimePoint now) {
      s.subscribe({{topic, {QoS::exactly_once}}}, {}, now);
      Outgoing m;
      m.topic = topic;
      m.payload = {'w', 's'};
      m.qos = QoS::exactly_once;
      s.publish(std::move(m), now);
    });
    wait_for([&] { return c.has<MessageReceived>() && c.has<PublishCompleted>(); });
    EXPECT_EQ(c.all<MessageReceived>().front().payload, (std::vector<std::uint8_t>{'w', 's'}));
    // The tap sees plain MQTT both ways: the WebSocket frames (and TLS) are already taken off.
    for (const auto& [stream, first] : {std::pair{&sent, codec::PacketType::connect},
                                        std::pair{&received, codec::PacketType::connack}}) {
      codec::DecodeOptions options;
      options.version = ProtocolVersion::v5;
      codec::StreamDecoder decoder(options);
      decoder.feed(codec::ByteView(*stream));
      const codec::DecodeResult head = decoder.next();
      ASSERT_TRUE(head.ok()) << codec::to_hex(codec::ByteView(*stream), " ");
      EXPECT_EQ(codec::packet_type(head.packet()), first)
          << codec::to_hex(codec::ByteView(*stream), " ");
      std::size_t packets = 1;
      for (auto r = decoder.next(); r.ok(); r = decoder.next())
        ++packets;
      EXPECT_GE(packets, 3U) << "CONNECT/CONNACK, SUBSCRIBE/SUBACK, PUBLISH and its acks";
      EXPECT_EQ(decoder.buffered(), 0U);
    }
    // The connection lives on (its QoS 2 exchange may still be finishing); the vectors do not.
    c.connection->set_tap({});
    for (const Finding& f : c.all<Finding>())
      ADD_FAILURE() << f.statement << ": " << f.description;
  }
}

TEST_F(BrokerTest, TlsWithPasswordVerifiesTheServer) {
  SessionConfig c = config(ProtocolVersion::v5, unique("tls"));
  c.username = "alice";
  c.password =
      std::vector<std::uint8_t>{'a', 'l', 'i', 'c', 'e', '-', 's', 'e', 'c', 'r', 'e', 't'};
  TlsOptions tls;
  tls.ca_file = pki("ca.crt");
  Client& alice = client(2, std::move(c), Endpoint::Scheme::mqtts, tls);
  connect(alice);
}

TEST_F(BrokerTest, MutualTlsWithAClientCertificate) {
  TlsOptions tls;
  tls.ca_file = pki("ca.crt");
  tls.cert_file = pki("client.crt");
  tls.key_file = pki("client.key");
  Client& c =
      client(3, config(ProtocolVersion::v3_1_1, unique("mtls")), Endpoint::Scheme::mqtts, tls);
  connect(c);
}

TEST_F(BrokerTest, WrongCaAndWrongHostNameAreTransportFailures) {
  TlsOptions other;
  other.ca_file = pki("other-ca.crt");
  Client& wrong_ca =
      client(2, config(ProtocolVersion::v5, unique("ca")), Endpoint::Scheme::mqtts, other);
  TlsOptions good;
  good.ca_file = pki("ca.crt");
  Client& wrong_host =
      client(6, config(ProtocolVersion::v5, unique("host")), Endpoint::Scheme::mqtts, good);
  wrong_ca.connection->open();
  wrong_host.connection->open();
  wait_for([&] { return wrong_ca.has<ConnectionEnded>() && wrong_host.has<ConnectionEnded>(); });
  for (const Client* c : {&wrong_ca, &wrong_host}) {
    const ConnectionEnded end = c->all<ConnectionEnded>().front();
    EXPECT_EQ(end.cause, ConnectionEnded::Cause::transport_failed) << end.detail;
    EXPECT_FALSE(c->has<Connected>());
  }
}

TEST_F(BrokerTest, WrongPasswordIsRefusedWithTheLevelsCode) {
  for (const ProtocolVersion v : {ProtocolVersion::v3_1_1, ProtocolVersion::v5}) {
    SessionConfig c = config(v, unique(v == ProtocolVersion::v5 ? "bad5" : "bad4"));
    c.username = "alice";
    c.password = std::vector<std::uint8_t>{'n', 'o', 'p', 'e'};
    Client& bad = client(1, std::move(c));
    bad.connection->open();
    wait_for([&] { return bad.has<ConnectionEnded>(); });
    const ConnectionEnded end = bad.all<ConnectionEnded>().front();
    EXPECT_EQ(end.cause, ConnectionEnded::Cause::refused) << end.detail;
    // 3.1.1: 4 (bad user name or password) or 5 (not authorized); 5.0: 0x86 or 0x87.
    if (v == ProtocolVersion::v5) {
      EXPECT_TRUE(end.reason_code == 0x86 || end.reason_code == 0x87) << int{end.reason_code};
    } else {
      EXPECT_TRUE(end.reason_code == 4 || end.reason_code == 5) << int{end.reason_code};
    }
  }
}

// A persistent session keeps a QoS 1 message published while the subscriber was away; on
// reconnect the broker reports Session Present and delivers it.
TEST_F(BrokerTest, PersistentSessionDeliversWhatArrivedWhileAway) {
  const std::string topic = unique("gauntlet/persist");
  SessionConfig c = config(ProtocolVersion::v5, unique("persist"));
  c.clean_start = false;
  c.connect_properties.add(codec::PropertyId::session_expiry_interval, 60);
  Client& sub = client(0, std::move(c));
  connect(sub);
  sub.connection->command([&](Session& s, TimePoint now) {
    s.subscribe({{topic, {QoS::at_least_once}}}, {}, now);
  });
  wait_for([&] { return sub.has<SubscribeCompleted>(); });
  sub.connection->drop();

  Client& pub = client(0, config(ProtocolVersion::v5, unique("persist-pub")));
  connect(pub);
  pub.connection->command([&](Session& s, TimePoint now) {
    Outgoing m;
    m.topic = topic;
    m.payload = {'k', 'e', 'p', 't'};
    m.qos = QoS::at_least_once;
    s.publish(std::move(m), now);
  });
  wait_for([&] { return pub.has<PublishCompleted>(); });

  sub.events.clear();
  sub.connection->open();
  wait_for([&] { return sub.has<MessageReceived>(); });
  ASSERT_TRUE(sub.has<Connected>());
  EXPECT_TRUE(sub.all<Connected>().front().session_present);
  EXPECT_EQ(sub.all<MessageReceived>().front().topic, topic);
}

TEST_F(BrokerTest, KeepAliveSendsPingreqAndGetsPingresp) {
  SessionConfig c = config(ProtocolVersion::v3_1_1, unique("ping"));
  c.keep_alive_s = 1;
  Client& idle = client(0, std::move(c));
  connect(idle);
  wait_for(
      [&] {
        for (const PacketReceived& p : idle.all<PacketReceived>()) {
          if (p.type == codec::PacketType::pingresp) return true;
        }
        return false;
      },
      4000ms);
  EXPECT_TRUE(idle.connection->is_open());
}

// With a ReadBatcher a connection reads at most once per window: 50 messages sent ~2 ms apart
// arrive in about one read per window boundary passed (instead of ~50), and none is lost. A
// connection reopened while it rests starts exactly one reader: the batcher's turn for the old
// connection is ignored (two readers would read twice in some windows).
TEST_F(BrokerTest, ReadBatcherReadsOncePerWindow) {
  constexpr auto window = 40ms;
  ReadBatcher batcher(io_, window);
  const std::string topic = unique("gauntlet/batched");
  Client& sub = client(0, config(ProtocolVersion::v3_1_1, unique("batched-sub")));
  Client& pub = client(0, config(ProtocolVersion::v3_1_1, unique("batched-pub")));
  sub.connection->set_read_batcher(&batcher);
  std::vector<TimePoint> reads;  // the subscriber's reads that returned bytes
  sub.connection->set_tap([&](bool outbound, codec::ByteView) {
    if (!outbound) reads.push_back(Clock::now());
  });
  connect(pub);
  const auto subscribe = [&] {
    sub.events.clear();
    connect(sub);
    sub.connection->command([&](Session& s, TimePoint now) {
      s.subscribe({{topic, {QoS::at_most_once}}}, {}, now);
    });
    wait_for([&] { return sub.has<SubscribeCompleted>(); });
  };
  const auto burst_in_windows = [&](int first) {
    const TimePoint start = Clock::now();
    for (int n = first; n < first + 50; ++n) {
      pub.connection->command([&](Session& s, TimePoint now) {
        Outgoing m;
        m.topic = topic;
        m.payload = {static_cast<std::uint8_t>(n)};
        s.publish(std::move(m), now);
      });
      const TimePoint next = Clock::now() + 2ms;
      while (Clock::now() < next)
        io_.run_one_until(next);
    }
    wait_for([&] { return sub.all<MessageReceived>().size() >= 50; });
    const TimePoint end = Clock::now();
    std::set<int> payloads;
    for (const MessageReceived& m : sub.all<MessageReceived>())
      payloads.insert(m.payload.at(0));
    EXPECT_EQ(payloads.size(), 50U) << "a message lost or delivered twice";
    std::size_t boundaries = 0;
    for (TimePoint b = batcher.next_boundary(start); b <= end; b += window)
      ++boundaries;
    const auto in_burst = std::count_if(reads.begin(), reads.end(),
                                        [&](TimePoint at) { return at >= start && at <= end; });
    EXPECT_LE(static_cast<std::size_t>(in_burst), boundaries + 1)
        << "more reads than windows: " << in_burst << " reads, " << boundaries << " boundaries";
    EXPECT_GE(in_burst, 1);
  };
  subscribe();
  burst_in_windows(0);
  // It read and now rests until the next boundary; a new connection begins meanwhile.
  sub.connection->drop();
  subscribe();
  burst_in_windows(100);
  EXPECT_FALSE(sub.has<Finding>());
}

TEST(ReadBatcherWindows, BoundariesAreMultiplesOfTheWindow) {
  asio::io_context io;
  const ReadBatcher batcher(io, 250us);
  const TimePoint on = TimePoint(1000us);
  EXPECT_EQ(batcher.next_boundary(on), TimePoint(1250us));
  EXPECT_EQ(batcher.boundary_at_or_after(on), on);
  EXPECT_EQ(batcher.next_boundary(TimePoint(1001us)), TimePoint(1250us));
  EXPECT_EQ(batcher.boundary_at_or_after(TimePoint(1001us)), TimePoint(1250us));
  EXPECT_EQ(batcher.boundary_at_or_after(TimePoint(1249us)), TimePoint(1250us));
}

}  // namespace
}  // namespace gauntlet::client
