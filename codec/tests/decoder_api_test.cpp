// The decoder's contract: strict vs lenient, structural rules, need-more, the fixed header,
// located errors with their statement ids, property blocks, and the reason-code tables.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gauntlet/codec/decoder.hpp"
#include "test_support.hpp"

namespace gauntlet::codec {
namespace {

using test::Bytes;
using test::decode_error;
using test::hex;
using V = ProtocolVersion;

// A 3.1.1 CONNECT breaking two non-structural rules in its flags byte.
const Bytes connect_two_flag_violations = {
    0x10,                            // CONNECT
    0x0d,                            // remaining length 13
    0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name "MQTT"
    0x04,                            // protocol level 4
    0x23,                            // flags: will retain without will, clean session, reserved
    0x00, 0x3c,                      // keep alive 60
    0x00, 0x01, 'c',                 // client id "c"
};

// --- strict and lenient
// ---------------------------------------------------------------------------

TEST(DecodeModes, StrictReportsTheFirstViolation) {
  const Error error = decode_error(connect_two_flag_violations, V::v3_1_1);
  EXPECT_EQ(error.rule, Rule::connect_reserved_flag);
  EXPECT_EQ(error.offset, 9U);
  EXPECT_EQ(error.field, "connect.flags");
  EXPECT_EQ(error.statement, "MQTT-3.1.2-3");
  EXPECT_EQ(error.section, "3.1.2.3");
  EXPECT_EQ(error.packet, PacketType::connect);
}

TEST(DecodeModes, LenientRecordsViolationsAndReturnsThePacket) {
  std::vector<Error> violations;
  DecodeOptions options = test::options_for(V::v3_1_1, false);
  options.violations = &violations;
  const DecodeResult result = decode(connect_two_flag_violations, options);
  ASSERT_TRUE(result.ok()) << test::describe(result);
  EXPECT_EQ(result.consumed(), connect_two_flag_violations.size());
  const auto& connect = std::get<Connect>(result.packet());
  EXPECT_EQ(connect.client_id, "c");
  EXPECT_TRUE(connect.clean_start);
  EXPECT_FALSE(connect.will.has_value());
  ASSERT_EQ(violations.size(), 2U);
  EXPECT_EQ(violations[0].rule, Rule::connect_reserved_flag);
  EXPECT_EQ(violations[0].offset, 9U);
  EXPECT_EQ(violations[1].rule, Rule::will_retain_without_will);
  EXPECT_EQ(violations[1].offset, 9U);
  EXPECT_EQ(violations[1].statement, "MQTT-3.1.2-15");

  // Without a vector the violations are dropped, and the packet still comes back.
  options.violations = nullptr;
  EXPECT_TRUE(decode(connect_two_flag_violations, options).ok());
}

TEST(DecodeModes, LenientAcceptsViolationsInPublish) {
  const Bytes publish = {
      0x38,                             // PUBLISH, DUP set, QoS 0
      0x07,                             // remaining length 7
      0x00, 0x04, 'a', '/', '+', 0x00,  // topic "a/+\0": wildcard, then U+0000
      'p',                              // payload "p"
  };
  const Error strict = decode_error(publish, V::v3_1_1);
  EXPECT_EQ(strict.rule, Rule::dup_on_qos_0);
  EXPECT_EQ(strict.offset, 0U);

  std::vector<Error> violations;
  DecodeOptions options = test::options_for(V::v3_1_1, false);
  options.violations = &violations;
  const DecodeResult result = decode(publish, options);
  ASSERT_TRUE(result.ok()) << test::describe(result);
  const auto& p = std::get<Publish>(result.packet());
  EXPECT_TRUE(p.dup);
  EXPECT_EQ(p.topic, std::string_view("a/+\0", 4));
  EXPECT_EQ(p.payload.as_chars(), "p");
  ASSERT_EQ(violations.size(), 3U);
  EXPECT_EQ(violations[0].rule, Rule::dup_on_qos_0);
  EXPECT_EQ(violations[1].rule, Rule::utf8_null_character);
  EXPECT_EQ(violations[1].offset, 7U);
  EXPECT_EQ(violations[1].field, "publish.topic");
  EXPECT_EQ(violations[2].rule, Rule::topic_name_wildcard);
  EXPECT_EQ(violations[2].offset, 6U);
}

TEST(DecodeModes, RemainingLengthMismatchIsNotStructural) {
  const Bytes ping = {
      0xc0,  // PINGREQ
      0x01,  // remaining length 1
      0x00,  // a byte no field owns
  };
  EXPECT_EQ(decode_error(ping, V::v3_1_1).rule, Rule::remaining_length_mismatch);
  std::vector<Error> violations;
  DecodeOptions options = test::options_for(V::v3_1_1, false);
  options.violations = &violations;
  const DecodeResult result = decode(ping, options);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.consumed(), 3U);
  ASSERT_EQ(violations.size(), 1U);
  EXPECT_EQ(violations[0].offset, 2U);
}

struct StructuralCase {
  const char* name;
  Bytes bytes;
  V version;
  Rule rule;
  std::size_t offset;
};

void PrintTo(const StructuralCase& c, std::ostream* os) {
  *os << c.name;
}

class Structural : public ::testing::TestWithParam<StructuralCase> {};

TEST_P(Structural, StopsBothModes) {
  const StructuralCase& c = GetParam();
  EXPECT_TRUE(rule_is_structural(c.rule));
  for (bool strict : {true, false}) {
    std::vector<Error> violations;
    DecodeOptions options = test::options_for(c.version, strict);
    options.violations = &violations;
    const DecodeResult result = decode(c.bytes, options);
    ASSERT_TRUE(result.failed()) << (strict ? "strict: " : "lenient: ") << test::describe(result);
    EXPECT_EQ(result.error().rule, c.rule) << result.error().to_string();
    EXPECT_EQ(result.error().offset, c.offset) << result.error().to_string();
    // A structural error is returned, not recorded as a violation.
    for (const Error& v : violations)
      EXPECT_NE(v.rule, c.rule);
  }
}

const StructuralCase structural_cases[] = {
    {"truncated_client_id",
     {
         0x10,                            // CONNECT
         0x0d,                            // remaining length 13
         0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name "MQTT"
         0x04,                            // protocol level 4
         0x02,                            // flags: clean session
         0x00, 0x3c,                      // keep alive 60
         0x00, 0x05, 'c',                 // client id length 5, one byte left
     },
     V::v3_1_1,
     Rule::truncated,
     12},
    {"truncated_packet_id",
     {
         0x40,  // PUBACK
         0x01,  // remaining length 1
         0x00,  // half a packet id
     },
     V::v3_1_1,
     Rule::truncated,
     2},
    {"publish_qos_3",
     {
         0x36,             // PUBLISH, QoS 3
         0x05,             // remaining length 5
         0x00, 0x01, 't',  // topic "t"
         0x00, 0x01,       // packet id 1
     },
     V::v3_1_1,
     Rule::publish_qos_3,
     0},
    {"unknown_property",
     {
         0x30,             // PUBLISH, QoS 0
         0x06,             // remaining length 6
         0x00, 0x01, 't',  // topic "t"
         0x02,             // property length 2
         0x7f, 0x00,       // property identifier 0x7f: undefined
     },
     V::v5,
     Rule::unknown_property,
     6},
    {"variable_int_too_long_remaining_length",
     {
         0xc0,                          // PINGREQ
         0x80, 0x80, 0x80, 0x80, 0x00,  // remaining length in five bytes
     },
     V::v3_1_1,
     Rule::variable_int_too_long,
     1},
    {"variable_int_too_long_property_length",
     {
         0x30,                          // PUBLISH, QoS 0
         0x08,                          // remaining length 8
         0x00, 0x01, 't',               // topic "t"
         0x80, 0x80, 0x80, 0x80, 0x01,  // property length in five bytes
     },
     V::v5,
     Rule::variable_int_too_long,
     5},
    {"reserved_packet_type_0",
     {
         0x00,  // packet type 0
         0x00,  // remaining length 0
     },
     V::v5,
     Rule::reserved_packet_type,
     0},
    {"auth_below_5",
     {
         0xf0,  // AUTH (type 15)
         0x00,  // remaining length 0
     },
     V::v3_1_1,
     Rule::reserved_packet_type,
     0},
    {"unknown_protocol_level",
     {
         0x10,                            // CONNECT
         0x0d,                            // remaining length 13
         0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name "MQTT"
         0x07,                            // protocol level 7
         0x02,                            // flags: clean session
         0x00, 0x3c,                      // keep alive 60
         0x00, 0x01, 'c',                 // client id "c"
     },
     V::v3_1_1,
     Rule::unknown_protocol_level,
     8},
};

std::string structural_name(const ::testing::TestParamInfo<StructuralCase>& param) {
  return param.param.name;
}

INSTANTIATE_TEST_SUITE_P(Rules, Structural, ::testing::ValuesIn(structural_cases), structural_name);

TEST(DecodeModes, LenientKeepsViolationsFoundBeforeAStructuralError) {
  const Bytes publish = {
      0x38,             // PUBLISH, DUP on QoS 0 (a violation)
      0x06,             // remaining length 6
      0x00, 0x01, 't',  // topic "t"
      0x02,             // property length 2
      0x7f, 0x00,       // undefined property identifier (structural)
  };
  std::vector<Error> violations;
  DecodeOptions options = test::options_for(V::v5, false);
  options.violations = &violations;
  const DecodeResult result = decode(publish, options);
  ASSERT_TRUE(result.failed());
  EXPECT_EQ(result.error().rule, Rule::unknown_property);
  ASSERT_EQ(violations.size(), 1U);
  EXPECT_EQ(violations[0].rule, Rule::dup_on_qos_0);
}

TEST(DecodeModes, StructuralRulesAreExactlyTheDocumentedOnes) {
  const Rule structural[] = {Rule::truncated,
                             Rule::variable_int_too_long,
                             Rule::packet_too_large,
                             Rule::reserved_packet_type,
                             Rule::unknown_protocol_level,
                             Rule::publish_qos_3,
                             Rule::unknown_property};
  for (Rule rule : structural)
    EXPECT_TRUE(rule_is_structural(rule)) << rule_name(rule);
  for (auto r = static_cast<unsigned>(Rule::variable_int_not_minimal);
       r <= static_cast<unsigned>(Rule::authentication_data_without_method); ++r) {
    EXPECT_FALSE(rule_is_structural(static_cast<Rule>(r))) << rule_name(static_cast<Rule>(r));
  }
}

// --- need more
// ------------------------------------------------------------------------------------

TEST(NeedMore, ReportsWhatIsMissing) {
  const Bytes publish = {
      0x30,                                 // PUBLISH, QoS 0
      0x0a,                                 // remaining length 10
      0x00, 0x01, 't',                      // topic "t"
      'p',  'a',  'y', 'l', 'o', 'a', 'd',  // payload "payload"
  };
  const DecodeOptions options = test::options_for(V::v3_1_1);
  const DecodeResult empty = decode(ByteView{}, options);
  ASSERT_TRUE(empty.need_more());
  EXPECT_GE(empty.bytes_needed(), 1U);
  EXPECT_LE(empty.bytes_needed(), 2U);  // no packet is shorter than two bytes
  const DecodeResult one = decode(ByteView(publish.data(), 1), options);
  ASSERT_TRUE(one.need_more());
  EXPECT_EQ(one.bytes_needed(), 1U);
  for (std::size_t have = 2; have < publish.size(); ++have) {
    const DecodeResult partial = decode(ByteView(publish.data(), have), options);
    ASSERT_TRUE(partial.need_more()) << have;
    EXPECT_EQ(partial.bytes_needed(), publish.size() - have) << have;
  }
  EXPECT_TRUE(decode(publish, options).ok());
  // An unfinished Remaining Length.
  const Bytes header = {
      0x30,        // PUBLISH
      0x80, 0x80,  // remaining length, continuation bits set
  };
  const DecodeResult unfinished = decode(header, options);
  ASSERT_TRUE(unfinished.need_more());
  EXPECT_EQ(unfinished.bytes_needed(), 1U);
}

TEST(NeedMore, ComesBeforeBodyRulesButAfterTheSizeLimit) {
  // A reserved type is only judged once the whole packet is there.
  const Bytes reserved = {
      0x00,  // packet type 0
      0x02,  // remaining length 2 (missing)
  };
  EXPECT_TRUE(decode(reserved, test::options_for(V::v3_1_1)).need_more());
  DecodeOptions small = test::options_for(V::v3_1_1);
  small.max_packet_size = 3;
  const DecodeResult limited = decode(reserved, small);
  ASSERT_TRUE(limited.failed());
  EXPECT_EQ(limited.error().rule, Rule::packet_too_large);
}

// --- read_fixed_header
// ----------------------------------------------------------------------------

TEST(ReadFixedHeader, ReadsTypeFlagsAndLength) {
  const Bytes subscribe = {
      0x82,        // SUBSCRIBE, flags 0010
      0xc8, 0x01,  // remaining length 200
  };
  const auto read = read_fixed_header(subscribe, DecodeOptions{});
  ASSERT_TRUE(std::holds_alternative<FixedHeader>(read));
  const auto& h = std::get<FixedHeader>(read);
  EXPECT_EQ(h.first_byte, 0x82);
  EXPECT_EQ(h.type(), PacketType::subscribe);
  EXPECT_EQ(h.flags(), 0x2);
  EXPECT_EQ(h.remaining_length, 200U);
  EXPECT_EQ(h.header_size, 3U);
  EXPECT_EQ(h.packet_size(), 203U);
}

TEST(ReadFixedHeader, NeedMoreTooLongAndTooLarge) {
  EXPECT_TRUE(std::holds_alternative<NeedMore>(read_fixed_header(ByteView{}, DecodeOptions{})));
  const Bytes type_only = {
      0x30,  // PUBLISH, no remaining length yet
  };
  EXPECT_TRUE(std::holds_alternative<NeedMore>(read_fixed_header(type_only, DecodeOptions{})));
  const Bytes three_of_four = {
      0x30,              // PUBLISH
      0xff, 0xff, 0xff,  // remaining length: three bytes with continuation bits
  };
  EXPECT_TRUE(std::holds_alternative<NeedMore>(read_fixed_header(three_of_four, DecodeOptions{})));
  const Bytes five = {
      0x30,                          // PUBLISH
      0xff, 0xff, 0xff, 0xff, 0x01,  // remaining length: continuation bit in the fourth byte
  };
  const auto too_long = read_fixed_header(five, DecodeOptions{});
  ASSERT_TRUE(std::holds_alternative<Error>(too_long));
  EXPECT_EQ(std::get<Error>(too_long).rule, Rule::variable_int_too_long);

  DecodeOptions options;
  options.max_packet_size = 128;
  const Bytes big = {
      0x30,        // PUBLISH
      0xff, 0x00,  // remaining length 127 (over-long form): packet of 130 bytes
  };
  const auto large = read_fixed_header(big, options);
  ASSERT_TRUE(std::holds_alternative<Error>(large));
  EXPECT_EQ(std::get<Error>(large).rule, Rule::packet_too_large);
  options.max_packet_size = 130;
  EXPECT_TRUE(std::holds_alternative<FixedHeader>(read_fixed_header(big, options)));
}

TEST(ReadFixedHeader, DoesNotJudgeThePacketType) {
  const Bytes reserved = {
      0x00,  // packet type 0 (reserved)
      0x00,  // remaining length 0
  };
  const auto read = read_fixed_header(reserved, DecodeOptions{});
  ASSERT_TRUE(std::holds_alternative<FixedHeader>(read));
  EXPECT_EQ(std::get<FixedHeader>(read).packet_size(), 2U);
}

// --- errors: text and statement ids -------------------------------------------------------------

TEST(ErrorText, NamesRuleOffsetFieldAndStatement) {
  const Error error = decode_error(connect_two_flag_violations, V::v3_1_1);
  const std::string text = error.to_string();
  EXPECT_NE(text.find("connect_reserved_flag"), std::string::npos) << text;
  EXPECT_NE(text.find("at byte 9"), std::string::npos) << text;
  EXPECT_NE(text.find("connect.flags"), std::string::npos) << text;
  EXPECT_NE(text.find("[MQTT-3.1.2-3]"), std::string::npos) << text;
  EXPECT_NE(text.find(std::string(rule_description(Rule::connect_reserved_flag))),
            std::string::npos)
      << text;
}

TEST(ErrorText, FallsBackToTheSection) {
  const Bytes ping = {
      0xc0,  // PINGREQ
      0x01,  // remaining length 1
      0x00,  // extra byte
  };
  const Error error = decode_error(ping, V::v3_1_1);
  EXPECT_TRUE(error.statement.empty());
  EXPECT_FALSE(error.section.empty());
  const std::string text = error.to_string();
  EXPECT_NE(text.find("[section " + std::string(error.section) + "]"), std::string::npos) << text;
}

TEST(RuleSource, DiffersBetweenLevels) {
  auto id = [](Rule rule, V version, std::optional<PacketType> packet = std::nullopt) {
    return rule_source(rule, version, packet).statement;
  };
  EXPECT_EQ(id(Rule::connect_reserved_flag, V::v3_1_1, PacketType::connect), "MQTT-3.1.2-3");
  EXPECT_EQ(id(Rule::connect_reserved_flag, V::v5, PacketType::connect), "MQTT-3.1.2-3");
  EXPECT_EQ(id(Rule::will_qos_3, V::v3_1_1, PacketType::connect), "MQTT-3.1.2-14");
  EXPECT_EQ(id(Rule::will_qos_3, V::v5, PacketType::connect), "MQTT-3.1.2-12");
  // 3.1 is cited by the 3.1.1 statements.
  EXPECT_EQ(id(Rule::will_qos_3, V::v3_1, PacketType::connect), "MQTT-3.1.2-14");
  EXPECT_EQ(id(Rule::fixed_header_flags, V::v3_1_1, PacketType::pubrel), "MQTT-3.6.1-1");
  EXPECT_EQ(id(Rule::fixed_header_flags, V::v5, PacketType::pubrel), "MQTT-3.6.1-1");
  EXPECT_EQ(id(Rule::fixed_header_flags, V::v3_1_1, PacketType::pingreq), "MQTT-2.2.2-1");
  EXPECT_EQ(id(Rule::fixed_header_flags, V::v5, PacketType::pingreq), "MQTT-2.1.3-1");
  EXPECT_EQ(id(Rule::utf8_null_character, V::v3_1_1), "MQTT-1.5.3-2");
  EXPECT_EQ(id(Rule::utf8_null_character, V::v5), "MQTT-1.5.4-2");
  EXPECT_EQ(id(Rule::multi_level_wildcard_misplaced, V::v3_1_1), "MQTT-4.7.1-2");
  EXPECT_EQ(id(Rule::multi_level_wildcard_misplaced, V::v5), "MQTT-4.7.1-1");
  // Every rule has a section at every level.
  for (unsigned r = 0; r <= static_cast<unsigned>(Rule::authentication_data_without_method); ++r) {
    for (V version : test::all_versions) {
      EXPECT_FALSE(rule_source(static_cast<Rule>(r), version, std::nullopt).section.empty() &&
                   !rule_source(static_cast<Rule>(r), version, std::nullopt).statement.empty())
          << rule_name(static_cast<Rule>(r));
    }
    EXPECT_FALSE(rule_name(static_cast<Rule>(r)).empty());
    EXPECT_FALSE(rule_description(static_cast<Rule>(r)).empty());
  }
}

TEST(RuleSource, DecoderErrorsCarryTheLevelsStatement) {
  // Will QoS 3 in a 3.1.1 and a 5.0 CONNECT.
  const Bytes v311 = {
      0x10,                            // CONNECT
      0x12,                            // remaining length 18
      0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name "MQTT"
      0x04,                            // protocol level 4
      0x1e,                            // flags: will QoS 3, will, clean session
      0x00, 0x3c,                      // keep alive 60
      0x00, 0x01, 'c',                 // client id "c"
      0x00, 0x01, 'w',                 // will topic "w"
      0x00, 0x00,                      // will payload (empty)
  };
  const Bytes v5 = {
      0x10,                            // CONNECT
      0x14,                            // remaining length 20
      0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name "MQTT"
      0x05,                            // protocol level 5
      0x1e,                            // flags: will QoS 3, will, clean session
      0x00, 0x3c,                      // keep alive 60
      0x00,                            // property length 0
      0x00, 0x01, 'c',                 // client id "c"
      0x00,                            // will property length 0
      0x00, 0x01, 'w',                 // will topic "w"
      0x00, 0x00,                      // will payload (empty)
  };
  // The CONNECT names its own level, whatever the options say.
  for (V option : {V::v3_1_1, V::v5}) {
    const Error e311 = decode_error(v311, option);
    EXPECT_EQ(e311.rule, Rule::will_qos_3);
    EXPECT_EQ(e311.statement, "MQTT-3.1.2-14");
    const Error e5 = decode_error(v5, option);
    EXPECT_EQ(e5.rule, Rule::will_qos_3);
    EXPECT_EQ(e5.statement, "MQTT-3.1.2-12");
  }
  // PUBREL with flags 0000.
  const Bytes pubrel = {
      0x60,        // PUBREL, flags 0000 (must be 0010)
      0x02,        // remaining length 2
      0x00, 0x01,  // packet id 1
  };
  for (V version : {V::v3_1_1, V::v5}) {
    const Error error = decode_error(pubrel, version);
    EXPECT_EQ(error.rule, Rule::fixed_header_flags);
    EXPECT_EQ(error.statement, "MQTT-3.6.1-1");
    EXPECT_EQ(error.offset, 0U);
    EXPECT_EQ(error.field, "fixed_header.flags");
  }
}

TEST(RuleSource, ConnectFixedHeaderFlagsFollowTheConnectsLevel) {
  // A 5.0 CONNECT with a reserved fixed-header flag, decoded by a server that has not yet learnt
  // the client's level (the options say 3.1.1, as a StreamDecoder's do before the CONNECT).
  const Bytes connect = {
      0x11,                            // CONNECT with flags 0001 (must be 0000)
      0x0e,                            // remaining length 14
      0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name "MQTT"
      0x05,                            // protocol level 5
      0x02,                            // flags: clean start
      0x00, 0x3c,                      // keep alive 60
      0x00,                            // property length 0
      0x00, 0x01, 'c',                 // client id "c"
  };
  EXPECT_EQ(decode_error(connect, V::v5).statement, "MQTT-2.1.3-1");
  const Error error = decode_error(connect, V::v3_1_1);
  EXPECT_EQ(error.rule, Rule::fixed_header_flags);
  EXPECT_EQ(error.statement, "MQTT-2.1.3-1") << "a 5.0 CONNECT cited by a 3.1.1 statement";
}

// Offsets of fields after an over-long Remaining Length (3.1.1 accepts such a header; 5.0 in
// lenient mode goes on after recording it).
TEST(ErrorOffsets, FollowAnOverLongRemainingLength) {
  const Bytes connack = {
      0x20,        // CONNACK
      0x82, 0x00,  // remaining length 2 in two bytes (allowed at 3.1.1)
      0x02,        // acknowledge flags: reserved bit 1 set
      0x00,        // return code 0
  };
  const Error flags = decode_error(connack, V::v3_1_1);
  EXPECT_EQ(flags.rule, Rule::connack_reserved_flags);
  EXPECT_EQ(flags.offset, 3U) << "the flags byte is byte 3 of this packet";

  const Bytes connack_code = {
      0x20,        // CONNACK
      0x82, 0x00,  // remaining length 2 in two bytes
      0x00,        // acknowledge flags
      0x09,        // return code 9: not a 3.1.1 code
  };
  const Error code = decode_error(connack_code, V::v3_1_1);
  EXPECT_EQ(code.rule, Rule::reason_code_not_allowed);
  EXPECT_EQ(code.offset, 4U) << "the return code is byte 4 of this packet";

  const Bytes disconnect = {
      0xe0,        // DISCONNECT
      0x81, 0x00,  // remaining length 1 in two bytes (not minimal at 5.0)
      0x05,        // reason code 5: not a DISCONNECT code
  };
  std::vector<Error> violations;
  DecodeOptions lenient = test::options_for(V::v5, false);
  lenient.violations = &violations;
  ASSERT_TRUE(decode(disconnect, lenient).ok());
  ASSERT_EQ(violations.size(), 2U);
  EXPECT_EQ(violations[0].rule, Rule::variable_int_not_minimal);
  EXPECT_EQ(violations[1].rule, Rule::reason_code_not_allowed);
  EXPECT_EQ(violations[1].offset, 3U) << "the reason code is byte 3 of this packet";

  const Bytes auth = {
      0xf0,        // AUTH
      0x82, 0x00,  // remaining length 2 in two bytes (not minimal at 5.0)
      0x05,        // reason code 5: not an AUTH code
      0x00,        // property length 0 (so no Authentication Method either)
  };
  violations.clear();
  ASSERT_TRUE(decode(auth, lenient).ok());
  ASSERT_EQ(violations.size(), 3U) << "the third: no Authentication Method";
  EXPECT_EQ(violations[1].rule, Rule::reason_code_not_allowed);
  EXPECT_EQ(violations[1].offset, 3U) << "the reason code is byte 3 of this packet";

  // Fields read through the bounds-checked reader are located correctly: the PUBACK reason code.
  const Bytes puback = {
      0x40,        // PUBACK
      0x83, 0x00,  // remaining length 3 in two bytes
      0x00, 0x01,  // packet id 1
      0x05,        // reason code 5: not a PUBACK code
  };
  violations.clear();
  ASSERT_TRUE(decode(puback, lenient).ok());
  ASSERT_EQ(violations.size(), 2U);
  EXPECT_EQ(violations[1].rule, Rule::reason_code_not_allowed);
  EXPECT_EQ(violations[1].offset, 5U);
}

// --- properties --------------------------------------------------------------------------------

TEST(PropertiesView, IteratesInWireOrderWithDuplicates) {
  const Bytes correlation = {0x01, 0x00, 0xff};
  PropertyBuilder b;
  b.add_user_property("k1", "v1")
      .add(PropertyId::topic_alias, 5)
      .add_user_property("k2", "v2")
      .add(PropertyId::subscription_identifier, 300)
      .add(PropertyId::content_type, "text")
      .add_binary(PropertyId::correlation_data, correlation)
      .add(PropertyId::payload_format_indicator, 1)
      .add(PropertyId::message_expiry_interval, 0x01020304);
  const Bytes expected = {
      0x26, 0x00, 0x02, 'k',  '1',  0x00, 0x02, 'v', '1',  // user property k1=v1
      0x23, 0x00, 0x05,                                    // topic alias 5
      0x26, 0x00, 0x02, 'k',  '2',  0x00, 0x02, 'v', '2',  // user property k2=v2
      0x0b, 0xac, 0x02,                                    // subscription identifier 300
      0x03, 0x00, 0x04, 't',  'e',  'x',  't',             // content type "text"
      0x09, 0x00, 0x03, 0x01, 0x00, 0xff,                  // correlation data
      0x01, 0x01,                                          // payload format indicator 1
      0x02, 0x01, 0x02, 0x03, 0x04,                        // message expiry interval
  };
  EXPECT_EQ(b.bytes(), expected) << hex(b.bytes());
  const Properties props = b.view();
  EXPECT_FALSE(props.empty());
  EXPECT_EQ(props.encoded(), ByteView(expected));

  std::vector<PropertyId> ids;
  std::vector<std::size_t> offsets;
  for (const Property& p : props) {
    ids.push_back(p.id);
    offsets.push_back(p.offset);
  }
  EXPECT_EQ(ids, (std::vector<PropertyId>{
                     PropertyId::user_property, PropertyId::topic_alias, PropertyId::user_property,
                     PropertyId::subscription_identifier, PropertyId::content_type,
                     PropertyId::correlation_data, PropertyId::payload_format_indicator,
                     PropertyId::message_expiry_interval}));
  EXPECT_EQ(offsets, (std::vector<std::size_t>{0, 9, 12, 21, 24, 31, 37, 39}));

  EXPECT_EQ(props.count(PropertyId::user_property), 2U);
  EXPECT_EQ(props.count(PropertyId::topic_alias), 1U);
  EXPECT_EQ(props.count(PropertyId::response_topic), 0U);
  const auto user = props.find(PropertyId::user_property);
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->text, "k1");
  EXPECT_EQ(user->value, "v1");
  EXPECT_EQ(user->type(), PropertyType::utf8_string_pair);
  EXPECT_EQ(props.find(PropertyId::topic_alias)->number, 5U);
  EXPECT_EQ(props.find(PropertyId::subscription_identifier)->number, 300U);
  EXPECT_EQ(props.find(PropertyId::content_type)->text, "text");
  EXPECT_EQ(props.find(PropertyId::correlation_data)->binary, ByteView(correlation));
  EXPECT_EQ(props.find(PropertyId::payload_format_indicator)->number, 1U);
  EXPECT_EQ(props.find(PropertyId::message_expiry_interval)->number, 0x01020304U);
  EXPECT_EQ(props.find(PropertyId::message_expiry_interval)->type(),
            PropertyType::four_byte_integer);
  EXPECT_FALSE(props.find(PropertyId::response_topic).has_value());
}

