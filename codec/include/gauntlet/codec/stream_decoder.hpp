// An incremental framer over a byte stream: feed it whatever arrived (one byte or a megabyte), take
// packets out. It gives the same packets however the stream is split.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gauntlet/codec/decoder.hpp"

namespace gauntlet::codec {

class StreamDecoder {
 public:
  explicit StreamDecoder(DecodeOptions options = {});

  /// Copies arrived bytes into the decoder.
  void feed(ByteView bytes);
  /// For transports that read straight into the decoder: a writable area of at least `size`
  /// bytes, then commit() with the number of bytes actually read.
  std::span<std::uint8_t> prepare(std::size_t size);
  void commit(std::size_t size) noexcept;

  /// The next packet, need-more, or an error. The packet's views stay valid until the next call
  /// to feed(), prepare() or next(). After an error the stream cannot be resynchronised: every
  /// further call returns the same error.
  DecodeResult next();

  /// The bytes of the packet the last next() returned (valid as long as that packet).
  [[nodiscard]] ByteView packet_bytes() const noexcept {
    return {buffer_.data() + begin_, pending_consume_};
  }

  /// Offset in the whole stream of the next byte next() will read (the start of the next packet).
  [[nodiscard]] std::size_t stream_offset() const noexcept {
    return stream_offset_ + pending_consume_;
  }
  /// Bytes received and not yet returned as packets.
  [[nodiscard]] std::size_t buffered() const noexcept { return end_ - begin_ - pending_consume_; }

  /// Switches the layout for packets after the current one. With `learn_version` (the default),
  /// a decoded CONNECT does this by itself, so that a client's stream decodes at its own level.
  void set_version(ProtocolVersion version) noexcept { options_.version = version; }
  void set_learn_version(bool learn) noexcept { learn_version_ = learn; }
  /// Where lenient decoding records the violations it passes over (nullptr: nowhere).
  void set_violations(std::vector<Error>* violations) noexcept { options_.violations = violations; }
  [[nodiscard]] const DecodeOptions& options() const noexcept { return options_; }

 private:
  void compact();

  DecodeOptions options_;
  bool learn_version_ = true;
  std::vector<std::uint8_t> buffer_;
  std::size_t begin_ = 0;            ///< first unread byte in buffer_
  std::size_t end_ = 0;              ///< one past the last received byte in buffer_
  std::size_t pending_consume_ = 0;  ///< size of the packet handed out by the last next()
  std::size_t stream_offset_ = 0;
  std::optional<Error> failure_;
};

}  // namespace gauntlet::codec
