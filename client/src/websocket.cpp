#include "gauntlet/client/websocket.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "gauntlet/codec/hex.hpp"
#include "gauntlet/codec/utf8.hpp"

namespace gauntlet::client {
namespace {

// RFC 6455 §1.3: the GUID every server appends to the key before hashing.
constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::size_t kMaxControlPayload = 125;  // RFC 6455 §5.5

std::string base64(std::span<const std::uint8_t> bytes) {
  // EVP_EncodeBlock writes 4 characters per 3 bytes (rounded up) plus a terminating NUL.
  std::string text(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),  // NOLINT
                                      bytes.data(), static_cast<int>(bytes.size()));
  text.resize(written > 0 ? static_cast<std::size_t>(written) : 0);
  return text;
}

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

/// Whether a comma-separated header value (e.g. Connection: keep-alive, Upgrade) holds `token`.
bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (iequals(trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::string hex_byte(std::uint8_t value) {
  return "0x" + codec::to_hex(codec::ByteView(&value, 1));
}

// RFC 6455 §7.4: the codes a close frame may carry. 1004-1006 and 1015 are reserved for reporting
// and must never appear on the wire; 1012-1014 were registered with IANA after the RFC.
bool close_code_allowed(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

bool is_control(WsOpcode opcode) {
  return (static_cast<std::uint8_t>(opcode) & 0x08) != 0;
}

bool offered(const std::vector<std::string>& subprotocols, std::string_view name) {
  return std::ranges::find(subprotocols, name) != subprotocols.end();
}

}  // namespace

std::string websocket_accept(std::string_view key) {
  std::string input;
  input.reserve(key.size() + kAcceptGuid.size());
  input.append(key).append(kAcceptGuid);
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  // A failing digest yields an empty string, which no server's accept value equals, so the
  // handshake is refused instead of trusted.
  if (EVP_Digest(input.data(), input.size(), digest.data(), &digest_size, EVP_sha1(), nullptr) !=
      1) {
    return {};
  }
  return base64(std::span<const std::uint8_t>(digest.data(), digest_size));
}

void append_ws_frame(std::vector<std::uint8_t>& out, WsOpcode opcode, codec::ByteView payload,
                     std::optional<std::array<std::uint8_t, 4>> mask, bool fin) {
  const std::uint64_t size = payload.size();
  out.reserve(out.size() + 14 + payload.size());
  out.push_back(static_cast<std::uint8_t>((fin ? 0x80 : 0x00) | static_cast<std::uint8_t>(opcode)));
  const std::uint8_t mask_bit = mask ? 0x80 : 0x00;
  // RFC 6455 §5.2: the minimal form — 7 bits up to 125, then 16 bits, then 64 bits.
  if (size <= 125) {
    out.push_back(static_cast<std::uint8_t>(mask_bit | size));
  } else if (size <= 0xFFFF) {
    out.push_back(static_cast<std::uint8_t>(mask_bit | 126));
    out.push_back(static_cast<std::uint8_t>(size >> 8));
    out.push_back(static_cast<std::uint8_t>(size));
  } else {
    out.push_back(static_cast<std::uint8_t>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.push_back(static_cast<std::uint8_t>(size >> shift));
    }
  }
  if (!mask) {
    out.insert(out.end(), payload.begin(), payload.end());
    return;
  }
  out.insert(out.end(), mask->begin(), mask->end());
  for (std::size_t i = 0; i < payload.size(); ++i) {
    out.push_back(static_cast<std::uint8_t>(payload[i] ^ (*mask)[i % 4]));
  }
}

void WebSocketClient::Output::clear() {
  *this = Output{};
}

WebSocketClient::WebSocketClient(WebSocketOptions options) : options_(std::move(options)) {
  if (options_.seed) prng_.emplace(*options_.seed);
}

void WebSocketClient::fill_random(std::span<std::uint8_t> bytes) {
  if (options_.random) {
    options_.random(bytes);
    return;
  }
  if (prng_) {
    // std::mt19937_64's output is fixed by the standard, so a seed gives the same bytes with
    // every compiler and library.
    for (std::size_t i = 0; i < bytes.size(); i += 8) {
      const std::uint64_t word = (*prng_)();
      for (std::size_t j = 0; j < 8 && i + j < bytes.size(); ++j) {
        bytes[i + j] = static_cast<std::uint8_t>(word >> (8 * j));
      }
    }
    return;
  }
  if (bytes.empty()) return;
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) == 1) return;
  // Masks only keep intermediaries from reading client frames as something else (RFC 6455 §10.3);
  // a test harness is not the browser that defence is for, so an unseeded PRNG is an acceptable
  // fallback when the OpenSSL generator fails, rather than a reason to fail the connection.
  std::random_device device;
  std::mt19937_64 fallback((static_cast<std::uint64_t>(device()) << 32) | device());
  for (auto& byte : bytes)
    byte = static_cast<std::uint8_t>(fallback());
}

std::array<std::uint8_t, 4> WebSocketClient::next_mask() {
  std::array<std::uint8_t, 4> mask{};
  fill_random(mask);
  return mask;
}

std::string WebSocketClient::handshake_request() {
  std::array<std::uint8_t, 16> nonce{};  // RFC 6455 §4.1: a random 16-byte value, base64-encoded
  fill_random(nonce);
  key_ = base64(nonce);

  // Start over: a new handshake means a new connection.
  state_ = State::awaiting_response;
  response_.clear();
  subprotocol_.clear();
  header_size_ = 0;
  in_payload_ = false;
  remaining_ = 0;
  control_.clear();
  in_message_ = false;
  message_size_ = 0;
  offset_ = 0;
  frame_start_ = 0;
  text_reported_ = false;

  std::string host = options_.host;
  // An IPv6 literal needs brackets in Host, or its colons would read as the port separator.
  if (host.find(':') != std::string::npos && !host.starts_with('[')) host = "[" + host + "]";
  const std::uint16_t default_port = options_.tls ? 443 : 80;
  if (options_.port != default_port) host += ":" + std::to_string(options_.port);

  std::string request;
  request += "GET " + (options_.path.empty() ? std::string("/") : options_.path) + " HTTP/1.1\r\n";
  request += "Host: " + host + "\r\n";
  request += "Upgrade: websocket\r\n";
  request += "Connection: Upgrade\r\n";
  request += "Sec-WebSocket-Key: " + key_ + "\r\n";
  request += "Sec-WebSocket-Version: 13\r\n";
  if (!options_.subprotocols.empty()) {
    request += "Sec-WebSocket-Protocol: ";
    for (std::size_t i = 0; i < options_.subprotocols.size(); ++i) {
      if (i != 0) request += ", ";
      request += options_.subprotocols[i];
    }
    request += "\r\n";
  }
  for (const auto& [name, value] : options_.extra_headers)
    request.append(name).append(": ").append(value).append("\r\n");
  request += "\r\n";
  return request;
}

void WebSocketClient::receive(codec::ByteView bytes, Output& out) {
  switch (state_) {
    case State::idle:
      out.error = "WebSocket: bytes received before handshake_request()";
      return;
    case State::closed:
      return;  // the connection is over; whatever follows a close or an error means nothing
    case State::open:
    case State::closing:
      parse_frames(bytes, out);
      return;
    case State::awaiting_response:
      break;
  }

  // Copy no more than the header may hold, so a peer that never sends the blank line cannot make
  // us buffer without bound. The search starts 3 bytes back: the blank line may span two reads.
  const std::size_t before = response_.size();
  const std::size_t room =
      options_.max_handshake_size - std::min(before, options_.max_handshake_size);
  const std::size_t take = std::min(bytes.size(), room);
  response_.append(codec::ByteView(bytes.first(take)).as_chars());
  const std::size_t end = response_.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
  if (end == std::string::npos) {
    if (response_.size() >= options_.max_handshake_size) {
      refuse("the response header is longer than " + std::to_string(options_.max_handshake_size) +
                 " bytes",
             out);
    }
    return;
  }
  const std::size_t header_end = end + 4;
  // Bytes after the blank line are already frames (a server may send its first frame, e.g. a
  // CONNACK, in the same segment as the 101 response).
  const std::size_t consumed = header_end - before;
  response_.resize(header_end);
  parse_response(response_, out);
  response_.clear();
  response_.shrink_to_fit();
  if (state_ == State::open) parse_frames(bytes.subspan(consumed), out);
}

void WebSocketClient::refuse(std::string what, Output& out) {
  out.error = "WebSocket handshake refused: " + std::move(what);
  out.closed = true;
  state_ = State::closed;
}

void WebSocketClient::parse_response(std::string_view header, Output& out) {
  // Lines end with CRLF (RFC 7230 §3); the header ends with an empty line, dropped here.
  std::vector<std::string_view> lines;
  while (!header.empty()) {
    const auto eol = header.find("\r\n");
    lines.push_back(header.substr(0, eol));
    if (eol == std::string_view::npos) break;
    header.remove_prefix(eol + 2);
  }
  while (!lines.empty() && lines.back().empty())
    lines.pop_back();
  if (lines.empty()) return refuse("empty response", out);

  // Status line: "HTTP/1.1 101 Switching Protocols" (RFC 6455 §4.1 requires exactly 101).
  const std::string_view status_line = lines.front();
  constexpr std::string_view kVersion = "HTTP/1.1 ";
  if (!status_line.starts_with(kVersion) || status_line.size() < kVersion.size() + 3) {
    return refuse("malformed status line \"" + std::string(status_line) + "\"", out);
  }
  const std::string_view status = status_line.substr(kVersion.size(), 3);
  // The code is exactly 3 digits followed by a space (or nothing, if the reason is left out), so
  // "1010" is not taken for 101.
  const bool three_digits =
      status_line.size() == kVersion.size() + 3 || status_line[kVersion.size() + 3] == ' ';
  if (status != "101" || !three_digits) {
    return refuse("HTTP status " + std::string(status_line.substr(kVersion.size())), out);
  }

  // Header fields; repeated fields are combined with commas as RFC 7230 §3.2.2 allows, so a
  // duplicated Sec-WebSocket-Accept or -Protocol fails its check below instead of being skipped.
  std::optional<std::string> upgrade;
  std::optional<std::string> connection;
  std::optional<std::string> accept;
  std::optional<std::string> extensions;
  std::optional<std::string> protocol;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    const auto colon = line.find(':');
    // RFC 7230 §3.2.4: no whitespace before the colon, and obsolete line folding is refused.
    if (colon == std::string_view::npos || colon == 0 ||
        line.substr(0, colon).find_first_of(" \t") != std::string_view::npos) {
      return refuse("malformed header line \"" + std::string(line) + "\"", out);
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    std::optional<std::string>* field = nullptr;
    if (iequals(name, "Upgrade")) field = &upgrade;
    if (iequals(name, "Connection")) field = &connection;
    if (iequals(name, "Sec-WebSocket-Accept")) field = &accept;
    if (iequals(name, "Sec-WebSocket-Extensions")) field = &extensions;
    if (iequals(name, "Sec-WebSocket-Protocol")) field = &protocol;
    if (field == nullptr) continue;
    if (*field) {
      **field += ", ";
      **field += value;
    } else {
      *field = std::string(value);
    }
  }

  // RFC 6455 §4.1, the client's checks of the server's handshake, in its order.
  if (!upgrade) return refuse("no Upgrade header", out);
  if (!iequals(*upgrade, "websocket")) return refuse("Upgrade is \"" + *upgrade + "\"", out);
  if (!connection) return refuse("no Connection header", out);
  if (!has_token(*connection, "Upgrade")) {
    return refuse("Connection is \"" + *connection + "\", without Upgrade", out);
  }
  const std::string expected = websocket_accept(key_);
  if (!accept) return refuse("no Sec-WebSocket-Accept header", out);
  if (*accept != expected) {
    return refuse("Sec-WebSocket-Accept is \"" + *accept + "\", expected \"" + expected + "\"",
                  out);
  }
  // We offer no extension, so any the server names was not offered.
  if (extensions && !extensions->empty()) {
    return refuse("extension \"" + *extensions + "\" was not offered", out);
  }

  // MQTT-6.0.0-4 judges the server only when the client offered "mqtt" (MQTT-6.0.0-3); with other
  // offers the choice is the caller's experiment, not the broker's deviation.
  const bool mqtt_offered = offered(options_.subprotocols, "mqtt");
  if (!protocol || protocol->empty()) {
    // RFC 6455 lets a server select no subprotocol, so the connection goes on and carries MQTT;
    // MQTT requires "mqtt", so the deviation is recorded.
    if (mqtt_offered) {
      out.findings.push_back(
          {"MQTT-6.0.0-4",
           "the server selected no WebSocket subprotocol; it must return \"mqtt\"",
           {}});
    }
  } else {
    if (mqtt_offered && *protocol != "mqtt") {
      out.findings.push_back(
          {"MQTT-6.0.0-4",
           "the server selected WebSocket subprotocol \"" + *protocol + "\"; it must be \"mqtt\"",
           {}});
    }
    if (!offered(options_.subprotocols, *protocol)) {
      return refuse("subprotocol \"" + *protocol + "\" was not offered", out);
    }
    subprotocol_ = *protocol;
  }

  state_ = State::open;
  out.opened = true;
}

void WebSocketClient::parse_frames(codec::ByteView bytes, Output& out) {
  std::size_t i = 0;
  while (i < bytes.size() && (state_ == State::open || state_ == State::closing)) {
    if (!in_payload_) {
      if (header_size_ == 0) frame_start_ = offset_;
      // The first two bytes say how long the header is: 2, plus 2 or 8 length bytes. A mask
      // would add 4 more, but a masked server frame is refused as soon as its second byte is in.
      std::size_t need = 2;
      if (header_size_ >= 2) {
        const std::uint8_t length7 = header_[1] & 0x7F;
        need += length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
      }
      const std::size_t take = std::min(need - header_size_, bytes.size() - i);
      std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(i), take,
                  header_.begin() + static_cast<std::ptrdiff_t>(header_size_));
      header_size_ += take;
      i += take;
      offset_ += take;
      if (header_size_ < need) continue;
      if (need == 2 && (header_[1] & 0x7F) >= 126) {
        // Validate what the first two bytes tell before waiting for the extended length.
        if (!start_frame(out)) return;
        continue;
      }
      if (!start_frame(out)) return;
      in_payload_ = true;
      if (remaining_ == 0) finish_frame(out);
      continue;
    }

    const std::size_t take =
        static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size() - i));
    const auto chunk = bytes.subspan(i, take);
    // Data payloads go out as they arrive, so MQTT bytes reach the session without waiting for
    // the end of a large frame; only control payloads (at most 125 bytes) are kept.
    auto& sink = is_control(opcode_) ? control_ : out.data;
    sink.insert(sink.end(), chunk.begin(), chunk.end());
    remaining_ -= take;
    i += take;
    offset_ += take;
    if (remaining_ == 0) finish_frame(out);
  }
}

