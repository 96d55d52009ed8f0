#include "samples.hpp"

#include <algorithm>
#include <cstdint>

namespace gauntlet::reports::samples {

std::chrono::system_clock::time_point fixed_time() {
  using namespace std::chrono;
  return sys_days{year{2026} / November / 21} + hours{10} + milliseconds{123};
}

namespace {

Report base(Kind kind) {
  Report r;
  r.kind = kind;
  r.tool_version = "0.1.0";
  r.target_name = "mosquitto";
  r.target_endpoint = "mqtt://127.0.0.1:1883";
  r.started_at = fixed_time();
  r.duration_s = 2.5;
  return r;
}

Case passed_case(std::string id, std::string title) {
  Case c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.file = "scenarios/examples/" + c.id + ".json";
  c.protocol = "5";
  c.verdict = Verdict::pass;
  c.duration_ms = 12.5;
  return c;
}

}  // namespace

Report passing() {
  Report r = base(Kind::run);
  r.seed = 42;
  r.cases.push_back(passed_case("qos1-roundtrip", "QoS 1 publish is delivered once"));
  r.cases.push_back(passed_case("retained-wildcard", "a retained message matches a wildcard"));
  return r;
}

Report failing() {
  Report r = base(Kind::run);
  r.cases.push_back(passed_case("qos1-roundtrip", "QoS 1 publish is delivered once"));

  Case c;
  c.id = "qos2-resume";
  c.title = "QoS 2 flow resumes after a reconnect";
  c.spec = {"MQTT-4.3.3-2", "MQTT-4.4.0-1"};
  c.protocol = "3.1.1";
  c.level = "must";
  c.file = "scenarios/examples/qos2-resume.json";
  c.verdict = Verdict::fail;
  c.detail =
      "steps[4] (sub: expect publish): no PUBLISH within 2000 ms\n"
      "expected: PUBLISH topic=a/b qos=2 payload=\"hello\"\n"
      "received: nothing";
  c.duration_ms = 2011.25;
  Mismatch m;
  m.step = "steps[4] (sub: expect publish)";
  m.client = "sub[0]";
  m.expected = Json{{"type", "PUBLISH"}, {"topic", "a/b"}, {"qos", 2}, {"payload", "hello"}};
  m.received.push_back(Json{{"type", "PUBLISH"}, {"topic", "a/b"}, {"qos", 1}});
  m.reason = "no PUBLISH within 2000 ms";
  c.mismatches.push_back(m);
  c.findings.push_back(Finding{.statement = "MQTT-4.3.3-2",
                               .description = "the broker sent PUBREL before PUBREC",
                               .client = "sub[0]",
                               .packet_hex = "62 02 00 01"});
  ClientTrace trace;
  trace.client = "sub[0]";
  trace.packets.push_back(PacketRecord{.outbound = true,
                                       .at_ms = 0,
                                       .hex = "10 0c 00 04 4d 51 54 54 04 02 00 3c 00 00",
                                       .decoded = Json{{"type", "CONNECT"}}});
  trace.packets.push_back(PacketRecord{.outbound = false,
                                       .at_ms = 1.75,
                                       .hex = "20 02 00 00",
                                       .decoded = Json{{"type", "CONNACK"}, {"reason_code", 0}}});
  trace.packets.push_back(
      PacketRecord{.outbound = false, .at_ms = 3, .hex = "ff 00", .decoded = {}});
  // A long packet, cut short in the trace (the scenario engine keeps the first 256 bytes).
  trace.packets.push_back(PacketRecord{.outbound = false,
                                       .at_ms = 4.5,
                                       .hex = "30 82 02 00 03 61 2f 62 ...",
                                       .decoded = Json{{"type", "PUBLISH"}}});
  c.traces.push_back(trace);
  r.cases.push_back(c);

  Case e;
  e.id = "broker-gone";
  e.title = "connection refused";
  e.verdict = Verdict::error;
  e.detail = "connect to 127.0.0.1:1883: Connection refused";
  e.duration_ms = 0.5;
  r.cases.push_back(e);
  return r;
}

Report incomplete() {
  Report r = passing();
  r.complete = false;
  r.duration_s = 0.75;
  r.cases.resize(1);
  return r;
}

Report conformance() {
  Report r = base(Kind::conformance);
  r.duration_s = 41.0;
  Case pass =
      passed_case("connect-reserved-flag", "the broker closes a CONNECT with the reserved bit");
  pass.spec = {"MQTT-3.1.2-3"};
  pass.level = "must";
  pass.file.clear();
  r.cases.push_back(pass);

  Case fail = pass;
  fail.id = "subscribe-qos-downgrade";
  fail.title = "granted QoS never exceeds the requested QoS";
  fail.spec = {"MQTT-3.9.3-1"};
  fail.protocol = "3.1.1";
  fail.verdict = Verdict::fail;
  fail.detail = "SUBACK granted QoS 2 for a QoS 1 request\nraw: 90 03 00 01 02";
  r.cases.push_back(fail);

  Case skip = pass;
  skip.id = "shared-subscription";
  skip.title = "shared subscriptions deliver each message once";
  skip.spec = {"MQTT-4.8.2-1"};
  skip.level = "should";
  skip.verdict = Verdict::skip;
  skip.detail = "the profile says the broker has no shared subscriptions";
  r.cases.push_back(skip);

  Case waived = pass;
  waived.id = "will-delay";
  waived.title = "the will waits for the will delay";
  waived.spec = {"MQTT-3.1.3-9"};
  waived.level = "may";
  waived.verdict = Verdict::waived;
  waived.detail = "known deviation: issue #123";
  r.cases.push_back(waived);

  r.cases[0].area = "connect";
  r.cases[0].choices = {"steps/3 (client[0]): closed (cause closed)"};
  r.statements = {{"3.1.1", "MQTT-3.1.2-3", "pass", {r.cases[0].id}, ""},
                  {"3.1.1", "MQTT-3.9.3-1", "fail", {r.cases[1].id}, ""},
                  {"3.1.1", "MQTT-4.8.2-1", "skip", {"shared-subscription"}, ""},
                  {"3.1.1", "MQTT-3.1.3-9", "waived", {"will-delay"}, ""},
                  {"3.1.1", "MQTT-3.1.2-1", "untested", {}, "no case checks it"},
                  {"5", "MQTT-3.1.2-3", "not_applicable", {}, "binds the client only"}};
  r.comparison = Comparison{"baseline.json",
                            {{"case " + r.cases[1].id, "pass", "fail"}},
                            {},
                            {{"case brand-new", "", "pass"}}};
  return r;
}

namespace {

// xorshift64*: the same numbers on every machine and standard library (the <random> distributions
// are not specified exactly), so the samples are byte for byte the same everywhere.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ULL + 1) {}
  std::uint64_t next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1DULL;
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }

