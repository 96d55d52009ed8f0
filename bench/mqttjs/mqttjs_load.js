#!/usr/bin/env node
// The workload of a gauntlet swarm load scenario, run with MQTT.js (npm `mqtt`), so that the CPU
// both spend per delivered message can be put side by side (bench/compare-cpu.sh, DESIGN.md §10).
//
//   node mqttjs_load.js --url mqtt://127.0.0.1:25200 --publishers 10 --subscribers 1 --qos 1 \
//     --rate 1000 --duration 5 --payload 64 [--drain 5] [--broker-pid PID] [--timeout 60]
//
// The same workload as the scenario compare-cpu.sh writes for gauntlet: P publishers, publisher i
// on topic bench/RUN/i; S subscribers, each on bench/RUN/# at the same QoS, so every message is
// owed S copies; each publisher sends `rate` messages per second for `duration` seconds, evenly
// spaced and staggered like gauntlet's uniform arrivals (publisher i of P is offset by i/P of a
// gap); every payload starts with gauntlet's 24-byte stamp (docs/swarm.md) and subscribers count
// first copies, duplicates and reordering per (subscriber, publisher, sequence) as gauntlet does.
//
// MQTT.js is used as a Node tool would use it: one timer wake-up sends every message that has come
// due (Node timers have millisecond resolution), publish() with a callback at QoS 1/2.
//
// CPU time (process.cpuUsage(): user + system, every thread of the process) and the broker's CPU
// time (/proc/PID/stat, when --broker-pid is given) are taken at the first publish and at the end
// of the drain (every acknowledgement and every owed copy in, or --drain seconds after the last
// scheduled publish). One JSON object is printed on stdout. Exit 0 when everything owed arrived,
// 1 when copies were missing at the end of the drain, 2 on bad arguments, 3 when the broker could
// not be reached or --timeout passed.
'use strict';

const fs = require('fs');
const mqtt = require('mqtt');

function parseArgs(argv) {
  const options = {
    url: 'mqtt://127.0.0.1:1883', publishers: 10, subscribers: 1, qos: 1, rate: 100,
    duration: 5, payload: 64, drain: 5, brokerPid: 0, timeout: 120,
  };
  const names = {
    '--url': 'url', '--publishers': 'publishers', '--subscribers': 'subscribers', '--qos': 'qos',
    '--rate': 'rate', '--duration': 'duration', '--payload': 'payload', '--drain': 'drain',
    '--broker-pid': 'brokerPid', '--timeout': 'timeout',
  };
  for (let i = 2; i < argv.length; i += 2) {
    const key = names[argv[i]];
    if (!key || i + 1 >= argv.length) usage(`unknown or incomplete option ${argv[i]}`);
    options[key] = key === 'url' ? argv[i + 1] : Number(argv[i + 1]);
    if (key !== 'url' && !Number.isFinite(options[key])) usage(`${argv[i]} needs a number`);
  }
  const o = options;
  if (!Number.isInteger(o.publishers) || o.publishers < 1) usage('--publishers must be ≥ 1');
  if (!Number.isInteger(o.subscribers) || o.subscribers < 1) usage('--subscribers must be ≥ 1');
  if (![0, 1, 2].includes(o.qos)) usage('--qos must be 0, 1 or 2');
  if (!(o.rate > 0) || !(o.duration > 0) || !(o.drain >= 0) || !(o.timeout > 0)) {
    usage('--rate and --duration must be above 0, --drain 0 or more');
  }
  if (!Number.isInteger(o.payload) || o.payload < 24) usage('--payload must be ≥ 24 (the stamp)');
  return o;
}

function usage(message) {
  process.stderr.write(`mqttjs_load.js: ${message}\n`);
  process.exit(2);
}

/// CPU seconds (user + system) of a process from /proc/PID/stat, or null.
function processCpuS(pid) {
  if (!pid) return null;
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[14 - 3]) + Number(fields[15 - 3]);
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

function cpuS(usage) {
  return { user: usage.user / 1e6, system: usage.system / 1e6 };
}

const options = parseArgs(process.argv);
const run = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');
const prefix = `bench/${run}`;
const perPublisher = Math.floor(options.rate * options.duration);
const expectedPerSubscriber = perPublisher * options.publishers;