bool WebSocketClient::start_frame(Output& out) {
  const std::uint8_t b0 = header_[0];
  const std::uint8_t b1 = header_[1];
  fin_ = (b0 & 0x80) != 0;
  const std::uint8_t opcode = b0 & 0x0F;
  const std::uint8_t length7 = b1 & 0x7F;

  // RFC 6455 §5.2: with no extension negotiated the RSV bits must be 0.
  if ((b0 & 0x70) != 0) {
    fail(ws_close::protocol_error,
         "reserved bits set (" + hex_byte(b0 & 0x70) + ") without a negotiated extension", out);
    return false;
  }
  if (opcode != 0x0 && opcode != 0x1 && opcode != 0x2 && opcode != 0x8 && opcode != 0x9 &&
      opcode != 0xA) {
    fail(ws_close::protocol_error, "reserved opcode " + hex_byte(opcode), out);
    return false;
  }
  opcode_ = static_cast<WsOpcode>(opcode);
  // RFC 6455 §5.1: a server must not mask, and a client must close when it sees a masked frame.
  if ((b1 & 0x80) != 0) {
    fail(ws_close::protocol_error, "masked frame from the server (RFC 6455 §5.1)", out);
    return false;
  }
  if (is_control(opcode_)) {
    // RFC 6455 §5.5: control frames are never fragmented and carry at most 125 bytes, which is
    // also why they may arrive in the middle of a fragmented message.
    if (!fin_) {
      fail(ws_close::protocol_error, "fragmented control frame (RFC 6455 §5.5)", out);
      return false;
    }
    if (length7 > kMaxControlPayload) {
      fail(ws_close::protocol_error, "control frame longer than 125 bytes (RFC 6455 §5.5)", out);
      return false;
    }
  } else if (opcode_ == WsOpcode::continuation && !in_message_) {
    fail(ws_close::protocol_error, "continuation frame without a message to continue (§5.4)", out);
    return false;
  } else if (opcode_ != WsOpcode::continuation && in_message_) {
    fail(ws_close::protocol_error, "new data frame inside a fragmented message (§5.4)", out);
    return false;
  }
  if (header_size_ == 2 && length7 >= 126) return true;  // the extended length is still to come

  std::uint64_t length = length7;
  if (length7 == 126) {
    length = (std::uint64_t{header_[2]} << 8) | header_[3];
    if (length < 126) {
      fail(ws_close::protocol_error,
           "16-bit length " + std::to_string(length) + " where 7 bits suffice (§5.2)", out);
      return false;
    }
  } else if (length7 == 127) {
    length = 0;
    for (std::size_t k = 2; k < 10; ++k)
      length = (length << 8) | header_[k];
    if ((length >> 63) != 0) {
      fail(ws_close::protocol_error, "64-bit length with its most significant bit set (§5.2)", out);
      return false;
    }
    if (length <= 0xFFFF) {
      fail(ws_close::protocol_error,
           "64-bit length " + std::to_string(length) + " where 16 bits suffice (§5.2)", out);
      return false;
    }
  }

  if (is_control(opcode_)) {
    control_.clear();
  } else {
    if (opcode_ != WsOpcode::continuation) message_size_ = 0;
    // Checked against the declared length before a single payload byte is taken, and without
    // adding first, so a length near 2^63 cannot wrap around the limit.
    const std::uint64_t limit = options_.max_message_size;
    if (message_size_ > limit || length > limit - message_size_) {
      fail(ws_close::message_too_big,
           "message of at least " + std::to_string(message_size_) + " + " + std::to_string(length) +
               " bytes, above max_message_size " + std::to_string(limit),
           out);
      return false;
    }
    message_size_ += length;
    in_message_ = !fin_;
    if (opcode_ == WsOpcode::text && !text_reported_) {
      // Reported once per connection: a broker that uses text frames does so for every packet,
      // and one finding says it. The payload is still passed on as MQTT bytes so the run can go
      // on and judge the rest of the broker's behaviour.
      text_reported_ = true;
      out.findings.push_back({"MQTT-6.0.0-1",
                              "the server sent MQTT in a WebSocket text frame; it must use binary",
                              {}});
    }
  }
  remaining_ = length;
  return true;
}

