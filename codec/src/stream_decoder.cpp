#include "gauntlet/codec/stream_decoder.hpp"

#include <algorithm>
#include <cstring>

namespace gauntlet::codec {

StreamDecoder::StreamDecoder(DecodeOptions options) : options_(options) {}

void StreamDecoder::compact() {
  // Release the packet handed out last, then move unread bytes to the front when that frees a
  // useful amount of room (at least half the buffer), so the buffer does not grow without bound.
  begin_ += pending_consume_;
  stream_offset_ += pending_consume_;
  pending_consume_ = 0;
  if (begin_ == end_) {
    begin_ = end_ = 0;
  } else if (begin_ > 0 && begin_ >= buffer_.size() / 2) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
}

std::span<std::uint8_t> StreamDecoder::prepare(std::size_t size) {
  compact();
  if (buffer_.size() - end_ < size) buffer_.resize(end_ + size);
  return {buffer_.data() + end_, size};
}

void StreamDecoder::commit(std::size_t size) noexcept {
  end_ = std::min(end_ + size, buffer_.size());
}

void StreamDecoder::feed(ByteView bytes) {
  if (bytes.empty()) return;
  const std::span<std::uint8_t> area = prepare(bytes.size());
  std::memcpy(area.data(), bytes.data(), bytes.size());
  commit(bytes.size());
}

DecodeResult StreamDecoder::next() {
  if (failure_) return *failure_;
  compact();
  const ByteView unread(buffer_.data() + begin_, end_ - begin_);
  DecodeResult result = decode(unread, options_);
  if (result.failed()) {
    failure_ = result.error();
  } else if (result.ok()) {
    pending_consume_ = result.consumed();
    if (learn_version_) {
      if (const auto* connect = std::get_if<Connect>(&result.packet())) {
        options_.version = connect->version;
      }
    }
  }
  return result;
}

}  // namespace gauntlet::codec
