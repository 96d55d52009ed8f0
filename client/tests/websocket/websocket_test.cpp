// WebSocketClient unit tests: HTTP responses and frames as byte vectors in, MQTT bytes, frames to
// send and outcomes out — no socket. A fixed random source reproduces the masked frames of
// RFC 6455 §5.7 byte for byte.
#include "gauntlet/client/websocket.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace gauntlet::client {
namespace {

using Bytes = std::vector<std::uint8_t>;
using Output = WebSocketClient::Output;

// The mask of the RFC 6455 §5.7 examples; the fixed random source repeats it, so the key is
// these 4 bytes 4 times and every client frame is masked with exactly them.
constexpr std::array<std::uint8_t, 4> kRfcMask = {0x37, 0xfa, 0x21, 0x3d};

Bytes bytes_of(std::string_view text) {
  return {text.begin(), text.end()};
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes all;
  for (const auto& part : parts)
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

/// An unmasked frame as a server sends it.
Bytes server_frame(WsOpcode opcode, const Bytes& payload, bool fin = true) {
  Bytes out;
  append_ws_frame(out, opcode, payload, std::nullopt, fin);
  return out;
}

WebSocketOptions rfc_mask_options() {
  WebSocketOptions options;
  options.host = "broker.example";
  options.port = 80;
  options.random = [](std::span<std::uint8_t> bytes) {
    for (std::size_t i = 0; i < bytes.size(); ++i)
      bytes[i] = kRfcMask[i % 4];
  };
  return options;
}

/// The 101 response a correct server gives to `client`'s last request, with `extra` header lines
/// (each ending in CRLF) and the subprotocol line replaced when `protocol` is given ("" drops it).
std::string response_for(const WebSocketClient& client, std::string_view extra = {},
                         std::optional<std::string> protocol = "mqtt") {
  std::string response =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " +
      websocket_accept(client.key()) + "\r\n";
  if (protocol && !protocol->empty()) response += "Sec-WebSocket-Protocol: " + *protocol + "\r\n";
  response += extra;
  response += "\r\n";
  return response;
}

/// A client past its handshake.
WebSocketClient open_client(WebSocketOptions options = rfc_mask_options()) {
  WebSocketClient client(std::move(options));
  (void)client.handshake_request();
  Output out;
  client.receive(codec::ByteView::of(response_for(client)), out);
  EXPECT_TRUE(out.opened);
  EXPECT_FALSE(out.error) << *out.error;
  return client;
}

Output feed(WebSocketClient& client, const Bytes& bytes) {
  Output out;
  client.receive(bytes, out);
  return out;
}

/// A client frame decoded independently of the implementation (RFC 6455 §5.2).
struct ClientFrame {
  bool fin = false;
  std::uint8_t rsv = 0;
  std::uint8_t opcode = 0;
  bool masked = false;
  std::array<std::uint8_t, 4> mask{};
  Bytes payload;         ///< unmasked
  std::size_t size = 0;  ///< bytes the frame took
};

std::optional<ClientFrame> decode_client_frame(const Bytes& bytes, std::size_t at = 0) {
  if (bytes.size() < at + 2) return std::nullopt;
  ClientFrame frame;
  frame.fin = (bytes[at] & 0x80) != 0;
  frame.rsv = bytes[at] & 0x70;
  frame.opcode = bytes[at] & 0x0F;
  frame.masked = (bytes[at + 1] & 0x80) != 0;
  std::uint64_t length = bytes[at + 1] & 0x7F;
  std::size_t pos = at + 2;
  const std::size_t extended = length == 126 ? 2 : length == 127 ? 8 : 0;
  if (extended != 0) {
    if (bytes.size() < pos + extended) return std::nullopt;
    length = 0;
    for (std::size_t i = 0; i < extended; ++i)
      length = (length << 8) | bytes[pos++];
  }
  if (frame.masked) {
    if (bytes.size() < pos + 4) return std::nullopt;
    for (auto& b : frame.mask)
      b = bytes[pos++];
  }
  if (bytes.size() - pos < length) return std::nullopt;
  for (std::size_t i = 0; i < length; ++i) {
    const std::uint8_t key = frame.masked ? frame.mask[i % 4] : 0;
    frame.payload.push_back(static_cast<std::uint8_t>(bytes[pos + i] ^ key));
  }
  frame.size = pos + static_cast<std::size_t>(length) - at;
  return frame;
}

// --- the opening handshake -------------------------------------------------------------------

TEST(WebSocketHandshake, AcceptValueOfTheRfcExample) {
  // RFC 6455 §1.3.
  EXPECT_EQ(websocket_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, RequestCarriesEveryRequiredField) {
  WebSocketOptions options = rfc_mask_options();
  options.port = 8080;
  WebSocketClient client(options);
  const std::string request = client.handshake_request();
  // The key is 16 bytes of 37 fa 21 3d, base64-encoded: 24 characters ending in "==".
  EXPECT_EQ(client.key(), "N/ohPTf6IT03+iE9N/ohPQ==");
  EXPECT_TRUE(request.starts_with("GET /mqtt HTTP/1.1\r\n")) << request;
  EXPECT_NE(request.find("\r\nHost: broker.example:8080\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nConnection: Upgrade\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nSec-WebSocket-Key: N/ohPTf6IT03+iE9N/ohPQ==\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nSec-WebSocket-Version: 13\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nSec-WebSocket-Protocol: mqtt\r\n"), std::string::npos);  // 6.0.0-3
  EXPECT_TRUE(request.ends_with("\r\n\r\n"));
  EXPECT_FALSE(client.is_open());
}

TEST(WebSocketHandshake, HostLeavesOutTheDefaultPortAndBracketsIpv6) {
  WebSocketOptions plain = rfc_mask_options();
  plain.port = 80;
  EXPECT_NE(WebSocketClient(plain).handshake_request().find("\r\nHost: broker.example\r\n"),
            std::string::npos);

  WebSocketOptions tls = rfc_mask_options();
  tls.tls = true;
  tls.port = 443;
  EXPECT_NE(WebSocketClient(tls).handshake_request().find("\r\nHost: broker.example\r\n"),
            std::string::npos);
  tls.port = 80;  // port 80 is not the default of wss
  EXPECT_NE(WebSocketClient(tls).handshake_request().find("\r\nHost: broker.example:80\r\n"),
            std::string::npos);

  WebSocketOptions v6 = rfc_mask_options();
  v6.host = "::1";
  v6.port = 9001;
  v6.path = "/ws";
  v6.subprotocols = {"mqtt", "mqttv3.1"};
  v6.extra_headers = {{"Origin", "http://test"}};
  const std::string request = WebSocketClient(v6).handshake_request();
  EXPECT_TRUE(request.starts_with("GET /ws HTTP/1.1\r\n"));
  EXPECT_NE(request.find("\r\nHost: [::1]:9001\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("\r\nSec-WebSocket-Protocol: mqtt, mqttv3.1\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nOrigin: http://test\r\n"), std::string::npos);
}

TEST(WebSocketHandshake, SeedMakesTheKeyDeterministic) {
  WebSocketOptions a;
  a.host = "h";
  a.seed = 7;
  WebSocketOptions b = a;
  b.seed = 8;
  WebSocketClient first(a);
  WebSocketClient again(a);
  WebSocketClient other(b);
  EXPECT_EQ(first.handshake_request(), again.handshake_request());
  (void)other.handshake_request();
  EXPECT_NE(first.key(), other.key());
  EXPECT_EQ(first.key().size(), 24U);

  // Without a seed the key comes from RAND_bytes: still 16 bytes, and new on each request.
  WebSocketOptions random;
  random.host = "h";
  WebSocketClient c(random);
  (void)c.handshake_request();
  const std::string k1 = c.key();
  (void)c.handshake_request();
  EXPECT_EQ(k1.size(), 24U);
  EXPECT_NE(k1, c.key());
}

TEST(WebSocketHandshake, ValidResponseOpens) {
  WebSocketClient client(rfc_mask_options());
  (void)client.handshake_request();
  const Output out = feed(client, bytes_of(response_for(client)));
  EXPECT_TRUE(out.opened);
  EXPECT_FALSE(out.closed);
  EXPECT_FALSE(out.error);
  EXPECT_TRUE(out.findings.empty());
  EXPECT_TRUE(out.data.empty());
  EXPECT_TRUE(out.to_send.empty());
  EXPECT_TRUE(client.is_open());
  EXPECT_EQ(client.subprotocol(), "mqtt");
}

TEST(WebSocketHandshake, HeaderNamesAndValuesAreCaseInsensitive) {
  WebSocketClient client(rfc_mask_options());
  (void)client.handshake_request();
  const std::string response =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "upgrade: WebSocket\r\n"
      "CONNECTION: keep-alive, upgrade\r\n"
      "Server: test\r\n"
      "sec-websocket-accept:   " +
      websocket_accept(client.key()) +
      " \r\n"
      "sec-websocket-protocol: mqtt\r\n\r\n";
  const Output out = feed(client, bytes_of(response));
  EXPECT_TRUE(out.opened);
  EXPECT_FALSE(out.error) << *out.error;
}

TEST(WebSocketHandshake, FramesInTheSameReadAsTheResponse) {
  WebSocketClient client(rfc_mask_options());
  (void)client.handshake_request();
  const Bytes connack = {0x20, 0x02, 0x00, 0x00};  // CONNACK: type, remaining length, flags, rc
  const Output out = feed(
      client, concat({bytes_of(response_for(client)), server_frame(WsOpcode::binary, connack)}));
  EXPECT_TRUE(out.opened);
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.data, connack);
}

TEST(WebSocketHandshake, ResponseSplitAtEveryByteOpensOnTheLastOne) {
  WebSocketClient probe(rfc_mask_options());
  (void)probe.handshake_request();
  const Bytes response = bytes_of(response_for(probe));
  for (std::size_t split = 1; split < response.size(); ++split) {
    WebSocketClient client(rfc_mask_options());
    (void)client.handshake_request();
    const Output first = feed(
        client, Bytes(response.begin(), response.begin() + static_cast<std::ptrdiff_t>(split)));
    EXPECT_FALSE(first.opened) << split;
    EXPECT_FALSE(first.error) << split;
    const Output second =
        feed(client, Bytes(response.begin() + static_cast<std::ptrdiff_t>(split), response.end()));
    EXPECT_TRUE(second.opened) << split;
    EXPECT_FALSE(second.error) << split;
  }
}

struct Refusal {
  const char* name;
  std::string response;  ///< "{accept}" stands for the correct Sec-WebSocket-Accept value
  const char* error_mentions;
  const char* finding;  ///< statement id, or "" for none
};

void PrintTo(const Refusal& refusal, std::ostream* os) {
  *os << refusal.name;
}

class WebSocketRefusal : public ::testing::TestWithParam<Refusal> {};

TEST_P(WebSocketRefusal, FailsTheHandshake) {
  WebSocketClient client(rfc_mask_options());
  (void)client.handshake_request();
  std::string response = GetParam().response;
  if (const auto at = response.find("{accept}"); at != std::string::npos) {
    response.replace(at, 8, websocket_accept(client.key()));
  }
  const Output out = feed(client, bytes_of(response));
  EXPECT_FALSE(out.opened);
  EXPECT_TRUE(out.closed);
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->find(GetParam().error_mentions), std::string::npos) << *out.error;
  EXPECT_FALSE(client.is_open());
  if (std::string_view(GetParam().finding).empty()) {
    EXPECT_TRUE(out.findings.empty());
  } else {
    ASSERT_EQ(out.findings.size(), 1U);
    EXPECT_EQ(out.findings[0].statement, GetParam().finding);
  }
  // Nothing after a refusal counts, not even a frame that looks valid.
  const Output later = feed(client, server_frame(WsOpcode::binary, {0xd0, 0x00}));
  EXPECT_TRUE(later.data.empty());
}

const std::string kGood = "Upgrade: websocket\r\nConnection: Upgrade\r\n";

INSTANTIATE_TEST_SUITE_P(
    Responses, WebSocketRefusal,
    ::testing::Values(
        Refusal{"Http400", "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", "400", ""},
        Refusal{"Http404", "HTTP/1.1 404 Not Found\r\n\r\n", "404 Not Found", ""},
        Refusal{"Http200", "HTTP/1.1 200 OK\r\n" + kGood + "\r\n", "200", ""},
        Refusal{"Http1010", "HTTP/1.1 1010 Odd\r\n" + kGood + "\r\n", "1010", ""},
        Refusal{"NotHttp", "SSH-2.0-OpenSSH\r\n\r\n", "status line", ""},
        Refusal{"WrongAccept",
                "HTTP/1.1 101 Switching Protocols\r\n" + kGood +
                    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                    "Sec-WebSocket-Protocol: mqtt\r\n\r\n",
                "Sec-WebSocket-Accept", ""},
        Refusal{"MissingAccept", "HTTP/1.1 101 Switching Protocols\r\n" + kGood + "\r\n",
                "Sec-WebSocket-Accept", ""},
        Refusal{"MissingUpgrade",
                "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: {accept}\r\n\r\n",
                "Upgrade", ""},
        Refusal{"UpgradeNotWebSocket",
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: {accept}\r\n\r\n",
                "h2c", ""},
        Refusal{"MissingConnection",
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                "Sec-WebSocket-Accept: {accept}\r\n\r\n",
                "Connection", ""},
        Refusal{"ExtensionNotOffered",
                "HTTP/1.1 101 Switching Protocols\r\n" + kGood +
                    "Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: mqtt\r\n"
                    "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
                "permessage-deflate", ""},
        Refusal{"SubprotocolNotMqtt",
                "HTTP/1.1 101 Switching Protocols\r\n" + kGood +
                    "Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: mqttv3.1\r\n\r\n",
                "mqttv3.1", "MQTT-6.0.0-4"},
        Refusal{"TwoSubprotocols",
                "HTTP/1.1 101 Switching Protocols\r\n" + kGood +
                    "Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: mqtt\r\n"
                    "Sec-WebSocket-Protocol: mqtt\r\n\r\n",
                "mqtt, mqtt", "MQTT-6.0.0-4"},
        Refusal{"MalformedHeaderLine",
                "HTTP/1.1 101 Switching Protocols\r\n" + kGood + "no colon here\r\n\r\n",
                "malformed header", ""}),
    [](const ::testing::TestParamInfo<Refusal>& param_info) {
      return std::string(param_info.param.name);
    });

TEST(WebSocketHandshake, WrongAcceptNamesWhatCameAndWhatWasExpected) {
  WebSocketClient client(rfc_mask_options());
  (void)client.handshake_request();
  const Output out = feed(client, bytes_of("HTTP/1.1 101 Switching Protocols\r\n" + kGood +
                                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                                           "Sec-WebSocket-Protocol: mqtt\r\n\r\n"));
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->find("Sec-WebSocket-Accept is \"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\""),
            std::string::npos)
      << *out.error;
  EXPECT_FALSE(out.opened);
}

TEST(WebSocketHandshake, NoSubprotocolOpensWithAFinding) {
  // RFC 6455 allows a server to select none; MQTT requires "mqtt" (MQTT-6.0.0-4).
  WebSocketClient client(rfc_mask_options());
  (void)client.handshake_request();
  const Output out = feed(client, bytes_of(response_for(client, {}, "")));
  EXPECT_TRUE(out.opened);
  EXPECT_FALSE(out.error);
  ASSERT_EQ(out.findings.size(), 1U);
  EXPECT_EQ(out.findings[0].statement, "MQTT-6.0.0-4");
  EXPECT_EQ(client.subprotocol(), "");
}

TEST(WebSocketHandshake, OfferedSubprotocolOtherThanMqttOpensWithAFinding) {
  WebSocketOptions options = rfc_mask_options();
  options.subprotocols = {"mqtt", "mqttv3.1"};
  WebSocketClient client(options);
  (void)client.handshake_request();
  const Output out = feed(client, bytes_of(response_for(client, {}, "mqttv3.1")));
  EXPECT_TRUE(out.opened);
  ASSERT_EQ(out.findings.size(), 1U);
  EXPECT_EQ(out.findings[0].statement, "MQTT-6.0.0-4");
  EXPECT_EQ(client.subprotocol(), "mqttv3.1");
}

TEST(WebSocketHandshake, EndlessHeaderIsRefusedAtTheLimit) {
  WebSocketOptions options = rfc_mask_options();
  options.max_handshake_size = 256;
  WebSocketClient client(options);
  (void)client.handshake_request();
  Output out = feed(client, bytes_of("HTTP/1.1 101 Switching Protocols\r\n"));
  EXPECT_FALSE(out.error);
  out = feed(client, Bytes(1000, 'x'));
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->find("256"), std::string::npos) << *out.error;
  EXPECT_TRUE(out.closed);
}

TEST(WebSocketHandshake, BytesBeforeTheRequestAreAnError) {
  WebSocketClient client(rfc_mask_options());
  const Output out = feed(client, {0x00});
  EXPECT_TRUE(out.error);
}

// --- frames from the server ------------------------------------------------------------------

TEST(WebSocketFrames, BinaryFrameCarriesMqttBytes) {
  auto client = open_client();
  const Output out = feed(client, {
                                      0x82,        // FIN, opcode 2 (binary)
                                      0x02,        // unmasked, length 2
                                      0xd0, 0x00,  // PINGRESP
                                  });
  EXPECT_EQ(out.data, (Bytes{0xd0, 0x00}));
  EXPECT_FALSE(out.error);
  EXPECT_TRUE(out.to_send.empty());
  EXPECT_TRUE(out.findings.empty());
}

TEST(WebSocketFrames, FragmentedBinaryMessageIsReassembled) {
  auto client = open_client();
  const Output out = feed(client, {
                                      0x02, 0x02, 0x20, 0x02,  // binary, no FIN: CONNACK header
                                      0x00, 0x01, 0x00,        // continuation, no FIN: flags
                                      0x80, 0x01, 0x00,        // continuation, FIN: return code
                                  });
  EXPECT_EQ(out.data, (Bytes{0x20, 0x02, 0x00, 0x00}));
  EXPECT_FALSE(out.error);
}

TEST(WebSocketFrames, PingBetweenFragmentsIsAnsweredAndTheMessageGoesOn) {
  auto client = open_client();
  const Output out = feed(client, concat({
                                      {0x02, 0x01, 0x20},  // binary, no FIN
                                      {0x89, 0x00},        // ping, empty (allowed mid-message)
                                      {0x80, 0x03, 0x02, 0x00, 0x00},  // continuation, FIN
                                  }));
  EXPECT_EQ(out.data, (Bytes{0x20, 0x02, 0x00, 0x00}));
  const auto pong = decode_client_frame(out.to_send);
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->opcode, 0xA);
  EXPECT_TRUE(pong->payload.empty());
}

