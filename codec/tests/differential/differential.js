'use strict'
// Differential test: Gauntlet's codec against mqtt-packet, an independent MQTT codec (the one of
// MQTT.js and Aedes). See README.md beside this file.
//
//   node differential.js --modules DIR --tool PATH --work DIR [--seed N] [--count N]
//
// DIR holds node_modules/mqtt-packet (installed by the test fixture), PATH is
// gauntlet_differential_gen, DIR a scratch folder for the files exchanged with it.
//
// (1) mqtt-packet -> Gauntlet: packets built here with a seeded PRNG are encoded with
//     mqtt-packet's generate(); all of them go to `gauntlet_differential_gen decode` in one file
//     and must decode in strict mode to the same fields.
// (2) Gauntlet -> mqtt-packet: `gauntlet_differential_gen generate` writes random valid packets
//     with their JSON; each is parsed with mqtt-packet's parser, which must raise no error and
//     give the same fields.
//
// Any mismatch prints the packet's hex, the field and both values, and the exit status is 1.

const assert = require('assert')
const fs = require('fs')
const path = require('path')
const { spawnSync } = require('child_process')

// --- arguments -----------------------------------------------------------------------------------

function parseArgs (argv) {
  const args = { seed: 0x6d717474, count: 250, countGauntlet: 80 }
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]
    const value = argv[i + 1]
    if (value === undefined) throw new Error(`missing value after ${name}`)
    if (name === '--modules') args.modules = value
    else if (name === '--tool') args.tool = value
    else if (name === '--work') args.work = value
    else if (name === '--seed') args.seed = Number(value) >>> 0
    else if (name === '--count') args.count = Number(value)
    else if (name === '--count-gauntlet') args.countGauntlet = Number(value)
    else throw new Error(`unknown argument ${name}`)
  }
  for (const required of ['modules', 'tool', 'work']) {
    if (!args[required]) throw new Error(`--${required} is required`)
  }
  return args
}

const args = parseArgs(process.argv.slice(2))
const MQTT_PACKET_VERSION = '9.0.2'
const mqttDir = path.resolve(args.modules, 'node_modules', 'mqtt-packet')
const installed = JSON.parse(fs.readFileSync(path.join(mqttDir, 'package.json'), 'utf8')).version
if (installed !== MQTT_PACKET_VERSION) {
  console.error(`mqtt-packet ${installed} is installed in ${args.modules}, the test pins ` +
                `${MQTT_PACKET_VERSION}: rerun the fixture (ctest -R differential)`)
  process.exit(1)
}
const mqtt = require(mqttDir)
const constants = require(path.join(mqttDir, 'constants'))

// --- seeded PRNG (mulberry32) ------------------------------------------------------------------

function makeRng (seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1))
  return {
    int,
    chance: (p) => next() < p,
    pick: (list) => list[int(0, list.length - 1)],
    shuffle: (list) => {
      for (let i = list.length - 1; i > 0; i--) {
        const j = int(0, i)
        const t = list[i]
        list[i] = list[j]
        list[j] = t
      }
      return list
    }
  }
}

// --- what both sides agree to call things --------------------------------------------------------

const TYPE_NAMES = {
  connect: 'CONNECT',
  connack: 'CONNACK',
  publish: 'PUBLISH',
  puback: 'PUBACK',
  pubrec: 'PUBREC',
  pubrel: 'PUBREL',
  pubcomp: 'PUBCOMP',
  subscribe: 'SUBSCRIBE',
  suback: 'SUBACK',
  unsubscribe: 'UNSUBSCRIBE',
  unsuback: 'UNSUBACK',
  pingreq: 'PINGREQ',
  pingresp: 'PINGRESP',
  disconnect: 'DISCONNECT',
  auth: 'AUTH'
}
const CMD_OF = Object.fromEntries(Object.entries(TYPE_NAMES).map(([cmd, type]) => [type, cmd]))

// mqtt-packet property name -> Gauntlet property name (§2.2.2.2 of MQTT 5.0).
const PROPERTY_NAMES = {
  payloadFormatIndicator: 'payload_format_indicator',
  messageExpiryInterval: 'message_expiry_interval',
  contentType: 'content_type',
  responseTopic: 'response_topic',
  correlationData: 'correlation_data',
  subscriptionIdentifier: 'subscription_identifier',
  sessionExpiryInterval: 'session_expiry_interval',
  assignedClientIdentifier: 'assigned_client_identifier',
  serverKeepAlive: 'server_keep_alive',
  authenticationMethod: 'authentication_method',
  authenticationData: 'authentication_data',
  requestProblemInformation: 'request_problem_information',
  willDelayInterval: 'will_delay_interval',
  requestResponseInformation: 'request_response_information',
  responseInformation: 'response_information',
  serverReference: 'server_reference',
  reasonString: 'reason_string',
  receiveMaximum: 'receive_maximum',
  topicAliasMaximum: 'topic_alias_maximum',
  topicAlias: 'topic_alias',
  maximumQoS: 'maximum_qos',
  retainAvailable: 'retain_available',
  userProperties: 'user_property',
  maximumPacketSize: 'maximum_packet_size',
  wildcardSubscriptionAvailable: 'wildcard_subscription_available',
  subscriptionIdentifiersAvailable: 'subscription_identifier_available',
  sharedSubscriptionAvailable: 'shared_subscription_available'
}
const MQTT_PROPERTY_OF = Object.fromEntries(
  Object.entries(PROPERTY_NAMES).map(([mqttName, name]) => [name, mqttName]))
assert.deepStrictEqual(Object.keys(PROPERTY_NAMES).sort(), Object.keys(constants.properties).sort(),
  'mqtt-packet knows a property this test does not map')

// mqtt-packet's reason code tables, where it has one, give the code's name ('Granted QoS 0'); the
// same name in Gauntlet's snake_case ('granted_qos_0').
const REASON_TABLES = {
  puback: constants.MQTT5_PUBACK_PUBREC_CODES,
  pubrec: constants.MQTT5_PUBACK_PUBREC_CODES,
  pubrel: constants.MQTT5_PUBREL_PUBCOMP_CODES,
  pubcomp: constants.MQTT5_PUBREL_PUBCOMP_CODES,
  suback: constants.MQTT5_SUBACK_CODES,
  unsuback: constants.MQTT5_UNSUBACK_CODES,
  disconnect: constants.MQTT5_DISCONNECT_CODES,
  auth: constants.MQTT5_AUTH_CODES
}
function mqttReasonName (cmd, code) {
  const name = REASON_TABLES[cmd] && REASON_TABLES[cmd][code]
  return name === undefined ? '(not in mqtt-packet\'s table)' : name.toLowerCase().replace(/[ -]/g, '_')
}

