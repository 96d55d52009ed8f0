// fuzz_decode: decode() at every protocol level, strict and lenient, for each sender, and check
// the invariants that hold for any input. Input: one selector byte (see fuzz_common.hpp), then
// the bytes to decode; packets are taken one after the other, up to max_packets_per_input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz_common.hpp"
#include "gauntlet/codec/decoder.hpp"
#include "gauntlet/codec/error.hpp"
#include "gauntlet/codec/properties.hpp"
#include "gauntlet/codec/reason_codes.hpp"
#include "gauntlet/codec/topic.hpp"

namespace {

using namespace gauntlet::codec;  // NOLINT
using gauntlet::fuzz::Selector;

// Invariants of any error: it names a rule, a section of the spec and a field, and points inside
// what it was given.
void check_error(const Error& error, std::size_t limit) {
  GAUNTLET_CHECK(!rule_name(error.rule).empty());
  GAUNTLET_CHECK(!rule_description(error.rule).empty());
  GAUNTLET_CHECK(!error.section.empty());
  GAUNTLET_CHECK(!error.field.empty());
  GAUNTLET_CHECK(error.offset <= limit);
}

// Iterating a property block the decoder accepted visits properties in wire order, each with its
// table entry, and find()/count() agree with the iteration.
void check_properties(const Properties& block) {
  std::size_t previous = 0;
  bool first = true;
  for (const Property& p : block) {
    GAUNTLET_CHECK(first ? p.offset == 0 : p.offset > previous);
    GAUNTLET_CHECK(p.offset < block.encoded().size());
    const PropertyInfo* info = property_info(p.id);
    GAUNTLET_CHECK(info != nullptr && info->type == p.type() && !info->name.empty());
    const auto found = block.find(p.id);
    GAUNTLET_CHECK(found.has_value() && found->offset <= p.offset);
    GAUNTLET_CHECK(block.count(p.id) >= 1);
    previous = p.offset;
    first = false;
  }
  GAUNTLET_CHECK(first == block.empty());
}

// A code has a name exactly when the packet may carry it.
void check_reason_code(PacketType type, ProtocolVersion version, ReasonCode code) {
  const std::string_view name = reason_code_name(type, version, code);
  GAUNTLET_CHECK(!name.empty());
  GAUNTLET_CHECK((name != "unknown") == reason_code_allowed(type, version, code));
}

// A topic name that matches `filter`: every wildcard level replaced by "x".
std::string name_matching(std::string_view filter) {
  std::string name(filter);
  for (char& c : name) {
    if (c == '+' || c == '#') c = 'x';
  }
  return name;
}

// Matching, on topics and filters the decoder found valid.
void check_matches_name(std::string_view name, ProtocolVersion version) {
  // Read as a filter, a name that starts with "$share/" is a shared subscription at 5.0 only.
  GAUNTLET_CHECK(topic_matches(name, name, version) ||
                 (version == ProtocolVersion::v5 && name.starts_with("$share/")));
  GAUNTLET_CHECK(topic_matches("#", name) == (name.front() != '$'));
  GAUNTLET_CHECK(topic_matches("+", name) ==
                 (name.front() != '$' && name.find('/') == std::string_view::npos));
}

void check_matches_filter(std::string_view filter, ProtocolVersion version) {
  if (filter.starts_with("$share/") && version == ProtocolVersion::v5) {
    const auto shared = parse_shared_subscription(filter);
    GAUNTLET_CHECK(shared.has_value());
    GAUNTLET_CHECK(!shared->share_name.empty() && !shared->filter.empty());
    GAUNTLET_CHECK(topic_matches(filter, name_matching(shared->filter)));
    return;
  }
  GAUNTLET_CHECK(topic_matches(filter, name_matching(filter), version));
  if (filter.size() > 2 && filter.ends_with("/#")) {
    // "#" also matches the parent level.
    GAUNTLET_CHECK(
        topic_matches(filter, name_matching(filter.substr(0, filter.size() - 2)), version));
  }
}

// Exercises the packet-level API on a decoded packet. `valid`: no rule was broken at all.
void explore(const Packet& packet, ProtocolVersion version, bool valid) {
  const PacketType type = packet_type(packet);
  if (const auto* c = std::get_if<Connect>(&packet)) {
    version = c->version;
    check_properties(c->properties);
    if (c->will) check_properties(c->will->properties);
  } else if (const auto* ack = std::get_if<Connack>(&packet)) {
    check_properties(ack->properties);
    check_reason_code(type, version, ack->reason_code);
  } else if (const auto* p = std::get_if<Publish>(&packet)) {
    check_properties(p->properties);
    if (valid && !p->topic.empty()) check_matches_name(p->topic, version);
  } else if (const auto* s = std::get_if<Subscribe>(&packet)) {
    check_properties(s->properties);
    for (const Subscription& sub : s->subscriptions) {
      if (valid) check_matches_filter(sub.filter, version);
    }
  } else if (const auto* sa = std::get_if<Suback>(&packet)) {
    check_properties(sa->properties);
    for (ReasonCode code : sa->reason_codes)
      check_reason_code(type, version, code);
  } else if (const auto* u = std::get_if<Unsubscribe>(&packet)) {
    check_properties(u->properties);
    for (std::string_view filter : u->filters) {
      if (valid) check_matches_filter(filter, version);
    }
  } else if (const auto* ua = std::get_if<Unsuback>(&packet)) {
    check_properties(ua->properties);
    for (ReasonCode code : ua->reason_codes)
      check_reason_code(type, version, code);
  } else if (const auto* d = std::get_if<Disconnect>(&packet)) {
    check_properties(d->properties);
    if (version == ProtocolVersion::v5) check_reason_code(type, version, d->reason_code);
  } else if (const auto* a = std::get_if<Auth>(&packet)) {
    check_properties(a->properties);
    check_reason_code(type, version, a->reason_code);
  } else {
    std::visit(
        [&](const auto& r) {
          if constexpr (requires { r.reason_code; }) {
            check_properties(r.properties);
            if (version == ProtocolVersion::v5) check_reason_code(type, version, r.reason_code);
          }
        },
        packet);
  }
}

// Decodes the packet at the start of `input` in both modes and checks them against each other.
// Returns the size of the packet when one decoded (in lenient mode), 0 otherwise.
std::size_t check_one(ByteView input, const DecodeOptions& base, bool pass_violations) {
  DecodeOptions strict = base;
  strict.strict = true;
  strict.violations = nullptr;
  DecodeOptions lenient = base;
  lenient.strict = false;
  std::vector<Error> violations;
  lenient.violations = pass_violations ? &violations : nullptr;

  const auto head = read_fixed_header(input, base);
  const DecodeResult s = decode(input, strict);
  const DecodeResult l = decode(input, lenient);

  if (const auto* need = std::get_if<NeedMore>(&head)) {
    // The fixed header is incomplete: nothing can be said yet, in either mode.
    GAUNTLET_CHECK(need->bytes >= 1);
    GAUNTLET_CHECK(s.need_more() && l.need_more());
    return 0;
  }
  if (const auto* error = std::get_if<Error>(&head)) {
    // A bad fixed header stops both modes with the same error.
    GAUNTLET_CHECK(rule_is_structural(error->rule));
    GAUNTLET_CHECK(s.failed() && l.failed());
    GAUNTLET_CHECK(s.error() == *error && l.error() == *error);
    check_error(*error, input.size());
    return 0;
  }
  const FixedHeader& header = std::get<FixedHeader>(head);
  GAUNTLET_CHECK(header.header_size >= 2 && header.header_size <= 5);
  GAUNTLET_CHECK(header.packet_size() <= base.max_packet_size);
  const std::size_t packet_size = header.packet_size();
  if (input.size() < packet_size) {
    // The body has not fully arrived: need-more, with exactly the missing count.
    GAUNTLET_CHECK(s.need_more() && l.need_more());
    GAUNTLET_CHECK(s.bytes_needed() == packet_size - input.size());
    GAUNTLET_CHECK(l.bytes_needed() == packet_size - input.size());
    return 0;
  }
  // The whole packet is there: a packet or an error, never need-more.
  GAUNTLET_CHECK(!s.need_more() && !l.need_more());

  if (s.ok()) {
    GAUNTLET_CHECK(s.consumed() <= input.size());
    GAUNTLET_CHECK(s.consumed() == header.header_size + header.remaining_length);
    GAUNTLET_CHECK(packet_type(s.packet()) == header.type());
    // Lenient mode decodes whatever strict mode decodes, to the same packet, without violations.
    GAUNTLET_CHECK(l.ok());
    GAUNTLET_CHECK(l.consumed() == s.consumed());
    GAUNTLET_CHECK(l.packet() == s.packet());
    GAUNTLET_CHECK(violations.empty());
  } else {
    const Error& e = s.error();
    check_error(e, packet_size);
    GAUNTLET_CHECK(!e.to_string().empty());
    if (rule_is_structural(e.rule)) {
      // Structural rules stop both modes at the same place.
      GAUNTLET_CHECK(l.failed());
      GAUNTLET_CHECK(l.error() == e);
    } else if (pass_violations) {
      // Lenient mode records the same violation first, then goes on.
      GAUNTLET_CHECK(!violations.empty());
      GAUNTLET_CHECK(violations.front() == e);
    }
  }
  if (l.ok()) {
    GAUNTLET_CHECK(l.consumed() <= input.size());
    GAUNTLET_CHECK(l.consumed() == header.header_size + header.remaining_length);
    GAUNTLET_CHECK(packet_type(l.packet()) == header.type());
  } else {
    GAUNTLET_CHECK(rule_is_structural(l.error().rule));
    check_error(l.error(), packet_size);
  }
  for (const Error& v : violations) {
    GAUNTLET_CHECK(!rule_is_structural(v.rule));
    check_error(v, packet_size);
  }
  if (!s.ok() && !l.ok()) return 0;
  explore(l.packet(), base.version, s.ok());

  // Any prefix of a packet that decodes is need-more (checked for the longest one).
  const ByteView prefix = input.first(packet_size - 1);
  const DecodeResult p = decode(prefix, strict);
  GAUNTLET_CHECK(p.need_more());
  GAUNTLET_CHECK(p.bytes_needed() >= 1);
  return l.ok() ? l.consumed() : 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Selector selector = gauntlet::fuzz::parse_selector(data[0]);
  const DecodeOptions options = gauntlet::fuzz::options_for(selector);
  ByteView rest(data + 1, size - 1);
  for (int i = 0; i < gauntlet::fuzz::max_packets_per_input && !rest.empty(); ++i) {
    const std::size_t consumed = check_one(rest, options, !selector.strict);
    if (consumed == 0) break;
    rest = rest.subspan(consumed);
  }
  return 0;
}