TEST(WebSocketFrames, PingIsAnsweredWithAMaskedPongOfTheSamePayload) {
  auto client = open_client();
  // RFC 6455 §5.7: an unmasked ping "Hello", and the masked pong answering it.
  const Output out = feed(client, {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f});
  EXPECT_EQ(out.to_send, (Bytes{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
  EXPECT_TRUE(out.data.empty());
  EXPECT_FALSE(out.closed);
  EXPECT_TRUE(client.is_open());
}

TEST(WebSocketFrames, UnsolicitedPongIsIgnored) {
  auto client = open_client();
  const Output out = feed(client, {0x8a, 0x01, 0x41});
  EXPECT_TRUE(out.to_send.empty());
  EXPECT_FALSE(out.error);
  EXPECT_TRUE(client.is_open());
}

TEST(WebSocketFrames, CloseIsAnsweredWithCloseEchoingTheCode) {
  auto client = open_client();
  const Output out = feed(client, concat({
                                      {0x88, 0x05},  // close, length 5
                                      {0x03, 0xe8},  // status code 1000
                                      bytes_of("bye"),
                                      {0x82, 0x01, 0xd0},  // after close: ignored
                                  }));
  EXPECT_TRUE(out.closed);
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.close_code, 1000);
  EXPECT_EQ(out.close_reason, "bye");
  EXPECT_TRUE(out.data.empty());
  const auto reply = decode_client_frame(out.to_send);
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->fin);
  EXPECT_EQ(reply->opcode, 0x8);
  EXPECT_TRUE(reply->masked);
  EXPECT_EQ(reply->payload, (Bytes{0x03, 0xe8}));
  EXPECT_EQ(reply->size, out.to_send.size());
  EXPECT_FALSE(client.is_open());
  Bytes later;
  EXPECT_FALSE(client.send(Bytes{0xc0, 0x00}, later));
  EXPECT_TRUE(later.empty());
}

TEST(WebSocketFrames, EmptyCloseIsAnsweredWithEmptyClose) {
  auto client = open_client();
  const Output out = feed(client, {0x88, 0x00});
  EXPECT_TRUE(out.closed);
  EXPECT_EQ(out.close_code, 1005);  // "no status code"
  EXPECT_EQ(out.to_send, (Bytes{0x88, 0x80, 0x37, 0xfa, 0x21, 0x3d}));
}

TEST(WebSocketFrames, TextFrameIsAFindingAndStillCarriesTheBytes) {
  auto client = open_client();
  // RFC 6455 §5.7: a fragmented unmasked text message "Hello" ("Hel", then "lo").
  const Output out = feed(client, {0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f});
  EXPECT_EQ(out.data, bytes_of("Hello"));
  ASSERT_EQ(out.findings.size(), 1U);
  EXPECT_EQ(out.findings[0].statement, "MQTT-6.0.0-1");
  EXPECT_FALSE(out.error);
  // One finding per connection is enough to say it.
  const Output again = feed(client, {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f});
  EXPECT_EQ(again.data, bytes_of("Hello"));
  EXPECT_TRUE(again.findings.empty());
}

TEST(WebSocketFrames, LengthForms126And127) {
  auto client = open_client();
  // RFC 6455 §5.7: 256 bytes in one unmasked binary frame (16-bit length) ...
  Bytes payload256(256);
  for (std::size_t i = 0; i < payload256.size(); ++i)
    payload256[i] = static_cast<std::uint8_t>(i);
  Output out = feed(client, concat({{0x82, 0x7e, 0x01, 0x00}, payload256}));
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.data, payload256);
  // ... and 64 KiB in one unmasked binary frame (64-bit length).
  Bytes payload64k(65536, 0xab);
  out = feed(client,
             concat({{0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}, payload64k}));
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.data, payload64k);
  // The encoder picks the same forms.
  EXPECT_EQ(server_frame(WsOpcode::binary, payload256),
            concat({{0x82, 0x7e, 0x01, 0x00}, payload256}));
  const Bytes encoded64k = server_frame(WsOpcode::binary, payload64k);
  EXPECT_EQ(Bytes(encoded64k.begin(), encoded64k.begin() + 10),
            (Bytes{0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}));
}

