#include "gauntlet/codec/encoder.hpp"

#include "gauntlet/codec/decoder.hpp"
#include "writer.hpp"

namespace gauntlet::codec {
namespace {

constexpr std::size_t max_string = 0xFFFF;

std::uint8_t variable_int_size(std::uint64_t value) noexcept {
  std::uint8_t size = 1;
  while (value >= 128U) {
    value >>= 7U;
    ++size;
  }
  return size;
}

// Counts the bytes a body would take; the same BodyWriter code then writes them.
class CountingSink {
 public:
  void u8(std::uint8_t /*unused*/) noexcept { ++size_; }
  void u16(std::uint16_t /*unused*/) noexcept { size_ += 2; }
  void raw(ByteView bytes) noexcept { size_ += bytes.size(); }
  void variable_int(std::uint32_t value) noexcept { size_ += variable_int_size(value); }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  std::size_t size_ = 0;
};

class VectorSink {
 public:
  explicit VectorSink(std::vector<std::uint8_t>& out) noexcept : writer_(out), out_(out) {}
  void u8(std::uint8_t value) { writer_.u8(value); }
  void u16(std::uint16_t value) { writer_.u16(value); }
  void raw(ByteView bytes) { writer_.raw(bytes); }
  void variable_int(std::uint32_t value) { write_variable_int(value, out_, 0); }

 private:
  detail::Writer writer_;
  std::vector<std::uint8_t>& out_;
};

template <typename Sink>
class BodyWriter {
 public:
  BodyWriter(Sink& sink, ProtocolVersion version, const Malformation* malformation) noexcept
      : sink_(sink), version_(version), malformation_(malformation) {}

  [[nodiscard]] const std::optional<EncodeError>& error() const noexcept { return error_; }

  void operator()(const Connect& c) {
    const std::string_view name = c.protocol_name.value_or(standard_protocol_name(c.version));
    prefixed(name, "connect.protocol_name");
    sink_.u8(override(&Malformation::protocol_level, static_cast<std::uint8_t>(c.version)));
    std::uint8_t flags = c.clean_start ? 0x02 : 0x00;
    if (c.will) {
      flags = static_cast<std::uint8_t>(flags | 0x04U | (static_cast<unsigned>(c.will->qos) << 3U) |
                                        (c.will->retain ? 0x20U : 0U));
    }
    if (c.password) flags |= 0x40U;
    if (c.username) flags |= 0x80U;
    sink_.u8(override(&Malformation::flags_byte, flags));
    sink_.u16(c.keep_alive);
    properties(c.properties, true);
    prefixed(c.client_id, "connect.client_id");
    if (c.will) {
      properties(c.will->properties, false);
      prefixed(c.will->topic, "connect.will.topic");
      prefixed(c.will->payload.as_chars(), "connect.will.payload");
    }
    if (c.username) prefixed(*c.username, "connect.username");
    if (c.password) prefixed(c.password->as_chars(), "connect.password");
  }

  void operator()(const Connack& c) {
    const bool session_present = c.session_present && version_ != ProtocolVersion::v3_1;
    sink_.u8(override(&Malformation::flags_byte, static_cast<std::uint8_t>(session_present)));
    sink_.u8(to_byte(c.reason_code));
    properties(c.properties, true);
  }

  void operator()(const Publish& p) {
    prefixed(p.topic, "publish.topic");
    if (p.qos != QoS::at_most_once) sink_.u16(p.packet_id);
    properties(p.properties, true);
    sink_.raw(p.payload);
  }

  template <PacketType Type>
  void operator()(const PublishResponse<Type>& r) {
    sink_.u16(r.packet_id);
    reason_and_properties(r.reason_code, r.properties);
  }