const LEVEL_NAMES = { 3: '3.1', 4: '3.1.1', 5: '5' }

// --- canonical form ------------------------------------------------------------------------------
// Both sides are turned into one shape with Gauntlet's field names; binary data becomes hex; the
// property block becomes a list [{name, value}] in wire order (user_property values are [key,
// value]; mqtt-packet's booleans become 0/1 as on the wire).

function toBuffer (value) {
  if (value === undefined || value === null) return Buffer.alloc(0)
  if (Buffer.isBuffer(value)) return value
  if (typeof value === 'string') return Buffer.from(value, 'utf8')
  throw new Error(`not binary data: ${value}`)
}
const hexOf = (value) => toBuffer(value).toString('hex')

// mqtt-packet's property object -> the list its generate() writes: writeProperties() walks the
// object with for...in and skips null/undefined; arrays give one property each; userProperties
// walks Object.getOwnPropertyNames (so integer-like keys come first, in ascending order).
function mqttPropertyList (properties) {
  const list = []
  if (!properties || typeof properties !== 'object') return list
  for (const mqttName in properties) {
    const value = properties[mqttName]
    if (value === undefined || value === null) continue
    const name = PROPERTY_NAMES[mqttName]
    if (!name) throw new Error(`unmapped mqtt-packet property ${mqttName}`)
    if (mqttName === 'userProperties') {
      for (const key of Object.getOwnPropertyNames(value)) {
        const values = Array.isArray(value[key]) ? value[key] : [value[key]]
        for (const v of values) list.push({ name, value: [key, String(v)] })
      }
      continue
    }
    for (const v of Array.isArray(value) ? value : [value]) list.push({ name, value: propertyValue(mqttName, v) })
  }
  return list
}

function propertyValue (mqttName, value) {
  switch (constants.propertiesTypes[mqttName]) {
    case 'byte': return value ? 1 : 0
    case 'binary': return hexOf(value)
    case 'string': return String(value)
    default: return value
  }
}

// Gauntlet's property list -> the same list. Property ids must agree as well as names.
function gauntletPropertyList (json, problems) {
  return json.map((p) => {
    const mqttName = MQTT_PROPERTY_OF[p.name]
    if (mqttName === undefined) {
      problems.push(`Gauntlet property ${p.name} has no mqtt-packet name`)
    } else if (constants.properties[mqttName] !== p.id) {
      problems.push(`property ${p.name}: id ${p.id} in Gauntlet, ${constants.properties[mqttName]} in mqtt-packet`)
    }
    if (p.name === 'user_property') return { name: p.name, value: [p.key, p.value] }
    if (p.value !== null && typeof p.value === 'object') return { name: p.name, value: p.value.hex }
    return { name: p.name, value: p.value }
  })
}

// Canonical form of a Gauntlet packet JSON. Every key is consumed; a key the mapping does not know
// is reported, so that a field added to the JSON cannot go uncompared.
function canonFromGauntlet (json, level, problems) {
  const rest = { ...json }
  const take = (key) => {
    const value = rest[key]
    delete rest[key]
    return value
  }
  const out = { type: take('type') }
  const cmd = CMD_OF[out.type]
  const props = (value) => value === undefined ? undefined : gauntletPropertyList(value, problems)
  const reason = (v) => {
    out.reason_code = take('reason_code')
    const name = take('reason')
    if (v === 5 && REASON_TABLES[cmd]) out.reason = name
  }
  switch (cmd) {
    case 'connect': {
      out.protocol_name = take('protocol_name')
      out.protocol_level = take('protocol_level')
      out.protocol = take('protocol')
      out.clean_start = take('clean_start')
      out.keep_alive = take('keep_alive')
      out.client_id = take('client_id')
      const will = take('will')
      if (will) {
        out.will = { qos: will.qos, retain: will.retain, topic: will.topic, payload: will.payload.hex }
        if (will.properties !== undefined) out.will.properties = props(will.properties)
        const known = ['qos', 'retain', 'topic', 'payload', 'properties']
        for (const key of Object.keys(will)) if (!known.includes(key)) problems.push(`unmapped Gauntlet field will.${key}`)
      }
      const username = take('username')
      if (username !== undefined) out.username = username
      const password = take('password')
      if (password !== undefined) out.password = password.hex
      break
    }
    case 'connack':
      out.session_present = take('session_present')
      reason(level)
      break
    case 'publish':
      out.dup = take('dup')
      out.qos = take('qos')
      out.retain = take('retain')
      out.topic = take('topic')
      if (out.qos > 0) out.packet_id = take('packet_id')
      out.payload = take('payload').hex
      break
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp':
      out.packet_id = take('packet_id')
      if (level === 5) reason(level)
      break
    case 'subscribe':
      out.packet_id = take('packet_id')
      out.subscriptions = take('subscriptions').map((s) => ({ ...s }))
      break
    case 'suback':
      out.packet_id = take('packet_id')
      out.reason_codes = take('reason_codes')
      if (level === 5) out.reasons = take('reasons')
      else take('reasons')
      break
    case 'unsubscribe':
      out.packet_id = take('packet_id')
      out.filters = take('filters')
      break
    case 'unsuback':
      out.packet_id = take('packet_id')
      if (level === 5) {
        out.reason_codes = take('reason_codes')
        out.reasons = take('reasons')
      }
      break
    case 'pingreq': case 'pingresp':
      break
    case 'disconnect': case 'auth':
      if (level === 5) reason(level)
      break
    default:
      problems.push(`unknown Gauntlet packet type ${out.type}`)
  }
  const properties = take('properties')
  if (properties !== undefined) out.properties = props(properties)
  for (const key of Object.keys(rest)) problems.push(`unmapped Gauntlet field ${key}`)
  return out
}

