// One event loop of the swarm and the run-wide facts its clients share (read-only once the run
// starts). Private to the engine.
#pragma once

#include <asio.hpp>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gauntlet/client/connection.hpp"
#include "gauntlet/client/read_batcher.hpp"
#include "gauntlet/scenarios/templates.hpp"
#include "gauntlet/swarm/accounting.hpp"
#include "gauntlet/swarm/engine.hpp"

namespace gauntlet::swarm {

using client::Clock;
using client::TimePoint;

/// A client group as the swarm runs it.
struct GroupRuntime {
  const scenarios::ClientGroup* group = nullptr;
  const GroupLoad* load = nullptr;  ///< null: the group connects and idles
  client::Endpoint endpoint;
  client::TlsOptions tls_options;
  std::shared_ptr<asio::ssl::context> tls;
  std::uint64_t first_publisher = 0;   ///< publisher index of member 0 (publishing groups)
  std::uint64_t first_subscriber = 0;  ///< run-wide client ordinal of member 0 (its own sink)
};

/// What every loop reads: the request, the templates' root, the fan-out table, the clocks.
struct RunContext {
  explicit RunContext(const SwarmRequest& request);

  const SwarmRequest& request;
  scenarios::Bindings root;  ///< {run} and the scenario's vars
  std::uint64_t shard_seed = 0;
  std::chrono::microseconds batch{0};  ///< the I/O batching window (LoadPlan::batch_us)
  const SubscriptionTable* table = nullptr;
  std::uint32_t source_addresses = 0;
  /// Shared-subscription sinks by name ("$share/pool/fleet/# (qos 1)"), numbered in first-seen
  /// order.
  std::vector<std::string> shared_sinks;
  TimePoint start;
  std::uint64_t start_system_us = 0;  ///< the system clock at `start`, µs since the Unix epoch
  std::atomic<std::int64_t> publish_start_us{-1};
  std::atomic<std::uint64_t> open_connections{0};
  std::atomic<std::uint64_t> peak_connections{0};

  /// Starts the run's clocks: `start` now on the steady clock, and the system clock at that
  /// instant, which stamps carry (so shards in other processes can measure latency).
  void start_clocks();
  [[nodiscard]] scenarios::Bindings member_bindings(const GroupRuntime& group,
                                                    std::uint32_t index) const;
  /// Microseconds on the system clock for a steady-clock instant (one conversion for stamps and
  /// receipts, so that latency inside one process is free of wall-clock steps).
  [[nodiscard]] std::uint64_t system_us(TimePoint at) const;
  [[nodiscard]] nlohmann::ordered_json describe_plan(std::uint64_t clients, double duration) const;
  /// The number of a shared sink (adding it when new).
  std::uint32_t shared_sink(const std::string& name);
};

/// A shared-subscription sink's receipts united over the loops.
struct SharedSink {
  unsigned delivery_qos = 0;
  std::map<std::uint32_t, ReceiptLog> by_publisher;
};

class Loop {
 public:
  Loop(RunContext& context, const std::vector<GroupRuntime>& groups, std::uint32_t number);
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  /// Before start(): a client of `group`, member `index`, to connect `due_s` after the start.
  void add_client(std::size_t group, std::uint32_t index, double due_s);
  void start();
  void begin_publishing(TimePoint at, double duration_s);
  /// Stops the schedules, disconnects every client (DISCONNECT) and ends the loop shortly after.
  void finish();
  void join();

  // Read by the main thread while the loop runs (relaxed counters).
  [[nodiscard]] std::uint64_t ready() const noexcept {
    return ready_.load(std::memory_order_relaxed);
  }
  /// Adds this loop's running totals.
  void progress_into(Progress& progress) const;
  void balance(std::uint64_t& inflight, std::uint64_t& expected, std::uint64_t& delivered) const;

  /// After join(): adds this loop's measurements; shared sinks are united across loops in `shared`.
  /// Returns the number of messages that carried no stamp or matched no subscription.
  std::uint64_t collect(reports::SwarmMetrics& metrics, std::map<std::string, SharedSink>& shared);