 private:
  std::uint64_t state_;
};

// A latency in µs: mostly around a millisecond, with a tail up to tens of milliseconds.
std::uint64_t latency_us(Random& random) {
  std::uint64_t value = 400 + random.below(900);
  if (random.below(100) == 0) value += random.below(20000);
  if (random.below(2000) == 0) value += 40000;
  return value;
}

// `delivered` latencies in 50 recordings.
void record_latencies(Histogram& h, Random& random, std::uint64_t delivered) {
  const std::uint64_t each = delivered / 50;
  for (int i = 0; i < 49; ++i)
    h.record(latency_us(random), each);
  h.record(latency_us(random), delivered - 49 * each);
}

// `seconds` of load from `clients` clients of one shard; every number derived from `seed`.
SwarmMetrics sample_metrics(const std::string& scenario, std::uint32_t index, std::uint32_t count,
                            std::uint64_t seed, std::uint64_t clients, std::uint64_t seconds) {
  Random random(seed);
  SwarmMetrics m;
  m.scenario = scenario;
  m.measured_s = static_cast<double>(seconds) - 2;  // the first two seconds connect
  std::uint64_t published = 0, open = 0;
  for (std::uint64_t second = 0; second < seconds; ++second) {
    SecondSample s;
    s.second = second;
    s.connects = std::min(clients - open, clients / 2);
    open += s.connects;
    s.connections = open;
    if (second >= 2) {
      s.published = clients * 5 + random.below(40);
      s.delivered = s.published - random.below(3);
      s.acknowledged = s.published * 3 / 5;
      s.inflight = random.below(30);
      record_latencies(s.latency, random, s.delivered);
    }
    published += s.published;
    m.end_to_end.merge(s.latency);
    m.series.push_back(std::move(s));
  }
  m.publishing = PublishCounts{.published = published,
                               .acknowledged = published * 3 / 5,
                               .refused = 0,
                               .abandoned = 0,
                               .behind_schedule = 3};
  // Of every five messages: two at QoS 0, two at QoS 1, one at QoS 2, each to one subscriber.
  const std::uint64_t qos0 = published * 2 / 5, qos2 = published / 5;
  const std::uint64_t qos1 = published - qos0 - qos2;
  m.by_qos[0] =
      DeliveryCounts{.expected = qos0, .delivered = qos0 - 7, .duplicated = 0, .out_of_order = 1};
  m.by_qos[1] =
      DeliveryCounts{.expected = qos1, .delivered = qos1, .duplicated = 4, .out_of_order = 2};
  m.by_qos[2] =
      DeliveryCounts{.expected = qos2, .delivered = qos2, .duplicated = 0, .out_of_order = 0};
  m.connections = ConnectionCounts{.attempted = clients + 3,
                                   .succeeded = clients,
                                   .failed = 0,
                                   .peak = clients,
                                   .reconnects = 3,
                                   .dropped = 3,
                                   .subscribe_failed = 0};
  for (std::uint64_t i = 0; i < clients + 3; ++i)
    m.connect.record(2000 + random.below(3000));
  for (std::uint64_t i = 0; i < clients / 2; ++i)
    m.subscribe.record(300 + random.below(400));
  for (int i = 0; i < 200; ++i)
    m.ack_qos1.record(latency_us(random));
  for (int i = 0; i < 100; ++i)
    m.ack_qos2.record(2 * latency_us(random));
  m.resources = Resources{.cpu_user_s = 12.5,
                          .cpu_system_s = 4.25,
                          .max_rss_kib = 524288,
                          .threads = 4,
                          .broker_cpu_s = 30.5};
  m.shards = {ShardInfo{.index = index, .count = count, .seed = seed, .complete = true}};
  m.plan = Json{{"clients", clients * count},
                {"groups",
                 {{"devices", {{"clients", clients * count}, {"rate_per_s", 5}}},
                  {"apps", {{"clients", 2}, {"subscriptions", {"fleet/#"}}}}}},
                {"duration_s", seconds - 2}};
  m.slos = {SloResult{"p99_latency_ms", 50, 0, true}, SloResult{"loss", 0, 0, true},
            SloResult{"loss_qos0", 100, 0, true}, SloResult{"connect_p99_ms", 10, 0, true}};
  return m;
}

}  // namespace