// Canonical form of an mqtt-packet packet object: what generate() was given (direction 1), or
// what its parser returned (direction 2). Defaults are generate()'s own.
function canonFromMqtt (packet, level) {
  const type = TYPE_NAMES[packet.cmd]
  const out = { type }
  const v5 = level === 5
  const reason = (code) => {
    out.reason_code = code === undefined ? 0 : code
    if (REASON_TABLES[packet.cmd]) out.reason = mqttReasonName(packet.cmd, out.reason_code)
  }
  switch (packet.cmd) {
    case 'connect': {
      const version = packet.protocolVersion || 4
      out.protocol_name = packet.protocolId || 'MQTT'
      out.protocol_level = version
      out.protocol = LEVEL_NAMES[version]
      out.clean_start = packet.clean === undefined ? true : !!packet.clean
      out.keep_alive = packet.keepalive || 0
      out.client_id = packet.clientId || ''
      if (packet.will) {
        const w = packet.will
        out.will = { qos: w.qos || 0, retain: !!w.retain, topic: w.topic, payload: hexOf(w.payload) }
        if (version === 5) out.will.properties = mqttPropertyList(w.properties)
      }
      if (packet.username !== undefined && packet.username !== null) out.username = String(packet.username)
      if (packet.password !== undefined && packet.password !== null) out.password = hexOf(packet.password)
      if (version === 5) out.properties = mqttPropertyList(packet.properties)
      return out
    }
    case 'connack':
      out.session_present = !!packet.sessionPresent
      reason(v5 ? packet.reasonCode : packet.returnCode)
      break
    case 'publish':
      out.dup = !!packet.dup
      out.qos = packet.qos || 0
      out.retain = !!packet.retain
      out.topic = packet.topic
      if (out.qos > 0) out.packet_id = packet.messageId
      out.payload = hexOf(packet.payload)
      break
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp':
      out.packet_id = packet.messageId
      if (v5) reason(packet.reasonCode)
      break
    case 'subscribe':
      out.packet_id = packet.messageId
      out.subscriptions = packet.subscriptions.map((s) => {
        const sub = { filter: s.topic, qos: s.qos }
        if (v5) {
          sub.no_local = !!s.nl
          sub.retain_as_published = !!s.rap
          sub.retain_handling = s.rh || 0
        }
        return sub
      })
      break
    case 'suback':
      out.packet_id = packet.messageId
      out.reason_codes = [...packet.granted]
      if (v5) out.reasons = out.reason_codes.map((c) => mqttReasonName('suback', c))
      break
    case 'unsubscribe':
      out.packet_id = packet.messageId
      out.filters = [...packet.unsubscriptions]
      break
    case 'unsuback':
      out.packet_id = packet.messageId
      if (v5) {
        out.reason_codes = [...packet.granted]
        out.reasons = out.reason_codes.map((c) => mqttReasonName('unsuback', c))
      }
      break
    case 'pingreq': case 'pingresp':
      break
    case 'disconnect': case 'auth':
      if (v5) reason(packet.reasonCode)
      break
    default:
      throw new Error(`unknown mqtt-packet cmd ${packet.cmd}`)
  }
  if (v5 && packet.cmd !== 'pingreq' && packet.cmd !== 'pingresp') {
    out.properties = mqttPropertyList(packet.properties)
  }
  return out
}

// Field-by-field comparison: [{field, mqtt, gauntlet}] for every difference.
function diff (expected, actual, field = '', out = []) {
  const isObject = (v) => v !== null && typeof v === 'object'
  if (isObject(expected) && isObject(actual) && Array.isArray(expected) === Array.isArray(actual)) {
    if (Array.isArray(expected) && expected.length !== actual.length) {
      out.push({ field: `${field}.length`, mqtt: expected.length, gauntlet: actual.length })
    }
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)])
    for (const key of keys) {
      if (Array.isArray(expected) && (key >= expected.length || key >= actual.length)) continue
      const sub = Array.isArray(expected) ? `${field}[${key}]` : (field ? `${field}.${key}` : key)
      diff(expected[key], actual[key], sub, out)
    }
  } else if (expected !== actual) {
    out.push({ field: field || '(packet)', mqtt: expected, gauntlet: actual })
  }
  return out
}

// --- the report ----------------------------------------------------------------------------------

let failures = 0
const MAX_PRINTED = 40
function fail (direction, hex, lines) {
  failures++
  if (failures > MAX_PRINTED) return
  console.log(`MISMATCH [${direction}] hex=${hex}`)
  for (const line of lines) console.log(`    ${line}`)
}
const show = (v) => v === undefined ? '(absent)' : JSON.stringify(v)

const counts = { 'mqtt-packet->gauntlet': {}, 'gauntlet->mqtt-packet': {}, 'gauntlet->mqtt-packet (one stream per level)': {} }
function count (direction, key) {
  counts[direction][key] = (counts[direction][key] || 0) + 1
}
const excluded = {}
function exclude (reason) {
  excluded[reason] = (excluded[reason] || 0) + 1
}

// --- direction 1: random valid packets made with mqtt-packet's generate() --------------------------

const rng = makeRng(args.seed)

