// The Aedes broker for Gauntlet's tests (started by ci/brokers/aedes.sh, which documents it).
// Usage: node broker.mjs PORT_BASE
//   PORT_BASE+0  MQTT, anonymous (any user name and password are accepted)
//   PORT_BASE+1  MQTT, user name and password required; ACL for the user "limited"
//   PORT_BASE+2  MQTT over WebSocket at /mqtt, anonymous
// One broker instance serves every listener, so all of them share one topic space, as with
// mosquitto.sh. Users: alice/alice-secret and bob/bob-secret may do anything; limited/limited-secret
// may only subscribe within limited/# and publish to limited/out.
// It prints one "ready" line once every listener accepts, and stops cleanly on SIGTERM or SIGINT.
import { createServer as createNetServer } from 'node:net'
import { createServer as createHttpServer } from 'node:http'
import { readFileSync } from 'node:fs'
import { Aedes } from 'aedes'
import { WebSocketServer, createWebSocketStream } from 'ws'

const base = Number(process.argv[2])
if (!Number.isInteger(base) || base < 1024 || base > 65533) {
  console.error('usage: node broker.mjs PORT_BASE')
  process.exit(2)
}
const host = '127.0.0.1'
const version = JSON.parse(
  readFileSync(new URL('./node_modules/aedes/package.json', import.meta.url), 'utf8')).version

const users = new Map([
  ['alice', 'alice-secret'],
  ['bob', 'bob-secret'],
  ['limited', 'limited-secret']
])
// mosquitto.sh's ACL: limited reads limited/# and writes limited/out only.
const limitedMayRead = (filter) => filter === 'limited/#' || filter.startsWith('limited/')
const limitedMayWrite = (topic) => topic === 'limited/out'

const broker = await Aedes.createBroker({ id: `gauntlet-aedes-${base}` })

// Every connection carries the name of the listener it came in on (client.req.gauntlet).
const endpointOf = (client) => (client && client.req && client.req.gauntlet) || 'plain'
const userOf = (client) => client && client.gauntletUser

broker.authenticate = (client, username, password, callback) => {
  if (endpointOf(client) !== 'auth') return callback(null, true)
  const expected = username === undefined ? undefined : users.get(username)
  if (expected !== undefined && password !== undefined && password.toString() === expected) {
    client.gauntletUser = username
    return callback(null, true)
  }
  const error = new Error(username === undefined ? 'no user name' : 'bad user name or password')
  error.returnCode = username === undefined ? 5 : 4
  callback(error, false)
}

broker.authorizePublish = (client, packet, callback) => {
  if (userOf(client) === 'limited' && !limitedMayWrite(packet.topic)) {
    // Aedes closes the connection (MQTT-3.3.5-2 lets it, or the PUBLISH may be acknowledged).
    return callback(new Error(`limited may not publish to ${packet.topic}`))
  }
  callback(null)
}

broker.authorizeSubscribe = (client, subscription, callback) => {
  // A null subscription is refused with SUBACK 0x80; the other filters of the SUBSCRIBE go on.
  if (userOf(client) === 'limited' && !limitedMayRead(subscription.topic)) return callback(null, null)
  callback(null, subscription)
}

broker.authorizeForward = (client, packet) => {
  if (userOf(client) === 'limited' && !packet.topic.startsWith('limited/')) return null
  return packet
}

function listenNet (port, name) {
  const server = createNetServer((socket) => broker.handle(socket, { gauntlet: name }))
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve(server))
  })
}

function listenWebSocket (port) {
  const httpServer = createHttpServer()
  const wss = new WebSocketServer({ server: httpServer, path: '/mqtt' })
  wss.on('connection', (websocket, req) => {
    const stream = createWebSocketStream(websocket)
    stream.on('error', () => stream.destroy())
    req.gauntlet = 'ws'
    broker.handle(stream, req)
  })
  return new Promise((resolve, reject) => {
    httpServer.once('error', reject)
    httpServer.listen(port, host, () => resolve({ httpServer, wss }))
  })
}

broker.on('clientError', (client, error) => {
  console.log(`client ${client ? client.id : '?'}: ${error.message}`)
})
broker.on('connectionError', (client, error) => {
  console.log(`connection ${client ? client.id : '?'}: ${error.message}`)
})

let servers
try {
  servers = [await listenNet(base, 'plain'), await listenNet(base + 1, 'auth')]
  const ws = await listenWebSocket(base + 2)
  servers.push(ws.httpServer)
  servers.wss = ws.wss
} catch (error) {
  console.error(`aedes: cannot listen: ${error.message}`)
  process.exit(3)
}
console.log(`ready: aedes ${version} node ${process.version} pid ${process.pid} ports ${base}-${base + 2}`)

let stopping = false
function stop (signal) {
  if (stopping) return
  stopping = true
  console.log(`stopping on ${signal}`)
  // Whatever happens, leave within two seconds.
  setTimeout(() => process.exit(0), 2000).unref()
  servers.wss.close()
  for (const server of servers) server.close()
  broker.close(() => process.exit(0))
}
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