  void operator()(const Subscribe& s) {
    sink_.u16(s.packet_id);
    properties(s.properties, true);
    const std::uint8_t extra = malformation_ != nullptr
                                   ? malformation_->subscription_options_bits.value_or(0)
                                   : std::uint8_t{0};
    for (const Subscription& sub : s.subscriptions) {
      prefixed(sub.filter, "subscribe.filter");
      unsigned options = static_cast<unsigned>(sub.options.qos) & 0x03U;
      if (version_ == ProtocolVersion::v5) {
        options |= (sub.options.no_local ? 0x04U : 0U) |
                   (sub.options.retain_as_published ? 0x08U : 0U) |
                   ((sub.options.retain_handling & 0x03U) << 4U);
      }
      sink_.u8(static_cast<std::uint8_t>(options | extra));
    }
  }

  void operator()(const Suback& s) {
    sink_.u16(s.packet_id);
    properties(s.properties, true);
    for (ReasonCode code : s.reason_codes)
      sink_.u8(to_byte(code));
  }

  void operator()(const Unsubscribe& u) {
    sink_.u16(u.packet_id);
    properties(u.properties, true);
    for (std::string_view filter : u.filters)
      prefixed(filter, "unsubscribe.filter");
  }

  void operator()(const Unsuback& u) {
    sink_.u16(u.packet_id);
    if (version_ != ProtocolVersion::v5) return;
    properties(u.properties, true);
    for (ReasonCode code : u.reason_codes)
      sink_.u8(to_byte(code));
  }

  void operator()(const Pingreq& /*unused*/) {}
  void operator()(const Pingresp& /*unused*/) {}

  void operator()(const Disconnect& d) { reason_and_properties(d.reason_code, d.properties); }

  void operator()(const Auth& a) {
    if (version_ != ProtocolVersion::v5) {
      fail("fixed_header.type", "AUTH exists only in MQTT 5.0");
      return;
    }
    reason_and_properties(a.reason_code, a.properties, /*properties_optional=*/false);
  }

 private:
  std::uint8_t override(std::optional<std::uint8_t> Malformation::*member,
                        std::uint8_t value) const noexcept {
    return malformation_ != nullptr ? (malformation_->*member).value_or(value) : value;
  }

  void fail(std::string_view field, std::string_view reason) {
    if (!error_) error_ = EncodeError{field, reason};
  }

  void prefixed(std::string_view text, std::string_view field) {
    if (text.size() > max_string) {
      fail(field, "longer than 65,535 bytes");
      return;
    }
    auto length = static_cast<std::uint16_t>(text.size());
    if (malformation_ != nullptr) {
      for (const Malformation::StringLength& o : malformation_->string_lengths) {
        if (o.field == field) length = o.length;
      }
    }
    sink_.u16(length);
    sink_.raw(ByteView::of(text));
  }

  // A property block, only at 5.0. `own` marks the packet's own block (not the will's), the one
  // Malformation::property_length overrides.
  void properties(const Properties& props, bool own) {
    if (version_ != ProtocolVersion::v5) return;
    const std::size_t size = props.encoded().size();
    if (size > max_remaining_length) {
      fail("properties", "property block larger than 268,435,455 bytes");
      return;
    }
    std::uint32_t length = static_cast<std::uint32_t>(size);
    if (own && malformation_ != nullptr && malformation_->property_length) {
      length = *malformation_->property_length;
    }
    sink_.variable_int(length);
    sink_.raw(props.encoded());
  }

  // The 5.0 tail shared by PUBACK..PUBCOMP, DISCONNECT and AUTH: the reason code and the
  // properties may be left out, in that order, when they are 0 and empty.
  // AUTH may drop the Property Length only together with the reason code (§3.15.2.1).
  void reason_and_properties(ReasonCode code, const Properties& props,
                             bool properties_optional = true) {
    if (version_ != ProtocolVersion::v5) return;
    const bool forced = malformation_ != nullptr && malformation_->property_length.has_value();
    if (code == ReasonCode::success && props.empty() && !forced) return;
    sink_.u8(to_byte(code));
    if (props.empty() && !forced && properties_optional) return;
    properties(props, true);
  }

