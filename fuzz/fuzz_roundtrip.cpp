// fuzz_roundtrip: decode -> encode -> decode gives back the same packet. Input: one selector byte
// (see fuzz_common.hpp; the strict bit is ignored, decoding is lenient), then the bytes to decode;
// packets are taken one after the other, up to max_packets_per_input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_common.hpp"
#include "gauntlet/codec/decoder.hpp"
#include "gauntlet/codec/encoder.hpp"
#include "gauntlet/codec/properties.hpp"

namespace {

using namespace gauntlet::codec;  // NOLINT

// Builds the same property block again with PropertyBuilder, property by property.
void check_rebuild(const Properties& block) {
  PropertyBuilder builder;
  for (const Property& p : block) {
    switch (p.type()) {
      case PropertyType::utf8_string:
        builder.add(p.id, p.text);
        break;
      case PropertyType::binary_data:
        builder.add_binary(p.id, p.binary);
        break;
      case PropertyType::utf8_string_pair:
        builder.add_user_property(p.text, p.value);
        break;
      default:
        builder.add(p.id, p.number);
        break;
    }
  }
  GAUNTLET_CHECK(builder.view() == block);
}

void check_rebuild_all(const Packet& packet) {
  std::visit(
      [](const auto& p) {
        if constexpr (requires { p.properties; }) check_rebuild(p.properties);
        if constexpr (requires { p.will; }) {
          if (p.will) check_rebuild(p.will->properties);
        }
      },
      packet);
}

bool has_rule(const std::vector<Error>& errors, Rule rule) {
  return std::any_of(errors.begin(), errors.end(),
                     [rule](const Error& e) { return e.rule == rule; });
}

// Round-trips the packet at the start of `input`. Returns its size, or 0 when none decoded.
std::size_t round_trip(ByteView input, const DecodeOptions& base) {
  DecodeOptions lenient = base;
  lenient.strict = false;
  std::vector<Error> first_violations;
  lenient.violations = &first_violations;
  const DecodeResult first = decode(input, lenient);
  if (!first.ok()) return 0;
  const Packet& packet = first.packet();

  // The encoder refuses only what cannot be on the wire; a decoded packet always can be.
  std::vector<std::uint8_t> encoded;
  const auto error = encode(packet, base.version, encoded);
  GAUNTLET_CHECK(!error.has_value());
  const auto size = encoded_size(packet, base.version);
  GAUNTLET_CHECK(size.has_value() && *size == encoded.size());
  // The correct encoding is never longer than what was decoded (only padding is dropped: an
  // over-long Remaining Length, bytes after the last field) — except for a CONNECT without a
  // protocol name, which the encoder writes with the standard one.
  if (!std::holds_alternative<Connect>(packet)) GAUNTLET_CHECK(encoded.size() <= first.consumed());

  std::vector<Error> second_violations;
  lenient.violations = &second_violations;
  const DecodeResult second = decode(ByteView(encoded), lenient);
  GAUNTLET_CHECK(second.ok());
  GAUNTLET_CHECK(second.consumed() == encoded.size());
  GAUNTLET_CHECK(second.packet() == packet);

  // Encoding is a normal form: the packet decoded from it encodes to the same bytes.
  std::vector<std::uint8_t> again;
  GAUNTLET_CHECK(!encode(second.packet(), base.version, again).has_value());
  GAUNTLET_CHECK(again == encoded);

  // Re-encoding removes violations of the form (flags, lengths, padding) and never adds one.
  for (const Error& e : second_violations)
    GAUNTLET_CHECK(has_rule(first_violations, e.rule));
  // A packet that is valid in strict mode stays valid.
  if (first_violations.empty()) {
    DecodeOptions strict = base;
    strict.strict = true;
    strict.violations = nullptr;
    GAUNTLET_CHECK(decode(ByteView(encoded), strict).ok());
    // A valid property block is in its normal form: PropertyBuilder writes the same bytes.
    check_rebuild_all(packet);
  }
  return first.consumed();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto selector = gauntlet::fuzz::parse_selector(data[0]);
  selector.small_limit = false;
  const DecodeOptions options = gauntlet::fuzz::options_for(selector);
  ByteView rest(data + 1, size - 1);
  for (int i = 0; i < gauntlet::fuzz::max_packets_per_input && !rest.empty(); ++i) {
    const std::size_t consumed = round_trip(rest, options);
    if (consumed == 0) break;
    rest = rest.subspan(consumed);
  }
  return 0;
}
