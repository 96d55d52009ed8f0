#include "loop.hpp"

#include <algorithm>
#include <cmath>

#include "gauntlet/scenarios/client_setup.hpp"
#include "gauntlet/scenarios/runner.hpp"
#include "gauntlet/swarm/stamp.hpp"

namespace gauntlet::swarm {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;

Clock::duration seconds(double s) {
  return duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

/// Spreads a fraction of a group evenly over its indices: member i is chosen when the running
/// count floor((i + 1) × fraction) steps up at i.
bool chosen(std::uint32_t index, double fraction) {
  return std::floor((index + 1.0) * fraction) > std::floor(index * fraction);
}

/// When a publisher's next message is due, in seconds after the group's start_s; nothing once it
/// has sent `sent` of its plan's messages or its schedule ends within the publish phase (`done` is
/// then set).
std::optional<double> next_slot(Schedule& schedule, std::uint64_t sent, bool& done,
                                const PublishPlan& plan, double duration_s) {
  if (plan.messages != 0 && sent >= plan.messages) {
    done = true;
    return std::nullopt;
  }
  const auto due = schedule.next(duration_s - plan.start_s);
  if (!due) done = true;
  return due;
}

/// A member's own username and password ("credentials_file") and certificate
/// ("client_certificates"), over what the profile gives the whole group.
void own_identity(const GroupLoad& load, std::uint32_t index, const scenarios::Bindings& member,
                  client::SessionConfig& config, client::TlsOptions& tls) {
  if (!load.credentials.empty()) {
    const Credential& own = load.credentials[index];
    config.username = own.username;
    config.password = std::vector<std::uint8_t>(own.password.begin(), own.password.end());
  }
  if (load.certificates) {
    tls.cert_file = scenarios::expand(load.certificates->cert, member);
    tls.key_file = scenarios::expand(load.certificates->key, member);
  }
}

}  // namespace

// --- the run's shared facts --------------------------------------------------------------------

RunContext::RunContext(const SwarmRequest& given) : request(given) {
  // {run} is the same in every shard (their topics must meet); the seeds of the shards differ.
  root.set("run", scenarios::run_id(given.seed, given.scenario->name));
  for (const auto& [name, value] : given.scenario->variables)
    root.set(name, scenarios::expand(value, root));
  shard_seed = given.seed * 0x9E3779B97F4A7C15ULL + given.shard.index + 1;
  const std::uint32_t planned = given.plan != nullptr ? given.plan->batch_us : 0;
  batch = std::chrono::microseconds(given.batch_us.value_or(planned));
}

scenarios::Bindings RunContext::member_bindings(const GroupRuntime& group,
                                                std::uint32_t index) const {
  scenarios::Bindings bindings(&root);
  bindings.set("i", std::to_string(index));
  bindings.set("client", group.group->name);
  bindings.set("group", group.group->name);
  bindings.set("id", scenarios::expand(group.group->id_template, bindings));
  return bindings;
}

void RunContext::start_clocks() {
  start = Clock::now();
  start_system_us = static_cast<std::uint64_t>(
      duration_cast<microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

std::uint64_t RunContext::system_us(TimePoint at) const {
  return start_system_us + static_cast<std::uint64_t>(std::max<std::int64_t>(
                               0, duration_cast<microseconds>(at - start).count()));
}

std::uint32_t RunContext::shared_sink(const std::string& name) {
  const auto found = std::find(shared_sinks.begin(), shared_sinks.end(), name);
  if (found != shared_sinks.end()) return static_cast<std::uint32_t>(found - shared_sinks.begin());
  shared_sinks.push_back(name);
  return static_cast<std::uint32_t>(shared_sinks.size() - 1);
}

nlohmann::ordered_json RunContext::describe_plan(std::uint64_t clients, double duration) const {
  const LoadPlan& plan = *request.plan;
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["shard"] =
      std::to_string(request.shard.index + 1) + "/" + std::to_string(request.shard.count);
  out["clients_in_shard"] = clients;
  out["duration_s"] = duration;
  out["drain_s"] = plan.drain_s;
  out["connect_rate_per_s"] = plan.connect_rate.rate_at(0);
  out["batch_us"] = batch.count();
  nlohmann::ordered_json groups = nlohmann::ordered_json::array();
  for (const scenarios::ClientGroup& group : request.scenario->clients) {
    nlohmann::ordered_json entry = {{"name", group.name},
                                    {"count", group.count},
                                    {"protocol", std::string(codec::to_string(group.version))},
                                    {"clean_start", group.clean_start}};
    if (const GroupLoad* load = plan.load_of(group.name)) {
      if (load->publish) {
        entry["publish"] = {{"topic", load->publish->topic},
                            {"qos", load->publish->qos},
                            {"payload_size", load->publish->payload_size},
                            {"rate_per_client", load->publish->rate.rate_at(0)},
                            {"poisson", load->publish->rate.poisson},
                            {"messages", load->publish->messages}};
      }
      if (!load->subscriptions.empty()) {
        nlohmann::ordered_json filters = nlohmann::ordered_json::array();
        for (const SubscriptionPlan& subscription : load->subscriptions)
          filters.push_back({{"filter", subscription.filter},
                             {"qos", subscription.qos},
                             {"share", subscription.share}});
        entry["subscribe"] = filters;
      }
      if (load->flap)
        entry["flap"] = {{"every_s", load->flap->every_s},
                         {"down_s", load->flap->down_s},
                         {"fraction", load->flap->fraction}};
    }
    groups.push_back(entry);
  }
  out["groups"] = groups;
  return out;
}

// --- the loop ----------------------------------------------------------------------------------

Loop::Loop(RunContext& context, const std::vector<GroupRuntime>& groups, std::uint32_t number)
    : context_(context),
      groups_(groups),
      number_(number),
      work_(io_.get_executor()),
      timer_(io_),
      ticker_(io_),
      random_(context.shard_seed + number) {
  if (context.batch.count() > 0) read_batcher_.emplace(io_, context.batch);
}

Loop::~Loop() {
  if (thread_.joinable()) {
    io_.stop();
    thread_.join();
  }
}

void Loop::add_client(std::size_t group, std::uint32_t index, double due_s) {
  const GroupRuntime& runtime = groups_[group];
  VirtualClient client;
  client.group = static_cast<std::uint32_t>(group);
  client.index = index;
  if (runtime.load != nullptr) {
    const scenarios::Bindings bindings = context_.member_bindings(runtime, index);
    for (const SubscriptionPlan& subscription : runtime.load->subscriptions) {
      Route route;
      route.filter = scenarios::expand(subscription.filter, bindings);
      route.qos = subscription.qos;
      route.shared = !subscription.share.empty();
      route.sink = route.shared
                       ? shared_sink_base + context_.shared_sink("$share/" + subscription.share +
                                                                 "/" + route.filter)
                       : runtime.first_subscriber + index;
      client.routes.push_back(std::move(route));
    }
    if (runtime.load->publish) {
      const PublishPlan& plan = *runtime.load->publish;
      const std::uint32_t id = static_cast<std::uint32_t>(runtime.first_publisher + index);
      const double phase =
          runtime.group->count > 1 ? static_cast<double>(index) / runtime.group->count : 0.0;
      client.publisher = std::make_unique<Publisher>(
          Schedule(plan.rate, phase, context_.shard_seed ^ (std::uint64_t{id} << 20)));
      Publisher& publisher = *client.publisher;
      publisher.id = id;
      publisher.topic = scenarios::expand(plan.topic, bindings);
      publisher.random_topic = publisher.topic.find("{random}") != std::string::npos;
      if (!publisher.random_topic)
        publisher.fanout = context_.table->fanout(publisher.topic, plan.qos);
    }
  }
  clients_.push_back(std::move(client));
  first_connect_s_.push_back(due_s);
}

void Loop::start() {
  thread_ = std::thread([this] {
    for (std::uint32_t k = 0; k < clients_.size(); ++k)
      push({context_.start + seconds(first_connect_s_[k]), k, TaskKind::connect});
    tick();
    io_.run();
  });
}

void Loop::begin_publishing(TimePoint at, double duration_s) {
  asio::post(io_, [this, at, duration_s] {
    publishing_ = true;
    publish_start_ = at;
    duration_s_ = duration_s;
    publish_end_ = at + seconds(duration_s);
    const LoadPlan& plan = *context_.request.plan;
    for (std::uint32_t k = 0; k < clients_.size(); ++k) {
      VirtualClient& client = clients_[k];
      const GroupRuntime& runtime = groups_[client.group];
      if (client.publisher) send_next(k);
      if (runtime.load != nullptr && runtime.load->flap &&
          chosen(client.index, runtime.load->flap->fraction)) {
        // Flapping clients are staggered over the first period so they do not all leave at once.
        const double offset =
            runtime.load->flap->every_s * (0.5 + 0.5 * std::fmod(client.index * 0.6180339887, 1.0));
        if (offset < duration_s) push({at + seconds(offset), k, TaskKind::flap_down});
      }
      for (const FaultPlan& fault : plan.faults) {
        if (fault.kind != FaultPlan::Kind::drop) continue;
        if (!fault.group.empty() && fault.group != "*" && fault.group != runtime.group->name)
          continue;
        if (chosen(client.index, fault.fraction))
          push({at + seconds(fault.at_s), k, TaskKind::drop});
      }
    }
  });
}

void Loop::finish() {
  asio::post(io_, [this] {
    finishing_ = true;
    const TimePoint now = Clock::now();
    // Scheduled sends whose time came but which were not made (the loop fell behind, or the run
    // was stopped): counted, never silently dropped.
    while (!tasks_.empty()) {
      const Task task = tasks_.top();
      tasks_.pop();
      if (task.kind != TaskKind::publish || task.due > now) continue;
      Publisher& publisher = *clients_[task.client].publisher;
      const double horizon = std::min(seconds_since_publish_start(now), duration_s_);
      ++publishing_counts_.behind_schedule;
      while (publisher.schedule.next(horizon))
        ++publishing_counts_.behind_schedule;
    }
    timer_.cancel();
    for (VirtualClient& client : clients_) {
      client.wanted = false;
      if (client.connection && client.online) {
        client.connection->command([](client::Session& session, TimePoint at) {
          session.disconnect(codec::ReasonCode{0}, {}, at);
        });
      }
    }
    // The DISCONNECTs go out; then the loop ends.
    ticker_.cancel();
    timer_.expires_after(std::chrono::milliseconds(300));
    timer_.async_wait([this](const asio::error_code&) {
      for (VirtualClient& client : clients_) {
        if (client.connection) client.connection->drop();
      }
      work_.reset();
      io_.stop();
    });
  });
}

void Loop::join() {
  if (thread_.joinable()) thread_.join();
}

// --- scheduling --------------------------------------------------------------------------------

void Loop::push(Task task) {
  tasks_.push(task);
  if (!armed_for_ || task.due < *armed_for_) arm();
}

void Loop::arm() {
  if (tasks_.empty() || finishing_) return;
  // With a batching window the tasks run at the window's end, together: a publisher's messages
  // due in it leave in one write (run_due), at the instant the resting connections read.
  const TimePoint due =
      read_batcher_ ? read_batcher_->boundary_at_or_after(tasks_.top().due) : tasks_.top().due;
  // Setting a timer is a system call (asio keeps one timerfd per loop) and, on a VM, a costly
  // reprogramming of the hardware timer: never re-arm for the instant already armed.
  if (armed_for_ == due) return;
  armed_for_ = due;
  const auto fire = [this, due](const asio::error_code& ec) {
    if (ec || armed_for_ != due) return;
    // armed_for_ stays set while the due tasks run: the tasks they push (each publisher's next
    // message, due later) then arm nothing, and the timer is armed once, for the earliest, after.
    run_due();
    armed_for_.reset();
    arm();
  };
  if (due <= Clock::now()) {
    // Already due (the loop is behind its schedule): a timer set for a past instant costs most
    // of all (an immediate timer interrupt besides the reprogramming), so the tasks run from the
    // loop's queue instead, after the I/O that is ready. A wait armed for later is not wanted.
    timer_.cancel();
    asio::post(io_, [fire] { fire(asio::error_code{}); });
    return;
  }
  timer_.expires_at(due);
  timer_.async_wait(fire);
}

void Loop::run_due() {
  const TimePoint now = Clock::now();
  while (!tasks_.empty() && tasks_.top().due <= now && !finishing_) {
    const Task task = tasks_.top();
    tasks_.pop();
    VirtualClient& client = clients_[task.client];
    switch (task.kind) {
      case TaskKind::connect:
        client.attempt_due = task.due;
        if (client.wanted && !client.online) attempt(client);
        break;
      case TaskKind::publish:
        publish(client, task.due);  // and queues the publisher's next message
        break;
      case TaskKind::drop:
        if (client.connection && client.online) client.connection->drop();
        break;
      case TaskKind::flap_down: {
        const FlapPlan& flap = *groups_[client.group].load->flap;
        client.wanted = false;
        if (client.connection && client.online) {
          if (flap.graceful) {
            client.connection->command([](client::Session& session, TimePoint at) {
              session.disconnect(codec::ReasonCode{0}, {}, at);
            });
          } else {
            client.connection->drop();
          }
        }
        push({now + seconds(flap.down_s), task.client, TaskKind::flap_up});
        break;
      }
      case TaskKind::flap_up: {
        const FlapPlan& flap = *groups_[client.group].load->flap;
        client.wanted = true;
        client.attempt_due = task.due;
        if (!client.online) attempt(client);
        const TimePoint next = task.due + seconds(flap.every_s - flap.down_s);
        if (next < publish_end_) push({next, task.client, TaskKind::flap_down});
        break;
      }
    }
  }
}

void Loop::tick() {
  // Samples the state at each second boundary of the run.
  const TimePoint now = Clock::now();
  reports::SecondSample& sample = this_second();
  sample.connections = open_;
  sample.inflight = inflight_.load(std::memory_order_relaxed);
  const auto elapsed = now - context_.start;
  const auto next =
      context_.start +
      std::chrono::seconds(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count() + 1);
  ticker_.expires_at(next);
  ticker_.async_wait([this](const asio::error_code& ec) {
    if (!ec && !finishing_) tick();
  });
}

reports::SecondSample& Loop::this_second() {
  const auto second = static_cast<std::size_t>(
      std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - context_.start).count());
  if (series_.size() <= second) {
    const std::size_t from = series_.size();
    series_.resize(second + 1);
    for (std::size_t s = from; s < series_.size(); ++s) {
      series_[s].second = s;
      // A second with no event keeps the connection count of the one before.
      if (s > 0) series_[s].connections = series_[s - 1].connections;
    }
  }
  return series_[second];
}

double Loop::seconds_since_publish_start(TimePoint at) const {
  return std::chrono::duration<double>(at - publish_start_).count();
}

// --- connections -------------------------------------------------------------------------------

void Loop::attempt(VirtualClient& client) {
  const std::uint32_t number = static_cast<std::uint32_t>(&client - clients_.data());
  const GroupRuntime& runtime = groups_[client.group];
  ++connection_counts_.attempted;
  if (!client.connection) {
    const scenarios::Bindings bindings = context_.member_bindings(runtime, client.index);
    client::SessionConfig config = scenarios::session_config(
        *runtime.group, *context_.request.profile, *bindings.find("id"), scenarios::Json::object(),
        bindings, context_.request.scenario->timeout);
    config.report_packets = false;
    config.strict =
        false;  // load runs decode leniently (DESIGN.md §3): judging is conformance's job
    client::TlsOptions tls_options = runtime.tls_options;
    if (runtime.load != nullptr)
      own_identity(*runtime.load, client.index, bindings, config, tls_options);
    client::Endpoint endpoint = runtime.endpoint;
    if (context_.source_addresses > 1)
      endpoint.source_address =
          "127.0.0." +
          std::to_string(1 + (runtime.first_subscriber + client.index) % context_.source_addresses);
    client.connection = client::Connection::create(
        io_, std::move(endpoint), std::move(config), runtime.tls, std::move(tls_options),
        [this, number](const client::Event& event) { on_event(number, event); });
    if (read_batcher_) client.connection->set_read_batcher(&*read_batcher_);
  } else {
    ++connection_counts_.reconnects;
  }
  client.connection->open();
}

void Loop::schedule_reconnect(std::uint32_t number) {
  VirtualClient& client = clients_[number];
  const LoadPlan& plan = *context_.request.plan;
  client.backoff_s = client.backoff_s == 0 ? plan.reconnect_min_s
                                           : std::min(plan.reconnect_max_s, client.backoff_s * 2);
  push({Clock::now() + seconds(client.backoff_s), number, TaskKind::connect});
}

void Loop::subscribe(VirtualClient& client) {
  std::vector<codec::Subscription> subscriptions;
  const GroupLoad& load = *groups_[client.group].load;
  std::vector<std::string> filters;  // the strings the views below point into
  filters.reserve(load.subscriptions.size());
  for (std::size_t r = 0; r < client.routes.size(); ++r) {
    const SubscriptionPlan& plan = load.subscriptions[r];
    filters.push_back(plan.share.empty() ? client.routes[r].filter
                                         : "$share/" + plan.share + "/" + client.routes[r].filter);
  }
  for (std::size_t r = 0; r < client.routes.size(); ++r) {
    codec::Subscription subscription;
    subscription.filter = filters[r];
    subscription.options.qos = static_cast<codec::QoS>(client.routes[r].qos);
    subscriptions.push_back(subscription);
  }
  client.subscribe_sent = Clock::now();
  client.connection->command([&](client::Session& session, TimePoint at) {
    session.subscribe(subscriptions, codec::Properties{}, at);
  });
}

void Loop::mark_ready(VirtualClient& client) {
  if (client.ready_reported) return;
  client.ready_reported = true;
  ready_.fetch_add(1, std::memory_order_relaxed);
}

void Loop::connection_opened() {
  ++open_;
  open_mirror_.store(open_, std::memory_order_relaxed);
  const std::uint64_t open = context_.open_connections.fetch_add(1, std::memory_order_relaxed) + 1;
  std::uint64_t peak = context_.peak_connections.load(std::memory_order_relaxed);
  while (open > peak &&
         !context_.peak_connections.compare_exchange_weak(peak, open, std::memory_order_relaxed)) {
  }
  this_second().connections = open_;
}

void Loop::connection_closed() {
  --open_;
  open_mirror_.store(open_, std::memory_order_relaxed);
  context_.open_connections.fetch_sub(1, std::memory_order_relaxed);
  this_second().connections = open_;
}

void Loop::on_event(std::uint32_t number, const client::Event& event) {
  VirtualClient& client = clients_[number];
  if (const auto* message = std::get_if<client::MessageReceived>(&event)) {
    on_message(client, *message);
  } else if (const auto* completed = std::get_if<client::PublishCompleted>(&event)) {
    on_published(client, *completed);
  } else if (const auto* connected = std::get_if<client::Connected>(&event)) {
    client.online = true;
    client.backoff_s = 0;
    ++connection_counts_.succeeded;
    connect_.record(static_cast<std::uint64_t>(std::max<std::int64_t>(
        0, duration_cast<microseconds>(Clock::now() - client.attempt_due).count())));
    ++this_second().connects;
    connection_opened();
    const bool resumed = connected->session_present && !groups_[client.group].group->clean_start;
    if (!client.routes.empty() && !resumed) {
      subscribe(client);
    } else {
      mark_ready(client);
    }
  } else if (const auto* subscribed = std::get_if<client::SubscribeCompleted>(&event)) {
    subscribe_.record(static_cast<std::uint64_t>(
        duration_cast<microseconds>(Clock::now() - client.subscribe_sent).count()));
    for (const std::uint8_t code : subscribed->reason_codes) {
      if (code >= 0x80) ++connection_counts_.subscribe_failed;
    }
    mark_ready(client);
  } else if (std::holds_alternative<client::ConnectionEnded>(event)) {
    on_ended(number);
  }
}

void Loop::on_ended(std::uint32_t number) {
  VirtualClient& client = clients_[number];
  if (client.online) {
    client.online = false;
    connection_closed();
    if (client.wanted && !finishing_) {
      ++connection_counts_.dropped;
      schedule_reconnect(number);
    }
    return;
  }
  // The attempt failed (refused, unreachable, no CONNACK in time).
  ++connection_counts_.failed;
  ++this_second().connect_failures;
  mark_ready(client);
  if (client.wanted && !finishing_) schedule_reconnect(number);
}

// --- messages ----------------------------------------------------------------------------------

void Loop::send_next(std::uint32_t number) {
  VirtualClient& client = clients_[number];
  Publisher& publisher = *client.publisher;
  const PublishPlan& plan = *groups_[client.group].load->publish;
  if (publisher.done || finishing_) return;
  const auto due =
      next_slot(publisher.schedule, publisher.sequence, publisher.done, plan, duration_s_);
  if (due) push({publish_start_ + seconds(plan.start_s + *due), number, TaskKind::publish});
}

std::string Loop::random_hex() {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(8, '0');
  std::uint64_t bits = random_();
  for (char& c : out) {
    c = digits[bits & 0xF];
    bits >>= 4;
  }
  return out;
}

void Loop::publish(VirtualClient& client, TimePoint due) {
  const auto number = static_cast<std::uint32_t>(&client - clients_.data());
  Publisher& publisher = *client.publisher;
  const PublishPlan& plan = *groups_[client.group].load->publish;
  if (!client.online) {
    // Open loop: the slot passes whether or not the client can use it.
    ++publishing_counts_.behind_schedule;
    send_next(number);
    return;
  }
  const TimePoint now = Clock::now();
  client.connection->command([&](client::Session& session, TimePoint at) {
    // This message, and every later one of this publisher that is due by now as well (the loop
    // fell behind): one command, so that they leave in one write instead of one system call
    // each — none before its scheduled time, each stamped with that time.
    for (;;) {
      client::Outgoing message;
      message.topic = publisher.topic;
      Fanout fanout = publisher.fanout;
      if (publisher.random_topic) {
        for (std::size_t where = message.topic.find("{random}"); where != std::string::npos;
             where = message.topic.find("{random}", where))
          message.topic.replace(where, 8, random_hex());
        fanout = context_.table->fanout(message.topic, plan.qos);
      }
      message.payload.assign(plan.payload_size, 0);
      write_stamp(Stamp{publisher.id, publisher.sequence, static_cast<std::uint8_t>(plan.qos),
                        context_.system_us(due)},
                  message.payload);
      message.qos = static_cast<codec::QoS>(plan.qos);
      message.retain = plan.retain;
      ++publisher.sequence;
      ++publishing_counts_.published;
      published_.fetch_add(1, std::memory_order_relaxed);
      ++this_second().published;
      std::uint64_t owed = 0;
      for (unsigned q = 0; q < 3; ++q) {
        expected_by_qos_[q] += fanout[q];
        owed += fanout[q];
      }
      expected_.fetch_add(owed, std::memory_order_relaxed);
      const std::uint16_t id = session.publish(std::move(message), at);
      if (plan.qos > 0 && id != 0) {
        publisher.pending.emplace_back(id, now);
        inflight_.fetch_add(1, std::memory_order_relaxed);
      }
      if (publisher.done || finishing_) return;
      const auto next =
          next_slot(publisher.schedule, publisher.sequence, publisher.done, plan, duration_s_);
      if (!next) return;
      due = publish_start_ + seconds(plan.start_s + *next);
      if (due > now) {
        push({due, number, TaskKind::publish});
        return;
      }
    }
  });
}

void Loop::on_published(VirtualClient& client, const client::PublishCompleted& completed) {
  if (!client.publisher || completed.qos == codec::QoS::at_most_once) return;
  auto& pending = client.publisher->pending;
  // Answered entries stay, with id 0 (packet ids are 1 to 65535, so they match nothing), until
  // they are erased together: acknowledgements come mostly in the order of sending, so these
  // gather at the front, and erasing each at once would move every message in flight (tens of
  // thousands when the broker falls behind) for every acknowledgement.
  bool answered_before = true;  // every entry before `found` is answered
  auto found = pending.begin();
  for (; found != pending.end() && found->first != completed.packet_id; ++found) {
    if (found->first != 0) answered_before = false;
  }
  if (found == pending.end()) return;
  const auto waited =
      static_cast<std::uint64_t>(duration_cast<microseconds>(Clock::now() - found->second).count());
  found->first = 0;
  // Erased once about √(in flight) have gathered at the front: an acknowledgement then costs
  // O(√n) (the scan over them and its share of the move) instead of O(n).
  const auto answered = static_cast<std::size_t>(found - pending.begin()) + 1;
  if (answered_before && answered * answered >= pending.size())
    pending.erase(pending.begin(), found + 1);
  inflight_.fetch_sub(1, std::memory_order_relaxed);
  if (completed.abandoned) {
    ++publishing_counts_.abandoned;
  } else if (completed.reason_code >= 0x80) {
    ++publishing_counts_.refused;
  } else {
    ++publishing_counts_.acknowledged;
    acknowledged_.fetch_add(1, std::memory_order_relaxed);
    ++this_second().acknowledged;
    (completed.qos == codec::QoS::at_least_once ? ack_qos1_ : ack_qos2_).record(waited);
  }
}

void Loop::on_message(VirtualClient& client, const client::MessageReceived& message) {
  const auto stamp = read_stamp(message.payload);
  if (!stamp) {
    ++unstamped_;
    return;
  }
  // The sink the copy is owed to: a shared subscription's group, else the client itself at the
  // highest QoS of its matching filters.
  const Route* shared = nullptr;
  int own_qos = -1;
  for (const Route& route : client.routes) {
    if (!topic_matches(route.filter, message.topic)) continue;
    if (route.shared) {
      shared = &route;
      break;
    }
    own_qos = std::max(own_qos, static_cast<int>(route.qos));
  }
  std::uint64_t sink = 0;
  unsigned qos = 0;
  if (shared != nullptr) {
    sink = shared->sink;
    qos = std::min<unsigned>(stamp->qos, shared->qos);
  } else if (own_qos >= 0) {
    sink = groups_[client.group].first_subscriber + client.index;
    qos = std::min<unsigned>(stamp->qos, static_cast<unsigned>(own_qos));
  } else {
    ++unstamped_;  // a message no subscription of this client asked for
    return;
  }
  SinkReceipts& receipts = sinks_[(sink << 2) | qos];
  if (!receipts.record(stamp->publisher, stamp->sequence)) return;
  const std::uint64_t now_us = context_.system_us(Clock::now());
  const std::uint64_t latency = now_us > stamp->scheduled_us ? now_us - stamp->scheduled_us : 0;
  end_to_end_.record(latency);
  reports::SecondSample& sample = this_second();
  ++sample.delivered;
  sample.latency.record(latency);
  delivered_.fetch_add(1, std::memory_order_relaxed);
}

// --- results -----------------------------------------------------------------------------------

void Loop::progress_into(Progress& progress) const {
  progress.connections += open_mirror_.load(std::memory_order_relaxed);
  progress.published += published_.load(std::memory_order_relaxed);
  progress.expected += expected_.load(std::memory_order_relaxed);
  progress.delivered += delivered_.load(std::memory_order_relaxed);
  progress.acknowledged += acknowledged_.load(std::memory_order_relaxed);
  progress.inflight += inflight_.load(std::memory_order_relaxed);
}

void Loop::balance(std::uint64_t& inflight, std::uint64_t& expected,
                   std::uint64_t& delivered) const {
  inflight += inflight_.load(std::memory_order_relaxed);
  expected += expected_.load(std::memory_order_relaxed);
  delivered += delivered_.load(std::memory_order_relaxed);
}

std::uint64_t Loop::collect(reports::SwarmMetrics& metrics,
                            std::map<std::string, SharedSink>& shared) {
  reports::add(metrics.publishing, publishing_counts_);
  reports::add(metrics.connections, connection_counts_);
  // The loops share one run: the peak is the run's, counted across loops as it happened.
  metrics.connections.peak = context_.peak_connections.load();
  for (unsigned q = 0; q < 3; ++q)
    metrics.by_qos[q].expected += expected_by_qos_[q];
  for (auto& [key, receipts] : sinks_) {
    const unsigned qos = static_cast<unsigned>(key & 3U);
    reports::DeliveryCounts& counts = metrics.by_qos[qos];
    reports::add(counts, receipts.counts);
    const std::uint64_t sink = key >> 2;
    if (sink < shared_sink_base) continue;
    const std::string name =
        context_.shared_sinks[sink - shared_sink_base] + " (qos " + std::to_string(qos) + ")";
    SharedSink& united = shared[name];
    united.delivery_qos = qos;
    for (auto& [publisher, log] : receipts.by_publisher) {
      const std::uint64_t overlap = united.by_publisher[publisher].unite(log);
      // The same message taken by members on two loops: one delivery and a duplicate.
      counts.delivered -= overlap;
      counts.duplicated += overlap;
    }
  }
  metrics.end_to_end.merge(end_to_end_);
  metrics.connect.merge(connect_);
  metrics.subscribe.merge(subscribe_);
  metrics.ack_qos1.merge(ack_qos1_);
  metrics.ack_qos2.merge(ack_qos2_);
  metrics.series = reports::merge_series(metrics.series, series_);
  return unstamped_;
}

}  // namespace gauntlet::swarm
