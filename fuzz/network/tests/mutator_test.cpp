#include "gauntlet/netfuzz/mutator.hpp"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gauntlet/codec/codec.hpp"

namespace gauntlet::netfuzz {
namespace {

using namespace gauntlet::codec;

constexpr std::array versions = {ProtocolVersion::v3_1, ProtocolVersion::v3_1_1,
                                 ProtocolVersion::v5};

std::vector<PacketType> types_of(ProtocolVersion version) {
  std::vector<PacketType> types;
  const unsigned last = version == ProtocolVersion::v5 ? 15 : 14;
  for (unsigned t = 1; t <= last; ++t)
    types.push_back(static_cast<PacketType>(t));
  return types;
}

std::vector<std::uint8_t> encoded(const Packet& packet, ProtocolVersion version) {
  std::vector<std::uint8_t> out;
  EXPECT_FALSE(encode(packet, version, out).has_value());
  return out;
}

DecodeResult strict_decode(const std::vector<std::uint8_t>& bytes, ProtocolVersion version) {
  DecodeOptions options;
  options.version = version;
  return decode(ByteView(bytes), options);
}

bool has_kind(const MutatedPacket& m, std::string_view kind, std::string_view field = {}) {
  for (const Mutation& mutation : m.mutations) {
    if (mutation.kind == kind && (field.empty() || mutation.field == field)) return true;
  }
  return false;
}

std::string describe(const MutatedPacket& m) {
  std::string text;
  for (const Mutation& mutation : m.mutations)
    text += mutation.to_string() + "; ";
  return text;
}

// --- determinism ----------------------------------------------------------------------------

std::vector<MutatedPacket> run(std::uint64_t seed, int count) {
  Mutator mutator(seed);
  std::vector<MutatedPacket> out;
  for (int i = 0; i < count; ++i) {
    const ProtocolVersion version = versions[static_cast<std::size_t>(i) % versions.size()];
    const auto types = types_of(version);
    const OwnedPacket packet =
        mutator.generate(types[static_cast<std::size_t>(i) % types.size()], version);
    out.push_back(mutator.mutate(packet.packet, version));
  }
  return out;
}

TEST(Mutator, SameSeedGivesTheSameBytesAndDescriptions) {
  const auto a = run(42, 1000);
  const auto b = run(42, 1000);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].bytes, b[i].bytes) << "packet " << i;
    ASSERT_EQ(describe(a[i]), describe(b[i])) << "packet " << i;
    ASSERT_EQ(a[i].lengths_valid, b[i].lengths_valid);
    ASSERT_EQ(a[i].model.has_value(), b[i].model.has_value());
  }
}

TEST(Mutator, DifferentSeedsGiveDifferentBytes) {
  const auto a = run(42, 200);
  const auto b = run(43, 200);
  int same = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    same += a[i].bytes == b[i].bytes ? 1 : 0;
  EXPECT_LT(same, 20);  // PINGREQ with one header mutation can coincide; most must differ
}

// The same seed must give the same bytes whatever the compiler: CI builds the tests with gcc and
// with clang, and both must reach this digest of 3,000 packets (bytes and descriptions). A
// difference means a draw whose order the compiler chooses (two draws in the arguments of one
// call, or in the operands of one '+'). If the mutator changed on purpose, put the new value here.
TEST(Mutator, OutputIsTheSameWithEveryCompiler) {
  Mutator mutator(42);
  std::uint64_t digest = 1469598103934665603ULL;  // FNV-1a
  const auto mix = [&digest](unsigned char byte) {
    digest ^= byte;
    digest *= 1099511628211ULL;
  };
  for (int i = 0; i < 3000; ++i) {
    const ProtocolVersion version = versions[static_cast<std::size_t>(i) % versions.size()];
    const auto types = types_of(version);
    const OwnedPacket owned =
        mutator.generate(types[static_cast<std::size_t>(i) % types.size()], version);
    const MutatedPacket m = mutator.mutate(owned.packet, version);
    for (std::uint8_t byte : m.bytes)
      mix(byte);
    for (char c : describe(m))
      mix(static_cast<unsigned char>(c));
  }
  EXPECT_EQ(digest, 0xAEBDBC5AC58B55FCULL) << std::hex << "digest 0x" << digest;
}

// --- generation -----------------------------------------------------------------------------