TEST(WebSocketFrames, DeclaredLengthAboveTheLimitFailsBeforeAnyPayload) {
  WebSocketOptions options = rfc_mask_options();
  options.max_message_size = 1024;
  auto client = open_client(options);
  // 64-bit length 2^63 - 1: refused on the header alone, with 1009 sent back.
  const Output out = feed(client, {0x82, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->find("max_message_size"), std::string::npos) << *out.error;
  EXPECT_TRUE(out.closed);
  EXPECT_TRUE(out.data.empty());
  const auto close = decode_client_frame(out.to_send);
  ASSERT_TRUE(close);
  EXPECT_EQ(close->opcode, 0x8);
  EXPECT_EQ(close->payload, (Bytes{0x03, 0xf1}));  // 1009 message too big
}

TEST(WebSocketFrames, FragmentsAddingUpAboveTheLimitFail) {
  WebSocketOptions options = rfc_mask_options();
  options.max_message_size = 8;
  auto client = open_client(options);
  Output out = feed(client, concat({{0x02, 0x05}, Bytes(5, 0x01)}));
  EXPECT_FALSE(out.error);
  out = feed(client, concat({{0x80, 0x04}, Bytes(4, 0x01)}));  // 5 + 4 > 8
  ASSERT_TRUE(out.error);
  EXPECT_TRUE(out.data.empty());
  // A new message starts the count again.
  auto fresh = open_client(options);
  out = feed(fresh, concat({{0x82, 0x08}, Bytes(8, 0x01), {0x82, 0x08}, Bytes(8, 0x02)}));
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.data.size(), 16U);
}

