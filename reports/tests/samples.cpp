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

Report run_findings() {
  Report r = passing();
  r.findings.push_back(Finding{.statement = "",
                               .description = "the broker closed every connection at once",
                               .client = "",
                               .packet_hex = "e0 00"});
  r.findings.push_back(Finding{.statement = "MQTT-3.3.1-4",
                               .description = "accepted a PUBLISH with QoS 3",
                               .client = "pub[0]",
                               .packet_hex = ""});
  return r;
}

namespace {

// The verdict of one of the fuzz engine's oracles, as a case.
Case oracle_case(const std::string& kind, std::size_t findings) {
  Case c;
  c.id = "fuzz-" + kind;
  c.title = "the broker shows no " + kind;
  c.verdict = findings == 0 ? Verdict::pass : Verdict::fail;
  c.detail = findings == 0 ? "no finding" : std::to_string(findings) + " finding";
  c.duration_ms = 1800000;
  return c;
}

// `samples` samples of a campaign of `seconds`, all derived from `seed`; the spawned broker's
// resources when `broker` is set (with one sample that missed them).
std::vector<FuzzSample> fuzz_series(std::uint64_t seed, double seconds, std::size_t samples,
                                    bool broker) {
  Random random(seed);
  std::vector<FuzzSample> series;
  FuzzSample s;
  s.corpus = 120;
  for (std::size_t i = 1; i <= samples; ++i) {
    s.t_s = seconds * static_cast<double>(i) / static_cast<double>(samples);
    const double interval = seconds / static_cast<double>(samples);
    const auto per_second = static_cast<double>(190 + random.below(60));  // 190-250 per second
    const auto run = static_cast<std::uint64_t>(interval * per_second);
    s.sequences += run;
    s.packets += run * 5;
    s.corpus += random.below(12);
    if (random.below(3) == 0) ++s.shapes;
    s.shapes += i < 4 ? 10 : 0;  // most shapes show up early
    if (i == samples / 3 || i == 2 * samples / 3) {
      ++s.findings;
      ++s.restarts;
    }
    if (broker && i != samples / 2) {
      s.broker_rss_kib = 8192 + 40 * i + random.below(64);
      s.broker_fds = 12 + random.below(4);
    } else {
      s.broker_rss_kib.reset();
      s.broker_fds.reset();
    }
    series.push_back(s);
  }
  return series;
}

}  // namespace