TEST(Generate, EveryTypeAtEveryLevelIsAcceptedByTheStrictDecoder) {
  Mutator mutator(1);
  for (ProtocolVersion version : versions) {
    for (PacketType type : types_of(version)) {
      for (int i = 0; i < 200; ++i) {
        const OwnedPacket owned = mutator.generate(type, version);
        ASSERT_EQ(packet_type(owned.packet), type);
        const auto bytes = encoded(owned.packet, version);
        const DecodeResult result = strict_decode(bytes, version);
        ASSERT_TRUE(result.ok()) << to_string(type) << " at " << to_string(version) << ": "
                                 << result.error().to_string();
        EXPECT_EQ(result.consumed(), bytes.size());
        EXPECT_TRUE(result.packet() == owned.packet) << to_string(type);
      }
    }
  }
}

TEST(Generate, EveryAllowedPropertyAppearsAt5) {
  Mutator mutator(2);
  for (PacketType type : types_of(ProtocolVersion::v5)) {
    if (type == PacketType::pingreq || type == PacketType::pingresp) continue;
    std::set<PropertyId> seen;
    for (int i = 0; i < 400; ++i) {
      const OwnedPacket owned = mutator.generate(type, ProtocolVersion::v5);
      std::visit(
          [&seen](const auto& p) {
            if constexpr (requires { p.properties; }) {
              for (const Property& property : p.properties)
                seen.insert(property.id);
            }
          },
          owned.packet);
    }
    for (const PropertyInfo& info : all_properties()) {
      if (info.allowed_in(property_context(type))) {
        EXPECT_TRUE(seen.contains(info.id)) << info.name << " in " << to_string(type);
      }
    }
  }
}

// --- coverage of the mutator itself ---------------------------------------------------------

TEST(Mutator, EveryKindAndEveryFieldOccurs) {
  Mutator mutator(3);
  std::set<std::string> kinds;
  std::set<std::string> value_properties;  // properties given an edge value
  for (ProtocolVersion version : versions) {
    for (PacketType type : types_of(version)) {
      std::set<std::string> fields;
      for (int i = 0; i < 1500; ++i) {
        const OwnedPacket owned = mutator.generate(type, version);
        const MutatedPacket m = mutator.mutate(owned.packet, version);
        ASSERT_FALSE(m.mutations.empty());
        ASSERT_FALSE(m.bytes.empty());
        for (const Mutation& mutation : m.mutations) {
          kinds.insert(mutation.kind);
          if (mutation.kind.starts_with("field.")) fields.insert(mutation.field);
          if (mutation.kind == "property.value") value_properties.insert(mutation.field);
        }
      }
      for (std::string_view field : mutable_fields(type, version)) {
        EXPECT_TRUE(fields.contains(std::string(field)))
            << field << " never mutated in " << to_string(type) << " at " << to_string(version);
      }
    }
  }
  for (std::string_view kind : mutation_kinds())
    EXPECT_TRUE(kinds.contains(std::string(kind))) << kind << " never occurred";
  EXPECT_EQ(kinds.size(), mutation_kinds().size()) << "a kind missing from mutation_kinds()";
  for (const PropertyInfo& info : all_properties()) {
    EXPECT_TRUE(value_properties.contains("property." + std::string(info.name)))
        << info.name << " never given an edge value";
  }
}

TEST(Mutator, FieldListsCoverTheModel) {
  // Spot checks that the tables name the codec's fields: a table that lost an entry fails here
  // and in the coverage test above.
  const auto connect = mutable_fields(PacketType::connect, ProtocolVersion::v5);
  EXPECT_EQ(connect.size(), 15U);
  const auto puback3 = mutable_fields(PacketType::puback, ProtocolVersion::v3_1_1);
  EXPECT_EQ(puback3, (std::vector<std::string_view>{"puback.packet_id", "fixed_header.flags",
                                                    "fixed_header.type"}));
  const auto puback5 = mutable_fields(PacketType::puback, ProtocolVersion::v5);
  EXPECT_EQ(puback5.size(), 4U);
}

// --- model, framing and lengths -------------------------------------------------------------

TEST(Mutator, ModelIsExactlyWhatTheBytesEncode) {
  Mutator mutator(4);
  int with_model = 0;
  for (int i = 0; i < 3000; ++i) {
    const ProtocolVersion version = versions[static_cast<std::size_t>(i) % 3];
    const auto types = types_of(version);
    const OwnedPacket owned =
        mutator.generate(types[static_cast<std::size_t>(i) % types.size()], version);
    const MutatedPacket m = mutator.mutate(owned.packet, version);
    if (!m.model) continue;
    ++with_model;
    ASSERT_EQ(encoded(*m.model, version), m.bytes) << describe(m);
    ASSERT_TRUE(m.lengths_valid);
  }
  EXPECT_GT(with_model, 300);
}

