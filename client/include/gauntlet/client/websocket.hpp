// A sans-IO RFC 6455 WebSocket client for carrying MQTT (MQTT 3.1.1 §6, 5.0 §6). Like Session it
// owns no socket and reads no clock: the caller writes handshake_request() to the transport, feeds
// what arrives to receive(), and writes Output::to_send back (STYLE.md habit 2). MQTT bytes come
// out as one contiguous stream, because MQTT packets need not align with frames (MQTT-6.0.0-2), so
// Output::data can go straight to Session::received().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gauntlet/client/events.hpp"
#include "gauntlet/codec/bytes.hpp"

namespace gauntlet::client {

/// RFC 6455 §5.2 opcodes.
enum class WsOpcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

/// RFC 6455 §7.4.1 status codes the client itself sends.
namespace ws_close {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t invalid_data = 1007;
inline constexpr std::uint16_t message_too_big = 1009;
}  // namespace ws_close

struct WebSocketOptions {
  std::string host;
  std::uint16_t port = 80;
  std::string path = "/mqtt";
  /// Offered in Sec-WebSocket-Protocol; MQTT requires "mqtt" among them (MQTT-6.0.0-3).
  std::vector<std::string> subprotocols = {"mqtt"};
  /// Only decides whether the port is the default one (443 for wss, 80 for ws) and so left out of
  /// the Host header; TLS itself is the transport's business.
  bool tls = false;
  /// Further request headers (Origin, Authorization, ...), sent as given.
  std::vector<std::pair<std::string, std::string>> extra_headers;
  /// Makes the key and every mask deterministic (a seeded PRNG instead of RAND_bytes), for tests
  /// and reproducible runs.
  std::optional<std::uint64_t> seed;
  /// Fills the span with the bytes to use for the key and the masks; takes precedence over `seed`.
  /// Lets a test reproduce exact byte vectors such as the masked frames of RFC 6455 §5.7.
  std::function<void(std::span<std::uint8_t>)> random;
  /// A message (all fragments together) above this fails the connection with 1009 before anything
  /// is buffered, whatever length the peer declares.
  std::size_t max_message_size = std::size_t{256} * 1024 * 1024;
  /// The HTTP response header may not grow past this while we wait for its blank line.
  std::size_t max_handshake_size = std::size_t{16} * 1024;
};

/// RFC 6455 §4.2.2: base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
std::string websocket_accept(std::string_view key);

/// Appends one frame. `mask` given: the payload is masked with it and the MASK bit set (a client
/// frame, RFC 6455 §5.3); absent: an unmasked (server) frame. Always the minimal length form.
/// Exposed so tests and conformance scenarios can build server frames and deliberately odd ones.
void append_ws_frame(std::vector<std::uint8_t>& out, WsOpcode opcode, codec::ByteView payload,
                     std::optional<std::array<std::uint8_t, 4>> mask, bool fin = true);

class WebSocketClient {
 public:
  /// What one receive() produced. receive() appends to `data`, `to_send` and `findings` and only
  /// ever sets the flags, so one Output may collect several calls; clear() starts afresh.
  struct Output {
    /// Application (MQTT) bytes received, in order, frames concatenated (MQTT-6.0.0-2).
    std::vector<std::uint8_t> data;
    /// Frames to write back: the pong for a ping, the close reply, the close that fails the
    /// connection after a protocol error.
    std::vector<std::uint8_t> to_send;
    bool opened = false;  ///< the handshake completed during this call
    /// The connection is over: a close frame arrived (the reply, if one is due, is in to_send), or
    /// an error requires the transport to close once to_send is written.
    bool closed = false;
    /// Why the connection cannot continue: the handshake was refused (status, Upgrade,
    /// Connection, Sec-WebSocket-Accept, an extension or subprotocol not offered) or a framing
    /// error (masked server frame, reserved bits, unknown opcode, bad control frame, oversize).
    /// Framing errors name the byte offset in the stream after the HTTP response.
    std::optional<std::string> error;
    /// The server's close frame, when one arrived (1005 stands for "no status code").
    std::optional<std::uint16_t> close_code;
    std::string close_reason;
    /// MQTT-level deviations of the server: a data frame other than binary (MQTT-6.0.0-1), a
    /// subprotocol other than "mqtt" or none at all (MQTT-6.0.0-4).
    std::vector<Finding> findings;

