// Decodes a file holding a stream of MQTT packets with gauntlet::codec::decode(), advancing by
// `consumed`, `--iterations` times after `--warmup` passes, and prints one JSON line: the best and
// the median pass as packets/s and ns/packet. Used by bench/mqtt-packet/compare.sh to measure
// Gauntlet on exactly the bytes given to mqtt-packet.
//
//   gauntlet_stream_decode_bench FILE [--iterations N] [--warmup N] [--lenient] [--version 3.1.1|5]

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gauntlet/codec/decoder.hpp"
#include "gauntlet/codec/types.hpp"

namespace {

using gauntlet::codec::ByteView;
using gauntlet::codec::DecodeOptions;

struct Pass {
  std::size_t packets = 0;
  std::uint64_t id_sum = 0;  // sum of packet ids: a cross-check, and keeps the decode observable
  bool ok = true;
  std::string error;
};

Pass decode_all(ByteView stream, const DecodeOptions& options) {
  Pass pass;
  std::size_t offset = 0;
  while (offset < stream.size()) {
    auto result = gauntlet::codec::decode(stream.subspan(offset), options);
    if (!result.ok()) {
      pass.ok = false;
      pass.error = result.failed() ? result.error().to_string() : "truncated stream";
      pass.error += " (stream offset " + std::to_string(offset) + ")";
      return pass;
    }
    if (const auto* publish = std::get_if<gauntlet::codec::Publish>(&result.packet())) {
      pass.id_sum += publish->packet_id;
    }
    offset += result.consumed();
    ++pass.packets;
  }
  return pass;
}

bool parse_count(std::string_view text, int& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out > 0;
}

int usage() {
  std::fputs(
      "usage: gauntlet_stream_decode_bench FILE [--iterations N] [--warmup N] [--lenient] "
      "[--version 3.1.1|5]\n",
      stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  int iterations = 20;
  int warmup = 3;
  DecodeOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--iterations" && has_value) {
      if (!parse_count(argv[++i], iterations)) return usage();
    } else if (arg == "--warmup" && has_value) {
      if (!parse_count(argv[++i], warmup)) return usage();
    } else if (arg == "--lenient") {
      options.strict = false;
    } else if (arg == "--version" && has_value) {
      const auto version = gauntlet::codec::parse_protocol_version(argv[++i]);
      if (!version) return usage();
      options.version = *version;
    } else if (!arg.starts_with("--") && path.empty()) {
      path = arg;
    } else {
      return usage();
    }
  }
  if (path.empty()) return usage();

  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    return 1;
  }
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                                        std::istreambuf_iterator<char>());
  const ByteView stream(bytes);

  const Pass first = decode_all(stream, options);
  if (!first.ok || first.packets == 0) {
    std::fprintf(stderr, "decode failed: %s\n", first.error.c_str());
    return 1;
  }
  for (int i = 1; i < warmup; ++i)
    decode_all(stream, options);

  std::vector<double> seconds;
  seconds.reserve(static_cast<std::size_t>(iterations));
  for (int i = 0; i < iterations; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const Pass pass = decode_all(stream, options);
    const auto stop = std::chrono::steady_clock::now();
    if (!pass.ok || pass.packets != first.packets || pass.id_sum != first.id_sum) {
      std::fputs("passes disagree\n", stderr);
      return 1;
    }
    seconds.push_back(std::chrono::duration<double>(stop - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  const double best = seconds.front();
  const double median = seconds[seconds.size() / 2];
  const auto packets = static_cast<double>(first.packets);

  std::printf(
      "{\"tool\":\"gauntlet\",\"mode\":\"%s\",\"version\":\"%s\",\"bytes\":%zu,\"packets\":%zu,"
      "\"packet_id_sum\":%llu,\"iterations\":%d,\"best_packets_per_s\":%.0f,"
      "\"best_ns_per_packet\":%.2f,\"median_packets_per_s\":%.0f,\"median_ns_per_packet\":%.2f,"
      "\"best_mb_per_s\":%.1f}\n",
      options.strict ? "strict" : "lenient",
      std::string(gauntlet::codec::to_string(options.version)).c_str(), bytes.size(), first.packets,
      static_cast<unsigned long long>(first.id_sum), iterations, packets / best,
      best * 1e9 / packets, packets / median, median * 1e9 / packets,
      static_cast<double>(bytes.size()) / best / 1e6);
  return 0;
}