// One code point: never U+0000 or a lone surrogate; for a topic level never '/', '+' or '#'.
function codePoint (topicLevel) {
  for (;;) {
    const kind = rng.int(0, 99)
    let cp
    if (kind < 60) cp = rng.int(0x20, 0x7E)
    else if (kind < 62) cp = rng.int(0x01, 0x1F)
    else if (kind < 64) cp = 0xFEFF
    else if (kind < 78) cp = rng.int(0x80, 0x7FF)
    else if (kind < 90) cp = rng.int(0x800, 0xFFFF)
    else cp = rng.int(0x10000, 0x10FFFF)
    if (cp >= 0xD800 && cp <= 0xDFFF) continue
    if (topicLevel && (cp === 0x2F || cp === 0x2B || cp === 0x23)) continue
    return cp
  }
}
function text (max = 12, topicLevel = false) {
  const n = rng.chance(0.03) ? rng.int(100, 300) : rng.int(0, max)
  let s = ''
  for (let i = 0; i < n; i++) s += String.fromCodePoint(codePoint(topicLevel))
  return s
}
function topicName () {
  for (;;) {
    const levels = rng.int(1, 5)
    const parts = []
    for (let i = 0; i < levels; i++) parts.push((i === 0 && rng.chance(0.05) ? '$' : '') + text(6, true))
    const name = parts.join('/')
    if (name !== '') return name
  }
}
function topicFilter (v5) {
  const levels = rng.int(1, 5)
  const parts = []
  for (let i = 0; i < levels; i++) {
    const kind = rng.int(0, 9)
    if (kind === 0) parts.push('+')
    else if (kind === 1 && i + 1 === levels) parts.push('#')
    else parts.push(text(6, true))
  }
  let filter = parts.join('/')
  if (filter === '') filter = 'a' // an empty Topic Filter is never valid [MQTT-4.7.3-1]
  if (v5 && rng.chance(0.2)) {
    let share = ''
    while (share === '') share = text(6, true)
    filter = `$share/${share}/${filter}`
  }
  return filter
}
function bytes (max = 24) {
  let n = rng.chance(0.05) ? rng.int(100, 2000) : rng.int(0, max)
  if (rng.chance(0.01)) n = rng.int(16000, 20000) // a three-byte Remaining Length
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = rng.int(0, 255)
  return b
}
// Binary data as mqtt-packet accepts it: a Buffer, a string, or nothing at all.
function binaryField (max = 24) {
  const kind = rng.int(0, 9)
  if (kind === 0) return undefined
  if (kind === 1) return ''
  if (kind === 2) return Buffer.alloc(0)
  if (kind <= 4) return text(max)
  return bytes(max)
}
const u16 = () => rng.int(0, 0xFFFF)
const u32 = () => rng.int(0, 0xFFFFFFFF)
const packetId = () => rng.int(1, 0xFFFF)
const qos = () => rng.int(0, 2)

// Where each property may appear (MQTT 5.0 §2.2.2.2, Table 2-4) and a valid value for it.
const PROPERTIES_ALLOWED = {
  connect: ['sessionExpiryInterval', 'receiveMaximum', 'maximumPacketSize', 'topicAliasMaximum',
    'requestResponseInformation', 'requestProblemInformation', 'userProperties',
    'authenticationMethod', 'authenticationData'],
  will: ['willDelayInterval', 'payloadFormatIndicator', 'messageExpiryInterval', 'contentType',
    'responseTopic', 'correlationData', 'userProperties'],
  connack: ['sessionExpiryInterval', 'receiveMaximum', 'maximumQoS', 'retainAvailable',
    'maximumPacketSize', 'assignedClientIdentifier', 'topicAliasMaximum', 'reasonString',
    'userProperties', 'wildcardSubscriptionAvailable', 'subscriptionIdentifiersAvailable',
    'sharedSubscriptionAvailable', 'serverKeepAlive', 'responseInformation', 'serverReference',
    'authenticationMethod', 'authenticationData'],
  publish: ['payloadFormatIndicator', 'messageExpiryInterval', 'topicAlias', 'responseTopic',
    'correlationData', 'userProperties', 'subscriptionIdentifier', 'contentType'],
  ack: ['reasonString', 'userProperties'],
  subscribe: ['subscriptionIdentifier', 'userProperties'],
  unsubscribe: ['userProperties'],
  disconnect: ['sessionExpiryInterval', 'reasonString', 'userProperties', 'serverReference'],
  auth: ['authenticationMethod', 'authenticationData', 'reasonString', 'userProperties']
}

// User properties: a pool of keys so that keys repeat (mqtt-packet then needs an array value),
// with integer-like keys, which JavaScript objects put first whatever the insertion order.
function userProperties () {
  const pool = ['a', 'key', '', '1', '42', text(6), text(6)]
  const obj = {}
  const n = rng.int(1, 5)
  for (let i = 0; i < n; i++) {
    const key = rng.pick(pool)
    const value = text(10)
    if (obj[key] === undefined) obj[key] = rng.chance(0.2) ? [value] : value
    else if (Array.isArray(obj[key])) obj[key].push(value)
    else obj[key] = [obj[key], value]
  }
  return obj
}

function propertyValueFor (name, context) {
  switch (name) {
    case 'sessionExpiryInterval': case 'willDelayInterval': case 'messageExpiryInterval':
      return u32()
    case 'receiveMaximum': return rng.int(1, 0xFFFF) // 0 is a Protocol Error (§3.1.2.11.3)
    case 'maximumPacketSize': return rng.int(1, 0xFFFFFFFF) // 0 is a Protocol Error (§3.1.2.11.4)
    case 'topicAliasMaximum': case 'serverKeepAlive': return u16()
    case 'topicAlias': return rng.int(1, 0xFFFF) // 0 is a Protocol Error [MQTT-3.3.2-8]
    case 'maximumQoS': return rng.int(0, 1) // 2 is a Protocol Error (§3.2.2.3.4)
    case 'subscriptionIdentifier': {
      // 1 to 268,435,455 (0 is a Protocol Error, §3.8.2.1.2); several in a PUBLISH (§3.3.2.3.8)
      const one = () => rng.chance(0.5) ? rng.int(1, 127) : rng.int(1, 268435455)
      if (context === 'publish' && rng.chance(0.4)) return [one(), one(), one()].slice(0, rng.int(1, 3))
      return one()
    }
    case 'requestResponseInformation': case 'requestProblemInformation':
    case 'payloadFormatIndicator': case 'retainAvailable': case 'wildcardSubscriptionAvailable':
    case 'subscriptionIdentifiersAvailable': case 'sharedSubscriptionAvailable':
      return rng.chance(0.5)
    case 'responseTopic': return topicName() // no wildcards [MQTT-3.3.2-14]
    case 'correlationData': case 'authenticationData': return rng.chance(0.2) ? text(16) : bytes(16)
    case 'userProperties': return userProperties()
    default: return text(16) // UTF-8 string properties
  }
}

// A property object for `context`, keys in a random order (that order is the wire order), or
// undefined, or {} (mqtt-packet then writes a Property Length of 0).
function properties (context, required = []) {
  if (required.length === 0) {
    if (rng.chance(0.15)) return undefined
    if (rng.chance(0.1)) return {}
  }
  const names = rng.shuffle([...PROPERTIES_ALLOWED[context]])
  const chosen = names.slice(0, rng.int(0, names.length))
  for (const name of required) if (!chosen.includes(name)) chosen.splice(rng.int(0, chosen.length), 0, name)
  // Authentication Data needs an Authentication Method (§3.1.2.11.10, §3.2.2.3.18).
  if (chosen.includes('authenticationData') && !chosen.includes('authenticationMethod')) {
    chosen.push('authenticationMethod')
  }
  const props = {}
  for (const name of chosen) props[name] = propertyValueFor(name, context)
  return props
}