struct BadFrame {
  const char* name;
  Bytes frame;
  const char* error_mentions;
  std::uint16_t close_code;
};

void PrintTo(const BadFrame& bad, std::ostream* os) {
  *os << bad.name;
}

class WebSocketBadFrame : public ::testing::TestWithParam<BadFrame> {};

TEST_P(WebSocketBadFrame, FailsTheConnectionWithACloseFrame) {
  auto client = open_client();
  const Output out = feed(client, GetParam().frame);
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->find(GetParam().error_mentions), std::string::npos) << *out.error;
  EXPECT_TRUE(out.closed);
  EXPECT_FALSE(client.is_open());
  const auto close = decode_client_frame(out.to_send);
  ASSERT_TRUE(close);
  EXPECT_EQ(close->opcode, 0x8);
  EXPECT_TRUE(close->masked);
  const std::uint16_t code = GetParam().close_code;
  EXPECT_EQ(close->payload,
            (Bytes{static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code & 0xFF)}));
  // Whatever follows is ignored.
  const Output later = feed(client, server_frame(WsOpcode::binary, {0xd0, 0x00}));
  EXPECT_TRUE(later.data.empty());
  EXPECT_FALSE(later.error);
}

INSTANTIATE_TEST_SUITE_P(
    Frames, WebSocketBadFrame,
    ::testing::Values(
        // RFC 6455 §5.7's masked "Hello", as a server must never send it (§5.1).
        BadFrame{"MaskedFromServer",
                 {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
                 "masked",
                 1002},
        BadFrame{"Rsv1", {0xc2, 0x00}, "reserved bits", 1002},
        BadFrame{"Rsv3", {0x92, 0x00}, "reserved bits", 1002},
        BadFrame{"ReservedDataOpcode", {0x83, 0x00}, "reserved opcode 0x03", 1002},
        BadFrame{"ReservedControlOpcode", {0x8b, 0x00}, "reserved opcode 0x0b", 1002},
        BadFrame{"FragmentedPing", {0x09, 0x00}, "fragmented control", 1002},
        BadFrame{"LongPing", {0x89, 0x7e, 0x00, 0x7e}, "125", 1002},
        BadFrame{"ContinuationFirst", {0x80, 0x01, 0x00}, "continuation", 1002},
        BadFrame{"NewMessageMidFragment", {0x02, 0x01, 0x00, 0x82, 0x01, 0x00}, "inside", 1002},
        BadFrame{"NonMinimal16", {0x82, 0x7e, 0x00, 0x05, 1, 2, 3, 4, 5}, "16-bit length", 1002},
        BadFrame{"NonMinimal64",
                 {0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05},
                 "64-bit length 5",
                 1002},
        BadFrame{"Length64HighBit",
                 {0x82, 0x7f, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
                 "most significant bit",
                 1002},
        BadFrame{"CloseOneByte", {0x88, 0x01, 0x03}, "1-byte", 1002},
        BadFrame{"CloseReservedCode", {0x88, 0x02, 0x03, 0xed}, "close code 1005", 1002},
        BadFrame{"CloseCodeBelow1000", {0x88, 0x02, 0x00, 0x01}, "close code 1", 1002},
        BadFrame{"CloseReasonNotUtf8", {0x88, 0x04, 0x03, 0xe8, 0xc3, 0x28}, "UTF-8", 1007}),
    [](const ::testing::TestParamInfo<BadFrame>& param_info) {
      return std::string(param_info.param.name);
    });

TEST(WebSocketFrames, ErrorNamesTheFrameOffset) {
  auto client = open_client();
  // A good 4-byte frame, then a masked one starting at byte 4.
  const Output out = feed(client, {0x82, 0x02, 0xd0, 0x00, 0x82, 0x80, 0, 0, 0, 0});
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->find("byte 4 "), std::string::npos) << *out.error;
  EXPECT_EQ(out.data, (Bytes{0xd0, 0x00}));
}

// --- MQTT over the frame stream (MQTT-6.0.0-2) ------------------------------------------------

TEST(WebSocketStream, PacketsNeedNotAlignWithFrames) {
  auto client = open_client();
  const Bytes publish = {
      0x30, 0x07,                 // PUBLISH QoS 0, remaining length 7
      0x00, 0x03, 'a', '/', 'b',  // topic "a/b"
      'h',  'i',                  // payload
  };
  const Bytes pingresp = {0xd0, 0x00};
  const Bytes suback = {0x90, 0x03, 0x00, 0x01, 0x00};  // SUBACK, packet id 1, granted QoS 0
  // PUBLISH across three frames (the middle one also a new message), then two packets in one.
  const Bytes stream = concat({
      server_frame(WsOpcode::binary, {publish.begin(), publish.begin() + 3}),
      server_frame(WsOpcode::binary, {publish.begin() + 3, publish.begin() + 5}, false),
      server_frame(WsOpcode::continuation, {publish.begin() + 5, publish.end()}),
      server_frame(WsOpcode::binary, concat({pingresp, suback})),
  });
  const Output out = feed(client, stream);
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.data, concat({publish, pingresp, suback}));
}

