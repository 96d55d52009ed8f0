// Runs the byte vectors of this folder. A vector file:
// {"vectors": [{
//    "name": "connect_v311_minimal",        unique in the file
//    "protocol": "3.1.1",                   3.1 | 3.1.1 | 5 (the level for packets other than
//    CONNECT) "mode": "strict",                      strict (default) | lenient "sender": "client",
//    optional: client | server "bytes": [["10", "CONNECT"], ["0c", "remaining length 12"], ...],
//    hex + what it is "expect": {"packet": {...}}            fields that must match the decoded
//    packet's JSON
//            | {"error": {"rule": "...", "offset": 9, "statement": "MQTT-3.1.2-3", ...}}
//            | {"need_more": true}
//    "violations": [{"rule": ..., "offset": ...}],   lenient: exactly these, in order
//    "canonical": true                       default true: re-encoding gives the same bytes
// }]}
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "gauntlet/codec/codec.hpp"
#include "gauntlet/codec/json.hpp"

namespace gauntlet::codec {
namespace {

using nlohmann::json;

struct Vector {
  std::string file;
  std::string name;
  json data;
};

std::vector<Vector> load_vectors() {
  std::vector<Vector> vectors;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(GAUNTLET_VECTOR_DIR)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    const json doc = json::parse(in);  // a broken vector file fails the whole binary, loudly
    for (const json& v : doc.at("vectors")) {
      vectors.push_back({path.stem().string(), v.at("name").get<std::string>(), v});
    }
  }
  return vectors;
}

const std::vector<Vector>& vectors() {
  static const std::vector<Vector> all = load_vectors();
  return all;
}

std::vector<std::uint8_t> vector_bytes(const json& v) {
  std::vector<std::uint8_t> bytes;
  for (const json& piece : v.at("bytes")) {
    const auto part = from_hex(piece.at(0).get<std::string>());
    if (!part) throw std::runtime_error("bad hex in " + piece.dump());
    bytes.insert(bytes.end(), part->begin(), part->end());
  }
  return bytes;
}

ProtocolVersion vector_version(const json& v) {
  return parse_protocol_version(v.value("protocol", "3.1.1")).value();
}

// Every key of `expected` must be in `actual` with an equal value; objects are compared the same
// way recursively, arrays element by element with the same length.
void expect_subset(const json& expected, const json& actual, const std::string& path) {
  if (expected.is_object()) {
    ASSERT_TRUE(actual.is_object()) << path << ": expected an object, got " << actual.dump();
    for (const auto& [key, value] : expected.items()) {
      ASSERT_TRUE(actual.contains(key)) << path << "." << key << " missing in " << actual.dump();
      std::string child = path;
      child.append(".").append(key);
      expect_subset(value, actual.at(key), child);
    }
  } else if (expected.is_array()) {
    ASSERT_TRUE(actual.is_array()) << path << ": expected an array, got " << actual.dump();
    ASSERT_EQ(expected.size(), actual.size()) << path << ": " << actual.dump();
    for (std::size_t i = 0; i < expected.size(); ++i) {
      expect_subset(expected[i], actual[i], path + "[" + std::to_string(i) + "]");
    }
  } else {
    EXPECT_EQ(expected, actual) << path;
  }
}

json error_json(const Error& error) {
  return json::parse(to_json(error).dump());
}

class ByteVector : public testing::TestWithParam<std::size_t> {};

TEST_P(ByteVector, Decodes) {
  const Vector& vec = vectors()[GetParam()];
  const json& v = vec.data;
  for (const json& piece : v.at("bytes")) {
    ASSERT_FALSE(piece.at(1).get<std::string>().empty()) << "every byte group needs a comment";
  }
  const std::vector<std::uint8_t> bytes = vector_bytes(v);
  std::vector<Error> violations;
  DecodeOptions options;
  options.version = vector_version(v);
  options.strict = v.value("mode", "strict") == "strict";
  if (v.contains("sender"))
    options.sender = v["sender"] == "client" ? Sender::client : Sender::server;
  options.max_packet_size = v.value("max_packet_size", options.max_packet_size);
  options.violations = &violations;
  const DecodeResult result = decode(ByteView(bytes), options);
  const json& expect = v.at("expect");

  if (expect.contains("need_more")) {
    ASSERT_TRUE(result.need_more());
    return;
  }
  if (expect.contains("error")) {
    ASSERT_TRUE(result.failed()) << "expected " << expect["error"].dump() << ", decoded "
                                 << (result.ok() ? to_json(result.packet(), options.version).dump()
                                                 : std::string("need more"));
    expect_subset(expect["error"], error_json(result.error()), "error");
    return;
  }
  ASSERT_TRUE(result.ok()) << (result.failed() ? result.error().to_string() : "need more");
  EXPECT_EQ(result.consumed(), bytes.size());
  const Packet& packet = result.packet();
  JsonOptions json_options;
  json_options.reveal_secrets = true;
  const json actual = json::parse(to_json(packet, options.version, json_options).dump());
  expect_subset(expect.at("packet"), actual, "packet");

  json actual_violations = json::array();
  for (const Error& e : violations)
    actual_violations.push_back(error_json(e));
  expect_subset(v.value("violations", json::array()), actual_violations, "violations");

  // Encoding the decoded packet gives a packet that decodes to the same thing, and (for canonical
  // vectors) exactly the same bytes.
  std::vector<std::uint8_t> encoded;
  const auto encode_error = encode(packet, options.version, encoded);
  ASSERT_FALSE(encode_error) << encode_error->field << ": " << encode_error->reason;
  if (v.value("canonical", true) && violations.empty()) {
    EXPECT_EQ(to_hex(ByteView(encoded)), to_hex(ByteView(bytes))) << "re-encoding differs";
  }
  DecodeOptions again = options;
  again.strict = false;
  again.violations = nullptr;
  const DecodeResult second = decode(ByteView(encoded), again);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second.packet() == packet) << "decode(encode(p)) != p";
}