const REASON_CODES_V5 = {
  connack: [0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90,
    0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F],
  puback: [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99],
  pubrec: [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99],
  pubrel: [0x00, 0x92],
  pubcomp: [0x00, 0x92],
  suback: [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2],
  unsuback: [0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91],
  // Table 3-10: codes a Client may send (Gauntlet applies "Sent by" when it knows the sender)
  disconnectClient: [0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98,
    0x99],
  disconnect: [0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93,
    0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2],
  auth: [0x00, 0x18, 0x19]
}

// Makes one packet: {packet, level, sender}. `sender` is who may send it, for Gauntlet's rules
// that bind one side (unknown where either side may).
function makePacket (cmd, level) {
  const v5 = level === 5
  let sender = 'unknown'
  const p = { cmd }
  switch (cmd) {
    case 'connect': {
      sender = 'client'
      p.protocolId = level === 3 ? 'MQIsdp' : 'MQTT'
      p.protocolVersion = level
      p.clean = rng.chance(0.5)
      p.keepalive = u16()
      if (level === 3) {
        // 3.1: 1 to 23 characters (§3.1 of MQTT V3.1); mqtt-packet refuses an empty one
        const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
        p.clientId = ''
        for (let i = rng.int(1, 23); i > 0; i--) p.clientId += rng.pick(alphabet)
      } else {
        p.clientId = rng.chance(0.15) ? '' : text(23)
        // a zero-byte ClientId needs CleanSession 1: [MQTT-3.1.3-7] in 3.1.1; mqtt-packet also
        // refuses it at 5.0 ("clientId must be given if cleanSession set to 0")
        if (p.clientId === '') p.clean = true
      }
      if (rng.chance(0.5)) {
        p.will = { topic: topicName(), payload: binaryField(), qos: qos(), retain: rng.chance(0.5) }
        if (v5) p.will.properties = properties('will')
      }
      if (rng.chance(0.6)) p.username = text(12)
      // mqtt-packet refuses a password without a user name at every level (see README.md)
      if (p.username !== undefined && rng.chance(0.6)) p.password = rng.chance(0.5) ? text(12) : bytes(12)
      if (v5) p.properties = properties('connect')
      break
    }
    case 'connack':
      sender = 'server'
      if (v5) {
        p.reasonCode = rng.pick(REASON_CODES_V5.connack)
        p.properties = properties('connack')
      } else {
        p.returnCode = rng.int(0, 5)
      }
      // Session Present must be 0 with a non-zero code [MQTT-3.2.2-4] / [MQTT-3.2.2-6]
      p.sessionPresent = (v5 ? p.reasonCode : p.returnCode) === 0 && rng.chance(0.5)
      break
    case 'publish': {
      p.qos = qos()
      p.dup = p.qos > 0 && rng.chance(0.5) // DUP must be 0 for QoS 0 [MQTT-3.3.1-2]
      p.retain = rng.chance(0.5)
      p.topic = topicName()
      if (p.qos > 0) p.messageId = packetId()
      const kind = rng.int(0, 9)
      if (kind < 2) p.payload = undefined
      else if (kind < 3) p.payload = ''
      else p.payload = rng.chance(0.3) ? text(40) : bytes(40)
      if (v5) {
        p.properties = properties('publish')
        if (p.properties && p.properties.payloadFormatIndicator) {
          p.payload = text(40) // Payload Format Indicator 1: UTF-8 payload (§3.3.2.3.2)
        }
        // A Topic Alias may stand for the Topic Name, which is then empty (§3.3.2.3.4)
        if (p.properties && p.properties.topicAlias !== undefined && rng.chance(0.4)) p.topic = ''
        // Only a Server puts Subscription Identifiers in a PUBLISH [MQTT-3.3.4-6]
        sender = p.properties && p.properties.subscriptionIdentifier !== undefined ? 'server' : 'client'
      }
      break
    }
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp':
      p.messageId = packetId()
      if (v5) {
        p.reasonCode = rng.chance(0.4) ? 0 : rng.pick(REASON_CODES_V5[cmd])
        p.properties = properties('ack')
      }
      break
    case 'subscribe':
      sender = 'client'
      p.messageId = packetId()
      p.subscriptions = []
      for (let i = rng.int(1, 4); i > 0; i--) {
        const sub = { topic: topicFilter(v5), qos: qos() }
        if (v5) {
          // No Local on a Shared Subscription is a Protocol Error [MQTT-3.8.3-4]
          if (!sub.topic.startsWith('$share/') && rng.chance(0.7)) sub.nl = rng.chance(0.5)
          if (rng.chance(0.7)) sub.rap = rng.chance(0.5)
          if (rng.chance(0.7)) sub.rh = rng.int(0, 2)
        }
        p.subscriptions.push(sub)
      }
      if (v5) p.properties = properties('subscribe')
      break
    case 'suback':
      sender = 'server'
      p.messageId = packetId()
      p.granted = []
      for (let i = rng.int(1, 5); i > 0; i--) {
        p.granted.push(v5 ? rng.pick(REASON_CODES_V5.suback) : rng.pick([0, 1, 2, 0x80]))
      }
      if (v5) p.properties = properties('ack')
      break
    case 'unsubscribe':
      sender = 'client'
      p.messageId = packetId()
      p.unsubscriptions = []
      for (let i = rng.int(1, 4); i > 0; i--) p.unsubscriptions.push(topicFilter(v5))
      if (v5) p.properties = properties('unsubscribe')
      break
    case 'unsuback':
      sender = 'server'
      p.messageId = packetId()
      if (v5) {
        p.granted = []
        for (let i = rng.int(1, 5); i > 0; i--) p.granted.push(rng.pick(REASON_CODES_V5.unsuback))
        p.properties = properties('ack')
      }
      break
    case 'pingreq':
      sender = 'client'
      break
    case 'pingresp':
      sender = 'server'
      break
    case 'disconnect':
      if (v5) {
        p.properties = properties('disconnect')
        const fromClient = p.properties && p.properties.sessionExpiryInterval !== undefined
        if (fromClient) {
          // Only a Client sends Session Expiry Interval in DISCONNECT [MQTT-3.14.2-2]
          sender = 'client'
          p.reasonCode = rng.pick(REASON_CODES_V5.disconnectClient)
        } else {
          p.reasonCode = rng.chance(0.3) ? 0 : rng.pick(REASON_CODES_V5.disconnect)
        }
      }
      break
    case 'auth':
      p.reasonCode = rng.pick(REASON_CODES_V5.auth)
      // The Authentication Method must be present in AUTH (§3.15.2.2.2)
      p.properties = properties('auth', ['authenticationMethod'])
      break
    default:
      throw new Error(cmd)
  }
  return { packet: p, level, sender }
}