/// Everything a sequence of receive() calls produced, gathered.
struct Gathered {
  Bytes data;
  Bytes to_send;
  int opened = 0;
  bool closed = false;
  std::optional<std::string> error;
  std::optional<std::uint16_t> close_code;
  std::vector<std::string> findings;
  friend bool operator==(const Gathered&, const Gathered&) = default;
};

void gather(Gathered& all, const Output& out) {
  all.data.insert(all.data.end(), out.data.begin(), out.data.end());
  all.to_send.insert(all.to_send.end(), out.to_send.begin(), out.to_send.end());
  all.opened += out.opened ? 1 : 0;
  all.closed = all.closed || out.closed;
  if (out.error) all.error = out.error;
  if (out.close_code) all.close_code = out.close_code;
  for (const auto& f : out.findings)
    all.findings.push_back(f.statement);
}

TEST(WebSocketStream, EverySplitGivesTheSameOutput) {
  WebSocketClient probe(rfc_mask_options());
  (void)probe.handshake_request();
  Bytes big(300);
  for (std::size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<std::uint8_t>(i * 7);
  const Bytes stream = concat({
      bytes_of(response_for(probe)),
      server_frame(WsOpcode::binary, {0x20, 0x02, 0x00, 0x00}),
      server_frame(WsOpcode::binary, {0x30, 0x05}, false),
      server_frame(WsOpcode::ping, bytes_of("keep")),
      server_frame(WsOpcode::continuation, {0x00, 0x01, 'x', 'y', 'z'}),
      server_frame(WsOpcode::binary, big),  // 16-bit length form
      server_frame(WsOpcode::binary, {}),   // empty frame
      server_frame(WsOpcode::text, {0xd0, 0x00}),
      server_frame(WsOpcode::close, {0x03, 0xe8}),
  });

  const auto run = [&](const std::vector<std::size_t>& cuts) {
    WebSocketClient client(rfc_mask_options());
    (void)client.handshake_request();
    Gathered all;
    std::size_t from = 0;
    for (const std::size_t cut : cuts) {
      Output out;
      client.receive(codec::ByteView(stream).subspan(from, cut - from), out);
      gather(all, out);
      from = cut;
    }
    return all;
  };

  const Gathered whole = run({stream.size()});
  EXPECT_EQ(whole.opened, 1);
  EXPECT_TRUE(whole.closed);
  EXPECT_FALSE(whole.error);
  EXPECT_EQ(whole.close_code, 1000);
  EXPECT_EQ(whole.findings, std::vector<std::string>{"MQTT-6.0.0-1"});
  EXPECT_EQ(
      whole.data,
      concat({{0x20, 0x02, 0x00, 0x00, 0x30, 0x05, 0x00, 0x01, 'x', 'y', 'z'}, big, {0xd0, 0x00}}));
  const auto pong = decode_client_frame(whole.to_send);
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->opcode, 0xA);
  EXPECT_EQ(pong->payload, bytes_of("keep"));
  const auto close = decode_client_frame(whole.to_send, pong->size);
  ASSERT_TRUE(close);
  EXPECT_EQ(close->opcode, 0x8);

  // One byte at a time.
  std::vector<std::size_t> each;
  for (std::size_t i = 1; i <= stream.size(); ++i)
    each.push_back(i);
  EXPECT_EQ(run(each), whole);
  // Every two-way split.
  for (std::size_t split = 1; split < stream.size(); ++split) {
    EXPECT_EQ(run({split, stream.size()}), whole) << "split at " << split;
  }
}

