// gauntlet_netem_delay: a test-only stand-in for `tc netem delay`. It takes the packets of one
// NFQUEUE queue (iptables `-j NFQUEUE --queue-num N`), holds each for a fixed delay and then
// accepts it. It exists because the kernels of the machines the tests run on are built without
// sch_netem (`tc qdisc add ... netem` answers "Specified qdisc kind is unknown") while NFQUEUE is
// there; netns_test.sh uses real netem when the kernel has it and this program otherwise.
//
// One delay for every packet keeps their order, so the packets leave in the order they came: a
// FIFO of packet ids, each with its release time. Only the packets' metadata is copied to user
// space (the verdict needs the id alone). The program runs in the network namespace whose queue it
// serves (queue numbers are per namespace), for at most --max-seconds, and stops at SIGTERM or
// SIGINT; either way it accepts the packets it still holds and prints what it did, including the
// kernel's count of packets the queue could not take (/proc/net/netfilter/nfnetlink_queue).
//
// Usage: gauntlet_netem_delay --queue N --delay-ms D --max-seconds S [--ready-file FILE]
//   --ready-file: written once the queue is bound, so that the caller adds its NFQUEUE rules only
//   when someone takes the packets (the rules have no --queue-bypass: a delayer that dies makes
//   the links drop everything, which a test notices, instead of silently removing the delay).
// <arpa/inet.h> (glibc's <netinet/in.h>) before <linux/netfilter.h>, or <linux/in.h> redefines
// its structures.
#include <arpa/inet.h>  // ntohl
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <libnfnetlink/libnfnetlink.h>
#include <linux/netfilter.h>  // NF_ACCEPT
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace gauntlet::netns {
namespace {

using Clock = std::chrono::steady_clock;

// The kernel's default queue holds 1024 packets; a link at a few thousand packets a second held
// for 100 ms needs a few hundred, and a burst more.
constexpr std::uint32_t queue_length = 65536;
// Room in the netlink socket for the packet notifications of a burst: when it overflows the
// kernel drops notifications (ENOBUFS) and those packets wait for a verdict that never comes.
constexpr int receive_buffer_bytes = 8 << 20;
// Packet metadata only; a notification is a few hundred bytes.
constexpr std::size_t read_buffer_bytes = 65536;

struct Options {
  std::uint16_t queue = 0;
  std::chrono::milliseconds delay{100};
  std::chrono::seconds max_run{300};
  std::string ready_file;
};

struct Held {
  std::uint32_t id;
  Clock::time_point release_at;
};

struct State {
  Options options;
  std::deque<Held> held;
  std::uint64_t received = 0;
  std::uint64_t accepted = 0;
  std::uint64_t verdict_errors = 0;
  std::uint64_t notifications_lost = 0;  // ENOBUFS on the netlink socket
  std::size_t most_held = 0;
};

volatile std::sig_atomic_t stop_requested = 0;

extern "C" void request_stop(int /*signal*/) {
  stop_requested = 1;
}

template <typename Number>
std::optional<Number> number(std::string_view text) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

int usage(const char* why) {
  std::fprintf(stderr,
               "gauntlet_netem_delay: %s\nusage: gauntlet_netem_delay --queue N --delay-ms D "
               "--max-seconds S [--ready-file FILE]\n",
               why);
  return 2;
}

std::optional<Options> parse(int argc, char** argv) {
  Options options;
  bool have_queue = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const std::string_view value = argv[i + 1];
    if (flag == "--queue") {
      const auto queue = number<std::uint16_t>(value);
      if (!queue) return std::nullopt;
      options.queue = *queue;
      have_queue = true;
    } else if (flag == "--delay-ms") {
      const auto delay = number<std::uint32_t>(value);
      if (!delay || *delay > 60'000) return std::nullopt;
      options.delay = std::chrono::milliseconds(*delay);
    } else if (flag == "--max-seconds") {
      const auto seconds = number<std::uint32_t>(value);
      if (!seconds || *seconds == 0 || *seconds > 86'400) return std::nullopt;
      options.max_run = std::chrono::seconds(*seconds);
    } else if (flag == "--ready-file") {
      options.ready_file = std::string(value);
    } else {
      return std::nullopt;
    }
  }
  if (argc % 2 != 1 || !have_queue) return std::nullopt;
  return options;
}

// Called by nfq_handle_packet for each packet notification: remember the id and when to let it go.
int on_packet(nfq_q_handle* /*queue*/, nfgenmsg* /*message*/, nfq_data* data, void* context) {
  auto& state = *static_cast<State*>(context);
  const nfqnl_msg_packet_hdr* header = nfq_get_msg_packet_hdr(data);
  if (header == nullptr) return 0;
  state.held.push_back({ntohl(header->packet_id), Clock::now() + state.options.delay});
  ++state.received;
  if (state.held.size() > state.most_held) state.most_held = state.held.size();
  return 0;
}

void release(State& state, nfq_q_handle* queue, Clock::time_point until) {
  while (!state.held.empty() && state.held.front().release_at <= until) {
    if (nfq_set_verdict(queue, state.held.front().id, NF_ACCEPT, 0, nullptr) < 0) {
      ++state.verdict_errors;
    } else {
      ++state.accepted;
    }
    state.held.pop_front();
  }
}

// The kernel's own counters of this queue, as the line of /proc/net/netfilter/nfnetlink_queue:
// queue, port id, waiting, copy mode, copy range, dropped (queue full), user dropped (netlink
// full), last id, 1.
std::string kernel_counters(std::uint16_t queue) {
  std::ifstream file("/proc/net/netfilter/nfnetlink_queue");
  std::string line;
  while (std::getline(file, line)) {
    std::istringstream fields(line);
    unsigned number = 0;
    unsigned port = 0;
    unsigned waiting = 0;
    unsigned mode = 0;
    unsigned range = 0;
    unsigned long dropped = 0;
    unsigned long user_dropped = 0;
    if (fields >> number >> port >> waiting >> mode >> range >> dropped >> user_dropped &&
        number == queue) {
      return "waiting " + std::to_string(waiting) + ", queue full " + std::to_string(dropped) +
             ", netlink full " + std::to_string(user_dropped);
    }
  }
  return "not listed";
}

int serve(State& state) {
  nfq_handle* handle = nfq_open();
  if (handle == nullptr) {
    std::perror("gauntlet_netem_delay: nfq_open");
    return 3;
  }
  nfq_q_handle* queue = nfq_create_queue(handle, state.options.queue, &on_packet, &state);
  if (queue == nullptr) {
    std::perror("gauntlet_netem_delay: nfq_create_queue (is another program bound to it?)");
    nfq_close(handle);
    return 3;
  }
  if (nfq_set_mode(queue, NFQNL_COPY_META, 0) < 0 ||
      nfq_set_queue_maxlen(queue, queue_length) < 0) {
    std::perror("gauntlet_netem_delay: configuring the queue");
    nfq_destroy_queue(queue);
    nfq_close(handle);
    return 3;
  }
  // Whole GSO packets rather than their segments: fewer notifications, and the verdict does not
  // need the payload.
  nfq_set_queue_flags(queue, NFQA_CFG_F_GSO, NFQA_CFG_F_GSO);
  nfnl_rcvbufsiz(nfq_nfnlh(handle), receive_buffer_bytes);
  const int fd = nfq_fd(handle);

  if (!state.options.ready_file.empty()) {
    std::ofstream ready(state.options.ready_file);
    ready << getpid() << '\n';
  }

  // SIGTERM and SIGINT are blocked except inside ppoll, so a signal can never slip in between the
  // check of stop_requested and the wait.
  sigset_t blocked;
  sigset_t during_wait;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGINT);
  sigprocmask(SIG_BLOCK, &blocked, &during_wait);
  sigdelset(&during_wait, SIGTERM);
  sigdelset(&during_wait, SIGINT);

  const Clock::time_point end = Clock::now() + state.options.max_run;
  alignas(nlmsghdr) static char buffer[read_buffer_bytes];
  while (stop_requested == 0) {
    Clock::time_point now = Clock::now();
    if (now >= end) break;
    Clock::time_point wake = end;
    if (!state.held.empty() && state.held.front().release_at < wake)
      wake = state.held.front().release_at;
    // A packet whose time has come while the previous batch was handled: no wait at all.
    const auto wait_ns = std::max<std::int64_t>(
        0, std::chrono::duration_cast<std::chrono::nanoseconds>(wake - now).count());
    const timespec timeout{static_cast<time_t>(wait_ns / 1'000'000'000),
                           static_cast<long>(wait_ns % 1'000'000'000)};
    pollfd readable{fd, POLLIN, 0};
    const int ready = ppoll(&readable, 1, &timeout, &during_wait);
    if (ready < 0 && errno != EINTR) {
      std::perror("gauntlet_netem_delay: ppoll");
      break;
    }
    if (ready > 0) {
      // Everything that is waiting, without blocking.
      for (int round = 0; round < 1024; ++round) {
        const ssize_t size = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (size < 0) {
          if (errno == ENOBUFS) {
            ++state.notifications_lost;
            continue;
          }
          break;  // EAGAIN: nothing more for now
        }
        nfq_handle_packet(handle, buffer, static_cast<int>(size));
      }
    }
    release(state, queue, Clock::now());
  }
  // Whatever is still held goes now: leaving it would drop it when the queue is destroyed.
  release(state, queue, Clock::time_point::max());
  std::printf(
      "gauntlet_netem_delay: queue %u, delay %lld ms: %llu packets delayed, %llu accepted, at "
      "most %zu held at once, %llu verdict errors, %llu notifications lost; kernel: %s\n",
      static_cast<unsigned>(state.options.queue),
      static_cast<long long>(state.options.delay.count()),
      static_cast<unsigned long long>(state.received),
      static_cast<unsigned long long>(state.accepted), state.most_held,
      static_cast<unsigned long long>(state.verdict_errors),
      static_cast<unsigned long long>(state.notifications_lost),
      kernel_counters(state.options.queue).c_str());
  std::fflush(stdout);
  nfq_destroy_queue(queue);
  nfq_close(handle);
  return state.notifications_lost > 0 || state.verdict_errors > 0 ? 1 : 0;
}

}  // namespace
}  // namespace gauntlet::netns

int main(int argc, char** argv) {
  using namespace gauntlet::netns;
  const auto options = parse(argc, argv);
  if (!options) return usage("bad arguments");
  struct sigaction action {};
  action.sa_handler = &request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  State state;
  state.options = *options;
  return serve(state);
}