function generateWithMqttPacket (packet, level) {
  // generate() reports bad input through an 'error' event of its accumulator, which it emits
  // synchronously and throws when nobody listens.
  const buffer = mqtt.generate(packet, { protocolVersion: level })
  if (!Buffer.isBuffer(buffer) || buffer.length < 2) throw new Error('generate() gave no bytes')
  return buffer
}

const CMDS = Object.keys(TYPE_NAMES)
const direction1 = []
for (const level of [3, 4, 5]) {
  for (const cmd of CMDS) {
    if (level === 3 && cmd !== 'connect') continue // level 3 only where mqtt-packet has it: CONNECT
    if (cmd === 'auth' && level !== 5) continue
    const n = cmd === 'pingreq' || cmd === 'pingresp' ? 5 : args.count
    for (let i = 0; i < n; i++) {
      const made = makePacket(cmd, level)
      // The expectation is taken before generate(), which may alter its input
      const expected = canonFromMqtt(made.packet, level)
      let buffer
      try {
        buffer = generateWithMqttPacket(made.packet, level)
      } catch (error) {
        fail('mqtt-packet->gauntlet', '(none)', [`mqtt-packet generate() refused a valid ${cmd} at level ${level}: ${error.message}`,
          `input: ${JSON.stringify(made.packet)}`])
        continue
      }
      direction1.push({ ...made, expected, hex: buffer.toString('hex') })
    }
  }
}

// What mqtt-packet's generate() writes without complaint although the spec forbids it. These are
// left out of the random packets above; here each is generated once and Gauntlet must refuse it
// with the rule named (README.md, "Differences found").
const INVALID_FROM_GENERATE = [
  { why: 'DUP set on a QoS 0 PUBLISH [MQTT-3.3.1-2]', rule: 'dup_on_qos_0', level: 4,
    packet: { cmd: 'publish', topic: 'a', payload: 'x', qos: 0, dup: true } },
  { why: 'SUBSCRIBE with dup: flags 1010, must be 0010 [MQTT-3.8.1-1]', rule: 'fixed_header_flags', level: 4,
    packet: { cmd: 'subscribe', messageId: 1, dup: true, subscriptions: [{ topic: 'a', qos: 0 }] } },
  { why: 'UNSUBSCRIBE with dup: flags 1010, must be 0010 [MQTT-3.10.1-1]', rule: 'fixed_header_flags', level: 5,
    packet: { cmd: 'unsubscribe', messageId: 1, dup: true, unsubscriptions: ['a'] } },
  { why: 'zero-length Topic Name at 3.1.1 [MQTT-4.7.3-1]', rule: 'topic_name_empty', level: 4,
    packet: { cmd: 'publish', topic: '', payload: 'x', qos: 0 } },
  { why: 'Packet Identifier 0 on a QoS 1 PUBLISH [MQTT-2.3.1-1]', rule: 'packet_id_zero', level: 4,
    packet: { cmd: 'publish', topic: 'a', payload: 'x', qos: 1, messageId: 0 } },
  { why: 'wildcard in a PUBLISH Topic Name [MQTT-3.3.2-2]', rule: 'topic_name_wildcard', level: 4,
    packet: { cmd: 'publish', topic: 'a/#', payload: 'x', qos: 0 } },
  { why: 'Session Present 1 with a refusing return code [MQTT-3.2.2-4]', rule: 'session_present_on_failure', level: 4,
    packet: { cmd: 'connack', sessionPresent: true, returnCode: 5 } },
  { why: 'Receive Maximum 0 (§3.1.2.11.3: Protocol Error)', rule: 'property_value_invalid', level: 5,
    packet: { cmd: 'connect', protocolVersion: 5, clientId: 'c', properties: { receiveMaximum: 0 } } },
  { why: 'Topic Alias 0 [MQTT-3.3.2-8]', rule: 'topic_alias_zero', level: 5,
    packet: { cmd: 'publish', topic: 'a', payload: 'x', qos: 0, properties: { topicAlias: 0 } } },
  { why: 'bridge mode: protocol level 0x84 (a Mosquitto extension, not in 3.1.1 §3.1.2.2)', rule: 'unknown_protocol_level', level: 4,
    packet: { cmd: 'connect', protocolVersion: 4, clientId: 'c', bridgeMode: true } }
]
for (const bad of INVALID_FROM_GENERATE) bad.hex = generateWithMqttPacket(bad.packet, bad.level).toString('hex')

// Everything goes to Gauntlet in one file and one process.
fs.mkdirSync(args.work, { recursive: true })
const toDecode = path.join(args.work, 'mqtt-packet-generated.txt')
fs.writeFileSync(toDecode, [...direction1, ...INVALID_FROM_GENERATE]
  .map((d) => `${d.level} ${d.sender || 'unknown'} ${d.hex}\n`).join(''))

function runTool (toolArgs) {
  const result = spawnSync(args.tool, toolArgs, { encoding: 'utf8', maxBuffer: 1 << 30 })
  if (result.error) throw new Error(`${args.tool}: ${result.error.message}`)
  if (result.status !== 0) {
    throw new Error(`${args.tool} ${toolArgs.join(' ')} exited with ${result.status}: ${result.stderr}`)
  }
  return result.stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line))
}

const decoded = runTool(['decode', toDecode])
assert.strictEqual(decoded.length, direction1.length + INVALID_FROM_GENERATE.length,
  'gauntlet_differential_gen decode answered a different number of lines')