Report swarm() {
  Report r = base(Kind::swarm);
  r.duration_s = 62.0;
  r.seed = 7;
  SwarmMetrics m = sample_metrics("fleet", 0, 1, 7, 1000, 62);
  m.connections.attempted += 2;
  m.connections.failed = 2;  // breaks the connect_failures SLO below
  m.series[0].connect_failures = 2;
  m.slos.push_back(SloResult{"connect_failures", 0, 0, true});
  m.notes = {"pre-flight: the open-file limit was 1024; raised to 65536 for this run"};
  evaluate_slos(m);
  r.cases = swarm_cases(m);
  r.metrics = std::move(m);
  return r;
}

Report swarm_shard(std::uint32_t index, std::uint32_t count) {
  Report r = base(Kind::swarm);
  r.duration_s = 12.0 + index;
  r.seed = 100 + index;
  r.started_at += std::chrono::milliseconds(250 * index);
  SwarmMetrics m = sample_metrics("fleet-sharded", index, count, 100 + index, 200, 12);
  // Publisher 0 (in shard 0) sends 200 QoS 1 messages to the shared group "g", whose members are
  // spread over the shards: shard 0's members got 0..99, shard 1's 90..199. Merged, 90..99 arrived
  // twice (10 duplicates) and nothing is lost; each shard alone sees only its part.
  SharedReceipts shared;
  shared.sink = "$share/g/fleet/+ (qos 1)";
  shared.delivery_qos = 1;
  if (index == 0) {
    m.by_qos[1].expected += 200;
    m.by_qos[1].delivered += 100;
    shared.by_publisher["0"] = {{0, 100}};
  } else if (index == 1) {
    m.by_qos[1].delivered += 110;
    shared.by_publisher["0"] = {{90, 120}, {120, 200}};
  }
  if (!shared.by_publisher.empty()) m.shared.push_back(shared);
  evaluate_slos(m);
  r.cases = swarm_cases(m);
  r.metrics = std::move(m);
  return r;
}

