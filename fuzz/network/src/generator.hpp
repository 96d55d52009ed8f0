// Random valid packets (internal): the mutator's generate() and the pieces a mutation needs (a
// topic, a will, one valid property), all drawn from one Rng and kept in one Arena.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gauntlet/codec/packet.hpp"
#include "gauntlet/codec/properties.hpp"
#include "gauntlet/netfuzz/mutator.hpp"
#include "gauntlet/netfuzz/rng.hpp"

namespace gauntlet::netfuzz::detail {

class Generator {
 public:
  Generator(Rng& rng, Arena& arena, codec::ProtocolVersion version) noexcept
      : rng_(rng), arena_(arena), version_(version) {}

  /// A packet of `type` that the strict decoder accepts at the generator's version.
  codec::Packet packet(codec::PacketType type);

  std::string_view topic_name();
  std::string_view topic_filter(bool allow_shared);
  /// Up to `usual` code points (sometimes a few hundred), never U+0000 or a surrogate.
  std::string_view utf8(std::size_t usual = 12);
  codec::ByteView binary(std::size_t usual = 24);
  codec::Will will();
  /// A random block valid in `context` (empty below 5.0, and in some packets).
  codec::Properties properties(codec::PropertyContext context, bool* has_topic_alias = nullptr);
  /// Appends one property with a random value valid for its definition.
  void add_property(codec::PropertyBuilder& builder, const codec::PropertyInfo& info);
  codec::ReasonCode allowed_reason_code(codec::PacketType type);

  static void append_utf8(std::string& out, std::uint32_t code_point);
  std::string utf8_text(std::size_t code_points, bool topic_level = false);

 private:
  [[nodiscard]] bool v5() const noexcept { return version_ == codec::ProtocolVersion::v5; }
  std::uint32_t uniform(std::uint64_t low, std::uint64_t high) {
    return static_cast<std::uint32_t>(rng_.range(low, high));
  }
  std::size_t length(std::size_t usual);
  std::uint32_t code_point(bool topic_level);
  std::uint16_t packet_id() { return static_cast<std::uint16_t>(uniform(1, 0xFFFF)); }
  codec::QoS qos() { return static_cast<codec::QoS>(uniform(0, 2)); }

  codec::Connect connect();
  codec::Connack connack();
  codec::Publish publish();
  template <typename Response>
  Response response();
  codec::Subscribe subscribe();
  codec::Suback suback();
  codec::Unsubscribe unsubscribe();
  codec::Unsuback unsuback();
  codec::Disconnect disconnect();
  codec::Auth auth();

  Rng& rng_;
  Arena& arena_;
  codec::ProtocolVersion version_;
};

}  // namespace gauntlet::netfuzz::detail