  Sink& sink_;
  ProtocolVersion version_;
  const Malformation* malformation_;
  std::optional<EncodeError> error_;
};

std::uint8_t first_byte(const Packet& packet) noexcept {
  const auto type = static_cast<std::uint8_t>(packet_type(packet));
  std::uint8_t flags = 0;
  if (const auto* p = std::get_if<Publish>(&packet)) {
    flags = static_cast<std::uint8_t>((p->dup ? 0x08U : 0U) |
                                      ((static_cast<unsigned>(p->qos) & 0x03U) << 1U) |
                                      (p->retain ? 0x01U : 0U));
  } else if (std::holds_alternative<Pubrel>(packet) || std::holds_alternative<Subscribe>(packet) ||
             std::holds_alternative<Unsubscribe>(packet)) {
    flags = 0x02;
  }
  return static_cast<std::uint8_t>((type << 4U) | flags);
}

ProtocolVersion layout_version(const Packet& packet, ProtocolVersion version) noexcept {
  if (const auto* c = std::get_if<Connect>(&packet)) return c->version;
  return version;
}

}  // namespace

bool Malformation::empty() const noexcept {
  return !remaining_length && !remaining_length_width && !fixed_header_flags && !packet_type &&
         !protocol_level && !flags_byte && !subscription_options_bits && !property_length &&
         string_lengths.empty() && trailing.empty() && !truncate_to;
}

std::size_t write_variable_int(std::uint32_t value, std::vector<std::uint8_t>& out,
                               std::uint8_t width) {
  const std::uint8_t size =
      std::max<std::uint8_t>(variable_int_size(value), std::min<std::uint8_t>(width, 5));
  std::uint64_t rest = value;
  for (std::uint8_t i = 0; i < size; ++i) {
    auto byte = static_cast<std::uint8_t>(rest & 0x7FU);
    rest >>= 7U;
    if (i + 1 < size) byte |= 0x80U;
    out.push_back(byte);
  }
  return size;
}

std::optional<EncodeError> encode(const Packet& packet, ProtocolVersion version,
                                  std::vector<std::uint8_t>& out,
                                  const Malformation* malformation) {
  if (malformation != nullptr && malformation->empty()) malformation = nullptr;
  version = layout_version(packet, version);

  CountingSink counter;
  BodyWriter<CountingSink> count(counter, version, malformation);
  std::visit(count, packet);
  if (count.error()) return count.error();
  std::size_t remaining = counter.size();
  if (malformation != nullptr) remaining += malformation->trailing.size();
  if (remaining > max_remaining_length &&
      (malformation == nullptr || !malformation->remaining_length)) {
    return EncodeError{"remaining_length", "packet larger than 268,435,455 bytes"};
  }

  const std::size_t start = out.size();
  std::uint8_t first = first_byte(packet);
  std::uint32_t length = static_cast<std::uint32_t>(remaining);
  std::uint8_t width = 0;
  if (malformation != nullptr) {
    if (malformation->packet_type)
      first = static_cast<std::uint8_t>((first & 0x0FU) |
                                        (static_cast<unsigned>(*malformation->packet_type) << 4U));
    if (malformation->fixed_header_flags)
      first =
          static_cast<std::uint8_t>((first & 0xF0U) | (*malformation->fixed_header_flags & 0x0FU));
    length = malformation->remaining_length.value_or(length);
    width = malformation->remaining_length_width.value_or(0);
  }
  out.reserve(start + 5 + remaining);
  out.push_back(first);
  write_variable_int(length, out, width);
  VectorSink sink(out);
  BodyWriter<VectorSink> write(sink, version, malformation);
  std::visit(write, packet);
  if (malformation != nullptr) {
    out.insert(out.end(), malformation->trailing.begin(), malformation->trailing.end());
    if (malformation->truncate_to && *malformation->truncate_to < out.size() - start) {
      out.resize(start + *malformation->truncate_to);
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> encoded_size(const Packet& packet, ProtocolVersion version) {
  version = layout_version(packet, version);
  CountingSink counter;
  BodyWriter<CountingSink> count(counter, version, nullptr);
  std::visit(count, packet);
  if (count.error() || counter.size() > max_remaining_length) return std::nullopt;
  return 1 + variable_int_size(counter.size()) + counter.size();
}

}  // namespace gauntlet::codec