direction1.forEach((d, i) => {
  const answer = decoded[i]
  const where = `mqtt-packet->gauntlet, ${TYPE_NAMES[d.packet.cmd]} level ${d.level}`
  count('mqtt-packet->gauntlet', `${TYPE_NAMES[d.packet.cmd]} v${LEVEL_NAMES[d.level]}`)
  if (answer.error) {
    fail(where, d.hex, [`Gauntlet refused the packet (strict, sender ${d.sender}): ${JSON.stringify(answer.error)}`,
      `mqtt-packet input: ${JSON.stringify(d.packet)}`])
    return
  }
  const lines = []
  if (answer.size * 2 !== d.hex.length || answer.trailing) {
    lines.push(`field size: mqtt-packet=${d.hex.length / 2} gauntlet=${answer.size}`)
  }
  const problems = []
  const actual = canonFromGauntlet(answer.packet, d.level, problems)
  for (const problem of problems) lines.push(problem)
  for (const m of diff(d.expected, actual)) {
    lines.push(`field ${m.field}: mqtt-packet=${show(m.mqtt)} gauntlet=${show(m.gauntlet)}`)
  }
  if (lines.length) fail(where, d.hex, lines)
})

INVALID_FROM_GENERATE.forEach((bad, i) => {
  const answer = decoded[direction1.length + i]
  if (!answer.error || answer.error.rule !== bad.rule) {
    fail('mqtt-packet->gauntlet, invalid output of generate()', bad.hex,
      [`${bad.why}: Gauntlet should report ${bad.rule}, got ${JSON.stringify(answer.error || answer.packet)}`])
  } else {
    exclude(`generate() writes a forbidden packet, Gauntlet refuses it: ${bad.why}`)
  }
})

// --- direction 2: Gauntlet's random valid packets through mqtt-packet's parser ------------------

// Parses one packet alone with a fresh parser (the parser takes its level from a CONNECT it sees,
// and some of its length checks look at the whole buffer, not the packet: see README.md).
function parseWithMqttPacket (buffer, level) {
  const parser = mqtt.parser({ protocolVersion: level })
  const packets = []
  const errors = []
  parser.on('packet', (packet) => packets.push(packet))
  parser.on('error', (error) => errors.push(error.message))
  const left = parser.parse(buffer)
  return { packets, errors, left }
}

// Known faults of mqtt-packet's parser with packets the spec allows; each is recognised exactly and
// counted instead of compared (README.md, "Differences found").
function knownParserFault (line, result) {
  // AUTH with Remaining Length 0: "The Reason Code and Property Length can be omitted if the
  // Reason Code is 0x00 (Success) and there are no Properties. In this case the AUTH has a
  // Remaining Length of 0" (MQTT 5.0 §3.15.2.1). mqtt-packet reads a reason code that is not
  // there and reports "Invalid auth reason code".
  if (line.hex === 'f000' && result.errors.length === 1 && result.errors[0] === 'Invalid auth reason code') {
    return 'AUTH with Remaining Length 0 (MQTT 5.0 §3.15.2.1) refused by mqtt-packet\'s parser'
  }
  return undefined
}

// Packets Gauntlet wrote that the spec does not allow, found through mqtt-packet (which reads them
// alone, but reads past them in a stream). Kept as a guard: the test fails if one comes back.
function gauntletDeviation (line, level) {
  // AUTH with a Reason Code and no Property Length (Remaining Length 1). MQTT 5.0 §3.15.2.1 lets
  // the Reason Code and the Property Length be omitted together only ("The Reason Code and
  // Property Length can be omitted if the Reason Code is 0x00 (Success) and there are no
  // Properties. In this case the AUTH has a Remaining Length of 0"); §3.15.2.2.1 has no "If the
  // Remaining Length is less than 2, a value of 0 is used" as DISCONNECT (§3.14.2.2.1) and the
  // publish acknowledgements (§3.4.2.2.1) do. Gauntlet's encoder leaves the Property Length out
  // (codec/src/encoder.cpp, reason_and_properties); its strict decoder accepted the packet until
  // the auth_without_method rule (codec/src/decoder.cpp, auth()).
  if (level === 5 && line.packet.type === 'AUTH' && line.hex.startsWith('f001')) {
    return 'GAUNTLET DEVIATION: AUTH with Remaining Length 1 (Reason Code ' +
      `0x${line.hex.slice(4)}, no Property Length): MQTT 5.0 §3.15.2.1 omits the Property Length ` +
      'only together with the Reason Code (Remaining Length 0); mqtt-packet reads the Property ' +
      'Length from the next packet when this one is not last in its buffer'
  }
  return undefined
}

// mqtt-packet keeps user properties as an object: values of one key in an array, the order
// between different keys lost (and integer-like keys sorted first). Compared as key -> values.
function groupUserProperties (list) {
  const grouped = {}
  for (const p of list) {
    if (p.name !== 'user_property') continue
    const [key, value] = p.value
    ;(grouped[key] = grouped[key] || []).push(value)
  }
  return grouped
}
function groupedProperties (list) {
  const out = {}
  for (const p of list || []) {
    if (p.name === 'user_property') continue
    ;(out[p.name] = out[p.name] || []).push(p.value)
  }
  const user = groupUserProperties(list || [])
  if (Object.keys(user).length) out.user_property = user
  return out
}

// mqtt-packet's parser collects a repeated user property key with `if (result[key])`, so when the
// first value of a key is the empty string the next value replaces it instead of joining it: the
// empty value is lost. A key repeated after an empty value is judged by the spec (§3.1.2.11.8: a
// name may appear more than once), not compared.
function userPropertyEmptyThenRepeated (list) {
  const firstValue = new Map()
  for (const p of list || []) {
    if (p.name !== 'user_property') continue
    const [key, value] = p.value
    if (!firstValue.has(key)) firstValue.set(key, value)
    else if (firstValue.get(key) === '') return true
  }
  return false
}

function compareProperties (expectedList, actualList, field, lines, allowUserPropertyLoss) {
  const expected = groupedProperties(expectedList)
  const actual = groupedProperties(actualList)
  if (allowUserPropertyLoss) {
    delete expected.user_property
    delete actual.user_property
  }
  for (const m of diff(expected, actual, field)) {
    lines.push(`field ${m.field}: gauntlet=${show(m.mqtt)} mqtt-packet=${show(m.gauntlet)}`)
  }
}