void WebSocketClient::finish_frame(Output& out) {
  header_size_ = 0;
  in_payload_ = false;
  if (is_control(opcode_)) on_control_frame(out);
}

void WebSocketClient::on_control_frame(Output& out) {
  switch (opcode_) {
    case WsOpcode::ping:
      // RFC 6455 §5.5.2: a pong with the ping's payload, sent even while our close is pending.
      append_ws_frame(out.to_send, WsOpcode::pong, control_, next_mask());
      return;
    case WsOpcode::pong:
      return;  // unsolicited pongs are allowed (§5.5.3); we send pings only on request
    case WsOpcode::close:
      break;
    default:
      return;
  }

  std::uint16_t code = 1005;  // RFC 6455 §7.1.5: "no status code was present"
  std::string reason;
  if (control_.size() == 1) {
    fail(ws_close::protocol_error, "close frame with a 1-byte payload (§5.5.1)", out);
    return;
  }
  if (control_.size() >= 2) {
    code = static_cast<std::uint16_t>((control_[0] << 8) | control_[1]);
    if (!close_code_allowed(code)) {
      fail(ws_close::protocol_error,
           "close code " + std::to_string(code) + " may not be sent (§7.4)", out);
      return;
    }
    reason.assign(codec::ByteView(codec::ByteView(control_).subspan(2)).as_chars());
    // The reason is UTF-8 (§5.5.1); U+0000 is a valid character there, unlike in MQTT strings.
    const auto issue = codec::check_utf8(reason);
    if (issue && issue->rule == codec::Rule::utf8_ill_formed) {
      fail(ws_close::invalid_data, "close reason is not valid UTF-8 (§5.5.1)", out);
      return;
    }
  }
  out.close_code = code;
  out.close_reason = std::move(reason);
  out.closed = true;
  if (state_ == State::open) {
    // §5.5.1: answer with a close, echoing the status code (none if the server gave none).
    std::vector<std::uint8_t> payload;
    if (code != 1005)
      payload = {static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code)};
    append_ws_frame(out.to_send, WsOpcode::close, payload, next_mask());
  }
  // When we closed first this is the server's answer, and the closing handshake is complete.
  state_ = State::closed;
}