Report swarm_merged() {
  std::string error;
  auto merged = merge_reports({swarm_shard(0, 2), swarm_shard(1, 2)}, error);
  return merged ? *merged : Report{};
}

Report fuzz() {
  Report r = base(Kind::fuzz);
  r.seed = 1234567890123ULL;
  r.duration_s = 3600;
  r.findings.push_back(Finding{.statement = "",
                               .description = "broker crashed (SIGSEGV) on a SUBSCRIBE",
                               .client = "",
                               .packet_hex = "82 05 00 01 00 00 00"});
  r.findings.push_back(Finding{.statement = "MQTT-3.3.1-4",
                               .description = "accepted a PUBLISH with QoS 3",
                               .client = "fuzz[0]",
                               .packet_hex = ""});
  return r;
}

Report hostile() {
  Report r = failing();
  r.target_name = "<script>alert('name')</script> & \"co\"";
  r.target_endpoint = "mqtt://a|b`c@host:1883/<x>";
  r.tool_version = "0.1.0-\x01-dev";
  Case& c = r.cases[1];
  c.id = "pipe|and`tick<b>";
  c.title = "<script>alert(1)</script> | title with \x02 control and \xff\xfe bad UTF-8";
  c.detail = "]]> & <tag attr=\"v\"> ```fence``` \x0b\x1f\nsecond line \xef\xbf\xbe end";
  c.findings[0].description = "<img src=x onerror=alert(2)>";
  r.metrics = swarm().metrics;
  r.metrics->scenario = "<b>scenario|name</b>";
  r.metrics->plan["<b>extra|metric</b>"] = "<script>alert(3)</script>";
  r.metrics->notes.emplace_back("<img src=x onerror=alert(4)> | note");
  r.metrics->shared.push_back(SharedReceipts{"$share/<b>g</b>/# (qos 2)", 2, {{"7", {{1, 2}}}}});
  r.statements = {{"5", "MQTT-1.5.3-1", "pass", {"<b>case|</b>"}, "<i>why</i>"}};
  return r;
}

std::vector<std::pair<std::string, Report>> all() {
  return {{"passing", passing()},
          {"failing", failing()},
          {"incomplete", incomplete()},
          {"conformance", conformance()},
          {"swarm", swarm()},
          {"swarm-shard-0", swarm_shard(0, 2)},
          {"swarm-shard-1", swarm_shard(1, 2)},
          {"swarm-merged", swarm_merged()},
          {"fuzz", fuzz()},
          {"hostile", hostile()}};
}

}  // namespace gauntlet::reports::samples
