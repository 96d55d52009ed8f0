// `gauntlet decode`: reads a capture (hex, file or stdin), prints every packet or the violation.
#include "decode_command.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include "exit_codes.hpp"
#include "gauntlet/codec/capture.hpp"
#include "gauntlet/codec/hex.hpp"

namespace gauntlet::cli {
namespace {

struct DecodeArgs {
  std::string hex;
  std::string input;
  std::string protocol;
  std::string from;
  std::string format = "json";
  bool lenient = false;
  bool reveal_secrets = false;
  std::size_t max_packet_size = codec::max_remaining_length + 5;
};

// Reads the bytes to decode; on failure prints why and returns nullopt.
std::optional<std::vector<std::uint8_t>> read_input(const DecodeArgs& args) {
  if (!args.hex.empty()) {
    codec::HexError error{};
    auto bytes = codec::from_hex(args.hex, &error);
    if (!bytes) {
      std::cerr << "gauntlet decode: --hex:1:" << error.offset + 1 << ": " << error.reason << '\n';
    }
    return bytes;
  }
  if (args.input == "-" || args.input.empty()) {
    std::cin.sync_with_stdio(false);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(std::cin),
                                     std::istreambuf_iterator<char>());
  }
  std::ifstream file(args.input, std::ios::binary);
  if (!file) {
    std::cerr << "gauntlet decode: " << args.input << ": cannot open the file\n";
    return std::nullopt;
  }
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(file),
                                   std::istreambuf_iterator<char>());
}

void print_text(const codec::CaptureResult& result) {
  for (const codec::Json& entry : result.entries) {
    const auto offset = entry["offset"].get<std::size_t>();
    if (entry.contains("error")) {
      const codec::Json& e = entry["error"];
      std::cout << "@" << offset << " VIOLATION " << e["rule"].get<std::string>() << " at byte "
                << offset + e["offset"].get<std::size_t>() << " (" << e["field"].get<std::string>()
                << "): " << e["description"].get<std::string>();
      if (!e["statement"].is_null()) std::cout << " [" << e["statement"].get<std::string>() << ']';
      std::cout << " [section " << e["section"].get<std::string>() << "]\n";
      continue;
    }
    std::cout << "@" << offset << " " << codec::to_text(entry["packet"]) << '\n';
    for (const codec::Json& v : entry.value("violations", codec::Json::array())) {
      std::cout << "    lenient: " << v["rule"].get<std::string>() << " at byte "
                << offset + v["offset"].get<std::size_t>() << " (" << v["field"].get<std::string>()
                << ")";
      if (!v["statement"].is_null()) std::cout << " [" << v["statement"].get<std::string>() << ']';
      std::cout << '\n';
    }
  }
}

int run_decode(const DecodeArgs& args) {
  codec::CaptureOptions options;
  if (!args.protocol.empty()) options.version = codec::parse_protocol_version(args.protocol);
  if (args.from == "client") options.sender = codec::Sender::client;
  if (args.from == "server") options.sender = codec::Sender::server;
  options.strict = !args.lenient;
  options.max_packet_size = args.max_packet_size;
  options.json.reveal_secrets = args.reveal_secrets;

  const auto bytes = read_input(args);
  if (!bytes) return exit_usage;
  const auto decoded = codec::decode_capture(codec::ByteView(*bytes), options);
  if (const auto* usage = std::get_if<codec::CaptureUsageError>(&decoded)) {
    std::cerr << "gauntlet decode: " << usage->message << '\n';
    return exit_usage;
  }
  const auto& result = std::get<codec::CaptureResult>(decoded);
  if (args.format == "text") {
    print_text(result);
  } else {
    for (const codec::Json& entry : result.entries)
      std::cout << entry.dump() << '\n';
  }
  std::cout.flush();
  return result.stopped ? exit_failed : exit_ok;
}

}  // namespace

void add_decode_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<DecodeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "decode",
      "Decode MQTT packets from a capture and check every byte-level rule of the spec.\n\n"
      "The input is the byte stream one side of a connection sent (client to server or server\n"
      "to client), as a hex string, a raw file, or stdin. Each packet is printed as one JSON line\n"
      "(or one text line); decoding stops at the first violation, which is printed with its byte\n"
      "offset in the stream, the field, and the normative statement it breaks.\n\n"
      "Examples:\n"
      "  gauntlet decode --hex '10 10 00 04 4d 51 54 54 04 02 00 3c 00 04 74 65 73 74'\n"
      "  gauntlet decode capture.bin --format text\n"
      "  gauntlet decode - --protocol 5 --lenient < server-to-client.bin\n\n"
      "Exit codes: 0 every packet decoded cleanly; 1 a violation stopped decoding (strict mode,\n"
      "or a structural error in lenient mode, or the capture ends inside a packet); 2 bad usage\n"
      "or unreadable input.");
  auto* source = cmd->add_option_group("input", "where the bytes come from (one of)");
  source->add_option("--hex", args->hex, "the bytes as hex; spaces, ':' and '0x' are ignored");
  source->add_option("input", args->input, "a file holding the raw bytes, or - for stdin");
  source->require_option(0, 1);
  cmd->add_option("--protocol", args->protocol,
                  "protocol level for packets other than CONNECT: 3.1, 3.1.1 or 5 "
                  "(default: learned from the CONNECT or CONNACK the capture starts with)")
      ->check(CLI::IsMember({"3.1", "3.1.1", "5", "5.0"}));
  cmd->add_flag("--lenient", args->lenient,
                "accept what real brokers send in the wild: stop only where the bytes cannot be "
                "parsed, list the other violations beside each packet");
  cmd->add_option("--format", args->format, "json (one object per line) or text")
      ->check(CLI::IsMember({"json", "text"}));
  cmd->add_option("--from", args->from,
                  "who sent the bytes, for rules that bind one side only "
                  "(default: client if the capture starts with CONNECT, server if CONNACK)")
      ->check(CLI::IsMember({"client", "server"}));
  cmd->add_option("--max-packet-size", args->max_packet_size,
                  "refuse packets larger than this many bytes (before reading their body)")
      ->check(CLI::Range(std::size_t{2}, std::size_t{codec::max_remaining_length} + 5));
  cmd->add_flag("--show-password", args->reveal_secrets,
                "print CONNECT passwords (shown only as their length otherwise)");
  cmd->callback([args, &exit_code] { exit_code = run_decode(*args); });
}

}  // namespace gauntlet::cli
