// Session unit tests: every flow is a dialogue with a scripted broker on a virtual clock — no
// socket, no sleep. Each test uses its own client id and topics.
#include "gauntlet/client/session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scripted_broker.hpp"

namespace gauntlet::client::test {
namespace {

using Cause = ConnectionEnded::Cause;
using V = ProtocolVersion;
/// Tests at one protocol level (5.0-only features, or one exact byte vector).
using SessionTest = ScriptedBroker;

std::string payload_text(const MessageReceived& m) {
  return {m.payload.begin(), m.payload.end()};
}

// --- 1. CONNECT and CONNACK --------------------------------------------------------------------

using SessionConnect = SessionAtEachVersion;

TEST_P(SessionConnect, ConnectCarriesTheConfiguredFields) {
  SessionConfig cfg = config("connect-fields");
  cfg.clean_start = false;
  cfg.keep_alive_s = 42;
  cfg.username = "alice";
  cfg.password = bytes_of("s3cret");
  cfg.will = WillConfig{"connect-fields/will", bytes_of("gone"), QoS::at_least_once, true, {}};
  if (at_v5()) {
    cfg.connect_properties.add(PropertyId::session_expiry_interval, 300)
        .add(PropertyId::receive_maximum, 20)
        .add_user_property("k", "v");
    cfg.will->properties.add(PropertyId::will_delay_interval, 5);
  }
  start(std::move(cfg));

  const auto connect = expect_sent<codec::Connect>();
  EXPECT_EQ(connect->version, GetParam());
  EXPECT_EQ(connect->client_id, "connect-fields");
  EXPECT_FALSE(connect->clean_start);
  EXPECT_EQ(connect->keep_alive, 42);
  ASSERT_TRUE(connect->will.has_value());
  EXPECT_EQ(connect->will->topic, "connect-fields/will");
  EXPECT_EQ(connect->will->payload, codec::ByteView::of("gone"));
  EXPECT_EQ(connect->will->qos, QoS::at_least_once);
  EXPECT_TRUE(connect->will->retain);
  EXPECT_EQ(connect->username, "alice");
  ASSERT_TRUE(connect->password.has_value());
  EXPECT_EQ(*connect->password, codec::ByteView::of("s3cret"));
  if (v5()) {
    const codec::Properties& props = connect->properties;
    EXPECT_EQ(props.find(PropertyId::session_expiry_interval)->number, 300U);
    EXPECT_EQ(props.find(PropertyId::receive_maximum)->number, 20U);
    EXPECT_EQ(props.find(PropertyId::user_property)->text, "k");
    EXPECT_EQ(props.find(PropertyId::user_property)->value, "v");
    EXPECT_EQ(connect->will->properties.find(PropertyId::will_delay_interval)->number, 5U);
  } else {
    EXPECT_TRUE(connect->properties.empty());
  }
  expect_nothing_sent();
  expect_no_events();
  EXPECT_FALSE(session().is_connected());
}

TEST_P(SessionConnect, ConnackAcceptedGivesConnectedAndTheKeepAliveDeadline) {
  SessionConfig cfg = config("connack-ok");
  cfg.keep_alive_s = 30;
  cfg.response_timeout = 5s;
  const TimePoint t0 = now();
  start(std::move(cfg));
  expect_sent<codec::Connect>();
  EXPECT_EQ(deadline(), t0 + 5s) << "waiting for CONNACK: the response timeout";

  advance(2s);
  broker(connack());
  const Connected connected = expect_event<Connected>();
  EXPECT_FALSE(connected.session_present);
  EXPECT_EQ(connected.resent, 0U);
  EXPECT_TRUE(session().is_connected());
  EXPECT_EQ(deadline(), t0 + 30s) << "last packet sent (CONNECT) + keep alive";

  advance(10s);  // a later send moves the deadline
  publish_out("connack-ok/t", "x", QoS::at_most_once);
  expect_sent<codec::Publish>();
  EXPECT_EQ(deadline(), t0 + 12s + 30s);
}

TEST_F(SessionTest, ConnectBytesAt311AreExact) {
  start(config_for(V::v3_1_1, "c1"));
  const Bytes expected = {
      0x10,                            // CONNECT
      0x0e,                            // remaining length 14
      0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
      0x04,                            // protocol level 4 (3.1.1)
      0x02,                            // connect flags: clean session
      0x00, 0x3c,                      // keep alive 60 s
      0x00, 0x02, 'c', '1',            // client id "c1"
  };
  EXPECT_EQ(last_bytes(), expected) << hex(codec::ByteView(last_bytes()));
}

// --- 2. keep alive and response timeouts -------------------------------------------------------

using SessionKeepAlive = SessionAtEachVersion;

TEST_P(SessionKeepAlive, PingreqAtTheDeadlineAndPingrespClearsIt) {
  SessionConfig cfg = config("keepalive-ping");
  cfg.keep_alive_s = 30;
  cfg.response_timeout = 10s;
  const TimePoint t0 = now();
  start_connected(std::move(cfg));
  ASSERT_EQ(deadline(), t0 + 30s);

  advance(29s);
  timer();  // early: nothing to do
  expect_nothing_sent();

  advance(1s);
  timer();
  expect_sent<codec::Pingreq>();
  const TimePoint ping = t0 + 30s;
  EXPECT_EQ(deadline(), ping + 10s) << "ping + response timeout";

  advance(3s);
  broker(codec::Pingresp{});
  EXPECT_EQ(deadline(), ping + 30s) << "PINGRESP: back to last send + keep alive";
  expect_no_events();
  EXPECT_TRUE(session().is_connected());
}

TEST_P(SessionKeepAlive, NoPingrespEndsTheConnectionWithTimeout) {
  SessionConfig cfg = config("keepalive-timeout");
  cfg.keep_alive_s = 30;
  cfg.response_timeout = 10s;
  start_connected(std::move(cfg));
  advance(30s);
  timer();
  expect_sent<codec::Pingreq>();

  advance(9s);
  timer();
  expect_no_events();
  advance(1s);
  timer();
  const ConnectionEnded ended = expect_event<ConnectionEnded>();
  EXPECT_EQ(ended.cause, Cause::timeout);
  EXPECT_FALSE(session().is_connected());
  EXPECT_FALSE(deadline().has_value());
}

TEST_P(SessionKeepAlive, NoConnackWithinTheResponseTimeoutEndsWithTimeout) {
  SessionConfig cfg = config("keepalive-noconnack");
  cfg.response_timeout = 7s;
  start(std::move(cfg));
  expect_sent<codec::Connect>();
  advance(6s);
  timer();
  expect_no_events();
  advance(1s);
  timer();
  EXPECT_EQ(expect_event<ConnectionEnded>().cause, Cause::timeout);
  EXPECT_FALSE(deadline().has_value());
  expect_nothing_sent();
}

TEST_F(SessionTest, ServerKeepAliveReplacesTheClientsValue) {
  SessionConfig cfg = config_for(V::v5, "keepalive-server");
  cfg.keep_alive_s = 60;
  const TimePoint t0 = now();
  codec::PropertyBuilder props;
  props.add(PropertyId::server_keep_alive, 5);
  start_connected(std::move(cfg), connack(false, ReasonCode::success, props.view()));
  EXPECT_EQ(deadline(), t0 + 5s);
  advance(5s);
  timer();
  expect_sent<codec::Pingreq>();
}

// --- 3. CONNACK refusing -----------------------------------------------------------------------

using SessionRefused = SessionAtEachVersion;

TEST_P(SessionRefused, RefusingConnackEndsWithItsCode) {
  start(config("refused"));
  expect_sent<codec::Connect>();
  // 3.1.1 return code 5 (not authorised); 5.0 reason 0x87 (not authorized)
  const ReasonCode code = v5() ? ReasonCode::not_authorized : ReasonCode{5};
  broker(connack(false, code));
  const ConnectionEnded ended = expect_event<ConnectionEnded>();
  EXPECT_EQ(ended.cause, Cause::refused);
  EXPECT_EQ(ended.reason_code, codec::to_byte(code));
  expect_no<Connected>();
  EXPECT_FALSE(session().is_connected());
  EXPECT_FALSE(deadline().has_value());

  transport_closed();  // the end was already reported
  expect_no_events();
}

// --- 4. QoS 1 and 2, outgoing ------------------------------------------------------------------

using SessionPublishOut = SessionAtEachVersion;

TEST_P(SessionPublishOut, Qos1PublishCompletesOnPuback) {
  start_connected(config("out-q1"));
  const std::uint16_t id = publish_out("out-q1/t", "one", QoS::at_least_once);
  EXPECT_EQ(id, 1);
  const auto pub = expect_sent<codec::Publish>();
  EXPECT_EQ(pub->packet_id, id);
  EXPECT_EQ(pub->qos, QoS::at_least_once);
  EXPECT_FALSE(pub->dup);
  EXPECT_EQ(pub->topic, "out-q1/t");
  EXPECT_EQ(pub->payload, codec::ByteView::of("one"));
  EXPECT_EQ(session().inflight(), 1U);
  expect_no<PublishCompleted>();

  broker(puback(id));
  const PublishCompleted done = expect_event<PublishCompleted>();
  EXPECT_EQ(done.packet_id, id);
  EXPECT_EQ(done.qos, QoS::at_least_once);
  EXPECT_EQ(done.reason_code, 0);
  EXPECT_FALSE(done.abandoned);
  EXPECT_EQ(session().inflight(), 0U);
  expect_nothing_sent();
  expect_no_events();
}

TEST_P(SessionPublishOut, Qos2PublishIsReleasedThenCompletes) {
  start_connected(config("out-q2"));
  const std::uint16_t id = publish_out("out-q2/t", "two", QoS::exactly_once);
  const auto pub = expect_sent<codec::Publish>();
  EXPECT_EQ(pub->packet_id, id);
  EXPECT_EQ(pub->qos, QoS::exactly_once);
  EXPECT_FALSE(pub->dup);

  broker(pubrec(id));
  EXPECT_EQ(expect_sent<codec::Pubrel>()->packet_id, id);
  expect_no<PublishCompleted>();
  EXPECT_EQ(session().inflight(), 1U);

  broker(pubcomp(id));
  const PublishCompleted done = expect_event<PublishCompleted>();
  EXPECT_EQ(done.packet_id, id);
  EXPECT_EQ(done.qos, QoS::exactly_once);
  EXPECT_EQ(done.reason_code, 0);
  EXPECT_FALSE(done.abandoned);
  EXPECT_EQ(session().inflight(), 0U);
  expect_nothing_sent();
  expect_no_events();
}

TEST_F(SessionTest, PubrecFailureCompletesWithoutPubrel) {
  start_connected(config_for(V::v5, "out-q2-refused"));
  const std::uint16_t id = publish_out("out-q2-refused/t", "no", QoS::exactly_once);
  expect_sent<codec::Publish>();
  broker(pubrec(id, ReasonCode::unspecified_error));
  const PublishCompleted done = expect_event<PublishCompleted>();
  EXPECT_EQ(done.packet_id, id);
  EXPECT_EQ(done.reason_code, 0x80);
  EXPECT_FALSE(done.abandoned);
  expect_nothing_sent();
  EXPECT_EQ(session().inflight(), 0U);
}

// --- 5. QoS 1 and 2, incoming ------------------------------------------------------------------

using SessionPublishIn = SessionAtEachVersion;

TEST_P(SessionPublishIn, Qos1IsAcknowledgedAndDelivered) {
  start_connected(config("in-q1"));
  broker(publish("in-q1/t", "hello", QoS::at_least_once, 7));
  EXPECT_EQ(expect_sent<codec::Puback>()->packet_id, 7);
  const MessageReceived m = expect_event<MessageReceived>();
  EXPECT_EQ(m.topic, "in-q1/t");
  EXPECT_EQ(payload_text(m), "hello");
  EXPECT_EQ(m.qos, QoS::at_least_once);
  EXPECT_EQ(m.packet_id, 7);
  expect_no_events();
}

TEST_P(SessionPublishIn, Qos2IsDeliveredOnceEvenWhenSentAgain) {
  start_connected(config("in-q2"));
  broker(publish("in-q2/t", "first", QoS::exactly_once, 9));
  EXPECT_EQ(expect_sent<codec::Pubrec>()->packet_id, 9);
  EXPECT_EQ(payload_text(expect_event<MessageReceived>()), "first");

  // The broker sends it again (DUP) before PUBREL: acknowledged again, not delivered again.
  broker(publish("in-q2/t", "first", QoS::exactly_once, 9, true));
  EXPECT_EQ(expect_sent<codec::Pubrec>()->packet_id, 9);
  expect_no<MessageReceived>();

  broker(pubrel(9));
  const auto pubcomp_sent = expect_sent<codec::Pubcomp>();
  EXPECT_EQ(pubcomp_sent->packet_id, 9);
  EXPECT_EQ(pubcomp_sent->reason_code, ReasonCode::success);

  // After PUBCOMP the identifier is free: the same id is a new message.
  broker(publish("in-q2/t", "second", QoS::exactly_once, 9));
  EXPECT_EQ(expect_sent<codec::Pubrec>()->packet_id, 9);
  EXPECT_EQ(payload_text(expect_event<MessageReceived>()), "second");
  expect_nothing_sent();
  expect_no_events();
}

TEST_P(SessionPublishIn, PubrelForAnUnknownIdIsAnsweredWithPubcomp) {
  start_connected(config("in-pubrel-unknown"));
  broker(pubrel(42));
  const auto answer = expect_sent<codec::Pubcomp>();
  EXPECT_EQ(answer->packet_id, 42);
  EXPECT_EQ(answer->reason_code,
            v5() ? ReasonCode::packet_identifier_not_found : ReasonCode::success);
  expect_no_events();
}

// --- raw packets, reconfiguration, transport-only connects --------------------------------------

TEST_P(SessionPublishIn, RawPacketIdsBelongToTheCaller) {
  start_connected(config("raw-ids"));
  codec::Publish publish;
  publish.qos = QoS::exactly_once;
  publish.topic = "raw/t";
  publish.packet_id = 9;
  session().send_raw(codec::ByteView(encode(publish)), now());
  pump();
  EXPECT_EQ(expect_sent<codec::Publish>()->packet_id, 9);
  // Its PUBREC is the caller's to answer: no finding, no automatic PUBREL.
  broker(pubrec(9));
  expect_nothing_sent();
  expect_no_events();
  // The session's own packets avoid the id while the caller holds it.
  session().publish({"own/t", {}, QoS::at_least_once, false, {}}, now());
  pump();
  EXPECT_NE(expect_sent<codec::Publish>()->packet_id, 9);
  session().send_raw(codec::ByteView(encode(pubrel(9))), now());
  pump();
  expect_sent<codec::Pubrel>();
  codec::Pubcomp pubcomp;
  pubcomp.packet_id = 9;
  broker(pubcomp);
  expect_no_events();
  // Released by its PUBCOMP: an acknowledgement of 9 now is a broker deviation again.
  broker(pubcomp);
  EXPECT_EQ(expect_event<Finding>().statement, v5() ? "MQTT-2.2.1-5" : "MQTT-2.3.1-6");
}

TEST_P(SessionPublishIn, RawPacketSentTwiceIsOwedTwoAcknowledgements) {
  // The fuzzer repeats packets: a broker that answers each copy is right, and one more
  // acknowledgement than copies is still a deviation.
  start_connected(config("raw-twice"));
  codec::Publish publish;
  publish.qos = QoS::at_least_once;
  publish.topic = "raw/t";
  publish.packet_id = 4;
  session().send_raw(codec::ByteView(encode(publish)), now());
  session().send_raw(codec::ByteView(encode(publish)), now());
  codec::Puback puback;
  puback.packet_id = 4;
  broker(puback);
  broker(puback);
  expect_no_events();
  broker(puback);
  EXPECT_EQ(expect_event<Finding>().statement, v5() ? "MQTT-2.2.1-5" : "MQTT-2.3.1-6");
}

TEST_P(SessionPublishIn, AfterUnreadableRawBytesUnknownAcknowledgementsAreTheCallers) {
  start_connected(config("raw-unreadable"));
  allow_broken_sends();
  codec::Suback suback;
  suback.packet_id = 2;
  suback.reason_codes = {ReasonCode::granted_qos_1};
  // A SUBSCRIBE whose Remaining Length claims more than was sent: the broker reads what follows
  // as its body, and may answer it with an id we never learnt.
  const std::vector<std::uint8_t> broken = {0x82, 0x20, 0x00, 0x02, 0x00, 0x01, 0x61, 0x01};
  session().send_raw(codec::ByteView(broken), now());
  pump();
  broker(suback);
  expect_no_events();
  // A new connection reads from a packet boundary again: the same SUBACK is a finding.
  session().closed(now(), "test");
  pump();
  (void)take<ConnectionEnded>();
  connect();
  expect_sent<codec::Connect>();
  codec::Connack resumed;
  broker(resumed);
  expect_event<Connected>();
  broker(suback);
  EXPECT_FALSE(expect_event<Finding>().statement.empty());
}

TEST_P(SessionPublishIn, ReconfigureOnlyBetweenConnections) {
  start_connected(config("reconfigure"));
  SessionConfig next = config("reconfigure");
  next.clean_start = false;
  EXPECT_FALSE(session().reconfigure(next));
  session().disconnect(ReasonCode::normal_disconnection, {}, now());
  pump();
  expect_sent<codec::Disconnect>();
  EXPECT_EQ(expect_event<ConnectionEnded>().cause, Cause::closed);
  transport_closed();
  EXPECT_TRUE(session().reconfigure(next));
  connect();
  EXPECT_FALSE(expect_sent<codec::Connect>()->clean_start);
}

TEST_P(SessionPublishIn, WithoutSendConnectTheCallerSendsIt) {
  SessionConfig quiet = config("no-connect");
  quiet.send_connect = false;
  start(quiet);
  expect_nothing_sent();
  codec::Connect connect;
  connect.version = version();
  connect.client_id = "raw-connect";
  session().send_raw(codec::ByteView(encode(connect)), now());
  pump();
  expect_sent<codec::Connect>();
  broker(codec::Connack{});
  expect_event<Connected>();
  EXPECT_TRUE(session().is_connected());
}

TEST_P(SessionPublishIn, TheCallersConnectDecidesHowTheConnackIsJudged) {
  // Configured for a clean start, but the CONNECT the caller wrote resumes: Session Present 1 is
  // then the broker's right. The same CONNECT with Clean Start 1 makes it a finding.
  for (const bool clean : {false, true}) {
    SessionConfig quiet = config("judged-by-raw");
    quiet.send_connect = false;
    quiet.clean_start = true;
    start(quiet);
    codec::Connect connect;
    connect.version = version();
    connect.client_id = "judged-by-raw";
    connect.clean_start = clean;
    session().send_raw(codec::ByteView(encode(connect)), now());
    pump();
    expect_sent<codec::Connect>();
    codec::Connack connack;
    connack.session_present = true;
    broker(connack);
    if (clean) {
      EXPECT_EQ(expect_event<Finding>().statement, v5() ? "MQTT-3.2.2-2" : "MQTT-3.2.2-1");
    }
    expect_event<Connected>();
    expect_no_events();
  }
}

TEST_P(SessionPublishIn, RawPacketsPipelinedBeforeTheConnackStayTheCallers) {
  SessionConfig quiet = config("pipelined");
  quiet.send_connect = false;
  start(quiet);
  codec::Connect connect;
  connect.version = version();
  connect.client_id = "pipelined";
  session().send_raw(codec::ByteView(encode(connect)), now());
  codec::Subscribe subscribe;
  subscribe.packet_id = 7;
  subscribe.subscriptions.push_back({"pipelined/t", {}});
  session().send_raw(codec::ByteView(encode(subscribe)), now());
  pump();
  expect_sent<codec::Connect>();
  expect_sent<codec::Subscribe>();
  broker(codec::Connack{});  // Session Present 0: the session state goes, the raw ids stay
  expect_event<Connected>();
  codec::Suback suback;
  suback.packet_id = 7;
  suback.reason_codes = {ReasonCode::granted_qos_0};
  broker(suback);
  expect_no_events();
}

// --- 6. Receive Maximum ------------------------------------------------------------------------

TEST_F(SessionTest, ReceiveMaximumWindow) {
  codec::PropertyBuilder props;
  props.add(PropertyId::receive_maximum, 2);
  start_connected(config_for(V::v5, "recv-max"), connack(false, ReasonCode::success, props.view()));

  std::vector<std::uint16_t> ids;
  ids.reserve(5);
  for (int i = 0; i < 5; ++i) {
    ids.push_back(publish_out("recv-max/t", "m" + std::to_string(i), QoS::at_least_once));
  }
  EXPECT_EQ(ids, (std::vector<std::uint16_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(expect_sent<codec::Publish>()->packet_id, 1);
  EXPECT_EQ(expect_sent<codec::Publish>()->packet_id, 2);
  expect_nothing_sent();
  EXPECT_EQ(session().inflight(), 2U);
  EXPECT_EQ(session().queued(), 3U);

  for (std::uint16_t acked = 1; acked <= 5; ++acked) {
    broker(puback(acked));
    EXPECT_EQ(expect_event<PublishCompleted>().packet_id, acked);
    if (acked + 2 <= 5) {
      const auto next = expect_sent<codec::Publish>();
      EXPECT_EQ(next->packet_id, acked + 2);
      EXPECT_EQ(next->payload, codec::ByteView::of("m" + std::to_string(acked + 1)));
    }
    expect_nothing_sent();
    EXPECT_EQ(session().inflight(), std::min<std::size_t>(2, 5U - acked));
    EXPECT_EQ(session().queued(), acked <= 3 ? 3U - acked : 0U);
  }
}

// A publisher far ahead of a Receive Maximum of 1 queues every message but one. Each gets an id
// of its own until the queue and the window hold all 65,535; then a publish is refused. (Ids were
// once looked up by scanning the queue: this test took hours.)
TEST_F(SessionTest, QueuedMessagesHoldTheirIdsUntilTheIdSpaceIsFull) {
  codec::PropertyBuilder props;
  props.add(PropertyId::receive_maximum, 1);
  start_connected(config_for(V::v5, "id-space"), connack(false, ReasonCode::success, props.view()));
  std::vector<bool> seen(65536, false);
  for (int i = 0; i < 65535; ++i) {
    const std::uint16_t id = session().publish({"ids/t", {}, QoS::at_least_once, false, {}}, now());
    ASSERT_NE(id, 0) << "publish " << i << " got no id";
    ASSERT_FALSE(seen[id]) << "id " << id << " given twice";
    seen[id] = true;
  }
  EXPECT_EQ(session().inflight(), 1U);
  EXPECT_EQ(session().queued(), 65534U);
  pump();
  EXPECT_EQ(expect_sent<codec::Publish>()->packet_id, 1);
  expect_nothing_sent();
  EXPECT_EQ(session().publish({"ids/t", {}, QoS::at_least_once, false, {}}, now()), 0);
  pump();
  (void)expect_event<CommandRefused>();
  // The first is acknowledged: the second leaves the queue, and id 1 is free again.
  broker(puback(1));
  EXPECT_EQ(expect_event<PublishCompleted>().packet_id, 1);
  EXPECT_EQ(expect_sent<codec::Publish>()->packet_id, 2);
  EXPECT_EQ(session().publish({"ids/t", {}, QoS::at_least_once, false, {}}, now()), 1);
}

// --- 7. resuming a session ---------------------------------------------------------------------

class SessionResume : public SessionAtEachVersion {
 protected:
  /// clean_start = false; a QoS 1 publish unacknowledged and a QoS 2 publish past PUBREC.
  void leave_two_in_flight(std::string client_id, bool clean_start = false) {
    SessionConfig cfg = config(std::move(client_id));
    cfg.clean_start = clean_start;
    if (at_v5()) cfg.connect_properties.add(PropertyId::session_expiry_interval, 3600);
    start_connected(std::move(cfg));
    q1 = publish_out("resume/q1", "one", QoS::at_least_once);
    q2 = publish_out("resume/q2", "two", QoS::exactly_once);
    expect_sent<codec::Publish>();
    expect_sent<codec::Publish>();
    broker(pubrec(q2));
    expect_sent<codec::Pubrel>();
    transport_closed("network down");
    const ConnectionEnded ended = expect_event<ConnectionEnded>();
    EXPECT_EQ(ended.cause, Cause::closed);
    expect_no_events();
  }
  std::uint16_t q1 = 0;
  std::uint16_t q2 = 0;
};

TEST_F(SessionTest, ResumeHonoursASmallerReceiveMaximum) {
  // Three QoS 1 messages in flight when the connection drops; the new CONNACK allows one.
  SessionConfig cfg = config_for(V::v5, "resume-window");
  cfg.clean_start = false;
  cfg.connect_properties.add(PropertyId::session_expiry_interval, 3600);
  start_connected(std::move(cfg));
  std::vector<std::uint16_t> ids;
  for (const char* topic : {"w/1", "w/2", "w/3"}) {
    ids.push_back(session().publish({topic, {}, QoS::at_least_once, false, {}}, now()));
    pump();
    expect_sent<codec::Publish>();
  }
  transport_closed("network down");
  expect_event<ConnectionEnded>();
  connect();
  expect_sent<codec::Connect>();
  codec::PropertyBuilder props;
  props.add(PropertyId::receive_maximum, 1);
  broker(connack(true, ReasonCode::success, props.view()));
  // Only the first goes again at once; each acknowledgement lets the next one go, still with DUP
  // and in the original order.
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto again = expect_sent<codec::Publish>();
    EXPECT_EQ(again->packet_id, ids[i]);
    EXPECT_TRUE(again->dup);
    expect_nothing_sent();
    broker(puback(ids[i]));
  }
  EXPECT_EQ(take<PublishCompleted>().size(), 3U);
}

TEST_P(SessionResume, SessionPresentResendsInTheOriginalOrder) {
  leave_two_in_flight("resume-present");
  connect();
  EXPECT_FALSE(expect_sent<codec::Connect>()->clean_start);
  expect_no_events();

  broker(connack(true));
  const auto again = expect_sent<codec::Publish>();
  EXPECT_EQ(again->packet_id, q1);
  EXPECT_TRUE(again->dup);
  EXPECT_EQ(again->qos, QoS::at_least_once);
  EXPECT_EQ(again->topic, "resume/q1");
  EXPECT_EQ(expect_sent<codec::Pubrel>()->packet_id, q2);
  expect_nothing_sent();
  const Connected connected = expect_event<Connected>();
  EXPECT_TRUE(connected.session_present);
  EXPECT_EQ(connected.resent, 2U);

  broker(puback(q1));
  broker(pubcomp(q2));
  const std::vector<PublishCompleted> done = take<PublishCompleted>();
  ASSERT_EQ(done.size(), 2U);
  EXPECT_EQ(done[0].packet_id, q1);
  EXPECT_EQ(done[1].packet_id, q2);
  EXPECT_FALSE(done[0].abandoned);
  EXPECT_FALSE(done[1].abandoned);
  expect_no_events();
}

TEST_P(SessionResume, ManyAcknowledgedOutOfOrderLeaveExactlyTheRestInOrder) {
  // 200 QoS 1 messages; all but three acknowledged, in an order that leaves finished ids both
  // before and after the unfinished ones (the send-order list marks finished ids and drops them
  // in bulk): the resume resends exactly the three, in their original order.
  SessionConfig cfg = config("resume-many");
  cfg.clean_start = false;
  if (at_v5()) cfg.connect_properties.add(PropertyId::session_expiry_interval, 3600);
  start_connected(std::move(cfg));
  std::vector<std::uint16_t> ids;
  for (int i = 0; i < 200; ++i) {
    ids.push_back(publish_out("resume/many", "m" + std::to_string(i), QoS::at_least_once));
    expect_sent<codec::Publish>();
  }
  const std::vector<std::uint16_t> kept{ids[5], ids[70], ids[199]};
  for (std::size_t i = 198; i >= 100; --i)
    broker(puback(ids[i]));
  for (std::size_t i = 0; i < 100; ++i)
    if (i != 5 && i != 70) broker(puback(ids[i]));
  EXPECT_EQ(take<PublishCompleted>().size(), 197U);
  transport_closed("network down");
  expect_event<ConnectionEnded>();
  connect();
  expect_sent<codec::Connect>();
  broker(connack(true));
  for (const std::uint16_t id : kept) {
    const auto again = expect_sent<codec::Publish>();
    EXPECT_EQ(again->packet_id, id);
    EXPECT_TRUE(again->dup);
  }
  expect_nothing_sent();
  EXPECT_EQ(expect_event<Connected>().resent, 3U);
}

TEST_P(SessionResume, NoSessionPresentAbandonsTheMessages) {
  leave_two_in_flight("resume-absent");
  connect();
  expect_sent<codec::Connect>();
  broker(connack(false));
  expect_nothing_sent();
  const std::vector<PublishCompleted> done = take<PublishCompleted>();
  ASSERT_EQ(done.size(), 2U);
  EXPECT_EQ(done[0].packet_id, q1);
  EXPECT_EQ(done[0].qos, QoS::at_least_once);
  EXPECT_TRUE(done[0].abandoned);
  EXPECT_EQ(done[1].packet_id, q2);
  EXPECT_EQ(done[1].qos, QoS::exactly_once);
  EXPECT_TRUE(done[1].abandoned);
  EXPECT_EQ(expect_event<Connected>().resent, 0U);
  EXPECT_EQ(session().inflight(), 0U);
  expect_no_events();
}

TEST_P(SessionResume, CleanStartAbandonsTheMessages) {
  leave_two_in_flight("resume-clean", /*clean_start=*/true);
  connect();
  EXPECT_TRUE(expect_sent<codec::Connect>()->clean_start);
  const std::vector<PublishCompleted> done = take<PublishCompleted>();
  ASSERT_EQ(done.size(), 2U);
  EXPECT_TRUE(done[0].abandoned);
  EXPECT_TRUE(done[1].abandoned);
  broker(connack(false));
  expect_nothing_sent();
  EXPECT_EQ(expect_event<Connected>().resent, 0U);
  expect_no_events();  // not abandoned a second time
}

// --- 8. topic aliases (5.0) --------------------------------------------------------------------

TEST_F(SessionTest, OutgoingTopicAliases) {
  SessionConfig cfg = config_for(V::v5, "alias-out");
  cfg.use_topic_aliases = true;
  codec::PropertyBuilder server;
  server.add(PropertyId::topic_alias_maximum, 5);
  start_connected(std::move(cfg), connack(false, ReasonCode::success, server.view()));

  publish_out("alias-out/t", "1", QoS::at_most_once);
  publish_out("alias-out/t", "2", QoS::at_most_once);
  publish_out("alias-out/u", "3", QoS::at_least_once);
  const auto first = expect_sent<codec::Publish>();
  EXPECT_EQ(first->topic, "alias-out/t");
  EXPECT_EQ(first->properties.find(PropertyId::topic_alias)->number, 1U);
  const auto second = expect_sent<codec::Publish>();
  EXPECT_EQ(second->topic, "");
  EXPECT_EQ(second->properties.find(PropertyId::topic_alias)->number, 1U);
  const auto other = expect_sent<codec::Publish>();
  EXPECT_EQ(other->topic, "alias-out/u");
  EXPECT_EQ(other->properties.find(PropertyId::topic_alias)->number, 2U);

  // Aliases belong to one connection: after a reconnect the topic is named again.
  transport_closed();
  connect();
  expect_sent<codec::Connect>();
  broker(connack(false, ReasonCode::success, server.view()));
  publish_out("alias-out/t", "4", QoS::at_most_once);
  const auto after = expect_sent<codec::Publish>();
  EXPECT_EQ(after->topic, "alias-out/t");
  EXPECT_EQ(after->properties.find(PropertyId::topic_alias)->number, 1U);
}

TEST_F(SessionTest, NoOutgoingAliasWhenTheServerAllowsNone) {
  SessionConfig cfg = config_for(V::v5, "alias-out-none");
  cfg.use_topic_aliases = true;
  start_connected(std::move(cfg));  // no Topic Alias Maximum: 0
  publish_out("alias-out-none/t", "1", QoS::at_most_once);
  publish_out("alias-out-none/t", "2", QoS::at_most_once);
  for (int i = 0; i < 2; ++i) {
    const auto pub = expect_sent<codec::Publish>();
    EXPECT_EQ(pub->topic, "alias-out-none/t");
    EXPECT_FALSE(pub->properties.find(PropertyId::topic_alias).has_value());
  }
}

class SessionIncomingAliases : public ScriptedBroker {
 protected:
  void SetUp() override {
    SessionConfig cfg = config_for(V::v5, "alias-in");
    cfg.connect_properties.add(PropertyId::topic_alias_maximum, 10);
    start_connected(std::move(cfg));
  }
  static codec::PropertyBuilder alias(std::uint32_t value) {
    codec::PropertyBuilder b;
    b.add(PropertyId::topic_alias, value);
    return b;
  }
};

TEST_F(SessionIncomingAliases, AliasSetThenUsedResolvesTheTopic) {
  const auto a3 = alias(3);
  broker(publish("alias-in/a", "1", QoS::at_most_once, 0, false, a3.view()));
  EXPECT_EQ(expect_event<MessageReceived>().topic, "alias-in/a");
  broker(publish("", "2", QoS::at_most_once, 0, false, a3.view()));
  const MessageReceived m = expect_event<MessageReceived>();
  EXPECT_EQ(m.topic, "alias-in/a");
  EXPECT_EQ(payload_text(m), "2");
  expect_nothing_sent();
  expect_no_events();
}

TEST_F(SessionIncomingAliases, AliasNeverSetIsAProtocolError) {
  const auto a4 = alias(4);
  broker(publish("", "x", QoS::at_most_once, 0, false, a4.view()));
  (void)expect_event<Finding>();
  EXPECT_EQ(expect_sent<codec::Disconnect>()->reason_code, ReasonCode::protocol_error);
  const ConnectionEnded ended = expect_event<ConnectionEnded>();
  EXPECT_EQ(ended.cause, Cause::protocol_error);
  EXPECT_EQ(ended.reason_code, 0x82);
  expect_no<MessageReceived>();
}

TEST_F(SessionIncomingAliases, AliasAboveTheClientsMaximumIsAFinding) {
  const auto a11 = alias(11);
  broker(publish("alias-in/b", "x", QoS::at_most_once, 0, false, a11.view()));
  EXPECT_EQ(expect_event<Finding>().statement, "MQTT-3.3.2-11");
  EXPECT_EQ(expect_sent<codec::Disconnect>()->reason_code, ReasonCode::topic_alias_invalid);
  EXPECT_EQ(expect_event<ConnectionEnded>().cause, Cause::protocol_error);
  expect_no<MessageReceived>();
}

// --- 9. Maximum Packet Size --------------------------------------------------------------------

TEST_F(SessionTest, ServerMaximumPacketSizeRefusesALargerPublish) {
  codec::PropertyBuilder server;
  server.add(PropertyId::maximum_packet_size, 60);
  start_connected(config_for(V::v5, "max-out"), connack(false, ReasonCode::success, server.view()));

  const std::string big(100, 'x');
  EXPECT_EQ(publish_out("max-out/t", big, QoS::at_least_once), 0);
  (void)expect_event<CommandRefused>();
  expect_nothing_sent();
  EXPECT_TRUE(last_bytes().empty());
  EXPECT_EQ(session().inflight(), 0U);
  EXPECT_EQ(session().queued(), 0U);

  // No packet identifier was used by the refused publish.
  EXPECT_EQ(publish_out("max-out/t", "small", QoS::at_least_once), 1);
  const auto sent = expect_sent<codec::Publish>();
  EXPECT_LE(sent.wire->size(), 60U);
  expect_no_events();
}

TEST_F(SessionTest, ServerMaximumPacketSizeCountsTheTopicAlias) {
  // The alias the session adds makes the PUBLISH bigger than the one it measured.
  SessionConfig cfg = config_for(V::v5, "max-alias");
  cfg.use_topic_aliases = true;
  codec::Publish probe = publish("max-alias/t", "0123456789", QoS::at_least_once, 1);
  const std::size_t size = *codec::encoded_size(probe, V::v5);
  codec::PropertyBuilder server;
  server.add(PropertyId::maximum_packet_size, static_cast<std::uint32_t>(size))
      .add(PropertyId::topic_alias_maximum, 5);
  start_connected(std::move(cfg), connack(false, ReasonCode::success, server.view()));

  publish_out("max-alias/t", "0123456789", QoS::at_least_once);
  EXPECT_LE(last_bytes().size(), size)
      << "MQTT-3.1.2-24: the client must not send a packet above the server's Maximum Packet "
         "Size; the session sent "
      << hex(codec::ByteView(last_bytes()));
}

TEST_F(SessionTest, OwnMaximumPacketSizeRejectsALargerPacket) {
  SessionConfig cfg = config_for(V::v5, "max-in");
  cfg.connect_properties.add(PropertyId::maximum_packet_size, 64);
  start_connected(std::move(cfg));

  // PUBLISH QoS 0: 2 (fixed header) + 2 + 8 (topic "max-in/t") + 1 (property length) + 87 = 100
  const std::string payload(87, 'p');
  const Bytes wire = encode(publish("max-in/t", payload, QoS::at_most_once));
  ASSERT_EQ(wire.size(), 100U);
  broker_bytes(wire);
  const Finding finding = expect_event<Finding>();
  EXPECT_NE(finding.description.find("packet_too_large"), std::string::npos) << finding.description;
  EXPECT_EQ(expect_sent<codec::Disconnect>()->reason_code, ReasonCode::packet_too_large);
  const ConnectionEnded ended = expect_event<ConnectionEnded>();
  EXPECT_EQ(ended.cause, Cause::protocol_error);
  EXPECT_EQ(ended.reason_code, 0x95);
  expect_no<MessageReceived>();
}

// --- 10. findings ------------------------------------------------------------------------------

using SessionFindings = SessionAtEachVersion;

TEST_P(SessionFindings, PubackForAnUnknownId) {
  start_connected(config("finding-puback"));
  broker(puback(9));
  EXPECT_EQ(expect_event<Finding>().statement, v5() ? "MQTT-2.2.1-5" : "MQTT-2.3.1-6");
  expect_no<PublishCompleted>();
  expect_nothing_sent();
  expect_no_events();
}

TEST_P(SessionFindings, SubackWithTheWrongNumberOfCodes) {
  start_connected(config("finding-suback"));
  const std::uint16_t id = subscribe(
      {{"finding-suback/a", {QoS::at_least_once}}, {"finding-suback/b", {QoS::at_least_once}}});
  expect_sent<codec::Subscribe>();
  broker(suback(id, {ReasonCode::granted_qos_1}));
  EXPECT_EQ(expect_event<Finding>().statement, v5() ? "MQTT-3.8.4-6" : "MQTT-3.8.4-5");
  EXPECT_EQ(expect_event<SubscribeCompleted>().reason_codes, (std::vector<std::uint8_t>{1}));
  expect_no_events();
}

TEST_P(SessionFindings, PublishAboveTheGrantedQos) {
  start_connected(config("finding-granted"));
  const std::uint16_t id = subscribe({{"finding-granted/#", {QoS::exactly_once}}});
  expect_sent<codec::Subscribe>();
  broker(suback(id, {ReasonCode::granted_qos_0}));
  (void)expect_event<SubscribeCompleted>();

  broker(publish("finding-granted/x", "hi", QoS::at_least_once, 3));
  EXPECT_EQ(expect_event<Finding>().statement, v5() ? "MQTT-3.8.4-8" : "MQTT-3.8.4-6");
  (void)expect_event<MessageReceived>();  // still delivered and acknowledged
  EXPECT_EQ(expect_sent<codec::Puback>()->packet_id, 3);
  expect_no_events();
}

TEST_P(SessionFindings, PacketBeforeConnack) {
  start(config("finding-early"));
  expect_sent<codec::Connect>();
  broker(publish("finding-early/t", "x", QoS::at_most_once));
  EXPECT_EQ(expect_event<Finding>().statement, "MQTT-3.2.0-1");
}

TEST_F(SessionTest, SecondConnackIsAFindingAt5) {
  start_connected(config_for(V::v5, "finding-connack2"));
  broker(connack());
  EXPECT_EQ(expect_event<Finding>().statement, "MQTT-3.2.0-2");
  expect_no<Connected>();
  EXPECT_TRUE(session().is_connected());
}

TEST_P(SessionFindings, SessionPresentOnACleanStart) {
  start(config("finding-present"));
  expect_sent<codec::Connect>();
  broker(connack(true));
  EXPECT_EQ(expect_event<Finding>().statement, v5() ? "MQTT-3.2.2-2" : "MQTT-3.2.2-1");
  (void)expect_event<Connected>();
}

TEST_P(SessionFindings, MalformedPublishEndsTheConnection) {
  start_connected(config("finding-qos3"));
  Bytes wire = {
      0x36,             // PUBLISH, flags 0110: QoS bits 11 (QoS 3), DUP 0, RETAIN 0
      0x06,             // remaining length (3.1.1; 7 at 5.0)
      0x00, 0x01, 't',  // topic "t"
      0x00, 0x01,       // packet identifier 1
  };
  if (v5()) {
    wire[1] = 0x07;
    wire.push_back(0x00);  // property length 0
  }
  wire.push_back('x');  // payload
  broker_bytes(wire);
  EXPECT_EQ(expect_event<Finding>().statement, "MQTT-3.3.1-4");
  const ConnectionEnded ended = expect_event<ConnectionEnded>();
  EXPECT_EQ(ended.cause, Cause::protocol_error);
  EXPECT_EQ(ended.reason_code, 0x81);
  if (v5()) {
    EXPECT_EQ(expect_sent<codec::Disconnect>()->reason_code, ReasonCode::malformed_packet);
  }
  expect_nothing_sent();
  expect_no<MessageReceived>();
  EXPECT_FALSE(session().is_connected());
}

/// PUBLISH QoS 0 with DUP 1: a non-structural violation (MQTT-3.3.1-2).
Bytes publish_qos0_with_dup(bool v5) {
  Bytes wire = {
      0x38,                       // PUBLISH, flags 1000: DUP 1, QoS 0, RETAIN 0
      0x07,                       // remaining length (3.1.1; 8 at 5.0)
      0x00, 0x03, 'l', '/', 't',  // topic "l/t"
  };
  if (v5) {
    wire[1] = 0x08;
    wire.push_back(0x00);  // property length 0
  }
  wire.push_back('h');  // payload "hi"
  wire.push_back('i');
  return wire;
}

TEST_P(SessionFindings, LenientModeReportsAndStillHandles) {
  SessionConfig cfg = config("finding-lenient");
  cfg.strict = false;
  start_connected(std::move(cfg));
  broker_bytes(publish_qos0_with_dup(v5()));
  EXPECT_EQ(expect_event<Finding>().statement, "MQTT-3.3.1-2");
  const MessageReceived m = expect_event<MessageReceived>();
  EXPECT_EQ(m.topic, "l/t");
  EXPECT_EQ(payload_text(m), "hi");
  EXPECT_TRUE(session().is_connected());
  expect_nothing_sent();
  expect_no_events();
}

TEST_P(SessionFindings, StrictModeEndsTheConnectionOnTheSameBytes) {
  start_connected(config("finding-strict"));
  broker_bytes(publish_qos0_with_dup(v5()));
  EXPECT_EQ(expect_event<Finding>().statement, "MQTT-3.3.1-2");
  EXPECT_EQ(expect_event<ConnectionEnded>().cause, Cause::protocol_error);
  expect_no<MessageReceived>();
}

// --- 11. packet identifiers --------------------------------------------------------------------

using SessionPacketIds = SessionAtEachVersion;

TEST_P(SessionPacketIds, NeverZeroAndWrapAfter65535) {
  start_connected(config("ids-wrap"));
  for (std::uint32_t expected = 1; expected <= 65535; ++expected) {
    const std::uint16_t id = publish_out("ids-wrap/t", "", QoS::at_least_once);
    ASSERT_EQ(id, expected);
    broker(puback(id));
    ASSERT_EQ(sent_count(), 1U);  // the PUBLISH, nothing else
    expect_sent<codec::Publish>();
    ASSERT_EQ(take<PublishCompleted>().size(), 1U);
    events().clear();
  }
  EXPECT_EQ(publish_out("ids-wrap/t", "", QoS::at_least_once), 1) << "after 65535 comes 1, not 0";
  EXPECT_EQ(expect_sent<codec::Publish>()->packet_id, 1);
}

TEST_P(SessionPacketIds, IdsInUseAreSkipped) {
  // 5.0: Receive Maximum 1 so that one publish waits in the queue.
  codec::PropertyBuilder server;
  server.add(PropertyId::receive_maximum, 1);
  start_connected(config("ids-skip"), connack(false, ReasonCode::success, server.view()));
  EXPECT_EQ(publish_out("ids-skip/t", "", QoS::at_least_once), 1);  // in flight
  EXPECT_EQ(subscribe({{"ids-skip/s", {QoS::at_most_once}}}), 2);   // pending
  EXPECT_EQ(unsubscribe({"ids-skip/u"}), 3);                        // pending
  EXPECT_EQ(publish_out("ids-skip/t", "", QoS::exactly_once), 4);   // 5.0 queued; 3.1.1 in flight
  EXPECT_EQ(session().queued(), v5() ? 1U : 0U);
  expect_sent<codec::Publish>();
  expect_sent<codec::Subscribe>();
  expect_sent<codec::Unsubscribe>();
  if (!v5()) {
    expect_sent<codec::Publish>();
  }
  expect_nothing_sent();

  // Walk the identifiers round: SUBSCRIBE/SUBACK pairs use 5..65535.
  for (std::uint32_t expected = 5; expected <= 65535; ++expected) {
    const std::uint16_t id = subscribe({{"ids-skip/w", {QoS::at_most_once}}});
    ASSERT_EQ(id, expected);
    broker(suback(id, {ReasonCode::granted_qos_0}));
    ASSERT_EQ(sent_count(), 1U);
    expect_sent<codec::Subscribe>();
    events().clear();
  }
  // 1 (in flight), 2 (SUBSCRIBE), 3 (UNSUBSCRIBE) and 4 (queued / in flight) are skipped.
  EXPECT_EQ(subscribe({{"ids-skip/w", {QoS::at_most_once}}}), 5);
  expect_sent<codec::Subscribe>();
  // Completed ones are free again.
  broker(puback(1));
  broker(suback(2, {ReasonCode::granted_qos_0}));
  if (v5()) {
    EXPECT_EQ(expect_sent<codec::Publish>()->packet_id, 4);  // the queued one, released
  }
  EXPECT_EQ(unsubscribe({"ids-skip/u2"}), 6);
  EXPECT_EQ(subscribe({{"ids-skip/w", {QoS::at_most_once}}}), 7);
}

// --- 12. SUBSCRIBE and UNSUBSCRIBE -------------------------------------------------------------

using SessionSubscriptions = SessionAtEachVersion;

TEST_P(SessionSubscriptions, SubscribeAndUnsubscribeComplete) {
  start_connected(config("subs"));
  codec::PropertyBuilder sub_props;
  if (v5()) sub_props.add(PropertyId::subscription_identifier, 17);
  codec::SubscribeOptions second{QoS::exactly_once};
  if (v5()) {
    second.no_local = true;
    second.retain_handling = 2;
  }
  const std::uint16_t sid =
      subscribe({{"subs/a/+", {QoS::at_least_once}}, {"subs/b/#", second}}, sub_props.view());
  const auto sub = expect_sent<codec::Subscribe>();
  EXPECT_EQ(sub->packet_id, sid);
  ASSERT_EQ(sub->subscriptions.size(), 2U);
  EXPECT_EQ(sub->subscriptions[0].filter, "subs/a/+");
  EXPECT_EQ(sub->subscriptions[0].options.qos, QoS::at_least_once);
  EXPECT_EQ(sub->subscriptions[1].filter, "subs/b/#");
  EXPECT_EQ(sub->subscriptions[1].options, second);
  if (v5()) {
    EXPECT_EQ(sub->properties.find(PropertyId::subscription_identifier)->number, 17U);
  }

  broker(suback(sid, {ReasonCode::granted_qos_1, ReasonCode{0x80}}));
  const SubscribeCompleted subscribed = expect_event<SubscribeCompleted>();
  EXPECT_EQ(subscribed.packet_id, sid);
  EXPECT_EQ(subscribed.reason_codes, (std::vector<std::uint8_t>{0x01, 0x80}));

  const std::uint16_t uid = unsubscribe({"subs/a/+", "subs/b/#"});
  const auto unsub = expect_sent<codec::Unsubscribe>();
  EXPECT_EQ(unsub->packet_id, uid);
  EXPECT_EQ(unsub->filters, (std::vector<std::string_view>{"subs/a/+", "subs/b/#"}));
  if (v5()) {
    broker(unsuback(uid, {ReasonCode::success, ReasonCode::no_subscription_existed}));
  } else {
    broker(unsuback(uid));  // 3.1.1: UNSUBACK has no codes
  }
  const UnsubscribeCompleted unsubscribed = expect_event<UnsubscribeCompleted>();
  EXPECT_EQ(unsubscribed.packet_id, uid);
  EXPECT_EQ(unsubscribed.reason_codes,
            (v5() ? std::vector<std::uint8_t>{0x00, 0x11} : std::vector<std::uint8_t>{}));
  expect_nothing_sent();
  expect_no_events();
}

// --- 13. DISCONNECT and closing ----------------------------------------------------------------

using SessionDisconnect = SessionAtEachVersion;

TEST_P(SessionDisconnect, ClientDisconnectThenClosedEndsOnce) {
  start_connected(config("disc-client"));
  codec::PropertyBuilder props;
  if (v5()) props.add(PropertyId::reason_string, "done");
  session().disconnect(ReasonCode::disconnect_with_will_message, props.view(), now());
  pump();
  if (v5()) {
    const auto disconnect = expect_sent<codec::Disconnect>();
    EXPECT_EQ(disconnect->reason_code, ReasonCode::disconnect_with_will_message);
    EXPECT_EQ(disconnect->properties.find(PropertyId::reason_string)->text, "done");
  } else {
    const Bytes expected = {
        0xe0,  // DISCONNECT
        0x00,  // remaining length 0: no reason code below 5.0
    };
    EXPECT_EQ(last_bytes(), expected);
    expect_sent<codec::Disconnect>();
  }
  // The client closes the connection after its DISCONNECT (MQTT-3.14.4-1): the session ends at
  // once, with the reason it sent; the transport closing afterwards reports nothing more.
  const auto ended = expect_event<ConnectionEnded>();
  EXPECT_EQ(ended.cause, Cause::closed);
  EXPECT_EQ(ended.reason_code, codec::to_byte(ReasonCode::disconnect_with_will_message));
  transport_closed();
  expect_no_events();
}

TEST_F(SessionTest, ServerDisconnectAt5) {
  start_connected(config_for(V::v5, "disc-server"));
  codec::Disconnect disconnect;
  disconnect.reason_code = ReasonCode::server_shutting_down;
  broker(disconnect);
  const ConnectionEnded ended = expect_event<ConnectionEnded>();
  EXPECT_EQ(ended.cause, Cause::server_disconnect);
  EXPECT_EQ(ended.reason_code, 0x8B);
  EXPECT_FALSE(session().is_connected());
  transport_closed();
  expect_no_events();
  expect_nothing_sent();
}

TEST_P(SessionDisconnect, ClosedIsReportedOnce) {
  start_connected(config("disc-closed"));
  transport_closed("peer reset");
  const ConnectionEnded ended = expect_event<ConnectionEnded>();
  EXPECT_EQ(ended.cause, Cause::closed);
  EXPECT_EQ(ended.detail, "peer reset");
  transport_closed("again");
  expect_no_events();
  EXPECT_FALSE(deadline().has_value());
}

// --- beyond the list: limits and state the session keeps across connections ------------------

TEST_F(SessionTest, ServerMaximumQosIsRespected) {
  codec::PropertyBuilder server;
  server.add(PropertyId::maximum_qos, 1);
  start_connected(config_for(V::v5, "max-qos"), connack(false, ReasonCode::success, server.view()));
  publish_out("max-qos/t", "two", QoS::exactly_once);
  // MQTT-3.2.2-11: no PUBLISH above the server's Maximum QoS (refused, or sent at QoS 1).
  while (sent_count() != 0) {
    const auto pub = expect_sent<codec::Publish>();
    EXPECT_LE(pub->qos, QoS::at_least_once) << hex(codec::ByteView(*pub.wire));
  }
}

TEST_F(SessionTest, ServerRetainAvailableIsRespected) {
  codec::PropertyBuilder server;
  server.add(PropertyId::retain_available, 0);
  start_connected(config_for(V::v5, "no-retain"),
                  connack(false, ReasonCode::success, server.view()));
  Outgoing message;
  message.topic = "no-retain/t";
  message.payload = bytes_of("kept?");
  message.retain = true;
  session().publish(std::move(message), now());
  pump();
  // MQTT-3.2.2-14: no PUBLISH with RETAIN 1 when the server said Retain Available 0.
  while (sent_count() != 0) {
    const auto pub = expect_sent<codec::Publish>();
    EXPECT_FALSE(pub->retain) << hex(codec::ByteView(*pub.wire));
  }
}

TEST_P(SessionSubscriptions, SubscribeWhileClosedIsNotWrittenBeforeConnect) {
  start_connected(config("subs-closed"));
  transport_closed();
  (void)expect_event<ConnectionEnded>();
  // The runner takes the effects only once it has a transport again.
  session().subscribe({{"subs-closed/t", {QoS::at_least_once}}}, {}, now());
  connect();
  ASSERT_NE(sent_count(), 0U);
  // MQTT-3.1.0-1: the first packet on a connection is CONNECT.
  expect_sent<codec::Connect>();
}

TEST_P(SessionResume, IncomingQos2IsNotDeliveredAgainAfterResume) {
  SessionConfig cfg = config("resume-in-q2");
  cfg.clean_start = false;
  if (at_v5()) cfg.connect_properties.add(PropertyId::session_expiry_interval, 3600);
  start_connected(std::move(cfg));
  broker(publish("resume-in-q2/t", "once", QoS::exactly_once, 5));
  EXPECT_EQ(expect_sent<codec::Pubrec>()->packet_id, 5);
  (void)expect_event<MessageReceived>();
  transport_closed();
  (void)expect_event<ConnectionEnded>();
  connect();
  expect_sent<codec::Connect>();
  broker(connack(true));
  (void)expect_event<Connected>();
  broker(publish("resume-in-q2/t", "once", QoS::exactly_once, 5, true));
  EXPECT_EQ(expect_sent<codec::Pubrec>()->packet_id, 5);
  expect_no<MessageReceived>();
  broker(pubrel(5));
  EXPECT_EQ(expect_sent<codec::Pubcomp>()->reason_code, ReasonCode::success);
  expect_no_events();
}

TEST_P(SessionResume, UnreceivedQos2IsResentAsPublishWithDup) {
  SessionConfig cfg = config("resume-q2-dup");
  cfg.clean_start = false;
  start_connected(std::move(cfg));
  const std::uint16_t id = publish_out("resume-q2-dup/t", "x", QoS::exactly_once);
  expect_sent<codec::Publish>();
  transport_closed();
  connect();
  expect_sent<codec::Connect>();
  broker(connack(true));
  const auto again = expect_sent<codec::Publish>();
  EXPECT_EQ(again->packet_id, id);
  EXPECT_EQ(again->qos, QoS::exactly_once);
  EXPECT_TRUE(again->dup);
  broker(pubrec(id));
  EXPECT_EQ(expect_sent<codec::Pubrel>()->packet_id, id);
}

TEST_F(SessionTest, AssignedClientIdentifierIsUsedOnReconnect) {
  SessionConfig cfg = config_for(V::v5, "");
  cfg.clean_start = false;
  codec::PropertyBuilder server;
  server.add(PropertyId::assigned_client_identifier, "srv-assigned-1");
  start_connected(std::move(cfg), connack(false, ReasonCode::success, server.view()));
  transport_closed();
  connect();
  EXPECT_EQ(expect_sent<codec::Connect>()->client_id, "srv-assigned-1");
}

TEST_F(SessionTest, ServerKeepAliveZeroDisablesPings) {
  SessionConfig cfg = config_for(V::v5, "keepalive-zero");
  cfg.keep_alive_s = 30;
  codec::PropertyBuilder server;
  server.add(PropertyId::server_keep_alive, 0);
  start_connected(std::move(cfg), connack(false, ReasonCode::success, server.view()));
  EXPECT_FALSE(deadline().has_value());
  advance(1h);
  timer();
  expect_nothing_sent();
}

TEST_F(SessionTest, ACallerWhoWroteTheConnectOwnsTheKeepAlive) {
  SessionConfig cfg = config_for(V::v5, "raw-keepalive");
  cfg.send_connect = false;
  start(cfg);
  codec::Connect connect;
  connect.version = V::v5;
  connect.client_id = "raw-keepalive";
  connect.keep_alive = 1;
  session().send_raw(codec::ByteView(encode(connect)), now());
  pump();
  expect_sent<codec::Connect>();
  codec::PropertyBuilder server;
  server.add(PropertyId::server_keep_alive, 1);
  broker(connack(false, ReasonCode::success, server.view()));
  expect_event<Connected>();
  // The silence is the caller's test: no PINGREQ of ours may break it.
  advance(1h);
  timer();
  expect_nothing_sent();
}

TEST_F(SessionTest, WithoutAcknowledgeTheCallerAnswersPublishAndPubrel) {
  SessionConfig cfg = config_for(V::v5, "no-ack");
  cfg.acknowledge = false;
  start_connected(std::move(cfg));
  broker(publish("no-ack/t", "1", QoS::at_least_once, 1));
  expect_event<MessageReceived>();
  expect_nothing_sent();
  // A resent QoS 2 PUBLISH is delivered again: nothing was acknowledged.
  broker(publish("no-ack/t", "2", QoS::exactly_once, 2));
  EXPECT_EQ(expect_event<MessageReceived>().packet_id, 2);
  broker(publish("no-ack/t", "2", QoS::exactly_once, 2));
  EXPECT_EQ(expect_event<MessageReceived>().packet_id, 2);
  expect_nothing_sent();
  broker(pubrel(2));
  expect_nothing_sent();
  expect_no<Finding>();
}

TEST_F(SessionTest, IncomingQos2AboveTheClientsReceiveMaximum) {
  SessionConfig cfg = config_for(V::v5, "recv-max-in");
  cfg.connect_properties.add(PropertyId::receive_maximum, 2);
  start_connected(std::move(cfg));
  broker(publish("recv-max-in/t", "1", QoS::exactly_once, 1));
  broker(publish("recv-max-in/t", "2", QoS::exactly_once, 2));
  expect_no<Finding>();
  broker(publish("recv-max-in/t", "3", QoS::exactly_once, 3));
  EXPECT_EQ(expect_event<Finding>().statement, "MQTT-3.3.4-9");
}

TEST_F(SessionIncomingAliases, AliasesAreForgottenOnReconnect) {
  const auto a2 = alias(2);
  broker(publish("alias-in/c", "1", QoS::at_most_once, 0, false, a2.view()));
  (void)expect_event<MessageReceived>();
  transport_closed();
  (void)expect_event<ConnectionEnded>();
  connect();
  expect_sent<codec::Connect>();
  broker(connack());
  (void)expect_event<Connected>();
  broker(publish("", "2", QoS::at_most_once, 0, false, a2.view()));
  expect_no<MessageReceived>();
  EXPECT_EQ(expect_event<ConnectionEnded>().cause, Cause::protocol_error);
}

// --- 14. framing -------------------------------------------------------------------------------

class SessionFraming : public SessionAtEachVersion {
 protected:
  /// Runs one dialogue, with the broker's bytes in one piece or one byte at a time; returns the
  /// event log and everything the session sent.
  std::pair<std::vector<std::string>, Bytes> run(bool byte_at_a_time) {
    start(config("framing"));
    const std::uint16_t sid = session().subscribe({{"framing/#", {QoS::exactly_once}}}, {}, now());
    Bytes script;
    const auto add = [&](const codec::Packet& p) {
      const Bytes one = encode(p);
      script.insert(script.end(), one.begin(), one.end());
    };
    add(connack());
    add(suback(sid, {ReasonCode::granted_qos_2}));
    add(publish("framing/a", "one", QoS::at_least_once, 11));
    add(publish("framing/b", "two", QoS::exactly_once, 12));
    add(pubrel(12));
    add(publish("framing/c", std::string(200, 'z'), QoS::at_most_once));  // 2-byte length
    add(codec::Pingresp{});
    Bytes sent = session().take_effects().bytes;  // CONNECT, SUBSCRIBE
    std::vector<std::string> log;
    const auto collect = [&] {
      Effects e = session().take_effects();
      sent.insert(sent.end(), e.bytes.begin(), e.bytes.end());
      for (const Event& event : e.events)
        log.push_back(describe(event));
    };
    if (byte_at_a_time) {
      for (std::uint8_t b : script) {
        session().received(codec::ByteView(&b, 1), now());
        collect();
      }
    } else {
      session().received(codec::ByteView(script), now());
      collect();
    }
    return {log, sent};
  }
};

TEST_P(SessionFraming, OneByteAtATimeGivesTheSameEvents) {
  const auto [whole_log, whole_sent] = run(false);
  const auto [split_log, split_sent] = run(true);
  EXPECT_EQ(split_log, whole_log);
  EXPECT_EQ(split_sent, whole_sent);
  // And the dialogue itself: PacketReceived for each of the 7 packets plus its events.
  ASSERT_EQ(whole_log.size(), 7U + 1 + 1 + 3);
  EXPECT_EQ(whole_log[1], "Connected session_present=0 resent=0");
}

INSTANTIATE_TEST_SUITE_P(Versions, SessionConnect, ::testing::Values(V::v3_1_1, V::v5),
                         version_name);
INSTANTIATE_TEST_SUITE_P(Versions, SessionKeepAlive, ::testing::Values(V::v3_1_1, V::v5),
                         version_name);
INSTANTIATE_TEST_SUITE_P(Versions, SessionRefused, ::testing::Values(V::v3_1_1, V::v5),
                         version_name);
INSTANTIATE_TEST_SUITE_P(Versions, SessionPublishOut, ::testing::Values(V::v3_1_1, V::v5),
                         version_name);
INSTANTIATE_TEST_SUITE_P(Versions, SessionPublishIn, ::testing::Values(V::v3_1_1, V::v5),
                         version_name);
INSTANTIATE_TEST_SUITE_P(Versions, SessionResume, ::testing::Values(V::v3_1_1, V::v5),
                         version_name);
INSTANTIATE_TEST_SUITE_P(Versions, SessionFindings, ::testing::Values(V::v3_1_1, V::v5),
                         version_name);
INSTANTIATE_TEST_SUITE_P(Versions, SessionPacketIds, ::testing::Values(V::v3_1_1, V::v5),
                         version_name);
INSTANTIATE_TEST_SUITE_P(Versions, SessionSubscriptions, ::testing::Values(V::v3_1_1, V::v5),
                         version_name);
INSTANTIATE_TEST_SUITE_P(Versions, SessionDisconnect, ::testing::Values(V::v3_1_1, V::v5),
                         version_name);
INSTANTIATE_TEST_SUITE_P(Versions, SessionFraming, ::testing::Values(V::v3_1_1, V::v5),
                         version_name);

}  // namespace
}  // namespace gauntlet::client::test
