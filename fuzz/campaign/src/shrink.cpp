#include "gauntlet/fuzzer/shrink.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "gauntlet/codec/codec.hpp"
#include "gauntlet/netfuzz/mutator.hpp"

namespace gauntlet::fuzzer {
namespace {

/// The packet's own property block, when its type has one.
codec::Properties* own_properties(codec::Packet& packet) {
  return std::visit(
      [](auto& p) -> codec::Properties* {
        if constexpr (requires { p.properties; }) {
          return &p.properties;
        } else {
          return nullptr;
        }
      },
      packet);
}

/// The block without its k-th property (nullopt when it has fewer).
std::optional<std::string> without_property(const codec::Properties& block, std::size_t k) {
  const codec::ByteView bytes = block.encoded();
  std::size_t index = 0;
  for (auto it = block.begin(); it != block.end(); ++it, ++index) {
    if (index != k) continue;
    auto next = it;
    ++next;
    const std::size_t from = it->offset;
    const std::size_t to = next == block.end() ? bytes.size() : next->offset;
    const std::string_view all = bytes.as_chars();
    return std::string(all.substr(0, from)) + std::string(all.substr(to));
  }
  return std::nullopt;
}

/// The packet with the first `keep` bytes of its body and a Remaining Length that says so.
std::optional<Bytes> cut_body(const Bytes& bytes, std::size_t keep) {
  codec::DecodeOptions options;
  const auto header = codec::read_fixed_header(codec::ByteView(bytes), options);
  const auto* fixed = std::get_if<codec::FixedHeader>(&header);
  if (fixed == nullptr || fixed->header_size > bytes.size()) return std::nullopt;
  const std::size_t body = bytes.size() - fixed->header_size;
  if (keep >= body) return std::nullopt;
  Bytes out{bytes[0]};
  codec::write_variable_int(static_cast<std::uint32_t>(keep), out);
  out.insert(out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(fixed->header_size),
             bytes.begin() + static_cast<std::ptrdiff_t>(fixed->header_size + keep));
  return out;
}

}  // namespace

std::vector<Bytes> smaller_packets(const Bytes& bytes, codec::ProtocolVersion version) {
  std::vector<Bytes> out;
  auto offer = [&](Bytes candidate) {
    if (candidate.size() < bytes.size()) out.push_back(std::move(candidate));
  };
  codec::DecodeOptions options;
  options.version = version;
  options.strict = false;
  codec::DecodeResult decoded = codec::decode(codec::ByteView(bytes), options);
  if (decoded.ok() && decoded.consumed() == bytes.size()) {
    const codec::Packet original = decoded.packet();
    netfuzz::Arena arena;
    auto encode = [&](const codec::Packet& packet) {
      Bytes encoded;
      if (!codec::encode(packet, version, encoded)) offer(std::move(encoded));
    };
    codec::Packet packet = original;
    if (codec::Properties* properties = own_properties(packet)) {
      for (std::size_t k = 0;; ++k) {
        auto smaller = without_property(*properties, k);
        if (!smaller) break;
        codec::Packet copy = original;
        *own_properties(copy) = codec::Properties(arena.keep_bytes(std::move(*smaller)));
        encode(copy);
      }
    }
    if (auto* publish = std::get_if<codec::Publish>(&packet);
        publish && !publish->payload.empty()) {
      codec::Publish copy = *publish;
      copy.payload = {};
      encode(copy);
    }
    if (auto* connect = std::get_if<codec::Connect>(&packet)) {
      if (connect->will) {
        codec::Connect copy = *connect;
        copy.will.reset();
        encode(copy);
      }
      if (connect->username || connect->password) {
        codec::Connect copy = *connect;
        copy.username.reset();
        copy.password.reset();
        encode(copy);
      }
    }
    if (auto* subscribe = std::get_if<codec::Subscribe>(&packet);
        subscribe && subscribe->subscriptions.size() > 1) {
      for (std::size_t k = 0; k < subscribe->subscriptions.size(); ++k) {
        codec::Subscribe copy = *subscribe;
        copy.subscriptions.erase(copy.subscriptions.begin() + static_cast<std::ptrdiff_t>(k));
        encode(copy);
      }
    }
    if (auto* unsubscribe = std::get_if<codec::Unsubscribe>(&packet);
        unsubscribe && unsubscribe->filters.size() > 1) {
      for (std::size_t k = 0; k < unsubscribe->filters.size(); ++k) {
        codec::Unsubscribe copy = *unsubscribe;
        copy.filters.erase(copy.filters.begin() + static_cast<std::ptrdiff_t>(k));
        encode(copy);
      }
    }
  } else {
    // Not a packet the codec reads (a mutation broke it): cut its body, halves first.
    const std::size_t body = bytes.size() > 2 ? bytes.size() - 2 : 0;
    for (const std::size_t keep : {body / 4, body / 2, body * 3 / 4, body > 0 ? body - 1 : 0}) {
      if (auto cut = cut_body(bytes, keep)) offer(std::move(*cut));
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Bytes& a, const Bytes& b) { return a.size() < b.size(); });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void drop_unused_clients(Sequence& sequence) {
  std::vector<int> renumber(sequence.clients.size(), -1);
  std::vector<ClientSlot> kept;
  for (const Step& step : sequence.steps) {
    if (renumber[step.client] < 0) {
      renumber[step.client] = static_cast<int>(kept.size());
      kept.push_back(sequence.clients[step.client]);
    }
  }
  for (Step& step : sequence.steps)
    step.client = static_cast<std::uint8_t>(renumber[step.client]);
  sequence.clients = std::move(kept);
}

bool Shrinker::attempt(const Sequence& candidate) {
  if (trials_ >= budget_) return false;
  ++trials_;
  if (!holds_(candidate)) return false;
  best_ = candidate;
  return true;
}

void Shrinker::remove_steps() {
  std::size_t chunk = std::max<std::size_t>(1, best_.steps.size() / 2);
  while (trials_ < budget_) {
    bool removed = false;
    for (std::size_t at = 0; at < best_.steps.size() && trials_ < budget_;) {
      if (best_.steps.size() <= 1) return;
      Sequence candidate = best_;
      const std::size_t end = std::min(candidate.steps.size(), at + chunk);
      if (end - at >= candidate.steps.size()) break;  // never everything
      candidate.steps.erase(candidate.steps.begin() + static_cast<std::ptrdiff_t>(at),
                            candidate.steps.begin() + static_cast<std::ptrdiff_t>(end));
      drop_unused_clients(candidate);
      if (attempt(candidate)) {
        removed = true;  // the same position now holds the next steps
      } else {
        at += chunk;
      }
    }
    if (!removed) {
      if (chunk == 1) return;
      chunk /= 2;
    }
  }
}

void Shrinker::shrink_packets() {
  for (std::size_t i = 0; i < best_.steps.size() && trials_ < budget_; ++i) {
    bool smaller = true;
    while (smaller && trials_ < budget_) {
      smaller = false;
      const Step& step = best_.steps[i];
      if (step.action != Step::Action::send) break;
      for (Bytes& candidate : smaller_packets(step.bytes, best_.clients[step.client].version)) {
        Sequence trial = best_;
        trial.steps[i].bytes = std::move(candidate);
        trial.steps[i].note += " (minimised)";
        if (attempt(trial)) {
          smaller = true;
          break;
        }
        if (trials_ >= budget_) break;
      }
    }
  }
}

Sequence Shrinker::run(std::size_t max_trials) {
  budget_ = max_trials;
  // Sends that never went out add nothing; the predicate sorts them out like any other step.
  remove_steps();
  shrink_packets();
  return best_;
}

}  // namespace gauntlet::fuzzer