Report fuzz() {
  Report r = base(Kind::fuzz);
  r.seed = 1234567890123ULL;
  r.duration_s = 1830;
  FuzzMetrics m;
  m.mode = "spawn";
  m.spawn_command = "mosquitto -c /tmp/gauntlet-fuzz/mosquitto.conf";
  m.series = fuzz_series(1234567890123ULL, 1800, 30, true);
  const FuzzSample& last = m.series.back();
  m.sequences = last.sequences;
  m.packets = last.packets;
  m.bytes = last.packets * 37;
  m.mutated = last.packets / 4;
  m.fuzzing_s = 1800;
  m.sequences_per_s = static_cast<double>(m.sequences) / m.fuzzing_s;
  m.triage_s = 29.5;
  m.corpus_initial = 120;
  m.corpus_final = last.corpus;
  m.restarts = last.restarts;
  m.probes = 4123;
  m.probe_failures = 2;
  m.sequence_limit = 1000000;
  m.stop_reason = "duration";
  m.shapes = {{"connect v5 -> connack 0x00", 0.002, 412000},
              {"publish qos2 retain alias -> pubrec 0x00", 0.01, 90211},
              {"subscribe mutated -> closed", 0.4, 5120},
              {"pubrel unknown id -> pubcomp 0x92", 61.25, 17}};
  FuzzFinding crash;
  crash.id = "crash-3f9a01c2";
  crash.kind = "crash";
  crash.signature = "asan heap-use-after-free | RetainedAliasTable::release | Qos2Flow::on_pubrel";
  crash.summary = "broker aborted (SIGABRT) after PUBREL from client 1";
  crash.detail =
      "exit: killed by SIGABRT\n"
      "==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010\n"
      "    #0 RetainedAliasTable::release\n    #1 Qos2Flow::on_pubrel";
  crash.found_at_s = 612.5;
  crash.sequence = 140233;
  crash.occurrences = 4;
  crash.replays = 3;
  crash.reproduced = 3;
  crash.confirmed = true;
  crash.packets_before = 14;
  crash.packets_after = 3;
  crash.bytes_before = 512;
  crash.bytes_after = 41;
  crash.reproducer = "findings/crash-3f9a01c2.json";
  crash.reproducer_verified = true;
  FuzzFinding violation = crash;
  violation.id = "spec_violation-0b17e5d4";
  violation.kind = "spec_violation";
  violation.signature = "MQTT-3.3.1-4 | publish qos3 -> puback 0x00";
  violation.summary = "accepted a PUBLISH with QoS 3 instead of closing the connection";
  violation.detail = "MQTT-3.3.1-4: A PUBLISH Packet MUST NOT have both QoS bits set to 1.";
  violation.statement = "MQTT-3.3.1-4";
  violation.found_at_s = 3.25;
  violation.sequence = 700;
  violation.occurrences = 1811;
  violation.replays = 1;
  violation.reproduced = 1;
  violation.packets_before = violation.packets_after = 2;
  violation.bytes_before = violation.bytes_after = 24;
  violation.reproducer = "findings/spec_violation-0b17e5d4.json";
  violation.reproducer_verified.reset();  // not checked
  FuzzFinding hang = crash;
  hang.id = "hang-77aa0c13";
  hang.kind = "hang";
  hang.signature = "liveness probe timeout after subscribe mutated";
  hang.summary = "no answer to a liveness probe for 5 s after a SUBSCRIBE";
  hang.detail = "liveness probe: no CONNACK within 5000 ms";
  hang.found_at_s = 1205;
  hang.sequence = 277001;
  hang.occurrences = 1;
  hang.replays = 3;
  hang.reproduced = 0;  // not confirmed: a replay never showed it again
  hang.confirmed = false;
  hang.packets_before = hang.packets_after = 9;
  hang.bytes_before = hang.bytes_after = 300;
  hang.reproducer = "findings/hang-77aa0c13.json";
  hang.reproducer_verified = false;  // gauntlet run of it passed: the hang did not come back
  m.findings = {crash, violation, hang};
  r.cases = {oracle_case("crash", 1), oracle_case("hang", 1), oracle_case("resource-growth", 0),
             oracle_case("spec-violation", 1)};
  r.fuzz = std::move(m);
  return r;
}

Report fuzz_quiet() {
  Report r = base(Kind::fuzz);
  r.seed = 9;
  r.duration_s = 25;
  FuzzMetrics m;
  m.mode = "broker";
  m.series = fuzz_series(9, 24.5, 12, false);
  for (FuzzSample& s : m.series) {
    s.findings = s.restarts = 0;
  }
  m.sequences = m.series.back().sequences;
  m.packets = m.series.back().packets;
  m.bytes = m.packets * 30;
  m.mutated = m.packets / 3;
  m.fuzzing_s = 24.5;
  m.sequences_per_s = static_cast<double>(m.sequences) / m.fuzzing_s;
  m.corpus_initial = 0;
  m.corpus_final = m.series.back().corpus;
  m.probes = 120;
  m.sequence_limit = m.sequences;
  m.stop_reason = "sequence_limit";
  m.shapes = {{"connect v3.1.1 -> connack 0x00", 0.001, 5000}};
  r.cases = {oracle_case("crash", 0), oracle_case("hang", 0), oracle_case("resource-growth", 0),
             oracle_case("spec-violation", 0)};
  r.fuzz = std::move(m);
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
          {"run-findings", run_findings()},
          {"fuzz", fuzz()},
          {"fuzz-quiet", fuzz_quiet()},
          {"hostile", hostile()}};
}

}  // namespace gauntlet::reports::samples