void WebSocketClient::fail(std::uint16_t code, std::string what, Output& out) {
  out.error = "WebSocket: " + std::move(what) + " (frame at byte " + std::to_string(frame_start_) +
              " after the handshake)";
  out.closed = true;
  // §7.1.7: fail the connection with a close frame, unless ours is already on its way.
  if (state_ == State::open) {
    const std::array<std::uint8_t, 2> payload = {static_cast<std::uint8_t>(code >> 8),
                                                 static_cast<std::uint8_t>(code)};
    append_ws_frame(out.to_send, WsOpcode::close, payload, next_mask());
  }
  state_ = State::closed;
}

bool WebSocketClient::send(codec::ByteView mqtt, std::vector<std::uint8_t>& out) {
  // §5.5.1: after sending a close, an endpoint must not send more data frames.
  if (state_ != State::open) return false;
  append_ws_frame(out, WsOpcode::binary, mqtt, next_mask());
  return true;
}

bool WebSocketClient::ping(codec::ByteView payload, std::vector<std::uint8_t>& out) {
  if (state_ != State::open || payload.size() > kMaxControlPayload) return false;
  append_ws_frame(out, WsOpcode::ping, payload, next_mask());
  return true;
}

bool WebSocketClient::close(std::uint16_t code, std::string_view reason,
                            std::vector<std::uint8_t>& out) {
  if (state_ != State::open) return false;
  // 2 bytes of code leave 123 for the reason; cut at a character boundary so the reason stays
  // valid UTF-8 (a continuation byte is 10xxxxxx).
  std::size_t size = std::min<std::size_t>(reason.size(), kMaxControlPayload - 2);
  if (size < reason.size()) {
    while (size > 0 && (static_cast<std::uint8_t>(reason[size]) & 0xC0) == 0x80)
      --size;
  }
  std::vector<std::uint8_t> payload = {static_cast<std::uint8_t>(code >> 8),
                                       static_cast<std::uint8_t>(code)};
  const auto text = codec::ByteView::of(reason.substr(0, size));
  payload.insert(payload.end(), text.begin(), text.end());
  append_ws_frame(out, WsOpcode::close, payload, next_mask());
  state_ = State::closing;
  return true;
}

}  // namespace gauntlet::client