TEST(PropertiesView, StopsAtAPropertyThatDoesNotParse) {
  PropertyBuilder b;
  b.add(PropertyId::topic_alias, 1)
      .add_raw(Bytes{
          0x23,  // topic alias ...
          0x00,  // ... with one byte of its two
      });
  std::size_t n = 0;
  for (const Property& p : b.view()) {
    EXPECT_EQ(p.id, PropertyId::topic_alias);
    ++n;
  }
  EXPECT_EQ(n, 1U);

  PropertyBuilder unknown;
  unknown
      .add_raw(Bytes{
          0x7f,  // undefined property identifier
          0x00,  // a value byte
      })
      .add(PropertyId::topic_alias, 1);
  EXPECT_EQ(unknown.view().begin(), unknown.view().end());
  EXPECT_EQ(unknown.view().count(PropertyId::topic_alias), 0U);
}

TEST(PropertiesView, EmptyBlock) {
  const Properties none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.begin(), none.end());
  EXPECT_FALSE(none.find(PropertyId::user_property).has_value());
}

TEST(PropertiesView, DecodedBlocksViewTheInput) {
  const Bytes connack = {
      0x20,                   // CONNACK
      0x0c,                   // remaining length 12
      0x00,                   // acknowledge flags
      0x00,                   // reason code: success
      0x09,                   // property length 9
      0x21, 0x00, 0x0a,       // receive maximum 10
      0x24, 0x01,             // maximum QoS 1
      0x12, 0x00, 0x01, 'x',  // assigned client identifier "x"
  };
  const DecodeResult result = test::decode_at(connack, V::v5);
  ASSERT_TRUE(result.ok()) << test::describe(result);
  const Properties& props = std::get<Connack>(result.packet()).properties;
  EXPECT_EQ(props.encoded().data(), connack.data() + 5);
  EXPECT_EQ(props.encoded().size(), 9U);
  EXPECT_EQ(props.find(PropertyId::receive_maximum)->number, 10U);
  EXPECT_EQ(props.find(PropertyId::maximum_qos)->number, 1U);
  EXPECT_EQ(props.find(PropertyId::assigned_client_identifier)->text, "x");
}

