#include "samples.hpp"

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

Report swarm() {
  Report r = base(Kind::swarm);
  r.duration_s = 60.0;
  r.seed = 7;
  r.cases.push_back(passed_case("fleet", "200k devices at 5 msg/s"));
  r.metrics = Json{
      {"published", 600000},
      {"delivered", 599990},
      {"expected", 600000},
      {"lost", 10},
      {"duplicated", 0},
      {"out_of_order", 2},
      {"latency_us",
       {{"p50", 850}, {"p90", 1900}, {"p99", 4100.5}, {"p999", 9000}, {"max", 25000}}},
      {"connections", {{"attempted", 1000}, {"succeeded", 998}, {"failed", 2}, {"peak", 998}}}};
  return r;
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
  r.metrics["<b>extra|metric</b>"] = "<script>alert(3)</script>";
  r.statements = {{"5", "MQTT-1.5.3-1", "pass", {"<b>case|</b>"}, "<i>why</i>"}};
  return r;
}

std::vector<std::pair<std::string, Report>> all() {
  return {{"passing", passing()},         {"failing", failing()}, {"incomplete", incomplete()},
          {"conformance", conformance()}, {"swarm", swarm()},     {"fuzz", fuzz()},
          {"hostile", hostile()}};
}

}  // namespace gauntlet::reports::samples
