// Encodes a PUBLISH, decodes it back and checks the fields: proof that the installed headers,
// library and CMake package work together.
#include <cstdio>
#include <gauntlet/codec/codec.hpp>
#include <vector>

int main() {
  using namespace gauntlet::codec;
  Publish publish;
  publish.qos = QoS::at_least_once;
  publish.topic = "installed/codec";
  publish.packet_id = 42;
  publish.payload = ByteView::of("works");
  std::vector<std::uint8_t> bytes;
  if (encode(publish, ProtocolVersion::v5, bytes)) return 1;
  DecodeOptions options;
  options.version = ProtocolVersion::v5;
  const DecodeResult result = decode(ByteView(bytes), options);
  if (!result.ok() || !(std::get<Publish>(result.packet()) == publish)) return 1;
  std::printf("decoded %s (%zu bytes) from the installed gauntlet::codec\n",
              std::string(to_string(packet_type(result.packet()))).c_str(), result.consumed());
  return 0;
}