TEST(PropertyTable, InfoNamesAndContexts) {
  EXPECT_EQ(all_properties().size(), 27U);
  const PropertyInfo* alias = property_info(PropertyId::topic_alias);
  ASSERT_NE(alias, nullptr);
  EXPECT_EQ(alias->name, "topic_alias");
  EXPECT_EQ(alias->type, PropertyType::two_byte_integer);
  EXPECT_TRUE(alias->allowed_in(PropertyContext::publish));
  EXPECT_FALSE(alias->allowed_in(PropertyContext::connect));
  EXPECT_EQ(property_info(std::uint8_t{0x00}), nullptr);
  EXPECT_EQ(property_info(std::uint8_t{0x7f}), nullptr);
  EXPECT_EQ(parse_property_name("receive_maximum"), PropertyId::receive_maximum);
  EXPECT_EQ(parse_property_name("nope"), std::nullopt);
  EXPECT_TRUE(property_info(PropertyId::will_delay_interval)->allowed_in(PropertyContext::will));
  EXPECT_FALSE(
      property_info(PropertyId::will_delay_interval)->allowed_in(PropertyContext::connect));
  EXPECT_TRUE(property_info(PropertyId::user_property)->repeatable);
  EXPECT_FALSE(property_info(PropertyId::content_type)->repeatable);
  for (unsigned c = 0; c <= static_cast<unsigned>(PropertyContext::auth); ++c) {
    EXPECT_TRUE(
        property_info(PropertyId::user_property)->allowed_in(static_cast<PropertyContext>(c)))
        << to_string(static_cast<PropertyContext>(c));
  }
  EXPECT_EQ(property_context(PacketType::pubrec), PropertyContext::pubrec);
  EXPECT_EQ(property_context(PacketType::auth), PropertyContext::auth);
}