// A hard limit on the whole run, so that a broker that stops answering cannot hang the caller.
const killer = setTimeout(() => finish('timeout'), options.timeout * 1000);

function connect(id) {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(options.url, {
      clientId: `${run}-${id}`, protocolVersion: 4, clean: true, keepalive: 60,
      reconnectPeriod: 0, connectTimeout: 10000,
    });
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

// --- subscribers: exact receipts per (subscriber, publisher, sequence) ---------------------------

const receipts = {
  delivered: 0, duplicated: 0, outOfOrder: 0, unstamped: 0,
  latencies: new Float64Array(expectedPerSubscriber * options.subscribers),
};

function subscriberState() {
  const seen = [];
  const highest = new Float64Array(options.publishers).fill(-1);
  for (let p = 0; p < options.publishers; ++p) seen.push(new Uint8Array(perPublisher));
  return { seen, highest };
}

function onMessage(state, payload) {
  // The stamp: "GS", version 1, QoS, publisher (u32), sequence (u64), scheduled µs (u64), BE.
  if (payload.length < 24 || payload[0] !== 0x47 || payload[1] !== 0x53 || payload[2] !== 1) {
    ++receipts.unstamped;
    return;
  }
  const publisher = payload.readUInt32BE(4);
  const sequence = payload.readUInt32BE(8) * 2 ** 32 + payload.readUInt32BE(12);
  if (publisher >= options.publishers || sequence >= perPublisher) {
    ++receipts.unstamped;
    return;
  }
  const seen = state.seen[publisher];
  if (seen[sequence]) {
    ++receipts.duplicated;
    return;
  }
  seen[sequence] = 1;
  if (sequence < state.highest[publisher]) ++receipts.outOfOrder;
  else state.highest[publisher] = sequence;
  const scheduledUs = payload.readUInt32BE(16) * 2 ** 32 + payload.readUInt32BE(20);
  const nowUs = (performance.timeOrigin + performance.now()) * 1000;
  receipts.latencies[receipts.delivered++] = Math.max(0, nowUs - scheduledUs);
  maybeDrained();
}

// --- publishers: an open-loop schedule ---------------------------------------------------------

const publishing = { published: 0, acknowledged: 0, refused: 0, behind: 0 };
let publishers = [];
let startMs = 0; // performance.now() at the start of the publish phase
let lastDueMs = 0;
let windowStart = null; // CPU and broker CPU at the first publish
let scheduleDone = false;
let drainTimer = null;

// Message k of publisher i is due at (k + i/P) / rate seconds: one merged sequence of P·rate
// messages a second, message n belonging to publisher n mod P, number floor(n / P).
const total = perPublisher * options.publishers;
const gapMs = 1000 / (options.rate * options.publishers);
let next = 0;
const filler = Buffer.alloc(options.payload);

function stamp(publisher, sequence, scheduledUs) {
  const payload = Buffer.allocUnsafe(options.payload);
  filler.copy(payload, 24, 24);
  payload[0] = 0x47; payload[1] = 0x53; payload[2] = 1; payload[3] = options.qos;
  payload.writeUInt32BE(publisher, 4);
  payload.writeUInt32BE(Math.floor(sequence / 2 ** 32), 8);
  payload.writeUInt32BE(sequence >>> 0, 12);
  payload.writeUInt32BE(Math.floor(scheduledUs / 2 ** 32), 16);
  payload.writeUInt32BE(scheduledUs % 2 ** 32, 20);
  return payload;
}

function onPublished(error) {
  if (error) ++publishing.refused;
  else ++publishing.acknowledged;
  maybeDrained();
}

function sendDue() {
  const now = performance.now();
  const originUs = (performance.timeOrigin + startMs) * 1000;
  while (next < total && startMs + next * gapMs <= now) {
    const publisher = next % options.publishers;
    const sequence = Math.floor(next / options.publishers);
    const payload = stamp(publisher, sequence, Math.round(originUs + next * gapMs * 1000));
    if (windowStart === null) {
      windowStart = { cpu: process.cpuUsage(), broker: processCpuS(options.brokerPid), at: now };
    }
    const client = publishers[publisher];
    if (options.qos === 0) client.publish(`${prefix}/${publisher}`, payload, { qos: 0 });
    else client.publish(`${prefix}/${publisher}`, payload, { qos: options.qos }, onPublished);
    ++publishing.published;
    ++next;
  }
  if (next < total) {
    setTimeout(sendDue, Math.max(0, startMs + next * gapMs - performance.now()));
    return;
  }
  scheduleDone = true;
  lastDueMs = startMs + (total - 1) * gapMs;
  drainTimer = setTimeout(() => finish('drain'),
    Math.max(0, lastDueMs + options.drain * 1000 - performance.now()));
  maybeDrained();
}

function maybeDrained() {
  if (!scheduleDone) return;
  const owedAcks = options.qos === 0 ? 0 : publishing.published;
  if (publishing.acknowledged + publishing.refused < owedAcks) return;
  if (receipts.delivered < total * options.subscribers) return;
  finish('drained');
}

// --- the end -----------------------------------------------------------------------------------

let subscribers = [];
let finished = false;

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

function finish(why) {
  if (finished) return;
  finished = true;
  const end = { cpu: process.cpuUsage(), broker: processCpuS(options.brokerPid), at: performance.now() };
  clearTimeout(killer);
  if (drainTimer) clearTimeout(drainTimer);
  const expected = total * options.subscribers;
  const result = {
    tool: 'mqtt.js', version: require('mqtt/package.json').version, node: process.version,
    workload: {
      publishers: options.publishers, subscribers: options.subscribers, qos: options.qos,
      rate_per_publisher: options.rate, duration_s: options.duration, payload_size: options.payload,
    },
    ended: why,
    published: publishing.published,
    acknowledged: publishing.acknowledged,
    refused: publishing.refused,
    expected,
    delivered: receipts.delivered,
    lost: expected - receipts.delivered,
    duplicated: receipts.duplicated,
    out_of_order: receipts.outOfOrder,
    unstamped: receipts.unstamped,
  };
  if (windowStart !== null) {
    const used = cpuS({
      user: end.cpu.user - windowStart.cpu.user, system: end.cpu.system - windowStart.cpu.system,
    });
    result.window_s = (end.at - windowStart.at) / 1000;
    result.cpu_user_s = used.user;
    result.cpu_system_s = used.system;
    result.cpu_us_per_delivered = receipts.delivered
      ? ((used.user + used.system) * 1e6) / receipts.delivered : null;
    if (windowStart.broker !== null && end.broker !== null) {
      result.broker_cpu_s = end.broker - windowStart.broker;
      result.broker_cpu_us_per_delivered = receipts.delivered
        ? (result.broker_cpu_s * 1e6) / receipts.delivered : null;
    }
  }
  const latencies = receipts.latencies.subarray(0, receipts.delivered).sort();
  result.latency_us = {
    p50: Math.round(percentile(latencies, 0.5)), p99: Math.round(percentile(latencies, 0.99)),
    max: Math.round(percentile(latencies, 1)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  for (const client of [...publishers, ...subscribers]) client.end(true);
  let code = 0;
  if (why === 'timeout' || windowStart === null) code = 3;
  else if (receipts.delivered < expected) code = 1;
  process.exitCode = code;
  // Sockets closed with end(true) let the process exit; a stuck one must not keep it alive.
  setTimeout(() => process.exit(code), 2000).unref();
}

async function main() {
  try {
    subscribers = await Promise.all(
      Array.from({ length: options.subscribers }, (_, i) => connect(`sub-${i}`)));
    await Promise.all(subscribers.map((client) => new Promise((resolve, reject) => {
      const state = subscriberState();
      client.on('message', (_topic, payload) => onMessage(state, payload));
      client.subscribe(`${prefix}/#`, { qos: options.qos }, (error, granted) => {
        if (error || !granted || granted.some((g) => g.qos >= 0x80)) {
          reject(error || new Error('subscription refused'));
        } else {
          resolve();
        }
      });
    })));
    publishers = await Promise.all(
      Array.from({ length: options.publishers }, (_, i) => connect(`pub-${i}`)));
  } catch (error) {
    process.stderr.write(`mqttjs_load.js: ${error.message}\n`);
    finished = true;
    clearTimeout(killer);
    for (const client of [...publishers, ...subscribers]) client.end(true);
    process.exit(3);
  }
  // Like gauntlet, publishing begins 100 ms after every client is in.
  startMs = performance.now() + 100;
  setTimeout(sendDue, 100);
}

main();