// How a framer sees the bytes when they arrive alone on a connection.
enum class Framed { one_packet, need_more, error, shorter_packet };

Framed frame(const std::vector<std::uint8_t>& bytes, ProtocolVersion version) {
  DecodeOptions options;
  options.version = version;
  options.strict = false;
  StreamDecoder stream(options);
  stream.set_learn_version(false);
  stream.feed(ByteView(bytes));
  const DecodeResult result = stream.next();
  if (result.need_more()) return Framed::need_more;
  if (result.ok())
    return result.consumed() == bytes.size() ? Framed::one_packet : Framed::shorter_packet;
  // A body that does not parse still framed as one packet when the header matched the size.
  const auto header = read_fixed_header(ByteView(bytes), options);
  const auto* fixed = std::get_if<FixedHeader>(&header);
  if (fixed != nullptr && fixed->packet_size() == bytes.size()) return Framed::one_packet;
  return Framed::error;
}

TEST(Mutator, RepairedLengthsFrameAsOnePacketAndBrokenOnesDoNot) {
  Mutator mutator(5);
  std::map<std::string, int> counts;
  for (int i = 0; i < 6000; ++i) {
    const ProtocolVersion version = versions[static_cast<std::size_t>(i) % 3];
    const auto types = types_of(version);
    const OwnedPacket owned =
        mutator.generate(types[static_cast<std::size_t>(i) % types.size()], version);
    MutationBudget budget;
    budget.categories = category_bytes | category_length | category_varint;
    budget.max_mutations = 2;
    const MutatedPacket m = mutator.mutate(owned.packet, version, budget);
    const Framed framed = frame(m.bytes, version);
    if (m.lengths_valid) {
      ASSERT_EQ(framed, Framed::one_packet) << describe(m);
      ++counts["valid"];
      if (has_kind(m, "length.repaired")) ++counts["repaired"];
    } else {
      ASSERT_NE(framed, Framed::one_packet) << describe(m);
      ++counts["broken"];
      if (framed == Framed::need_more) ++counts["need_more"];
      if (framed == Framed::error) ++counts["error"];
      if (framed == Framed::shorter_packet) ++counts["shorter"];
    }
    // The kinds that always break the framing, and the one that never does. A truncation after
    // a stale or short length can cut the packet exactly where the header says it ends.
    if (!has_kind(m, "bytes.truncate") &&
        (has_kind(m, "length.too_short") || has_kind(m, "length.too_long") ||
         has_kind(m, "length.overlong") || has_kind(m, "length.never_ending"))) {
      ASSERT_FALSE(m.lengths_valid) << describe(m);
    }
    if (has_kind(m, "bytes.truncate") && m.mutations.size() == 1) {
      ASSERT_FALSE(m.lengths_valid) << describe(m);
    }
    if (has_kind(m, "length.repaired") && !has_kind(m, "bytes.truncate")) {
      ASSERT_TRUE(m.lengths_valid) << describe(m);
    }
    if (has_kind(m, "length.non_minimal") && m.mutations.size() == 1) {
      ASSERT_TRUE(m.lengths_valid) << describe(m);
    }
  }
  EXPECT_GT(counts["repaired"], 100);
  EXPECT_GT(counts["need_more"], 100);
  EXPECT_GT(counts["error"], 50);
  EXPECT_GT(counts["shorter"], 50);
}

TEST(Mutator, RemainingLengthEdgePaddedIsExact) {
  Mutator mutator(6);
  std::set<std::uint32_t> padded;
  for (int i = 0; i < 3000 && padded.size() < 4; ++i) {
    const OwnedPacket owned = mutator.generate(PacketType::publish, ProtocolVersion::v3_1_1);
    MutationBudget budget;
    budget.categories = category_varint;
    budget.max_mutations = 1;
    budget.max_size = 20'000;
    const MutatedPacket m = mutator.mutate(owned.packet, ProtocolVersion::v3_1_1, budget);
    if (!has_kind(m, "varint.remaining_length") ||
        m.mutations.front().detail.find("padded") == std::string::npos)
      continue;
    const auto header = read_fixed_header(ByteView(m.bytes), DecodeOptions{});
    ASSERT_TRUE(std::holds_alternative<FixedHeader>(header));
    const auto& fixed = std::get<FixedHeader>(header);
    EXPECT_EQ(fixed.packet_size(), m.bytes.size());
    EXPECT_TRUE(m.lengths_valid);
    padded.insert(fixed.remaining_length);
  }
  // 127/128 and 16383/16384 fit in 20,000 bytes: both sides of the one- and two-byte forms.
  EXPECT_EQ(padded, (std::set<std::uint32_t>{127, 128, 16'383, 16'384}));
}