TEST(PropertyRules, DecoderChecksValuesAndPlaces) {
  struct Case {
    const char* name;
    Bytes props;
    Rule rule;
  };
  const Case cases[] = {
      {"topic alias 0", {0x23, 0x00, 0x00}, Rule::topic_alias_zero},
      {"payload format 2", {0x01, 0x02}, Rule::property_value_invalid},
      {"subscription id 0", {0x0b, 0x00}, Rule::property_value_invalid},
      {"session expiry in PUBLISH", {0x11, 0x00, 0x00, 0x00, 0x01}, Rule::property_not_allowed},
      {"content type twice",
       {0x03, 0x00, 0x01, 'a', 0x03, 0x00, 0x01, 'b'},
       Rule::duplicate_property},
      {"response topic with '#'", {0x08, 0x00, 0x03, 'a', '/', '#'}, Rule::response_topic_wildcard},
  };
  for (const Case& c : cases) {
    Bytes publish = {
        0x30,  // PUBLISH, QoS 0
        0x00,  // remaining length (set below)
        0x00,
        0x01,
        't',                                        // topic "t"
        static_cast<std::uint8_t>(c.props.size()),  // property length
    };
    publish.insert(publish.end(), c.props.begin(), c.props.end());
    publish[1] = static_cast<std::uint8_t>(publish.size() - 2);
    const Error error = decode_error(publish, V::v5);
    EXPECT_EQ(error.rule, c.rule) << c.name << ": " << error.to_string();
    EXPECT_GE(error.offset, 6U) << c.name;
  }
  // The Subscription Identifier may repeat in PUBLISH but not in SUBSCRIBE.
  const Bytes publish_two_ids = {
      0x30,             // PUBLISH, QoS 0
      0x08,             // remaining length 8
      0x00, 0x01, 't',  // topic "t"
      0x04,             // property length 4
      0x0b, 0x01,       // subscription identifier 1
      0x0b, 0x02,       // subscription identifier 2
  };
  EXPECT_TRUE(test::decode_at(publish_two_ids, V::v5).ok());
  const Bytes subscribe_two_ids = {
      0x82,             // SUBSCRIBE
      0x0b,             // remaining length 11
      0x00, 0x01,       // packet id 1
      0x04,             // property length 4
      0x0b, 0x01,       // subscription identifier 1
      0x0b, 0x02,       // subscription identifier 2 (once only here)
      0x00, 0x01, 'a',  // filter "a"
      0x00,             // options: QoS 0
  };
  const Error duplicate = decode_error(subscribe_two_ids, V::v5);
  EXPECT_EQ(duplicate.rule, Rule::duplicate_property);
  EXPECT_EQ(duplicate.offset, 7U);
  EXPECT_EQ(duplicate.field, "property.subscription_identifier");

  // A Subscription Identifier in a client's PUBLISH is refused only with the sender known.
  const Bytes sub_id = {
      0x30,             // PUBLISH, QoS 0
      0x06,             // remaining length 6
      0x00, 0x01, 't',  // topic "t"
      0x02,             // property length 2
      0x0b, 0x01,       // subscription identifier 1
  };
  EXPECT_TRUE(test::decode_at(sub_id, V::v5).ok());
  EXPECT_TRUE(test::decode_at(sub_id, V::v5, Sender::server).ok());
  EXPECT_EQ(decode_error(sub_id, V::v5, Sender::client).rule,
            Rule::subscription_id_from_client_publish);
}

