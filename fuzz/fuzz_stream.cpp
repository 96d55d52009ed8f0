// fuzz_stream: the StreamDecoder gives the same results however the stream is split. Input: one
// selector byte (see fuzz_common.hpp), four bytes seeding the split points, then the stream.
// One decoder gets the whole stream at once; another gets it in chunks (through feed() and through
// prepare()/commit()); both are stepped in lock-step and every result is compared, and each packet
// is also compared with a plain decode() of the same bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz_common.hpp"
#include "gauntlet/codec/decoder.hpp"
#include "gauntlet/codec/stream_decoder.hpp"

namespace {

using namespace gauntlet::codec;  // NOLINT

// xorshift32: small, fast and fully determined by the seed.
class Prng {
 public:
  explicit Prng(std::uint32_t seed) noexcept : state_(seed != 0 ? seed : 0x9E3779B9U) {}
  std::uint32_t next() noexcept {
    state_ ^= state_ << 13U;
    state_ ^= state_ >> 17U;
    state_ ^= state_ << 5U;
    return state_;
  }
  std::uint32_t below(std::uint32_t bound) noexcept { return bound == 0 ? 0 : next() % bound; }

 private:
  std::uint32_t state_;
};

// Feeds the stream in chunks of varying size: mostly small (splitting headers and fields), some
// large, some empty; half of them through prepare()/commit() with a larger area than committed.
class Chunker {
 public:
  Chunker(ByteView stream, std::uint32_t seed) noexcept : stream_(stream), prng_(seed) {}

  [[nodiscard]] bool done() const noexcept { return position_ == stream_.size(); }
  [[nodiscard]] std::size_t fed() const noexcept { return position_; }

  void feed_next(StreamDecoder& decoder) {
    const std::uint32_t roll = prng_.next();
    std::size_t size = 0;
    switch (roll & 0x3U) {
      case 0:
        size = 1 + prng_.below(3);
        break;
      case 1:
        size = 1 + prng_.below(16);
        break;
      case 2:
        size = prng_.below(256);  // may be 0: an empty feed
        break;
      default:
        size = 1 + prng_.below(static_cast<std::uint32_t>(stream_.size() - position_));
        break;
    }
    size = std::min(size, stream_.size() - position_);
    const ByteView chunk = stream_.subspan(position_, size);
    if ((roll & 0x4U) != 0) {
      decoder.feed(chunk);
    } else {
      const std::size_t extra = prng_.below(64);
      const std::span<std::uint8_t> area = decoder.prepare(size + extra);
      GAUNTLET_CHECK(area.size() >= size + extra);
      if (size != 0) std::memcpy(area.data(), chunk.data(), size);
      decoder.commit(size);
    }
    position_ += size;
  }

 private:
  ByteView stream_;
  Prng prng_;
  std::size_t position_ = 0;
};

void check_same(const DecodeResult& a, const DecodeResult& b) {
  GAUNTLET_CHECK(a.ok() == b.ok() && a.failed() == b.failed() && a.need_more() == b.need_more());
  if (a.ok()) {
    GAUNTLET_CHECK(a.consumed() == b.consumed());
    GAUNTLET_CHECK(a.packet() == b.packet());
  } else if (a.failed()) {
    GAUNTLET_CHECK(a.error() == b.error());
  } else {
    GAUNTLET_CHECK(a.bytes_needed() == b.bytes_needed());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 5) return 0;
  const auto selector = gauntlet::fuzz::parse_selector(data[0]);
  const DecodeOptions options = gauntlet::fuzz::options_for(selector);
  std::uint32_t seed = 0;
  std::memcpy(&seed, data + 1, sizeof seed);
  const ByteView stream(data + 5, size - 5);

  StreamDecoder whole(options);
  whole.feed(stream);
  StreamDecoder split(options);
  Chunker chunker(stream, seed);
  DecodeOptions reference = options;  // for plain decode(), learning the version like the framer

  std::size_t offset = 0;  // start of the packet the next call to next() returns
  for (int i = 0; i <= gauntlet::fuzz::max_packets_per_input; ++i) {
    const DecodeResult w = whole.next();
    DecodeResult s = split.next();
    while (s.need_more() && !chunker.done()) {
      chunker.feed_next(split);
      GAUNTLET_CHECK(split.stream_offset() + split.buffered() == chunker.fed());
      s = split.next();
    }
    check_same(w, s);
    // The same bytes through plain decode() give the same result.
    const DecodeResult d = decode(stream.subspan(offset), reference);
    check_same(w, d);

    // stream_offset() is the next byte next() will read: past a packet it returned.
    const std::size_t next_offset = offset + (w.ok() ? w.consumed() : 0);
    GAUNTLET_CHECK(whole.stream_offset() == next_offset);
    GAUNTLET_CHECK(split.stream_offset() == next_offset);
    GAUNTLET_CHECK(whole.stream_offset() + whole.buffered() == stream.size());
    GAUNTLET_CHECK(split.stream_offset() + split.buffered() == chunker.fed());

    if (w.ok()) {
      GAUNTLET_CHECK(w.consumed() >= 2 && next_offset <= stream.size());
      if (const auto* connect = std::get_if<Connect>(&w.packet())) {
        reference.version = connect->version;
      }
      GAUNTLET_CHECK(whole.options().version == reference.version);
      GAUNTLET_CHECK(split.options().version == reference.version);
      offset = next_offset;
      continue;
    }
    if (w.failed()) {
      // After an error the stream stays failed, with the same error.
      const Error first = w.error();
      const DecodeResult again = whole.next();
      GAUNTLET_CHECK(again.failed() && again.error() == first);
      GAUNTLET_CHECK(whole.stream_offset() == offset);
      GAUNTLET_CHECK(first.offset <= stream.size() - offset);
    } else {
      // Need-more only once the whole stream is in: the rest is an incomplete packet.
      GAUNTLET_CHECK(chunker.done());
      GAUNTLET_CHECK(whole.buffered() == stream.size() - offset);
      GAUNTLET_CHECK(w.bytes_needed() >= 1);
    }
    break;
  }
  return 0;
}