const fromGauntlet = runTool(['generate', String(args.seed), String(args.countGauntlet)])
const parsedAlone = [] // every packet mqtt-packet parsed alone, for the stream pass below
for (const line of fromGauntlet) {
  const level = line.protocol === '3.1' ? 3 : line.protocol === '3.1.1' ? 4 : 5
  const type = line.packet.type
  const where = `gauntlet->mqtt-packet, ${type} ${line.protocol}`
  count('gauntlet->mqtt-packet', `${type} v${line.protocol}`)
  if (line.self_check !== undefined) {
    fail(where, line.hex, [`Gauntlet does not read back what its generator made (strict): ${line.self_check}`])
    continue
  }
  const buffer = Buffer.from(line.hex, 'hex')
  const result = parseWithMqttPacket(buffer, level)
  const known = knownParserFault(line, result)
  if (known) {
    exclude(known)
    continue
  }
  if (result.errors.length || result.packets.length !== 1 || result.left !== 0) {
    fail(where, line.hex, [`mqtt-packet's parser: errors=${JSON.stringify(result.errors)} packets=${result.packets.length} bytes left=${result.left}`,
      `Gauntlet's packet: ${JSON.stringify(line.packet)}`])
    continue
  }
  const parsed = result.packets[0]
  parsedAlone.push({ line, level, parsed })
  const lines = []
  const deviation = gauntletDeviation(line, level)
  if (deviation) lines.push(deviation)
  // The CONNECT's own level decides its layout (and, in the parser, the level of what follows).
  const packetLevel = parsed.cmd === 'connect' ? parsed.protocolVersion : level
  const theirs = canonFromMqtt(parsed, packetLevel)
  const problems = []
  const ours = canonFromGauntlet(line.packet, packetLevel, problems)
  for (const problem of problems) lines.push(problem)
  // Properties are compared grouped (mqtt-packet's object model); everything else field by field.
  const lossy = userPropertyEmptyThenRepeated(ours.properties) ||
    userPropertyEmptyThenRepeated(ours.will && ours.will.properties)
  if (lossy) exclude('user property key repeated after an empty value: mqtt-packet\'s parser drops the empty value')
  compareProperties(ours.properties, theirs.properties, 'properties', lines, lossy)
  if (ours.will || theirs.will) {
    compareProperties(ours.will && ours.will.properties, theirs.will && theirs.will.properties, 'will.properties', lines, lossy)
  }
  for (const c of [ours, theirs]) {
    delete c.properties
    if (c.will) delete c.will.properties
  }
  for (const m of diff(ours, theirs)) {
    lines.push(`field ${m.field}: gauntlet=${show(m.mqtt)} mqtt-packet=${show(m.gauntlet)}`)
  }
  if (lines.length) fail(where, line.hex, lines)
}

// The same packets again, one stream per level through one parser, as a broker or client reads
// them: each must come out as it did alone. A 5.0 DISCONNECT with Remaining Length 0 or 1 ends its
// stream: mqtt-packet's parser looks for the omitted Reason Code and Property Length in what
// follows it in the buffer (_parseDisconnect tests the buffer's length, not the packet's; "If the
// Remaining Length is less than 1 the value of 0x00 (Normal disconnection) is used", "If the
// Remaining Length is less than 2, a value of 0 is used", MQTT 5.0 §3.14.2.1, §3.14.2.2.1).
function streamChunks (entries) {
  const chunks = [[]]
  for (const e of entries) {
    chunks[chunks.length - 1].push(e)
    if (e.level === 5 && e.parsed.cmd === 'disconnect' && e.line.hex.length <= 6) {
      exclude('5.0 DISCONNECT with Remaining Length 0 or 1 ends its stream (mqtt-packet reads past it)')
      chunks.push([])
    }
    // Already reported as Gauntlet's deviation (gauntletDeviation): not again for each stream.
    if (e.level === 5 && e.parsed.cmd === 'auth' && e.line.hex.length <= 6) chunks.push([])
  }
  return chunks.filter((c) => c.length)
}
for (const level of [3, 4, 5]) {
  for (const chunk of streamChunks(parsedAlone.filter((e) => e.level === level))) {
    const stream = Buffer.concat(chunk.map((e) => Buffer.from(e.line.hex, 'hex')))
    const result = parseWithMqttPacket(stream, level)
    if (result.errors.length || result.packets.length !== chunk.length || result.left !== 0) {
      const at = Math.min(result.packets.length, chunk.length - 1)
      fail(`gauntlet->mqtt-packet, one stream at level ${level}`, chunk[at].line.hex, [
        `mqtt-packet's parser, ${chunk.length} packets in one buffer: errors=${JSON.stringify(result.errors)} ` +
        `packets=${result.packets.length} bytes left=${result.left}; the first packet not returned is shown, ` +
        `after ${at > 0 ? chunk[at - 1].line.hex : '(nothing)'}`])
      continue
    }
    chunk.forEach((e, i) => {
      const packetLevel = e.parsed.cmd === 'connect' ? e.parsed.protocolVersion : level
      count('gauntlet->mqtt-packet (one stream per level)', `v${LEVEL_NAMES[level]}`)
      const lines = diff(canonFromMqtt(e.parsed, packetLevel), canonFromMqtt(result.packets[i], packetLevel))
        .map((m) => `field ${m.field}: parsed alone=${show(m.mqtt)} parsed in the stream=${show(m.gauntlet)}`)
      if (lines.length) fail(`gauntlet->mqtt-packet, one stream at level ${level}`, e.line.hex, lines)
    })
  }
}

// --- summary -------------------------------------------------------------------------------------

for (const direction of Object.keys(counts)) {
  const entries = Object.entries(counts[direction])
  const total = entries.reduce((sum, [, n]) => sum + n, 0)
  console.log(`${direction}: ${total} packets compared (${entries.map(([k, n]) => `${k}: ${n}`).join(', ')})`)
}
for (const [reason, n] of Object.entries(excluded)) console.log(`known difference, not compared (${n}): ${reason}`)
if (failures) {
  if (failures > MAX_PRINTED) console.log(`... ${failures - MAX_PRINTED} more mismatches not printed`)
  console.log(`FAILED: ${failures} mismatches (seed ${args.seed})`)
  process.exit(1)
}
console.log(`OK: no mismatch (seed ${args.seed}, mqtt-packet ${installed})`)