    void clear();
  };

  explicit WebSocketClient(WebSocketOptions options);

  /// The opening handshake (RFC 6455 §4.1) with a fresh Sec-WebSocket-Key. Calling it again
  /// starts over: a new key, and the client waits for a new response.
  std::string handshake_request();
  /// The key of the last handshake_request().
  [[nodiscard]] const std::string& key() const noexcept { return key_; }

  /// Bytes from the transport. Before the handshake completes they are buffered until the end of
  /// the HTTP response header; bytes after it are frames and are parsed in the same call. After
  /// an error or a completed close, further bytes are ignored.
  void receive(codec::ByteView bytes, Output& out);

  /// Appends MQTT bytes as one masked binary frame with FIN set (MQTT-6.0.0-1). Returns false and
  /// appends nothing unless the connection is open and we have not sent a close.
  bool send(codec::ByteView mqtt, std::vector<std::uint8_t>& out);
  /// Appends a masked ping (payload up to 125 bytes, else false).
  bool ping(codec::ByteView payload, std::vector<std::uint8_t>& out);
  /// Starts the closing handshake: appends a masked close frame. The reason is cut to fit the 125
  /// bytes of a control frame. Returns false if the connection is not open.
  bool close(std::uint16_t code, std::string_view reason, std::vector<std::uint8_t>& out);

  /// The handshake completed and no close has been sent or received.
  [[nodiscard]] bool is_open() const noexcept { return state_ == State::open; }
  /// The subprotocol the server selected (empty: none).
  [[nodiscard]] const std::string& subprotocol() const noexcept { return subprotocol_; }

 private:
  enum class State { idle, awaiting_response, open, closing, closed };

  void fill_random(std::span<std::uint8_t> bytes);
  std::array<std::uint8_t, 4> next_mask();

  void parse_response(std::string_view header, Output& out);
  void parse_frames(codec::ByteView bytes, Output& out);
  /// The frame header is complete: validates it and prepares for its payload.
  bool start_frame(Output& out);
  void finish_frame(Output& out);
  void on_control_frame(Output& out);
  /// Fails the connection: reports the error and queues a close frame with `code`.
  void fail(std::uint16_t code, std::string what, Output& out);
  void refuse(std::string what, Output& out);

  WebSocketOptions options_;
  State state_ = State::idle;
  std::string key_;
  std::string subprotocol_;
  std::optional<std::mt19937_64> prng_;  ///< set when options_.seed is

  // The handshake response, until its blank line.
  std::string response_;

  // The frame being parsed. The header (at most 14 bytes) is collected first; data payloads then
  // go straight to Output::data, control payloads (at most 125 bytes) to control_.
  std::array<std::uint8_t, 14> header_{};
  std::size_t header_size_ = 0;
  bool in_payload_ = false;        ///< the header is complete; remaining_ payload bytes follow
  std::uint64_t frame_start_ = 0;  ///< stream offset of the current frame, for error positions
  WsOpcode opcode_ = WsOpcode::continuation;
  bool fin_ = false;
  std::uint64_t remaining_ = 0;  ///< payload bytes of the current frame still to come
  std::vector<std::uint8_t> control_;
  bool in_message_ = false;  ///< a fragmented data message has started and not finished
  std::uint64_t message_size_ = 0;
  std::uint64_t offset_ = 0;  ///< bytes of frames consumed so far, for error positions
  bool text_reported_ = false;
};

}  // namespace gauntlet::client