// --- reason codes --------------------------------------------------------------------------------

TEST(ReasonCodes, NamesDependOnThePacket) {
  EXPECT_EQ(reason_code_name(PacketType::disconnect, V::v5, ReasonCode{0x00}),
            "normal_disconnection");
  EXPECT_EQ(reason_code_name(PacketType::suback, V::v5, ReasonCode{0x00}), "granted_qos_0");
  EXPECT_EQ(reason_code_name(PacketType::puback, V::v5, ReasonCode{0x00}), "success");
  EXPECT_EQ(reason_code_name(PacketType::connack, V::v5, ReasonCode{0x00}), "success");
  EXPECT_EQ(reason_code_name(PacketType::suback, V::v5, ReasonCode{0x02}), "granted_qos_2");
  EXPECT_EQ(reason_code_name(PacketType::puback, V::v5, ReasonCode{0x10}),
            "no_matching_subscribers");
  EXPECT_EQ(reason_code_name(PacketType::auth, V::v5, ReasonCode{0x18}), "continue_authentication");
  EXPECT_EQ(reason_code_name(PacketType::disconnect, V::v5, ReasonCode{0x8e}),
            "session_taken_over");
  // 3.1.1 CONNACK return codes have their own names.
  EXPECT_EQ(reason_code_name(PacketType::connack, V::v3_1_1, ReasonCode{0x00}), "accepted");
  EXPECT_EQ(reason_code_name(PacketType::connack, V::v3_1_1, ReasonCode{0x02}),
            "identifier_rejected");
  EXPECT_EQ(reason_code_name(PacketType::connack, V::v3_1, ReasonCode{0x05}), "not_authorized");
  EXPECT_EQ(reason_code_name(PacketType::suback, V::v3_1_1, ReasonCode{0x80}), "failure");
  EXPECT_EQ(reason_code_name(PacketType::suback, V::v3_1_1, ReasonCode{0x01}), "granted_qos_1");
  // Codes the packet may not carry.
  EXPECT_EQ(reason_code_name(PacketType::connack, V::v3_1_1, ReasonCode{0x06}), "unknown");
  EXPECT_EQ(reason_code_name(PacketType::pubrel, V::v5, ReasonCode{0x10}), "unknown");
  EXPECT_EQ(reason_code_name(PacketType::connack, V::v5, ReasonCode{0x02}), "unknown");
}