// --- edge cases judged by the codec ---------------------------------------------------------

MutatedPacket find(Mutator& mutator, PacketType type, ProtocolVersion version,
                   std::uint32_t categories, std::string_view kind, std::string_view field,
                   const Packet* base = nullptr) {
  for (int i = 0; i < 20'000; ++i) {
    const OwnedPacket owned = mutator.generate(type, version);
    MutationBudget budget;
    budget.categories = categories;
    budget.max_mutations = 1;
    MutatedPacket m = mutator.mutate(base != nullptr ? *base : owned.packet, version, budget);
    if (has_kind(m, kind, field)) return m;
  }
  ADD_FAILURE() << kind << " " << field << " never produced";
  return {};
}

TEST(Mutator, DuplicateSessionExpiryIsADuplicateProperty) {
  Mutator mutator(7);
  PropertyBuilder props;
  props.add(PropertyId::session_expiry_interval, 60);
  Connect connect;
  connect.version = ProtocolVersion::v5;
  connect.client_id = "dup";
  connect.properties = props.view();
  const Packet base = connect;
  const MutatedPacket m = find(mutator, PacketType::connect, ProtocolVersion::v5, category_property,
                               "property.duplicate", "property.session_expiry_interval", &base);
  ASSERT_TRUE(m.model.has_value());
  const DecodeResult result = strict_decode(m.bytes, ProtocolVersion::v5);
  ASSERT_TRUE(result.failed()) << describe(m);
  EXPECT_EQ(result.error().rule, Rule::duplicate_property);
  EXPECT_EQ(result.error().field, "property.session_expiry_interval");
  EXPECT_EQ(result.error().section, "2.2.2.2");  // the spec numbers no statement for it
}

TEST(Mutator, PropertyMutationsBreakTheRulesTheyName) {
  Mutator mutator(8);
  // A property not allowed in the packet.
  const MutatedPacket not_allowed = find(mutator, PacketType::subscribe, ProtocolVersion::v5,
                                         category_property, "property.not_allowed", "");
  DecodeResult result = strict_decode(not_allowed.bytes, ProtocolVersion::v5);
  ASSERT_TRUE(result.failed()) << describe(not_allowed);
  EXPECT_EQ(result.error().rule, Rule::property_not_allowed) << result.error().to_string();
  // AUTH without its required Authentication Method.
  PropertyBuilder props;
  props.add(PropertyId::authentication_method, "SCRAM-SHA-1");
  Auth auth;
  auth.reason_code = ReasonCode::continue_authentication;
  auth.properties = props.view();
  const Packet base = auth;
  const MutatedPacket removed =
      find(mutator, PacketType::auth, ProtocolVersion::v5, category_property, "property.remove",
           "property.authentication_method", &base);
  result = strict_decode(removed.bytes, ProtocolVersion::v5);
  ASSERT_TRUE(result.failed()) << describe(removed);
  EXPECT_EQ(result.error().rule, Rule::auth_without_method);
  EXPECT_EQ(result.error().statement, "MQTT-4.12.0-5") << result.error().to_string();
}

