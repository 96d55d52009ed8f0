// The packet mutator of the network fuzzer (DESIGN.md §8): generates valid packets of every type
// and mutates them through the codec, field by field on the packet model and byte by byte on the
// encoding. Sans-IO like the codec: no sockets, no clock; the same seed and the same calls give
// the same bytes on every platform.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gauntlet/codec/bytes.hpp"
#include "gauntlet/codec/packet.hpp"
#include "gauntlet/codec/types.hpp"
#include "gauntlet/netfuzz/rng.hpp"

namespace gauntlet::netfuzz {

/// Owns the strings, payloads and property blocks that a packet model views (codec packets never
/// own their bytes). Append-only: views stay valid as long as the arena lives.
class Arena {
 public:
  std::string_view keep(std::string text);
  codec::ByteView keep_bytes(std::string bytes) {
    return codec::ByteView::of(keep(std::move(bytes)));
  }
  codec::ByteView keep_bytes(codec::ByteView bytes) {
    return keep_bytes(std::string(bytes.as_chars()));
  }

 private:
  std::deque<std::string> strings_;  // a deque never moves its elements: views stay valid
};

/// A packet together with the arena that holds what it views.
struct OwnedPacket {
  codec::Packet packet;
  std::shared_ptr<const Arena> arena;
};

/// Copies every string, payload and property block of `packet` into `arena`, so the copy no longer
/// depends on the buffer the original views.
codec::Packet copy_into(Arena& arena, const codec::Packet& packet);

/// What one mutation did, in words (kept with findings and reproducers).
struct Mutation {
  std::string kind;    ///< one of mutation_kinds(), e.g. "field.utf8_edge", "length.too_short"
  std::string field;   ///< codec field name, e.g. "publish.topic", "property.topic_alias", "body"
  std::string detail;  ///< the value or the bytes, e.g. "surrogate_high (ED A0 80) at 3"

  [[nodiscard]] std::string to_string() const;
};

/// Families of mutations, for MutationBudget::categories.
enum Category : std::uint32_t {
  category_field = 1U << 0U,     ///< fields of the packet model, fixed-header flags and type
  category_property = 1U << 1U,  ///< 5.0 properties: duplicate, not allowed, removed, values, ids
  category_varint = 1U << 2U,    ///< Variable Byte Integer edges and invalid forms
  category_bytes = 1U << 3U,     ///< byte-level edits of the encoded body
  category_length = 1U << 4U,    ///< deliberately broken Remaining Length
  category_all = 0x1FU,
};

struct MutationBudget {
  /// Mutations applied per call: 1 to this many (at least 1).
  std::size_t max_mutations = 4;
  /// Mutations that would make a packet larger than this many bytes (65,535-byte strings, a body
  /// padded to a Remaining Length edge) are not chosen; a broken Remaining Length may still claim
  /// more than this.
  std::size_t max_size = 1U << 17U;
  /// Which families may be chosen (bits of Category). Families that do not apply to the packet
  /// (properties below 5.0, or on PINGREQ) are skipped; with none left, mutate() returns the
  /// plain encoding and no mutation.
  std::uint32_t categories = category_all;
};

struct MutatedPacket {
  std::vector<std::uint8_t> bytes;  ///< what goes on the wire
  /// The packet the bytes are the exact encoding of, when there is one (only model-level
  /// mutations were applied); views `arena`.
  std::optional<codec::Packet> model;
  std::shared_ptr<const Arena> arena;
  std::vector<Mutation> mutations;
  /// The Remaining Length is well formed and equals the number of bytes after the fixed header, so
  /// a framer reads exactly one packet from `bytes`. Lengths inside the body (strings, the
  /// property block) may still lie when a mutation touched them; a non-minimal but readable
  /// Remaining Length (kind "length.non_minimal") leaves this true.
  bool lengths_valid = true;
};

/// A named UTF-8 edge case and whether it is well-formed UTF-8 that MQTT accepts (e.g. U+FFFF,
/// a noncharacter) or a sequence the codec's strict check must refuse.
struct Utf8Edge {
  std::string_view name;
  std::string_view bytes;
  bool accepted;
};
std::span<const Utf8Edge> utf8_edges() noexcept;

/// The Variable Byte Integer values at the edges of its 1- to 4-byte forms.
std::span<const std::uint32_t> variable_int_edges() noexcept;

/// Every value of Mutation::kind the mutator can produce.
std::span<const std::string_view> mutation_kinds() noexcept;

/// The fields (Mutation::field values of kinds "field.*") the mutator can change in a packet type
/// at a protocol level, fixed-header fields included.
std::vector<std::string_view> mutable_fields(codec::PacketType type,
                                             codec::ProtocolVersion version);

class Mutator {
 public:
  explicit Mutator(std::uint64_t seed);

  /// A random valid packet of `type`: the codec's strict decoder accepts its encoding at
  /// `version` (sender unknown). At 5.0 it carries random properties, each property allowed in
  /// the packet appearing in some packets. AUTH exists only at 5.0 (below it, a PINGREQ is made).
  OwnedPacket generate(codec::PacketType type, codec::ProtocolVersion version);

  /// Encodes a copy of `packet` for `version` with 1..budget.max_mutations mutations chosen by
  /// weight: field-level on the model first, then on the encoding (Variable Byte Integers, body
  /// bytes), then the Remaining Length. Never fails: a packet the encoder refuses is replaced by
  /// its fixed header with an empty body.
  MutatedPacket mutate(const codec::Packet& packet, codec::ProtocolVersion version,
                       const MutationBudget& budget = {});

  Rng& rng() noexcept { return rng_; }

 private:
  Rng rng_;
  /// The last encodings mutate() produced: material for splicing.
  std::vector<std::vector<std::uint8_t>> history_;
  std::size_t history_next_ = 0;
};

}  // namespace gauntlet::netfuzz
