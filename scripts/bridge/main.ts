/**
 * The Upstash REST bridge as a command:
 *
 *   node scripts/bridge/main.ts --redis-port 6379 [--redis-host 127.0.0.1] \
 *     [--port 8079] [--host 127.0.0.1 [--allow-remote]] [--max-streams 100] \
 *     [--max-blocking 100] --token T [--verbose]
 *
 * A --host other than loopback is refused (exit 2) without --allow-remote:
 * the token gives full access to Redis and crosses the network in clear.
 * The token may come from BRIDGE_TOKEN instead of --token; without one the
 * bridge refuses to start. `--port 0` picks a free port. Once listening it
 * prints exactly one line to stdout, `bridge listening on http://HOST:PORT`;
 * with --verbose one line per request goes to stderr. SIGINT/SIGTERM close it.
 */
import { parseArgs } from "node:util";
import { RespConnection, RespError } from "../lib/resp.ts";
import { checkListenHost } from "./loopback.ts";
import { startBridge, type RunningBridge } from "./server.ts";

const USAGE =
  "usage: node scripts/bridge/main.ts --redis-port 6379 [--redis-host 127.0.0.1] [--port 8079] [--host 127.0.0.1]\n" +
  "       [--allow-remote] [--max-streams 100] [--max-blocking 100] --token T [--verbose]\n" +
  "       (the token may also be given as BRIDGE_TOKEN)";

function fail(message: string): never {
  process.stderr.write(`bridge: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function portArg(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`${name} must be a port number, got ${value}`);
  return port;
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      "redis-port": { type: "string" },
      "redis-host": { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      token: { type: "string" },
      "allow-remote": { type: "boolean" },
      "max-streams": { type: "string" },
      "max-blocking": { type: "string" },
      verbose: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  }).values;
} catch (error) {
  fail((error as Error).message);
}
if (parsed.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const token = parsed.token ?? process.env.BRIDGE_TOKEN ?? "";
if (!token) fail("no token: pass --token or set BRIDGE_TOKEN");
const redisPort = portArg(parsed["redis-port"], "--redis-port", 6379);
const redisHost = parsed["redis-host"] ?? "127.0.0.1";
const verbose = parsed.verbose ?? false;
function countArg(text: string | undefined, name: string): number {
  const value = Number(text ?? 100);
  if (!Number.isInteger(value) || value < 0) fail(`${name} must be a whole number, got ${text}`);
  return value;
}
const maxStreams = countArg(parsed["max-streams"], "--max-streams");
const maxBlocking = countArg(parsed["max-blocking"], "--max-blocking");
const host = parsed.host ?? "127.0.0.1";
const allowRemote = parsed["allow-remote"] ?? false;
try {
  checkListenHost(host, allowRemote);
} catch (error) {
  fail((error as Error).message);
}

let bridge: RunningBridge;
try {
  bridge = await startBridge({
    redisPort,
    redisHost,
    token,
    host,
    allowRemote,
    port: portArg(parsed.port, "--port", 8079),
    maxStreams,
    maxBlocking,
    log: verbose ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });
} catch (error) {
  process.stderr.write(`bridge: could not listen: ${(error as Error).message}\n`);
  process.exit(1);
}
process.stdout.write(`bridge listening on ${bridge.url}\n`);

// Not fatal (requests get 503 until redis is up), but worth saying once.
const probe = new RespConnection({ host: redisHost, port: redisPort });
probe
  .send(["PING"])
  .then((reply) => {
    if (reply instanceof RespError) process.stderr.write(`bridge: redis answered PING with ${reply.message}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`bridge: warning: ${(error as Error).message}; requests get 503 until it is up\n`);
  })
  .finally(() => probe.close());

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await bridge.close();
  process.exit(0);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