TEST(Mutator, MaximumLengthStringIsPrefixedWith0xFFFF) {
  Mutator mutator(9);
  const MutatedPacket m = find(mutator, PacketType::publish, ProtocolVersion::v3_1_1,
                               category_field, "field.string_max", "publish.topic");
  ASSERT_TRUE(m.model.has_value());
  EXPECT_EQ(std::get<Publish>(*m.model).topic.size(), 65'535U);
  const auto header = read_fixed_header(ByteView(m.bytes), DecodeOptions{});
  const std::size_t body = std::get<FixedHeader>(header).header_size;
  EXPECT_EQ(m.bytes[body], 0xFF);      // topic length, MSB
  EXPECT_EQ(m.bytes[body + 1], 0xFF);  // topic length, LSB
  const DecodeResult result = strict_decode(m.bytes, ProtocolVersion::v3_1_1);
  ASSERT_TRUE(result.ok()) << result.error().to_string();  // "a/a/a...": a valid topic
  EXPECT_EQ(std::get<Publish>(result.packet()).topic.size(), 65'535U);
}

TEST(Mutator, Utf8EdgesAreJudgedLikeTheCodec) {
  for (const Utf8Edge& edge : utf8_edges()) {
    EXPECT_EQ(!check_utf8(edge.bytes).has_value(), edge.accepted) << edge.name;
  }
  // In a packet: a refused edge in a topic makes the strict decoder fail on that field.
  Mutator mutator(10);
  int refused = 0;
  for (int i = 0; i < 400; ++i) {
    const MutatedPacket m = find(mutator, PacketType::publish, ProtocolVersion::v5, category_field,
                                 "field.utf8_edge", "publish.topic");
    const std::string& detail = m.mutations.front().detail;
    bool accepted = true;
    for (const Utf8Edge& edge : utf8_edges()) {
      if (detail.starts_with(std::string(edge.name) + " ")) accepted = edge.accepted;
    }
    const DecodeResult result = strict_decode(m.bytes, ProtocolVersion::v5);
    if (accepted) continue;  // it may still break a topic rule (an edge between '/' and '+')
    ++refused;
    ASSERT_TRUE(result.failed()) << detail;
    EXPECT_TRUE(result.error().rule == Rule::utf8_ill_formed ||
                result.error().rule == Rule::utf8_null_character)
        << detail << ": " << result.error().to_string();
    EXPECT_EQ(result.error().field, "publish.topic");
  }
  EXPECT_GT(refused, 100);
}

TEST(Mutator, VariableIntEdgesAreTheFormBoundaries) {
  const auto edges = variable_int_edges();
  EXPECT_EQ(
      std::vector<std::uint32_t>(edges.begin(), edges.end()),
      (std::vector<std::uint32_t>{0, 127, 128, 16'383, 16'384, 2'097'151, 2'097'152, 268'435'455}));
  // A Subscription Identifier of 0 or in a five-byte form is refused by the strict decoder.
  Mutator mutator(11);
  int refused = 0;
  for (int i = 0; i < 200; ++i) {
    Publish publish;
    publish.topic = "t";
    const Packet base = publish;
    const MutatedPacket m = find(mutator, PacketType::publish, ProtocolVersion::v5, category_varint,
                                 "varint.subscription_identifier", "", &base);
    const std::string& detail = m.mutations.front().detail;
    const DecodeResult result = strict_decode(m.bytes, ProtocolVersion::v5);
    if (detail.starts_with("0 ") || detail.find("in 5 bytes") != std::string::npos ||
        detail.find(" in ") != std::string::npos) {
      ++refused;
      EXPECT_TRUE(result.failed()) << detail;
    } else {
      EXPECT_TRUE(result.ok()) << detail << ": " << result.error().to_string();
    }
  }
  EXPECT_GT(refused, 50);
}

TEST(Mutator, BudgetLimitsTheNumberAndSizeOfMutations) {
  Mutator mutator(12);
  for (int i = 0; i < 2000; ++i) {
    const OwnedPacket owned = mutator.generate(PacketType::connect, ProtocolVersion::v5);
    MutationBudget budget;
    budget.max_mutations = 3;
    budget.max_size = 4096;
    budget.categories = category_field | category_property;
    const MutatedPacket m = mutator.mutate(owned.packet, ProtocolVersion::v5, budget);
    // field and property mutations log one entry each (a length repair is not among them).
    ASSERT_LE(m.mutations.size(), 3U) << describe(m);
    ASSERT_GE(m.mutations.size(), 1U);
    ASSERT_LE(m.bytes.size(), 4096U) << describe(m);
    for (const Mutation& mutation : m.mutations)
      ASSERT_TRUE(mutation.kind.starts_with("field.") || mutation.kind.starts_with("property."));
  }
}

TEST(Mutator, MutatedPacketOutlivesItsInput) {
  Mutator mutator(13);
  MutatedPacket m;
  {
    const OwnedPacket owned = mutator.generate(PacketType::publish, ProtocolVersion::v5);
    MutationBudget budget;
    budget.categories = category_property;
    m = mutator.mutate(owned.packet, ProtocolVersion::v5, budget);
  }  // the generated packet and its arena are gone; the model views m.arena only
  ASSERT_TRUE(m.model.has_value());
  EXPECT_EQ(encoded(*m.model, ProtocolVersion::v5), m.bytes);
}

}  // namespace
}  // namespace gauntlet::netfuzz