TEST(ReasonCodes, AllowedPerPacketAndLevel) {
  using P = PacketType;
  auto allowed = [](P p, V v, std::uint8_t code, Sender s = Sender::unknown) {
    return reason_code_allowed(p, v, ReasonCode{code}, s);
  };
  // 3.1.1 and 3.1
  for (std::uint8_t code = 0; code <= 5; ++code) {
    EXPECT_TRUE(allowed(P::connack, V::v3_1_1, code));
    EXPECT_TRUE(allowed(P::connack, V::v3_1, code));
  }
  EXPECT_FALSE(allowed(P::connack, V::v3_1_1, 6));
  EXPECT_FALSE(allowed(P::connack, V::v3_1_1, 0x80));
  EXPECT_TRUE(allowed(P::suback, V::v3_1_1, 0x80));
  EXPECT_FALSE(allowed(P::suback, V::v3_1, 0x80));
  EXPECT_FALSE(allowed(P::suback, V::v3_1_1, 0x03));
  // 5.0
  EXPECT_TRUE(allowed(P::connack, V::v5, 0x84));
  EXPECT_FALSE(allowed(P::connack, V::v5, 0x01));
  EXPECT_TRUE(allowed(P::pubrel, V::v5, 0x92));
  EXPECT_FALSE(allowed(P::pubrel, V::v5, 0x10));
  EXPECT_TRUE(allowed(P::puback, V::v5, 0x10));
  EXPECT_TRUE(allowed(P::unsuback, V::v5, 0x11));
  EXPECT_FALSE(allowed(P::unsuback, V::v5, 0x10));
  EXPECT_TRUE(allowed(P::auth, V::v5, 0x19));
  EXPECT_FALSE(allowed(P::auth, V::v5, 0x80));
  EXPECT_TRUE(allowed(P::suback, V::v5, 0xa2));
  EXPECT_FALSE(allowed(P::suback, V::v5, 0x03));
  // DISCONNECT depends on who sends it.
  EXPECT_TRUE(allowed(P::disconnect, V::v5, 0x8e));
  EXPECT_TRUE(allowed(P::disconnect, V::v5, 0x8e, Sender::server));
  EXPECT_FALSE(allowed(P::disconnect, V::v5, 0x8e, Sender::client));
  EXPECT_TRUE(allowed(P::disconnect, V::v5, 0x04, Sender::client));
  EXPECT_FALSE(allowed(P::disconnect, V::v5, 0x04, Sender::server));
  EXPECT_TRUE(allowed(P::disconnect, V::v5, 0x00, Sender::client));
  EXPECT_TRUE(allowed(P::disconnect, V::v5, 0x00, Sender::server));
  EXPECT_TRUE(allowed(P::disconnect, V::v5, 0x81, Sender::client));
  EXPECT_FALSE(allowed(P::disconnect, V::v5, 0x01));
}

TEST(ReasonCodes, DecoderAppliesTheSenderAwareTable) {
  const Bytes disconnect = {
      0xe0,  // DISCONNECT
      0x01,  // remaining length 1
      0x8e,  // session taken over: a server's code
  };
  EXPECT_TRUE(test::decode_at(disconnect, V::v5, Sender::server).ok());
  EXPECT_TRUE(test::decode_at(disconnect, V::v5).ok());
  const Error error = decode_error(disconnect, V::v5, Sender::client);
  EXPECT_EQ(error.rule, Rule::reason_code_not_allowed);
  EXPECT_EQ(error.offset, 2U);
  EXPECT_EQ(error.statement, "MQTT-3.14.2-1");
}

}  // namespace
}  // namespace gauntlet::codec
