// The encoder: exact bytes of correct packets, every Malformation override with the bytes it
// produces and the rule a decoder then reports, EncodeError, and Variable Byte Integers.
#include "gauntlet/codec/encoder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_support.hpp"

namespace gauntlet::codec {
namespace {

using test::Bytes;
using test::decode_error;
using test::encode_ok;
using test::hex;
using V = ProtocolVersion;

Bytes encode_malformed(const Packet& packet, V version, const Malformation& m) {
  return encode_ok(packet, version, &m);
}

// The 3.1.1 CONNECT used by most malformation tests.
Connect small_connect() {
  Connect c;
  c.version = V::v3_1_1;
  c.client_id = "c";
  return c;  // clean start, keep alive 60
}

const Bytes small_connect_bytes = {
    0x10,                            // CONNECT
    0x0d,                            // remaining length 13
    0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name "MQTT"
    0x04,                            // protocol level 4 (3.1.1)
    0x02,                            // connect flags: clean session
    0x00, 0x3c,                      // keep alive 60
    0x00, 0x01, 'c',                 // client id "c"
};

Publish small_publish() {
  Publish p;
  p.qos = QoS::at_least_once;
  p.topic = "a/b";
  p.packet_id = 1;
  p.payload = ByteView::of("hi");
  return p;
}

const Bytes small_publish_bytes = {
    0x32,                       // PUBLISH, QoS 1
    0x09,                       // remaining length 9
    0x00, 0x03, 'a', '/', 'b',  // topic "a/b"
    0x00, 0x01,                 // packet id 1
    'h',  'i',                  // payload "hi"
};

// --- correct encodings
// ----------------------------------------------------------------------------

TEST(Encode, Connect311) {
  EXPECT_EQ(encode_ok(small_connect(), V::v3_1_1), small_connect_bytes);
}

TEST(Encode, ConnectLaysOutItsOwnVersion) {
  // The version argument is ignored for CONNECT: Connect::version decides.
  EXPECT_EQ(encode_ok(small_connect(), V::v5), small_connect_bytes);
}

TEST(Encode, Connect31) {
  Connect c = small_connect();
  c.version = V::v3_1;
  const Bytes expected = {
      0x10,                                      // CONNECT
      0x0f,                                      // remaining length 15
      0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p',  // protocol name "MQIsdp"
      0x03,                                      // protocol level 3
      0x02,                                      // connect flags: clean session
      0x00, 0x3c,                                // keep alive 60
      0x00, 0x01, 'c',                           // client id "c"
  };
  EXPECT_EQ(encode_ok(c, V::v3_1), expected);
}

TEST(Encode, Connect5WithEverything) {
  PropertyBuilder props;
  props.add(PropertyId::session_expiry_interval, 120);
  PropertyBuilder will_props;
  will_props.add(PropertyId::will_delay_interval, 5);
  Connect c;
  c.version = V::v5;
  c.keep_alive = 10;
  c.properties = props.view();
  c.client_id = "id";
  c.will = Will{QoS::at_least_once, true, will_props.view(), "w", ByteView::of("p")};
  c.username = "u";
  c.password = ByteView::of("pw");
  const Bytes expected = {
      0x10,                               // CONNECT
      0x27,                               // remaining length 39
      0x00, 0x04, 'M',  'Q',  'T',  'T',  // protocol name "MQTT"
      0x05,                               // protocol level 5
      0xee,                          // flags: user, password, will retain, will QoS 1, will, clean
      0x00, 0x0a,                    // keep alive 10
      0x05,                          // property length 5
      0x11, 0x00, 0x00, 0x00, 0x78,  // session expiry interval 120
      0x00, 0x02, 'i',  'd',         // client id "id"
      0x05,                          // will property length 5
      0x18, 0x00, 0x00, 0x00, 0x05,  // will delay interval 5
      0x00, 0x01, 'w',               // will topic "w"
      0x00, 0x01, 'p',               // will payload "p"
      0x00, 0x01, 'u',               // user name "u"
      0x00, 0x02, 'p',  'w',         // password "pw"
  };
  EXPECT_EQ(encode_ok(c, V::v5), expected);
  EXPECT_EQ(encoded_size(c, V::v5), expected.size());
}

TEST(Encode, Connack5) {
  PropertyBuilder props;
  props.add(PropertyId::receive_maximum, 10);
  Connack c;
  c.session_present = true;
  c.properties = props.view();
  const Bytes expected = {
      0x20,              // CONNACK
      0x06,              // remaining length 6
      0x01,              // acknowledge flags: session present
      0x00,              // reason code: success
      0x03,              // property length 3
      0x21, 0x00, 0x0a,  // receive maximum 10
  };
  EXPECT_EQ(encode_ok(c, V::v5), expected);
  // 3.1.1: no properties; 3.1: no session present flag.
  EXPECT_EQ(encode_ok(c, V::v3_1_1), (Bytes{
                                         0x20,  // CONNACK
                                         0x02,  // remaining length 2
                                         0x01,  // acknowledge flags: session present
                                         0x00,  // return code: accepted
                                     }));
  EXPECT_EQ(encode_ok(c, V::v3_1), (Bytes{
                                       0x20,  // CONNACK
                                       0x02,  // remaining length 2
                                       0x00,  // reserved byte (no session present in 3.1)
                                       0x00,  // return code: accepted
                                   }));
}

TEST(Encode, Publish311And5) {
  EXPECT_EQ(encode_ok(small_publish(), V::v3_1_1), small_publish_bytes);
  PropertyBuilder props;
  props.add(PropertyId::topic_alias, 1);
  Publish p;
  p.topic = "t";
  p.retain = true;
  p.properties = props.view();
  p.payload = ByteView::of("x");
  const Bytes expected = {
      0x31,              // PUBLISH, QoS 0, retain
      0x08,              // remaining length 8
      0x00, 0x01, 't',   // topic "t"
      0x03,              // property length 3
      0x23, 0x00, 0x01,  // topic alias 1
      'x',               // payload
  };
  EXPECT_EQ(encode_ok(p, V::v5), expected);
}

TEST(Encode, PublishResponseShortForms) {
  Puback ack;
  ack.packet_id = 1;
  EXPECT_EQ(encode_ok(ack, V::v5), (Bytes{
                                       0x40,        // PUBACK
                                       0x02,        // remaining length 2
                                       0x00, 0x01,  // packet id 1 (reason 0, no properties)
                                   }));
  ack.reason_code = ReasonCode::no_matching_subscribers;
  EXPECT_EQ(encode_ok(ack, V::v5), (Bytes{
                                       0x40,        // PUBACK
                                       0x03,        // remaining length 3
                                       0x00, 0x01,  // packet id 1
                                       0x10,        // reason: no matching subscribers
                                   }));
  // Below 5.0 the reason code is not on the wire.
  EXPECT_EQ(encode_ok(ack, V::v3_1_1), (Bytes{
                                           0x40,        // PUBACK
                                           0x02,        // remaining length 2
                                           0x00, 0x01,  // packet id 1
                                       }));
  PropertyBuilder props;
  props.add(PropertyId::reason_string, "x");
  Pubrel rel;
  rel.packet_id = 1;
  rel.properties = props.view();
  EXPECT_EQ(encode_ok(rel, V::v5), (Bytes{
                                       0x62,              // PUBREL, flags 0010
                                       0x08,              // remaining length 8
                                       0x00, 0x01,        // packet id 1
                                       0x00,              // reason: success
                                       0x04,              // property length 4
                                       0x1f, 0x00, 0x01,  // reason string, length 1
                                       'x',               // "x"
                                   }));
}

TEST(Encode, Subscribe5Options) {
  Subscribe s;
  s.packet_id = 2;
  s.subscriptions.push_back({"a/#", {QoS::exactly_once, true, true, 2}});
  const Bytes expected = {
      0x82,                       // SUBSCRIBE, flags 0010
      0x09,                       // remaining length 9
      0x00, 0x02,                 // packet id 2
      0x00,                       // property length 0
      0x00, 0x03, 'a', '/', '#',  // filter "a/#"
      0x2e,                       // options: retain handling 2, RAP, no local, QoS 2
  };
  EXPECT_EQ(encode_ok(s, V::v5), expected);
  // 3.1.1 writes the QoS only.
  EXPECT_EQ(encode_ok(s, V::v3_1_1), (Bytes{
                                         0x82,                       // SUBSCRIBE
                                         0x08,                       // remaining length 8
                                         0x00, 0x02,                 // packet id 2
                                         0x00, 0x03, 'a', '/', '#',  // filter "a/#"
                                         0x02,                       // requested QoS 2
                                     }));
}

TEST(Encode, UnsubackAndDisconnectPerLevel) {
  Unsuback u;
  u.packet_id = 3;
  u.reason_codes = {ReasonCode::no_subscription_existed};
  EXPECT_EQ(encode_ok(u, V::v3_1_1), (Bytes{
                                         0xb0,        // UNSUBACK
                                         0x02,        // remaining length 2
                                         0x00, 0x03,  // packet id 3 (no reason codes in 3.1.1)
                                     }));
  EXPECT_EQ(encode_ok(u, V::v5), (Bytes{
                                     0xb0,        // UNSUBACK
                                     0x04,        // remaining length 4
                                     0x00, 0x03,  // packet id 3
                                     0x00,        // property length 0
                                     0x11,        // no subscription existed
                                 }));
  Disconnect d;
  const Bytes bare_disconnect = {
      0xe0,  // DISCONNECT
      0x00,  // remaining length 0 (5.0: normal disconnection, no properties)
  };
  EXPECT_EQ(encode_ok(d, V::v5), bare_disconnect);
  EXPECT_EQ(encode_ok(d, V::v3_1_1), bare_disconnect);
  d.reason_code = ReasonCode::disconnect_with_will_message;
  EXPECT_EQ(encode_ok(d, V::v5), (Bytes{
                                     0xe0,  // DISCONNECT
                                     0x01,  // remaining length 1
                                     0x04,  // reason: disconnect with will message
                                 }));
  EXPECT_EQ(encode_ok(d, V::v3_1_1), bare_disconnect);  // no reason code below 5.0
  EXPECT_EQ(encode_ok(Auth{}, V::v5), (Bytes{
                                          0xf0,  // AUTH
                                          0x00,  // remaining length 0 (success, no properties)
                                      }));
  EXPECT_EQ(encode_ok(Pingreq{}, V::v3_1), (Bytes{
                                               0xc0,  // PINGREQ
                                               0x00,  // remaining length 0
                                           }));
  EXPECT_EQ(encode_ok(Pingresp{}, V::v5), (Bytes{
                                              0xd0,  // PINGRESP
                                              0x00,  // remaining length 0
                                          }));
}

TEST(Encode, AppendsToWhatIsAlreadyThere) {
  Bytes out = {0xAA, 0xBB};
  ASSERT_FALSE(encode(Pingreq{}, V::v3_1_1, out).has_value());
  EXPECT_EQ(out, (Bytes{
                     0xAA, 0xBB,  // what was there before
                     0xc0,        // PINGREQ
                     0x00,        // remaining length 0
                 }));
}

TEST(Encode, EmptyMalformationChangesNothing) {
  const Malformation none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(encode_malformed(small_publish(), V::v3_1_1, none), small_publish_bytes);
}

// --- Malformation, field by field --------------------------------------------------------------

TEST(Malformation, RemainingLengthOverride) {
  Malformation m;
  m.remaining_length = 5;
  EXPECT_FALSE(m.empty());
  const Bytes longer = encode_malformed(Pingreq{}, V::v3_1_1, m);
  EXPECT_EQ(longer, (Bytes{
                        0xc0,  // PINGREQ
                        0x05,  // remaining length 5 (but no body follows)
                    }));
  const DecodeResult waiting = test::decode_at(longer, V::v3_1_1);
  ASSERT_TRUE(waiting.need_more()) << test::describe(waiting);
  EXPECT_EQ(waiting.bytes_needed(), 5U);

  m.remaining_length = 4;  // shorter than the body: the topic runs past the packet
  const Bytes shorter = encode_malformed(small_publish(), V::v3_1_1, m);
  EXPECT_EQ(shorter, (Bytes{
                         0x32,                       // PUBLISH, QoS 1
                         0x04,                       // remaining length 4 (really 9)
                         0x00, 0x03, 'a', '/', 'b',  // topic "a/b"
                         0x00, 0x01,                 // packet id 1
                         'h', 'i',                   // payload
                     }));
  const Error error = decode_error(shorter, V::v3_1_1);
  EXPECT_EQ(error.rule, Rule::truncated);
  EXPECT_EQ(error.offset, 2U);
  EXPECT_EQ(error.field, "publish.topic");
}

TEST(Malformation, RemainingLengthWidth) {
  Malformation m;
  const Bytes expected[] = {
      {0xc0, 0x00},                          // width 1: minimal
      {0xc0, 0x80, 0x00},                    // width 2: 0 with one continuation byte
      {0xc0, 0x80, 0x80, 0x00},              // width 3
      {0xc0, 0x80, 0x80, 0x80, 0x00},        // width 4
      {0xc0, 0x80, 0x80, 0x80, 0x80, 0x00},  // width 5: no receiver may accept it
  };
  for (std::uint8_t width = 1; width <= 5; ++width) {
    m.remaining_length_width = width;
    EXPECT_EQ(encode_malformed(Pingreq{}, V::v5, m), expected[width - 1]) << int{width};
  }
  // A value that already needs two bytes, padded to three.
  m.remaining_length_width = 3;
  Publish p;
  p.topic = "t";
  const std::string payload(200, 'x');
  p.payload = ByteView::of(payload);
  const Bytes padded = encode_malformed(p, V::v3_1_1, m);
  ASSERT_GE(padded.size(), 4U);
  EXPECT_EQ((Bytes{padded[0], padded[1], padded[2], padded[3]}),
            (Bytes{
                0x30,  // PUBLISH, QoS 0
                0xcb,  // remaining length 203 = 0x4b + ...
                0x81,  // ... 1 * 128, continuation set ...
                0x00,  // ... and a padding byte
            }));
  EXPECT_EQ(padded.size(), 4U + 203U);
}

TEST(Malformation, RemainingLengthWidthIsJudgedPerLevel) {
  Malformation m;
  m.remaining_length_width = 2;
  const Bytes two = encode_malformed(Pingreq{}, V::v5, m);
  const Error error = decode_error(two, V::v5);
  EXPECT_EQ(error.rule, Rule::variable_int_not_minimal);
  EXPECT_EQ(error.offset, 1U);
  EXPECT_EQ(error.statement, "MQTT-1.5.5-1");
  // 3.1.1 does not require the shortest form.
  const DecodeResult accepted = test::decode_at(two, V::v3_1_1);
  ASSERT_TRUE(accepted.ok()) << test::describe(accepted);
  EXPECT_EQ(accepted.consumed(), 3U);

  m.remaining_length_width = 4;
  EXPECT_EQ(decode_error(encode_malformed(Pingreq{}, V::v5, m), V::v5).rule,
            Rule::variable_int_not_minimal);

  m.remaining_length_width = 5;
  for (V version : test::all_versions) {
    const Error too_long = decode_error(encode_malformed(Pingreq{}, version, m), version);
    EXPECT_EQ(too_long.rule, Rule::variable_int_too_long) << to_string(version);
    EXPECT_EQ(too_long.offset, 1U);
  }
}

TEST(Malformation, FixedHeaderFlags) {
  Malformation m;
  m.fixed_header_flags = 0x05;
  const Bytes ping = encode_malformed(Pingreq{}, V::v3_1_1, m);
  EXPECT_EQ(ping, (Bytes{
                      0xc5,  // PINGREQ with flags 0101
                      0x00,  // remaining length 0
                  }));
  const Error error = decode_error(ping, V::v3_1_1);
  EXPECT_EQ(error.rule, Rule::fixed_header_flags);
  EXPECT_EQ(error.offset, 0U);
  EXPECT_EQ(error.statement, "MQTT-2.2.2-1");

  // PUBLISH's flags are its DUP/QoS/RETAIN bits: 0110 is QoS 3.
  m.fixed_header_flags = 0x06;
  const Bytes qos3 = encode_malformed(small_publish(), V::v3_1_1, m);
  EXPECT_EQ(qos3[0], 0x36);
  EXPECT_EQ(Bytes(qos3.begin() + 1, qos3.end()),
            Bytes(small_publish_bytes.begin() + 1, small_publish_bytes.end()));
  EXPECT_EQ(decode_error(qos3, V::v3_1_1).rule, Rule::publish_qos_3);

  // SUBSCRIBE must carry 0010.
  Subscribe s;
  s.packet_id = 1;
  s.subscriptions.push_back({"a", {}});
  m.fixed_header_flags = 0x00;
  const Bytes sub = encode_malformed(s, V::v5, m);
  EXPECT_EQ(sub[0], 0x80);
  const Error sub_error = decode_error(sub, V::v5);
  EXPECT_EQ(sub_error.rule, Rule::fixed_header_flags);
  EXPECT_EQ(sub_error.statement, "MQTT-3.8.1-1");
  // Only the low nibble is taken from the override.
  m.fixed_header_flags = 0xF3;
  EXPECT_EQ(encode_malformed(Pingreq{}, V::v3_1_1, m)[0], 0xc3);
}

TEST(Malformation, PacketType) {
  Malformation m;
  m.packet_type = 0;
  const Bytes zero = encode_malformed(Pingreq{}, V::v3_1_1, m);
  EXPECT_EQ(zero, (Bytes{
                      0x00,  // reserved packet type 0
                      0x00,  // remaining length 0
                  }));
  for (V version : test::all_versions) {
    EXPECT_EQ(decode_error(zero, version).rule, Rule::reserved_packet_type) << to_string(version);
  }
  m.packet_type = 15;
  const Bytes fifteen = encode_malformed(Pingreq{}, V::v3_1_1, m);
  EXPECT_EQ(fifteen, (Bytes{
                         0xf0,  // type 15: AUTH at 5.0, reserved before
                         0x00,  // remaining length 0
                     }));
  EXPECT_EQ(decode_error(fifteen, V::v3_1_1).rule, Rule::reserved_packet_type);
  EXPECT_EQ(decode_error(fifteen, V::v3_1).rule, Rule::reserved_packet_type);
  // At 5.0 the same bytes are an AUTH, one that lacks its Authentication Method.
  EXPECT_EQ(decode_error(fifteen, V::v5).rule, Rule::auth_without_method);
  // The flags are kept.
  m.packet_type = 3;
  EXPECT_EQ(encode_malformed(Pubrel{}, V::v3_1_1, m)[0], 0x32);
}

TEST(Malformation, ProtocolLevel) {
  Malformation m;
  m.protocol_level = 6;
  Bytes expected = small_connect_bytes;
  expected[8] = 0x06;  // protocol level 6
  const Bytes six = encode_malformed(small_connect(), V::v3_1_1, m);
  EXPECT_EQ(six, expected);
  const Error error = decode_error(six, V::v3_1_1);
  EXPECT_EQ(error.rule, Rule::unknown_protocol_level);
  EXPECT_EQ(error.offset, 8U);
  EXPECT_EQ(error.field, "connect.protocol_level");
  EXPECT_EQ(error.statement, "MQTT-3.1.2-2");

  // Level 3 with the name "MQTT": the name does not belong to the level.
  m.protocol_level = 3;
  const Bytes three = encode_malformed(small_connect(), V::v3_1_1, m);
  EXPECT_EQ(three[8], 0x03);
  const Error mismatch = decode_error(three, V::v3_1_1);
  EXPECT_EQ(mismatch.rule, Rule::protocol_name_mismatch);
  EXPECT_EQ(mismatch.offset, 2U);
}

TEST(Malformation, ConnectFlagsByte) {
  Malformation m;
  m.flags_byte = 0x03;  // clean session + reserved bit 0
  Bytes expected = small_connect_bytes;
  expected[9] = 0x03;
  const Bytes reserved = encode_malformed(small_connect(), V::v3_1_1, m);
  EXPECT_EQ(reserved, expected);
  for (V version : {V::v3_1_1, V::v5}) {
    Connect c = small_connect();
    c.version = version;
    const Error error = decode_error(encode_malformed(c, version, m), version);
    EXPECT_EQ(error.rule, Rule::connect_reserved_flag) << to_string(version);
    EXPECT_EQ(error.offset, 9U);
    EXPECT_EQ(error.field, "connect.flags");
    EXPECT_EQ(error.statement, "MQTT-3.1.2-3");
  }

  struct FlagCase {
    std::uint8_t flags;
    Rule rule;
  };
  const FlagCase cases[] = {
      {0x0a, Rule::will_qos_without_will},      // will QoS 1, no will flag
      {0x22, Rule::will_retain_without_will},   // will retain, no will flag
      {0x42, Rule::password_without_username},  // password flag alone (3.1.1)
  };
  for (const FlagCase& c : cases) {
    m.flags_byte = c.flags;
    const Error error = decode_error(encode_malformed(small_connect(), V::v3_1_1, m), V::v3_1_1);
    EXPECT_EQ(error.rule, c.rule) << std::hex << int{c.flags};
    EXPECT_EQ(error.offset, 9U);
  }
  // Will QoS 3 needs a will in the packet so that the flag check is what fails.
  Connect with_will = small_connect();
  with_will.will = Will{QoS::at_least_once, false, {}, "w", ByteView::of("p")};
  m.flags_byte = 0x1e;  // will QoS 3, will flag, clean session
  const Error qos3 = decode_error(encode_malformed(with_will, V::v3_1_1, m), V::v3_1_1);
  EXPECT_EQ(qos3.rule, Rule::will_qos_3);
  EXPECT_EQ(qos3.statement, "MQTT-3.1.2-14");
}

TEST(Malformation, ConnackFlagsByte) {
  Malformation m;
  m.flags_byte = 0x02;
  const Bytes connack = encode_malformed(Connack{}, V::v3_1_1, m);
  EXPECT_EQ(connack, (Bytes{
                         0x20,  // CONNACK
                         0x02,  // remaining length 2
                         0x02,  // acknowledge flags: reserved bit 1
                         0x00,  // return code: accepted
                     }));
  const Error error = decode_error(connack, V::v3_1_1);
  EXPECT_EQ(error.rule, Rule::connack_reserved_flags);
  EXPECT_EQ(error.offset, 2U);
  EXPECT_EQ(error.field, "connack.flags");
  // 3.1 has no Session Present: bit 0 is reserved too.
  m.flags_byte = 0x01;
  const Bytes v31 = encode_malformed(Connack{}, V::v3_1, m);
  EXPECT_EQ(v31[2], 0x01);
  EXPECT_EQ(decode_error(v31, V::v3_1).rule, Rule::connack_reserved_flags);
  EXPECT_TRUE(test::decode_at(v31, V::v3_1_1).ok());
}

TEST(Malformation, SubscriptionOptionsBits) {
  Subscribe s;
  s.packet_id = 1;
  s.subscriptions.push_back({"a", {QoS::at_least_once}});
  s.subscriptions.push_back({"b", {QoS::at_most_once}});
  Malformation m;
  m.subscription_options_bits = 0x04;  // reserved below 5.0 (No Local at 5.0)
  const Bytes v311 = encode_malformed(s, V::v3_1_1, m);
  EXPECT_EQ(v311, (Bytes{
                      0x82,             // SUBSCRIBE
                      0x0a,             // remaining length 10
                      0x00, 0x01,       // packet id 1
                      0x00, 0x01, 'a',  // filter "a"
                      0x05,             // options: reserved bit 2 + QoS 1
                      0x00, 0x01, 'b',  // filter "b"
                      0x04,             // options: reserved bit 2 + QoS 0
                  }));
  const Error error = decode_error(v311, V::v3_1_1);
  EXPECT_EQ(error.rule, Rule::subscription_options_reserved);
  EXPECT_EQ(error.offset, 7U);
  // At 5.0 bit 2 is No Local: valid. Bits 6-7 are reserved.
  EXPECT_TRUE(test::decode_at(encode_malformed(s, V::v5, m), V::v5).ok());
  m.subscription_options_bits = 0x40;
  const Bytes v5 = encode_malformed(s, V::v5, m);
  EXPECT_EQ(v5[8], 0x41);  // after 82 0b 00 01 00(props) 00 01 'a'
  const Error error5 = decode_error(v5, V::v5);
  EXPECT_EQ(error5.rule, Rule::subscription_options_reserved);
  EXPECT_EQ(error5.offset, 8U);
  EXPECT_EQ(error5.statement, "MQTT-3.8.3-5");
  // QoS bits OR-ed to 3.
  m.subscription_options_bits = 0x03;
  EXPECT_EQ(decode_error(encode_malformed(s, V::v5, m), V::v5).rule, Rule::subscription_qos_3);
  // Retain handling 3.
  m.subscription_options_bits = 0x30;
  EXPECT_EQ(decode_error(encode_malformed(s, V::v5, m), V::v5).rule, Rule::retain_handling_3);
}

TEST(Malformation, PropertyLength) {
  Publish p;
  p.topic = "t";
  p.payload = ByteView::of("x");
  EXPECT_EQ(encode_ok(p, V::v5), (Bytes{
                                     0x30,             // PUBLISH, QoS 0
                                     0x05,             // remaining length 5
                                     0x00, 0x01, 't',  // topic "t"
                                     0x00,             // property length 0
                                     'x',              // payload
                                 }));
  Malformation m;
  m.property_length = 1;  // the payload byte 'x' (0x78) becomes a property identifier
  const Bytes one = encode_malformed(p, V::v5, m);
  EXPECT_EQ(one, (Bytes{
                     0x30,             // PUBLISH, QoS 0
                     0x05,             // remaining length 5
                     0x00, 0x01, 't',  // topic "t"
                     0x01,             // property length 1 (really 0)
                     'x',              // payload
                 }));
  const Error unknown = decode_error(one, V::v5);
  EXPECT_EQ(unknown.rule, Rule::unknown_property);
  EXPECT_EQ(unknown.offset, 6U);
  m.property_length = 9;  // runs past the packet
  const Error truncated = decode_error(encode_malformed(p, V::v5, m), V::v5);
  EXPECT_EQ(truncated.rule, Rule::truncated);
  EXPECT_EQ(truncated.field, "publish.properties");

  // A PUBACK in its short form is lengthened to carry the overridden property length.
  Puback ack;
  ack.packet_id = 1;
  m.property_length = 0;
  const Bytes long_form = encode_malformed(ack, V::v5, m);
  EXPECT_EQ(long_form, (Bytes{
                           0x40,        // PUBACK
                           0x04,        // remaining length 4
                           0x00, 0x01,  // packet id 1
                           0x00,        // reason: success
                           0x00,        // property length 0
                       }));
  const DecodeResult ok = test::decode_at(long_form, V::v5);
  ASSERT_TRUE(ok.ok()) << test::describe(ok);
  EXPECT_TRUE(ok.packet() == Packet(ack));
  // Only the packet's own block is overridden, not the will's; below 5.0 there is none.
  EXPECT_EQ(encode_malformed(small_publish(), V::v3_1_1, m), small_publish_bytes);
}

TEST(Malformation, StringLengthsByFieldName) {
  Malformation m;
  m.string_lengths.push_back({"connect.client_id", 5});
  Bytes expected = small_connect_bytes;
  expected[13] = 0x05;  // client id length 5 (really 1)
  const Bytes bad = encode_malformed(small_connect(), V::v3_1_1, m);
  EXPECT_EQ(bad, expected);
  const Error error = decode_error(bad, V::v3_1_1);
  EXPECT_EQ(error.rule, Rule::truncated);
  EXPECT_EQ(error.offset, 12U);
  EXPECT_EQ(error.field, "connect.client_id");

  // A name that matches no field changes nothing.
  Malformation other;
  other.string_lengths.push_back({"publish.topic", 7});
  EXPECT_EQ(encode_malformed(small_connect(), V::v3_1_1, other), small_connect_bytes);

  // The topic of a PUBLISH, shortened: the rest of the topic is read as the packet id.
  Malformation topic;
  topic.string_lengths.push_back({"publish.topic", 1});
  const Bytes shorter = encode_malformed(small_publish(), V::v3_1_1, topic);
  EXPECT_EQ(shorter, (Bytes{
                         0x32,  // PUBLISH, QoS 1
                         0x09,  // remaining length 9
                         0x00,
                         0x01,
                         'a',
                         '/',
                         'b',  // topic length 1: "a", then '/' 'b' ...
                         0x00,
                         0x01,  // ... as packet id 0x2f62, rest payload
                         'h',
                         'i',
                     }));
  const DecodeResult decoded = test::decode_at(shorter, V::v3_1_1);
  ASSERT_TRUE(decoded.ok()) << test::describe(decoded);
  const auto& p = std::get<Publish>(decoded.packet());
  EXPECT_EQ(p.topic, "a");
  EXPECT_EQ(p.packet_id, 0x2f62);
  EXPECT_EQ(p.payload.as_chars(), std::string_view("\x00\x01hi", 4));

  // Several overrides at once, including the protocol name.
  Malformation two;
  two.string_lengths.push_back({"connect.protocol_name", 3});
  two.string_lengths.push_back({"connect.client_id", 0});
  Bytes both = small_connect_bytes;
  both[3] = 0x03;
  both[13] = 0x00;
  EXPECT_EQ(encode_malformed(small_connect(), V::v3_1_1, two), both);
}

TEST(Malformation, Trailing) {
  Malformation m;
  m.trailing = {0xAA};
  const Bytes ping = encode_malformed(Pingreq{}, V::v3_1_1, m);
  EXPECT_EQ(ping, (Bytes{
                      0xc0,  // PINGREQ
                      0x01,  // remaining length 1, counting the trailing byte
                      0xaa,  // trailing byte
                  }));
  const Error error = decode_error(ping, V::v3_1_1);
  EXPECT_EQ(error.rule, Rule::remaining_length_mismatch);
  EXPECT_EQ(error.offset, 2U);

  // With the Remaining Length overridden, trailing bytes are outside the packet.
  m.remaining_length = 0;
  m.trailing = {0xd0, 0x00};
  const Bytes two = encode_malformed(Pingreq{}, V::v3_1_1, m);
  EXPECT_EQ(two, (Bytes{
                     0xc0,  // PINGREQ
                     0x00,  // remaining length 0
                     0xd0,  // trailing: a PINGRESP ...
                     0x00,  // ... remaining length 0
                 }));
  const DecodeResult first = test::decode_at(two, V::v3_1_1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.consumed(), 2U);
}

TEST(Malformation, TruncateTo) {
  Malformation m;
  m.truncate_to = 10;
  const Bytes cut = encode_malformed(small_connect(), V::v3_1_1, m);
  EXPECT_EQ(cut, Bytes(small_connect_bytes.begin(), small_connect_bytes.begin() + 10));
  const DecodeResult result = test::decode_at(cut, V::v3_1_1);
  ASSERT_TRUE(result.need_more());
  EXPECT_EQ(result.bytes_needed(), 5U);
  // Longer than the packet: nothing to cut.
  m.truncate_to = 100;
  EXPECT_EQ(encode_malformed(small_connect(), V::v3_1_1, m), small_connect_bytes);
  // Applied last, after trailing bytes, and only to this packet's bytes.
  Malformation last;
  last.trailing = {1, 2, 3};
  last.truncate_to = 3;
  Bytes out = {0xEE};
  ASSERT_FALSE(encode(Pingreq{}, V::v3_1_1, out, &last).has_value());
  EXPECT_EQ(out, (Bytes{
                     0xee,  // what was there before
                     0xc0,  // PINGREQ
                     0x03,  // remaining length 3
                     0x01,  // first trailing byte; the rest is cut
                 }));
}

// --- EncodeError ---------------------------------------------------------------------------------

TEST(EncodeError, StringLongerThan65535) {
  const std::string topic(65'536, 'a');
  Publish p;
  p.topic = topic;
  Bytes out = {0x01, 0x02};
  const auto error = encode(p, V::v3_1_1, out);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->field, "publish.topic");
  EXPECT_FALSE(error->reason.empty());
  EXPECT_EQ(out, (Bytes{0x01, 0x02}));  // left as it was
  EXPECT_EQ(encoded_size(p, V::v3_1_1), std::nullopt);

  // 65,535 bytes is the largest that fits.
  p.topic = std::string_view(topic).substr(0, 65'535);
  const auto size = encoded_size(p, V::v3_1_1);
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(*size, 1U + 3U + 2U + 65'535U);
  EXPECT_FALSE(encode(p, V::v3_1_1, out).has_value());
  EXPECT_EQ(out.size(), 2U + *size);
}

TEST(EncodeError, OtherLongFields) {
  const std::string big(70'000, 'x');
  Connect c = small_connect();
  c.username = big;
  Bytes out;
  auto error = encode(c, V::v3_1_1, out);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->field, "connect.username");
  EXPECT_TRUE(out.empty());

  Subscribe s;
  s.packet_id = 1;
  s.subscriptions.push_back({big, {}});
  error = encode(s, V::v5, out);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->field, "subscribe.filter");
  EXPECT_TRUE(out.empty());
}

TEST(EncodeError, AuthBelow5) {
  for (V version : {V::v3_1, V::v3_1_1}) {
    Bytes out = {0x42};
    const auto error = encode(Auth{}, version, out);
    ASSERT_TRUE(error.has_value()) << to_string(version);
    EXPECT_EQ(error->field, "fixed_header.type");
    EXPECT_EQ(out, (Bytes{0x42}));
    EXPECT_EQ(encoded_size(Auth{}, version), std::nullopt);
  }
  EXPECT_EQ(encoded_size(Auth{}, V::v5), 2U);
}

// --- Variable Byte Integer --------------------------------------------------------------------

TEST(WriteVariableInt, BoundaryValues) {
  struct Case {
    std::uint32_t value;
    Bytes bytes;
  };
  const Case cases[] = {
      {0, {0x00}},
      {127, {0x7f}},
      {128, {0x80, 0x01}},
      {16'383, {0xff, 0x7f}},
      {16'384, {0x80, 0x80, 0x01}},
      {2'097'151, {0xff, 0xff, 0x7f}},
      {2'097'152, {0x80, 0x80, 0x80, 0x01}},
      {268'435'455, {0xff, 0xff, 0xff, 0x7f}},
  };
  for (const Case& c : cases) {
    Bytes out = {0x99};
    const std::size_t written = write_variable_int(c.value, out);
    EXPECT_EQ(written, c.bytes.size()) << c.value;
    Bytes expected = {0x99};
    expected.insert(expected.end(), c.bytes.begin(), c.bytes.end());
    EXPECT_EQ(out, expected) << c.value << ": " << hex(out);
  }
}

TEST(WriteVariableInt, Widths) {
  Bytes out;
  EXPECT_EQ(write_variable_int(0, out, 3), 3U);
  EXPECT_EQ(out, (Bytes{0x80, 0x80, 0x00}));
  out.clear();
  EXPECT_EQ(write_variable_int(16'384, out, 1), 3U);  // raised to the minimum
  EXPECT_EQ(out, (Bytes{0x80, 0x80, 0x01}));
  out.clear();
  EXPECT_EQ(write_variable_int(200, out, 4), 4U);
  EXPECT_EQ(out, (Bytes{0xc8, 0x81, 0x80, 0x00}));
  out.clear();
  EXPECT_EQ(write_variable_int(1, out, 9), 5U);  // at most five bytes
  EXPECT_EQ(out, (Bytes{0x81, 0x80, 0x80, 0x80, 0x00}));
  out.clear();
  EXPECT_EQ(write_variable_int(268'435'455, out, 5), 5U);
  EXPECT_EQ(out, (Bytes{0xff, 0xff, 0xff, 0xff, 0x00}));
}

TEST(WriteVariableInt, DecodesBackAsTheRemainingLength) {
  // Every boundary value as a Remaining Length: read_fixed_header gives it back.
  for (std::uint32_t value :
       {0U, 127U, 128U, 16'383U, 16'384U, 2'097'151U, 2'097'152U, 268'435'455U}) {
    Bytes header = {0x30};
    write_variable_int(value, header);
    const auto read = read_fixed_header(header, DecodeOptions{});
    ASSERT_TRUE(std::holds_alternative<FixedHeader>(read)) << value;
    const auto& h = std::get<FixedHeader>(read);
    EXPECT_EQ(h.remaining_length, value);
    EXPECT_EQ(h.header_size, header.size());
  }
}

}  // namespace
}  // namespace gauntlet::codec
