// Google Benchmark suite for gauntlet::codec (DESIGN.md §10: a small PUBLISH decodes in <= 30 ns).
// Figures, commands and the machine they were measured on: docs/performance.md.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gauntlet/codec/codec.hpp"

namespace {

using gauntlet::codec::ByteView;
using gauntlet::codec::Connect;
using gauntlet::codec::DecodeOptions;
using gauntlet::codec::Packet;
using gauntlet::codec::PropertyBuilder;
using gauntlet::codec::PropertyId;
using gauntlet::codec::ProtocolVersion;
using gauntlet::codec::Publish;
using gauntlet::codec::QoS;
using gauntlet::codec::Subscribe;
using gauntlet::codec::Subscription;

constexpr std::string_view kTopic = "sensors/room-42/temperature";  // 27 bytes
constexpr std::size_t kSmallPayload = 64;
constexpr std::size_t kLargePayload = std::size_t{64} * 1024;
constexpr std::size_t kStreamPackets = 10'000;

std::vector<std::uint8_t> make_payload(std::size_t size) {
  std::vector<std::uint8_t> payload(size);
  for (std::size_t i = 0; i < size; ++i)
    payload[i] = static_cast<std::uint8_t>('a' + i % 26);
  return payload;
}

// A packet together with the storage its views point into, and its encoding. Only vectors hold
// that storage, so a Sample may be moved (a vector's buffer does not move with it).
struct Sample {
  ProtocolVersion version = ProtocolVersion::v3_1_1;
  std::vector<std::uint8_t> payload;
  std::vector<std::uint8_t> correlation;
  PropertyBuilder properties;
  Packet packet;
  std::vector<std::uint8_t> wire;
};

enum class Kind {
  connect_v311,
  connect_v5,
  publish_small_v311,
  publish_small_v5,
  publish_64k_v311,
  publish_props_v5,
  subscribe10_v311,
  subscribe10_v5,
};

Publish small_publish(const std::vector<std::uint8_t>& payload, std::uint16_t packet_id) {
  Publish p;
  p.qos = QoS::at_least_once;
  p.topic = kTopic;
  p.packet_id = packet_id;
  p.payload = ByteView(payload);
  return p;
}

Sample make_sample(Kind kind) {
  Sample s;
  switch (kind) {
    case Kind::connect_v311:
    case Kind::connect_v5: {
      Connect c;
      c.version = kind == Kind::connect_v5 ? ProtocolVersion::v5 : ProtocolVersion::v3_1_1;
      c.clean_start = true;
      c.keep_alive = 60;
      c.client_id = "gauntlet-bench-client-000042";
      c.username = "bench-user";
      s.payload = make_payload(16);
      c.password = ByteView(s.payload);
      if (kind == Kind::connect_v5) {
        s.properties.add(PropertyId::session_expiry_interval, 3600)
            .add(PropertyId::receive_maximum, 100)
            .add(PropertyId::topic_alias_maximum, 16)
            .add_user_property("client", "gauntlet");
        c.properties = s.properties.view();
      }
      s.version = c.version;
      s.packet = c;
      break;
    }
    case Kind::publish_small_v311:
    case Kind::publish_small_v5:
      s.version = kind == Kind::publish_small_v5 ? ProtocolVersion::v5 : ProtocolVersion::v3_1_1;
      s.payload = make_payload(kSmallPayload);
      s.packet = small_publish(s.payload, 42);
      break;
    case Kind::publish_64k_v311:
      s.payload = make_payload(kLargePayload);
      s.packet = small_publish(s.payload, 42);
      break;
    case Kind::publish_props_v5: {
      s.version = ProtocolVersion::v5;
      s.payload = make_payload(kSmallPayload);
      s.correlation = make_payload(16);
      s.properties.add(PropertyId::message_expiry_interval, 3600)
          .add(PropertyId::content_type, "application/json")
          .add(PropertyId::response_topic, "replies/room-42/temperature")
          .add_binary(PropertyId::correlation_data, ByteView(s.correlation))
          .add_user_property("unit", "celsius")
          .add_user_property("sensor", "bme280")
          .add(PropertyId::topic_alias, 7);
      Publish p = small_publish(s.payload, 42);
      p.properties = s.properties.view();
      s.packet = p;
      break;
    }
    case Kind::subscribe10_v311:
    case Kind::subscribe10_v5: {
      static constexpr std::array<std::string_view, 10> filters = {"sensors/room-42/temperature",
                                                                   "sensors/+/humidity",
                                                                   "sensors/#",
                                                                   "home/kitchen/light/+/state",
                                                                   "alerts/#",
                                                                   "+/status",
                                                                   "devices/abc123/cmd",
                                                                   "fleet/+/+/gps",
                                                                   "$SYS/broker/uptime",
                                                                   "a/b/c/d/e/f/g/h"};
      s.version = kind == Kind::subscribe10_v5 ? ProtocolVersion::v5 : ProtocolVersion::v3_1_1;
      Subscribe sub;
      sub.packet_id = 7;
      std::uint8_t qos = 0;
      for (std::string_view filter : filters) {
        Subscription entry;
        entry.filter = filter;
        entry.options.qos = static_cast<QoS>(qos++ % 3);
        sub.subscriptions.push_back(entry);
      }
      if (kind == Kind::subscribe10_v5) {
        s.properties.add(PropertyId::subscription_identifier, 12);
        sub.properties = s.properties.view();
      }
      s.packet = sub;
      break;
    }
  }
  if (gauntlet::codec::encode(s.packet, s.version, s.wire)) s.wire.clear();
  return s;
}

DecodeOptions options_for(ProtocolVersion version, bool strict) {
  DecodeOptions options;
  options.version = version;
  options.strict = strict;
  return options;
}

// --- single packets ------------------------------------------------------------------------------

void BM_Decode(benchmark::State& state, Kind kind, bool strict) {
  const Sample sample = make_sample(kind);
  const DecodeOptions options = options_for(sample.version, strict);
  const ByteView wire(sample.wire);
  const auto check = gauntlet::codec::decode(wire, options);
  if (!check.ok() || check.consumed() != wire.size()) {
    state.SkipWithError("the sample does not decode");
    return;
  }
  for (auto _ : state) {
    auto result = gauntlet::codec::decode(wire, options);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(wire.size()));
  state.counters["wire_bytes"] = static_cast<double>(wire.size());
}

void BM_Encode(benchmark::State& state, Kind kind) {
  const Sample sample = make_sample(kind);
  if (sample.wire.empty()) {
    state.SkipWithError("the sample does not encode");
    return;
  }
  std::vector<std::uint8_t> out;
  out.reserve(sample.wire.size());
  for (auto _ : state) {
    out.clear();
    auto error = gauntlet::codec::encode(sample.packet, sample.version, out);
    benchmark::DoNotOptimize(error);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(sample.wire.size()));
  state.counters["wire_bytes"] = static_cast<double>(sample.wire.size());
}

#define GAUNTLET_PACKET_BENCHES(name, kind)                        \
  BENCHMARK_CAPTURE(BM_Decode, name##_strict, Kind::kind, true);   \
  BENCHMARK_CAPTURE(BM_Decode, name##_lenient, Kind::kind, false); \
  BENCHMARK_CAPTURE(BM_Encode, name, Kind::kind)

GAUNTLET_PACKET_BENCHES(connect_v311, connect_v311);
GAUNTLET_PACKET_BENCHES(connect_v5, connect_v5);
GAUNTLET_PACKET_BENCHES(publish_qos1_64B_v311, publish_small_v311);
GAUNTLET_PACKET_BENCHES(publish_qos1_64B_v5, publish_small_v5);
GAUNTLET_PACKET_BENCHES(publish_qos1_64KiB_v311, publish_64k_v311);
GAUNTLET_PACKET_BENCHES(publish_props_v5, publish_props_v5);
GAUNTLET_PACKET_BENCHES(subscribe_10_filters_v311, subscribe10_v311);
GAUNTLET_PACKET_BENCHES(subscribe_10_filters_v5, subscribe10_v5);

// --- Variable Byte Integers ----------------------------------------------------------------------

// The largest value that fits in `width` bytes (1..4).
std::uint32_t variable_int_max(std::int64_t width) {
  return (std::uint32_t{1} << (7 * static_cast<unsigned>(width))) - 1U;
}

void BM_VariableIntWrite(benchmark::State& state) {
  const std::uint32_t value = variable_int_max(state.range(0));
  std::vector<std::uint8_t> out;
  out.reserve(8);
  for (auto _ : state) {
    out.clear();
    auto written = gauntlet::codec::write_variable_int(value, out);
    benchmark::DoNotOptimize(written);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VariableIntWrite)->ArgName("bytes")->DenseRange(1, 4);

// Reads a Remaining Length of 1..4 bytes through the public fixed-header reader (the body does not
// have to be present for it).
void BM_VariableIntRead(benchmark::State& state) {
  std::vector<std::uint8_t> header{0x30};
  gauntlet::codec::write_variable_int(variable_int_max(state.range(0)), header);
  const ByteView input(header);
  const DecodeOptions options;
  for (auto _ : state) {
    auto result = gauntlet::codec::read_fixed_header(input, options);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VariableIntRead)->ArgName("bytes")->DenseRange(1, 4);

// --- topics --------------------------------------------------------------------------------------

void BM_TopicMatches(benchmark::State& state, std::string_view filter, std::string_view name,
                     bool expected) {
  if (gauntlet::codec::topic_matches(filter, name) != expected) {
    state.SkipWithError("unexpected match result");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(filter);
    benchmark::DoNotOptimize(name);
    bool matched = gauntlet::codec::topic_matches(filter, name);
    benchmark::DoNotOptimize(matched);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_TopicMatches, exact, "sensors/room-42/temperature",
                  "sensors/room-42/temperature", true);
BENCHMARK_CAPTURE(BM_TopicMatches, plus, "sensors/+/temperature", "sensors/room-42/temperature",
                  true);
BENCHMARK_CAPTURE(BM_TopicMatches, hash, "sensors/#", "sensors/room-42/temperature", true);
BENCHMARK_CAPTURE(BM_TopicMatches, plus_hash, "+/+/#", "sensors/room-42/temperature/celsius", true);
BENCHMARK_CAPTURE(BM_TopicMatches, shared, "$share/group/sensors/+/temperature",
                  "sensors/room-42/temperature", true);
BENCHMARK_CAPTURE(BM_TopicMatches, no_match_last_level, "sensors/room-42/humidity",
                  "sensors/room-42/temperature", false);
BENCHMARK_CAPTURE(BM_TopicMatches, no_match_first_level, "actuators/+/temperature",
                  "sensors/room-42/temperature", false);
BENCHMARK_CAPTURE(BM_TopicMatches, no_match_dollar, "#", "$SYS/broker/uptime", false);

void BM_CheckTopicFilter(benchmark::State& state, std::string_view filter,
                         ProtocolVersion version) {
  if (gauntlet::codec::check_topic_filter(filter, version)) {
    state.SkipWithError("the filter is not valid");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(filter);
    auto issue = gauntlet::codec::check_topic_filter(filter, version);
    benchmark::DoNotOptimize(issue);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(filter.size()));
}
BENCHMARK_CAPTURE(BM_CheckTopicFilter, exact, "sensors/room-42/temperature",
                  ProtocolVersion::v3_1_1);
BENCHMARK_CAPTURE(BM_CheckTopicFilter, wildcards, "sensors/+/temperature/#",
                  ProtocolVersion::v3_1_1);
BENCHMARK_CAPTURE(BM_CheckTopicFilter, shared_v5, "$share/group/sensors/+/temperature",
                  ProtocolVersion::v5);

void BM_CheckTopicName(benchmark::State& state) {
  std::string_view name = kTopic;
  for (auto _ : state) {
    benchmark::DoNotOptimize(name);
    auto issue = gauntlet::codec::check_topic_name(name);
    benchmark::DoNotOptimize(issue);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(name.size()));
}
BENCHMARK(BM_CheckTopicName);

// --- UTF-8 ---------------------------------------------------------------------------------------

std::string repeat_to(std::string_view unit, std::size_t size) {
  std::string text;
  while (text.size() + unit.size() <= size)
    text += unit;
  return text;
}

void BM_CheckUtf8(benchmark::State& state, std::string_view unit, std::size_t size) {
  const std::string text = repeat_to(unit, size);
  if (gauntlet::codec::check_utf8(text)) {
    state.SkipWithError("the text is not valid UTF-8");
    return;
  }
  std::string_view view = text;
  for (auto _ : state) {
    benchmark::DoNotOptimize(view);
    auto issue = gauntlet::codec::check_utf8(view);
    benchmark::DoNotOptimize(issue);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.counters["text_bytes"] = static_cast<double>(text.size());
}
// A topic-sized ASCII string, 1 KiB of ASCII, and 1 KiB of 2-, 3- and 4-byte sequences mixed
// with ASCII ("température ключ 温度 🌡 ").
constexpr std::string_view kAscii = "sensors/room-42/temperature/";
constexpr std::string_view kMixed =
    "temp\xC3\xA9rature \xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87 \xE6\xB8\xA9\xE5\xBA\xA6 "
    "\xF0\x9F\x8C\xA1 ";
BENCHMARK_CAPTURE(BM_CheckUtf8, ascii_27B, "sensors/room-42/temperature", 27);
BENCHMARK_CAPTURE(BM_CheckUtf8, ascii_1KiB, kAscii, 1024);
BENCHMARK_CAPTURE(BM_CheckUtf8, multibyte_1KiB, kMixed, 1024);
BENCHMARK_CAPTURE(BM_CheckUtf8, cjk_1KiB, "\xE6\xB8\xA9\xE5\xBA\xA6\xE8\xAE\xA1", 1024);

// --- streams -------------------------------------------------------------------------------------

// kStreamPackets small QoS 1 PUBLISH packets back to back, packet ids 1, 2, 3, ... (the same
// packets as the mqtt-packet comparison in bench/mqtt-packet/).
std::vector<std::uint8_t> make_stream(ProtocolVersion version) {
  const std::vector<std::uint8_t> payload = make_payload(kSmallPayload);
  std::vector<std::uint8_t> stream;
  for (std::size_t i = 0; i < kStreamPackets; ++i) {
    const Packet packet = small_publish(payload, static_cast<std::uint16_t>(i % 65535 + 1));
    if (gauntlet::codec::encode(packet, version, stream)) return {};
  }
  return stream;
}

void set_stream_counters(benchmark::State& state, std::size_t bytes) {
  const auto packets = static_cast<double>(kStreamPackets);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kStreamPackets));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
  state.counters["packets/s"] =
      benchmark::Counter(packets, benchmark::Counter::kIsIterationInvariantRate);
  // Seconds per packet (printed with an SI prefix: "25n" is 25 ns).
  state.counters["time/packet"] = benchmark::Counter(
      packets, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// decode() over a contiguous buffer, advancing by `consumed`: the framing loop of a transport that
// has read a large block.
void BM_StreamDecode(benchmark::State& state, ProtocolVersion version, bool strict) {
  const std::vector<std::uint8_t> stream = make_stream(version);
  const DecodeOptions options = options_for(version, strict);
  const std::uint8_t* const data = stream.data();
  const std::size_t size = stream.size();
  for (auto _ : state) {
    std::size_t offset = 0;
    std::size_t count = 0;
    while (offset < size) {
      auto result = gauntlet::codec::decode(ByteView(data + offset, size - offset), options);
      if (!result.ok()) break;
      benchmark::DoNotOptimize(result);
      offset += result.consumed();
      ++count;
    }
    if (count != kStreamPackets) {
      state.SkipWithError("the stream does not decode");
      return;
    }
  }
  set_stream_counters(state, size);
}
BENCHMARK_CAPTURE(BM_StreamDecode, publish_qos1_64B_v311_strict, ProtocolVersion::v3_1_1, true);
BENCHMARK_CAPTURE(BM_StreamDecode, publish_qos1_64B_v311_lenient, ProtocolVersion::v3_1_1, false);
BENCHMARK_CAPTURE(BM_StreamDecode, publish_qos1_64B_v5_strict, ProtocolVersion::v5, true);

// The StreamDecoder fed in 4 KiB chunks (packets straddle chunk boundaries), draining next()
// after each feed: the path of a socket reader that copies into the framer.
void BM_StreamDecoderChunks(benchmark::State& state, bool strict) {
  constexpr std::size_t kChunk = 4096;
  const std::vector<std::uint8_t> stream = make_stream(ProtocolVersion::v3_1_1);
  gauntlet::codec::StreamDecoder decoder(options_for(ProtocolVersion::v3_1_1, strict));
  for (auto _ : state) {
    std::size_t count = 0;
    bool failed = false;
    for (std::size_t offset = 0; offset < stream.size() && !failed; offset += kChunk) {
      const std::size_t n = std::min(kChunk, stream.size() - offset);
      decoder.feed(ByteView(stream.data() + offset, n));
      for (;;) {
        auto result = decoder.next();
        if (result.ok()) {
          benchmark::DoNotOptimize(result);
          ++count;
        } else {
          failed = result.failed();
          break;
        }
      }
    }
    if (failed || count != kStreamPackets) {
      state.SkipWithError("the stream does not decode");
      return;
    }
  }
  set_stream_counters(state, stream.size());
}
BENCHMARK_CAPTURE(BM_StreamDecoderChunks, publish_qos1_64B_v311_strict_4KiB, true);
BENCHMARK_CAPTURE(BM_StreamDecoderChunks, publish_qos1_64B_v311_lenient_4KiB, false);

}  // namespace