std::string vector_test_name(const testing::TestParamInfo<std::size_t>& info) {
  std::string name = vectors()[info.param].file + "_" + vectors()[info.param].name;
  for (char& c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Vectors, ByteVector, testing::Range<std::size_t>(0, vectors().size()),
                         vector_test_name);

// --- what the set of vectors must cover ---------------------------------------------------------

constexpr Rule all_rules[] = {Rule::truncated,
                              Rule::variable_int_too_long,
                              Rule::packet_too_large,
                              Rule::reserved_packet_type,
                              Rule::unknown_protocol_level,
                              Rule::publish_qos_3,
                              Rule::unknown_property,
                              Rule::variable_int_not_minimal,
                              Rule::utf8_ill_formed,
                              Rule::utf8_null_character,
                              Rule::remaining_length_mismatch,
                              Rule::fixed_header_flags,
                              Rule::packet_id_zero,
                              Rule::dup_on_qos_0,
                              Rule::protocol_name_mismatch,
                              Rule::connect_reserved_flag,
                              Rule::will_qos_without_will,
                              Rule::will_retain_without_will,
                              Rule::will_qos_3,
                              Rule::password_without_username,
                              Rule::empty_client_id_without_clean_session,
                              Rule::client_id_length_v3_1,
                              Rule::connack_reserved_flags,
                              Rule::session_present_on_failure,
                              Rule::reason_code_not_allowed,
                              Rule::topic_name_empty,
                              Rule::topic_name_wildcard,
                              Rule::topic_filter_empty,
                              Rule::multi_level_wildcard_misplaced,
                              Rule::single_level_wildcard_misplaced,
                              Rule::share_name_empty,
                              Rule::share_name_invalid,
                              Rule::no_local_on_shared_subscription,
                              Rule::subscription_options_reserved,
                              Rule::subscription_qos_3,
                              Rule::retain_handling_3,
                              Rule::no_topic_filters,
                              Rule::property_not_allowed,
                              Rule::duplicate_property,
                              Rule::property_value_invalid,
                              Rule::topic_alias_zero,
                              Rule::subscription_id_from_client_publish,
                              Rule::session_expiry_from_server,
                              Rule::response_topic_wildcard,
                              Rule::authentication_data_without_method,
                              Rule::auth_without_method};

static_assert(std::size(all_rules) == static_cast<std::size_t>(Rule::auth_without_method) + 1,
              "all_rules must list every Rule");

TEST(VectorCoverage, EveryRuleHasAVectorThatBreaksIt) {
  std::set<std::string> broken;
  for (const Vector& vec : vectors()) {
    const json& expect = vec.data.at("expect");
    if (expect.contains("error")) broken.insert(expect["error"].at("rule").get<std::string>());
    for (const json& v : vec.data.value("violations", json::array())) {
      broken.insert(v.at("rule").get<std::string>());
    }
  }
  for (Rule rule : all_rules) {
    EXPECT_TRUE(broken.contains(std::string(rule_name(rule))))
        << "no vector breaks rule " << rule_name(rule);
  }
}

TEST(VectorCoverage, EveryPacketTypeAtEveryLevelHasAValidVector) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const Vector& vec : vectors()) {
    const json& expect = vec.data.at("expect");
    if (!expect.contains("packet")) continue;
    const std::string type = expect["packet"].value("type", "");
    std::string level = vec.data.value("protocol", "3.1.1");
    if (type == "CONNECT") level = expect["packet"].value("protocol", level);
    seen.insert({type, level});
  }
  for (const char* level : {"3.1", "3.1.1", "5"}) {
    for (int t = 1; t <= 15; ++t) {
      if (t == 15 && std::string(level) != "5") continue;
      const std::string type(to_string(static_cast<PacketType>(t)));
      EXPECT_TRUE(seen.contains({type, level}))
          << "no valid vector for " << type << " at " << level;
    }
  }
}

std::set<std::string> statement_ids(const std::string& version) {
  std::ifstream in(std::string(GAUNTLET_SPEC_DIR) + "/statements-" + version + ".json");
  const json doc = json::parse(in);
  std::set<std::string> ids;
  for (const json& s : doc.at("statements"))
    ids.insert(s.at("id").get<std::string>());
  return ids;
}

// Every statement id the codec can cite exists in the spec of the level it is cited for.
TEST(RuleTable, CitesOnlyRealStatements) {
  const std::map<ProtocolVersion, std::set<std::string>> ids = {
      {ProtocolVersion::v3_1, statement_ids("3.1.1")},
      {ProtocolVersion::v3_1_1, statement_ids("3.1.1")},
      {ProtocolVersion::v5, statement_ids("5")}};
  for (const auto& [version, known] : ids) {
    for (Rule rule : all_rules) {
      for (int t = 0; t <= 15; ++t) {
        for (Sender sender : {Sender::unknown, Sender::client, Sender::server}) {
          const auto packet = t == 0 ? std::nullopt : std::optional(static_cast<PacketType>(t));
          const RuleSource source = rule_source(rule, version, packet, sender);
          if (!source.statement.empty()) {
            EXPECT_TRUE(known.contains(std::string(source.statement)))
                << rule_name(rule) << " cites " << source.statement << ", unknown at "
                << to_string(version);
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace gauntlet::codec
