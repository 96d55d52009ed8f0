// The Gauntlet side of the differential test against mqtt-packet (see README.md beside this file).
//
//   gauntlet_differential_gen generate SEED COUNT
//     For every protocol level and every packet type that exists at it, COUNT random valid packets
//     (test::PacketGenerator, seeded), one JSON line each:
//       {"protocol": "5", "hex": "...", "packet": <to_json, reveal_secrets>}
//     then a few hand-made edge cases. Every packet is checked to decode back, strictly, to the
//     same JSON; where it does not, the line carries "self_check": the reason.
//
//   gauntlet_differential_gen decode FILE
//     FILE holds one packet a line: "LEVEL SENDER HEX" (LEVEL 3|4|5, SENDER client|server|unknown).
//     Each is decoded alone, in strict mode, and answered with one JSON line in the same order:
//       {"size": N, "packet": <to_json, reveal_secrets>}   (N: bytes the packet took on the wire)
//       {"error": <the violation>}                          (or {"error": {"rule": "truncated"}})
//     Trailing bytes after the packet are reported as {"size": N, ..., "trailing": K}.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "gauntlet/codec/codec.hpp"
#include "gauntlet/codec/json.hpp"
#include "packet_generator.hpp"

namespace gauntlet::codec {
namespace {

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

int usage() {
  std::cerr << "usage: gauntlet_differential_gen generate SEED COUNT\n"
               "       gauntlet_differential_gen decode FILE\n";
  return exit_usage;
}

// Encodes `packet`, checks that Gauntlet reads it back strictly to the same JSON, and prints its
// line. False (with the reason on stderr) when either step fails.
bool emit(const Packet& packet, ProtocolVersion version) {
  const JsonOptions secrets{.reveal_secrets = true};
  std::vector<std::uint8_t> bytes;
  if (const auto error = encode(packet, version, bytes)) {
    std::cerr << "encode failed: " << to_string(packet_type(packet)) << ' ' << to_string(version)
              << ": " << error->field << ": " << error->reason << '\n';
    return false;
  }
  Json json = to_json(packet, version, secrets);
  Json line{{"protocol", to_string(version)}, {"hex", to_hex(ByteView(bytes))}};
  // The packet must be what Gauntlet itself reads back, strictly, or the comparison on the other
  // side would judge the generator rather than the codec. When it is not, the line says why and
  // the other side reports it as a failure.
  DecodeOptions options;
  options.version = version;
  const DecodeResult decoded = decode(ByteView(bytes), options);
  if (decoded.failed()) {
    line["self_check"] = decoded.error().to_string();
  } else if (!decoded.ok() || decoded.consumed() != bytes.size()) {
    line["self_check"] = "does not decode to one whole packet";
  } else if (to_json(decoded.packet(), version, secrets) != json) {
    line["self_check"] = "decodes to " + to_json(decoded.packet(), version, secrets).dump();
  }
  line["packet"] = std::move(json);
  std::cout << line.dump() << '\n';
  return true;
}

// Hand-made valid packets for shapes that random ones seldom take.
bool emit_edge_cases() {
  constexpr auto v5 = ProtocolVersion::v5;
  bool ok = true;

  // A user property name repeated after an empty value (§3.1.2.11.8 allows repeated names).
  PropertyBuilder empty_then_repeated;
  empty_then_repeated.add_user_property("k", "").add_user_property("k", "x");
  Puback puback;
  puback.packet_id = 1;
  puback.reason_code = ReasonCode::no_matching_subscribers;
  puback.properties = empty_then_repeated.view();
  ok = emit(puback, v5) && ok;

  // Names interleaved, integer-like ones among them (a JavaScript object lists those first).
  PropertyBuilder interleaved;
  interleaved.add_user_property("b", "1")
      .add_user_property("2", "x")
      .add_user_property("b", "2")
      .add_user_property("1", "y")
      .add(PropertyId::subscription_identifier, 7)
      .add(PropertyId::subscription_identifier, 268'435'455);
  Publish publish;
  publish.topic = "t";
  publish.properties = interleaved.view();
  publish.payload = ByteView::of("p");
  ok = emit(publish, v5) && ok;

  // Reason Code and Property Length left out (Remaining Length 0 or 2), or only the latter.
  ok = emit(Disconnect{}, v5) && ok;
  Puback bare;
  bare.packet_id = 0xFFFF;
  ok = emit(bare, v5) && ok;
  Pubrel pubrel;
  pubrel.packet_id = 1;
  pubrel.reason_code = ReasonCode::packet_identifier_not_found;
  ok = emit(pubrel, v5) && ok;
  Disconnect disconnect;
  disconnect.reason_code = ReasonCode::wildcard_subscriptions_not_supported;
  ok = emit(disconnect, v5) && ok;

  // 5.0 allows a Password without a User Name (§3.1.2.9).
  Connect connect;
  connect.version = v5;
  connect.protocol_name = "MQTT";
  connect.client_id = "c";
  connect.password = ByteView::of("secret");
  ok = emit(connect, v5) && ok;
  return ok;
}

int generate(std::uint32_t seed, int count) {
  for (const ProtocolVersion version :
       {ProtocolVersion::v3_1, ProtocolVersion::v3_1_1, ProtocolVersion::v5}) {
    for (unsigned t = 1; t <= 15; ++t) {
      const auto type = static_cast<PacketType>(t);
      if (!test::PacketGenerator::exists(type, version)) continue;
      // One generator per combination, so that adding a level or a type leaves the others alone.
      test::PacketGenerator gen(seed ^ (t << 8U) ^ static_cast<std::uint32_t>(version));
      for (int i = 0; i < count; ++i) {
        if (!emit(gen.make(type, version), version)) return exit_failed;
      }
    }
  }
  if (!emit_edge_cases()) return exit_failed;
  std::cout.flush();
  return std::cout ? exit_ok : exit_failed;
}

Json decode_line(std::string_view level, std::string_view sender, std::string_view hex) {
  DecodeOptions options;
  options.strict = true;
  const auto version = parse_protocol_version(level);
  if (!version) return Json{{"error", {{"rule", "bad_input"}, {"field", "level"}}}};
  options.version = *version;
  options.sender = sender == "client"   ? Sender::client
                   : sender == "server" ? Sender::server
                                        : Sender::unknown;
  HexError hex_error{};
  const auto bytes = from_hex(hex, &hex_error);
  if (!bytes) return Json{{"error", {{"rule", "bad_input"}, {"field", "hex"}}}};
  const DecodeResult decoded = decode(ByteView(*bytes), options);
  if (decoded.need_more()) return Json{{"error", {{"rule", "truncated"}, {"field", "stream"}}}};
  if (decoded.failed()) return Json{{"error", to_json(decoded.error())}};
  Json out{{"size", decoded.consumed()},
           {"packet", to_json(decoded.packet(), *version, JsonOptions{.reveal_secrets = true})}};
  if (decoded.consumed() != bytes->size()) out["trailing"] = bytes->size() - decoded.consumed();
  return out;
}

int decode_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "gauntlet_differential_gen: " << path << ": cannot open the file\n";
    return exit_usage;
  }
  std::string line;
  std::string out;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string level;
    std::string sender;
    std::string hex;
    fields >> level >> sender >> hex;
    out += decode_line(level, sender, hex).dump();
    out += '\n';
  }
  std::cout << out;
  std::cout.flush();
  return std::cout ? exit_ok : exit_failed;
}

int run(const std::vector<std::string_view>& args) {
  if (args.size() == 3 && args[0] == "generate") {
    std::uint32_t seed = 0;
    int count = 0;
    try {
      seed = static_cast<std::uint32_t>(std::stoul(std::string(args[1]), nullptr, 0));
      count = std::stoi(std::string(args[2]));
    } catch (const std::exception&) {
      return usage();
    }
    if (count < 0) return usage();
    return generate(seed, count);
  }
  if (args.size() == 2 && args[0] == "decode") return decode_file(std::string(args[1]));
  return usage();
}

}  // namespace
}  // namespace gauntlet::codec

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  return gauntlet::codec::run(args);
}