 private:
  struct Route {
    std::string filter;  ///< as matched against topics (without "$share/<group>/")
    unsigned qos = 0;
    std::uint64_t sink = 0;  ///< own sink: the client's ordinal; shared: shared_sink_base + number
    bool shared = false;
  };
  struct Publisher {
    explicit Publisher(Schedule given) : schedule(std::move(given)) {}
    Schedule schedule;
    std::uint32_t id = 0;
    std::uint64_t sequence = 0;
    std::string topic;  ///< expanded; "{random}" still in it when random
    bool random_topic = false;
    Fanout fanout{};  ///< of the fixed topic
    bool done = false;
    std::vector<std::pair<std::uint16_t, TimePoint>> pending;  ///< QoS 1/2 ids and send times
  };
  struct VirtualClient {
    std::uint32_t group = 0;
    std::uint32_t index = 0;
    std::shared_ptr<client::Connection> connection;
    TimePoint attempt_due{};  ///< when the current connection attempt was scheduled
    double backoff_s = 0;
    TimePoint subscribe_sent{};
    bool online = false;
    bool wanted = true;  ///< false while a flap holds it down, or when the run ends
    bool ready_reported = false;
    std::vector<Route> routes;
    std::unique_ptr<Publisher> publisher;
  };
  enum class TaskKind : std::uint8_t { connect, publish, drop, flap_down, flap_up };
  struct Task {
    TimePoint due;
    std::uint32_t client;
    TaskKind kind;
    bool operator>(const Task& other) const noexcept { return due > other.due; }
  };

  void push(Task task);
  void arm();
  void run_due();
  void tick();
  void attempt(VirtualClient& client);
  void schedule_reconnect(std::uint32_t number);
  void send_next(std::uint32_t number);
  void publish(VirtualClient& client, TimePoint due);
  void subscribe(VirtualClient& client);
  void mark_ready(VirtualClient& client);
  void on_event(std::uint32_t number, const client::Event& event);
  void on_message(VirtualClient& client, const client::MessageReceived& message);
  void on_published(VirtualClient& client, const client::PublishCompleted& completed);
  void on_ended(std::uint32_t number);
  void connection_opened();
  void connection_closed();
  reports::SecondSample& this_second();
  [[nodiscard]] double seconds_since_publish_start(TimePoint at) const;
  [[nodiscard]] std::string random_hex();

  RunContext& context_;
  const std::vector<GroupRuntime>& groups_;
  std::uint32_t number_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  asio::steady_timer timer_;
  asio::steady_timer ticker_;
  std::optional<client::ReadBatcher> read_batcher_;  ///< with an I/O batching window
  std::optional<TimePoint> armed_for_;
  std::priority_queue<Task, std::vector<Task>, std::greater<>> tasks_;
  std::vector<VirtualClient> clients_;
  std::vector<double> first_connect_s_;
  std::thread thread_;
  std::mt19937_64 random_;
  bool publishing_ = false;
  bool finishing_ = false;
  TimePoint publish_start_{};
  TimePoint publish_end_{};
  double duration_s_ = 0;

  // Measurements (this loop's thread only).
  reports::PublishCounts publishing_counts_;
  reports::ConnectionCounts connection_counts_;
  std::array<std::uint64_t, 3> expected_by_qos_{};
  std::unordered_map<std::uint64_t, SinkReceipts> sinks_;  ///< by (sink << 2 | delivery QoS)
  reports::Histogram end_to_end_, connect_, subscribe_, ack_qos1_, ack_qos2_;
  std::vector<reports::SecondSample> series_;
  std::uint64_t open_ = 0;
  std::uint64_t unstamped_ = 0;

  // Mirrors for the main thread.
  std::atomic<std::uint64_t> ready_{0};
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> expected_{0};
  std::atomic<std::uint64_t> inflight_{0};
  std::atomic<std::uint64_t> acknowledged_{0};
  std::atomic<std::uint64_t> open_mirror_{0};
};

/// Sinks of shared subscriptions are numbered above every client ordinal.
inline constexpr std::uint64_t shared_sink_base = std::uint64_t{1} << 40;

}  // namespace gauntlet::swarm