TEST(WebSocketStream, LargeFrameByteByByte) {
  auto client = open_client();
  const Bytes payload(70000, 0x5a);
  const Bytes frame = server_frame(WsOpcode::binary, payload);
  Bytes data;
  for (const std::uint8_t byte : frame) {
    Output out;
    client.receive(codec::ByteView(&byte, 1), out);
    ASSERT_FALSE(out.error);
    data.insert(data.end(), out.data.begin(), out.data.end());
  }
  EXPECT_EQ(data, payload);
}

// --- frames from the client ------------------------------------------------------------------

TEST(WebSocketSend, RfcHelloFramesWithTheRfcMask) {
  // RFC 6455 §5.7: single-frame unmasked and masked text "Hello".
  Bytes unmasked;
  append_ws_frame(unmasked, WsOpcode::text, codec::ByteView::of("Hello"), std::nullopt);
  EXPECT_EQ(unmasked, (Bytes{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
  Bytes masked;
  append_ws_frame(masked, WsOpcode::text, codec::ByteView::of("Hello"), kRfcMask);
  EXPECT_EQ(masked, (Bytes{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
  // The client sends MQTT as binary (MQTT-6.0.0-1): the same bytes with opcode 2.
  auto client = open_client();
  Bytes sent;
  ASSERT_TRUE(client.send(codec::ByteView::of("Hello"), sent));
  EXPECT_EQ(sent, (Bytes{0x82, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
}

TEST(WebSocketSend, FramesAreMaskedBinaryWithFin) {
  WebSocketOptions options;
  options.host = "broker.example";
  options.seed = 42;
  auto client = open_client(options);
  const Bytes connect = {
      0x10, 0x0c,                      // CONNECT, remaining length 12
      0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
      0x04,                            // level 4 (3.1.1)
      0x02,                            // clean session
      0x00, 0x3c,                      // keep alive 60
      0x00, 0x00,                      // empty client id
  };
  Bytes sent;
  ASSERT_TRUE(client.send(connect, sent));
  const Bytes big(1000, 0x11);  // 16-bit length form
  ASSERT_TRUE(client.send(big, sent));

  const auto first = decode_client_frame(sent);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->fin);
  EXPECT_EQ(first->rsv, 0);
  EXPECT_EQ(first->opcode, 0x2);
  EXPECT_TRUE(first->masked);
  EXPECT_EQ(first->payload, connect);
  const auto second = decode_client_frame(sent, first->size);
  ASSERT_TRUE(second);
  EXPECT_EQ(sent[first->size + 1], 0x80 | 126);
  EXPECT_EQ(second->payload, big);
  EXPECT_EQ(first->size + second->size, sent.size());
  // Each frame takes a fresh mask.
  EXPECT_NE(first->mask, second->mask);
}

TEST(WebSocketSend, NothingIsSentBeforeTheHandshake) {
  WebSocketClient client(rfc_mask_options());
  Bytes sent;
  EXPECT_FALSE(client.send(Bytes{0xc0, 0x00}, sent));
  (void)client.handshake_request();
  EXPECT_FALSE(client.send(Bytes{0xc0, 0x00}, sent));
  EXPECT_FALSE(client.close(1000, "", sent));
  EXPECT_TRUE(sent.empty());
}

TEST(WebSocketSend, PingIsMaskedAndLimitedTo125Bytes) {
  auto client = open_client();
  Bytes sent;
  ASSERT_TRUE(client.ping(codec::ByteView::of("Hello"), sent));
  EXPECT_EQ(sent, (Bytes{0x89, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
  sent.clear();
  EXPECT_FALSE(client.ping(Bytes(126, 0), sent));
  EXPECT_TRUE(sent.empty());
}

TEST(WebSocketSend, ClosingHandshakeStartedByTheClient) {
  auto client = open_client();
  Bytes sent;
  ASSERT_TRUE(client.close(1000, "done", sent));
  const auto close = decode_client_frame(sent);
  ASSERT_TRUE(close);
  EXPECT_EQ(close->opcode, 0x8);
  EXPECT_TRUE(close->masked);
  EXPECT_EQ(close->payload, concat({{0x03, 0xe8}, bytes_of("done")}));
  EXPECT_FALSE(client.is_open());
  // No data after our close (§5.5.1) ...
  Bytes more;
  EXPECT_FALSE(client.send(Bytes{0xc0, 0x00}, more));
  EXPECT_FALSE(client.close(1000, "", more));
  EXPECT_TRUE(more.empty());
  // ... but the server's data still arrives until its close, which needs no reply.
  const Output out = feed(client, concat({server_frame(WsOpcode::binary, {0xd0, 0x00}),
                                          server_frame(WsOpcode::close, {0x03, 0xe8})}));
  EXPECT_EQ(out.data, (Bytes{0xd0, 0x00}));
  EXPECT_TRUE(out.closed);
  EXPECT_EQ(out.close_code, 1000);
  EXPECT_TRUE(out.to_send.empty());
  EXPECT_FALSE(out.error);
}

TEST(WebSocketSend, LongCloseReasonIsCutAtACharacterBoundary) {
  auto client = open_client();
  std::string reason(122, 'a');
  reason += "\xc3\xa9";  // U+00E9 would straddle byte 123
  Bytes sent;
  ASSERT_TRUE(client.close(1001, reason, sent));
  const auto close = decode_client_frame(sent);
  ASSERT_TRUE(close);
  EXPECT_EQ(close->payload.size(), 2U + 122U);
  EXPECT_LE(close->payload.size(), 125U);
}

}  // namespace
}  // namespace gauntlet::client
