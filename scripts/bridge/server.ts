/**
 * An Upstash-REST-compatible HTTP bridge in front of a real redis-server, so
 * that @upstash/redis, curl and the worker talk to local Redis the way they
 * talk to Upstash.
 *
 * Endpoints (every one needs `Authorization: Bearer <token>` or `?_token=`):
 * - `POST /` with a JSON array (`["SET","k","v"]`) → `{"result": …}`; a Redis
 *   error → 400 `{"error": "ERR …"}`.
 * - `POST /pipeline` with an array of commands → 200 and an array of
 *   `{"result": …}` / `{"error": …}`, one per command, even when some failed.
 * - `POST /multi-exec` → the same shape, run inside MULTI/EXEC on a connection
 *   of its own; a command rejected while queueing aborts the whole
 *   transaction → 400 `{"error": "EXECABORT …: <first error>"}`.
 * - Path form: `GET|POST /COMMAND/arg/…` (segments percent-decoded to bytes);
 *   for POST a non-empty body is appended as one more (binary) argument, then
 *   query parameters other than `_token` as `name[, value]` (so
 *   `POST /set/k?EX=100` with body `v` is `SET k v EX 100`).
 *
 * `Upstash-Encoding: base64` encodes every string in the result as base64 of
 * the raw bytes, except a top-level status reply `OK` (which @upstash/redis
 * leaves undecoded); without it strings are UTF-8 text. Integers and nil stay
 * as they are.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  RedisConnectionError,
  RespClient,
  RespError,
  RespStatus,
  type RespConnection,
  type RespReply,
} from "../lib/resp.ts";

export interface BridgeOptions {
  redisPort: number;
  /** Default 127.0.0.1. */
  redisHost?: string;
  token: string;
  /** Default "127.0.0.1". */
  host?: string;
  /** Default 0 = a free port. */
  port?: number;
  /** Called with one line per request (method, path, status, duration); nothing is logged without it. */
  log?: (line: string) => void;
  /** Give up connecting to redis after this long (default 2000 ms) → 503. */
  connectTimeoutMs?: number;
  /** Give up on a reply after this long without progress (default 10000 ms) → 503. */
  commandTimeoutMs?: number;
  /** Largest request body accepted (default 64 MiB) → 413. */
  maxBodyBytes?: number;
}

export interface BridgeStats {
  /** Every HTTP request received, including rejected ones. */
  requests: number;
  /** Redis commands run on behalf of authorised requests (a pipeline of 3 counts 3). */
  commands: number;
  /** Authorised requests by route: "/", "/pipeline", "/multi-exec", or "/<command>" for the path form ("/get"). */
  byPath: Record<string, number>;
  /** Commands by upper-case name ("GET", "SET", …). */
  commandNames: Record<string, number>;
  /**
   * Key arguments of read commands, in order, the last 10,000: the first
   * argument of the commands in READ_FIRST_KEY_COMMANDS, every argument of
   * those in READ_ALL_KEYS_COMMANDS. Keys are decoded as UTF-8.
   */
  keysRead: string[];
}

export interface RunningBridge {
  url: string;
  port: number;
  stats: BridgeStats;
  resetStats(): void;
  close(): Promise<void>;
}

/** Read commands whose first argument is recorded in `stats.keysRead`. */
export const READ_FIRST_KEY_COMMANDS: ReadonlySet<string> = new Set([
  ..."GET GETRANGE SUBSTR STRLEN GETDEL GETEX GETBIT BITCOUNT BITPOS".split(" "),
  ..."HGET HMGET HGETALL HKEYS HVALS HLEN HEXISTS HSTRLEN HRANDFIELD HSCAN".split(" "),
  ..."LRANGE LINDEX LLEN LPOS".split(" "),
  ..."SMEMBERS SISMEMBER SMISMEMBER SCARD SRANDMEMBER SSCAN".split(" "),
  ..."ZRANGE ZRANGEBYSCORE ZRANGEBYLEX ZREVRANGE ZREVRANGEBYSCORE ZREVRANGEBYLEX ZSCORE ZMSCORE".split(" "),
  ..."ZCARD ZCOUNT ZLEXCOUNT ZRANK ZREVRANK ZRANDMEMBER ZSCAN".split(" "),
  ..."TTL PTTL EXPIRETIME PEXPIRETIME TYPE DUMP XRANGE XREVRANGE XLEN".split(" "),
]);

/** Read commands all of whose arguments are keys, all recorded in `stats.keysRead`. */
export const READ_ALL_KEYS_COMMANDS: ReadonlySet<string> = new Set(["MGET", "EXISTS", "SINTER", "SUNION", "SDIFF"]);

const KEYS_READ_CAP = 10_000;

/**
 * Commands refused with 400 because they would break the request/response
 * model or the shared connection, or are admin commands with no place here.
 */
const BLOCKED: ReadonlyMap<string, string> = new Map([
  ...["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "MONITOR"].map(
    (name): [string, string] => [name, "streams replies; not supported by this bridge"],
  ),
  ...["SYNC", "PSYNC", "REPLCONF"].map((name): [string, string] => [name, "is a replication command"]),
  ...["MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH"].map((name): [string, string] => [
    name,
    "is not allowed; use the /multi-exec endpoint",
  ]),
  ...["SELECT", "HELLO", "RESET", "QUIT", "AUTH"].map((name): [string, string] => [
    name,
    "would change connection state shared by all requests",
  ]),
  ...["SHUTDOWN", "DEBUG", "REPLICAOF", "SLAVEOF", "FAILOVER", "MODULE", "ACL"].map((name): [string, string] => [
    name,
    "is an admin command, not allowed through the bridge",
  ]),
]);

/** CLIENT and CONFIG subcommands that are allowed (the others are refused). */
const ALLOWED_SUBCOMMANDS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["CLIENT", new Set(["ID", "INFO", "LIST", "GETNAME", "HELP"])],
  ["CONFIG", new Set(["GET", "HELP"])],
]);

/** Commands that can block; they run on a connection of their own with no reply timeout. */
const BLOCKING = new Set([..."BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP BZPOPMIN BZPOPMAX BZMPOP WAIT WAITAOF".split(" ")]);

type Command = Buffer[];

/** JSON output, with bigint for integers past 2^53 (written as their digits). */
type JsonOut = string | number | bigint | boolean | null | JsonOut[] | { [key: string]: JsonOut };

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  if (!options.token) throw new Error("startBridge: a token is required");
  const tokenDigest = sha256(Buffer.from(options.token, "utf8"));
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const client = new RespClient({
    port: options.redisPort,
    host: options.redisHost ?? "127.0.0.1",
    connectTimeoutMs: options.connectTimeoutMs,
    commandTimeoutMs: options.commandTimeoutMs,
  });
  const stats: BridgeStats = { requests: 0, commands: 0, byPath: {}, commandNames: {}, keysRead: [] };

  function resetStats(): void {
    stats.requests = 0;
    stats.commands = 0;
    for (const key of Object.keys(stats.byPath)) Reflect.deleteProperty(stats.byPath, key);
    for (const key of Object.keys(stats.commandNames)) Reflect.deleteProperty(stats.commandNames, key);
    stats.keysRead.length = 0;
  }

  function record(route: string, commands: readonly Command[]): void {
    stats.byPath[route] = (stats.byPath[route] ?? 0) + 1;
    for (const command of commands) {
      stats.commands++;
      const name = commandName(command);
      stats.commandNames[name] = (stats.commandNames[name] ?? 0) + 1;
      const args = command.slice(1);
      if (READ_FIRST_KEY_COMMANDS.has(name) && args[0]) stats.keysRead.push(args[0].toString("utf8"));
      else if (READ_ALL_KEYS_COMMANDS.has(name)) for (const arg of args) stats.keysRead.push(arg.toString("utf8"));
    }
    if (stats.keysRead.length > KEYS_READ_CAP) stats.keysRead.splice(0, stats.keysRead.length - KEYS_READ_CAP);
  }

  function authorised(req: IncomingMessage, query: URLSearchParams): boolean {
    const header = req.headers.authorization;
    let presented: string | null = null;
    if (typeof header === "string") {
      const match = /^Bearer\s+(.+)$/i.exec(header.trim());
      if (match) presented = match[1] ?? null;
    }
    presented ??= query.get("_token");
    if (presented === null) return false;
    return timingSafeEqual(sha256(Buffer.from(presented, "utf8")), tokenDigest);
  }

  /** One command (from `/` or the path form). */
  async function runOne(command: Command, res: ServerResponse, base64: boolean): Promise<[number, JsonOut]> {
    const refusal = refuse(command);
    if (refusal) return [400, { error: refusal }];
    const reply = isBlocking(command)
      ? await client.exclusive((connection) => withAbort(connection, res, () => connection.send(command)), 0)
      : await client.send(command);
    if (reply instanceof RespError) return [400, { error: reply.message }];
    return [200, { result: encodeReply(reply, base64, true) }];
  }

  async function runPipeline(commands: Command[], res: ServerResponse, base64: boolean): Promise<[number, JsonOut]> {
    const refusals = commands.map(refuse);
    const toSend = commands.filter((_, i) => !refusals[i]);
    const replies = toSend.some(isBlocking)
      ? await client.exclusive((connection) => withAbort(connection, res, () => connection.pipeline(toSend)), 0)
      : await client.pipeline(toSend);
    let next = 0;
    const out = refusals.map((refusal): JsonOut => {
      if (refusal) return { error: refusal };
      return replyEntry(replies[next++] ?? null, base64);
    });
    return [200, out];
  }

  async function runTransaction(commands: Command[], base64: boolean): Promise<[number, JsonOut]> {
    for (const command of commands) {
      const refusal = refuse(command);
      if (refusal) return [400, { error: refusal }];
    }
    const { multi, queued, exec } = await client.transaction(commands);
    if (multi instanceof RespError) return [400, { error: multi.message }];
    if (exec instanceof RespError) {
      const first = queued.find((reply) => reply instanceof RespError);
      return [400, { error: first ? `${exec.message.replace(/\.$/, "")}: ${first.message}` : exec.message }];
    }
    if (!Array.isArray(exec)) return [400, { error: "EXECABORT transaction was not executed" }];
    return [200, exec.map((reply) => replyEntry(reply, base64))];
  }

  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    rawPath: string,
    query: URLSearchParams,
  ): Promise<[number, JsonOut]> {
    const method = req.method ?? "GET";
    if (method !== "GET" && method !== "POST") {
      res.setHeader("Allow", "GET, POST");
      return [405, { error: `Method Not Allowed: ${method}; use GET or POST` }];
    }
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const path = rawPath.length > 1 ? rawPath.replace(/\/$/, "") : rawPath;
    if (path === "/" || path === "/pipeline" || path === "/multi-exec") {
      if (method !== "POST") {
        res.setHeader("Allow", "POST");
        return path === "/"
          ? [400, { error: "ERR no command: POST a JSON array to / or use /COMMAND/arg/..." }]
          : [405, { error: `Method Not Allowed: ${path} takes a POST with a JSON array of commands` }];
      }
      const body = parseJsonBody(await readBody(req, maxBodyBytes));
      if (path === "/") {
        const command = toCommand(body, "the body");
        record("/", [command]);
        return runOne(command, res, base64);
      }
      if (!Array.isArray(body)) throw new HttpError(400, "ERR the body must be a JSON array of commands");
      if (body.length === 0) throw new HttpError(400, `ERR empty ${path === "/pipeline" ? "pipeline" : "transaction"}`);
      const commands = body.map((item, i) => toCommand(item, `command ${i + 1}`));
      record(path, commands);
      return path === "/pipeline" ? runPipeline(commands, res, base64) : runTransaction(commands, base64);
    }
    // Path form: /COMMAND/arg/…
    const command = rawPath
      .slice(1)
      .split("/")
      .filter((segment, i, all) => !(i === all.length - 1 && segment === "" && all.length > 1))
      .map(percentDecode);
    if (method === "POST") {
      const body = await readBody(req, maxBodyBytes);
      if (body.length > 0) command.push(body);
    }
    for (const [name, value] of query) {
      if (name === "_token") continue;
      command.push(Buffer.from(name, "utf8"));
      if (value !== "") command.push(Buffer.from(value, "utf8"));
    }
    record(`/${commandName(command).toLowerCase()}`, [command]);
    return runOne(command, res, base64);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    stats.requests++;
    // The raw target, not WHATWG URL parsing: that would resolve "..", "%2e%2e"
    // and backslashes, and path segments are keys and values.
    const target = req.url ?? "/";
    const queryAt = target.indexOf("?");
    const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? "" : target.slice(queryAt + 1));
    let status: number;
    let body: JsonOut;
    try {
      if (!authorised(req, query)) {
        res.setHeader("WWW-Authenticate", 'Bearer realm="upstash-bridge"');
        [status, body] = [401, { error: "Unauthorized" }];
      } else {
        [status, body] = await route(req, res, rawPath, query);
      }
    } catch (error) {
      if (error instanceof HttpError) [status, body] = [error.status, { error: error.message }];
      else if (error instanceof RedisConnectionError) [status, body] = [503, { error: `ERR ${error.message}` }];
      else [status, body] = [500, { error: `ERR bridge failure: ${(error as Error).message}` }];
      if (status === 413) res.setHeader("Connection", "close");
    }
    if (res.destroyed || res.writableEnded) return;
    const text = Buffer.from(stringify(body), "utf8");
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": text.length });
    res.end(text);
    options.log?.(`${req.method} ${rawPath} ${status} ${(performance.now() - started).toFixed(1)}ms`);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // handle() answers every failure itself; this is a last resort.
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "application/json" });
        res.end(stringify({ error: `ERR bridge failure: ${String(error)}` }));
      } else {
        res.destroy();
      }
    });
  });
  // Clients (undici, workerd) reuse connections; keep them longer than Node's 5 s.
  server.keepAliveTimeout = 30_000;

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    stats,
    resetStats,
    close: () =>
      new Promise<void>((resolve) => {
        client.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------
// Requests

function sha256(data: Buffer): Buffer {
  return createHash("sha256").update(data).digest();
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new HttpError(413, `ERR request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => {
      if (!failed) resolve(Buffer.concat(chunks, size));
    });
    req.once("error", (error) => {
      if (!failed) reject(new HttpError(400, `ERR could not read the request body: ${error.message}`));
      failed = true;
    });
  });
}

/** JSON numbers keep their source text, so `1.50` reaches redis as written. */
class JsonNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

function parseJsonBody(body: Buffer): unknown {
  const text = body.toString("utf8");
  const parse = JSON.parse as (text: string, reviver: Reviver) => unknown;
  try {
    return parse(text, (_key, value, context) =>
      typeof value === "number" ? new JsonNumber(context?.source ?? String(value)) : value,
    );
  } catch (error) {
    throw new HttpError(400, `ERR malformed JSON body: ${(error as Error).message}`);
  }
}

/** A JSON command array → argument bytes. Strings as UTF-8, numbers as written, booleans as true/false. */
function toCommand(value: unknown, what: string): Command {
  if (!Array.isArray(value)) throw new HttpError(400, `ERR ${what} must be a JSON array like ["SET","key","value"]`);
  if (value.length === 0) throw new HttpError(400, `ERR ${what} is an empty command`);
  return value.map((arg: unknown, i) => {
    if (typeof arg === "string") return Buffer.from(arg, "utf8");
    if (arg instanceof JsonNumber) return Buffer.from(arg.text, "utf8");
    if (typeof arg === "boolean") return Buffer.from(String(arg), "utf8");
    throw new HttpError(
      400,
      `ERR ${what}: argument ${i + 1} is ${arg === null ? "null" : Array.isArray(arg) ? "an array" : typeof arg}; only strings, numbers and booleans are accepted`,
    );
  });
}

/** Percent-decodes a path segment to raw bytes (so %FF survives). */
function percentDecode(segment: string): Buffer {
  if (!segment.includes("%")) return Buffer.from(segment, "utf8");
  const bytes: number[] = [];
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] as string;
    const hex = segment.slice(i + 1, i + 3);
    if (ch === "%" && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      const code = segment.codePointAt(i) ?? 0;
      if (code > 0xffff) i++;
      bytes.push(...Buffer.from(String.fromCodePoint(code), "utf8"));
    }
  }
  return Buffer.from(bytes);
}

function commandName(command: Command): string {
  return (command[0] ?? Buffer.alloc(0)).toString("utf8").toUpperCase();
}

/** Why a command is refused, or null when it may run. */
function refuse(command: Command): string | null {
  const name = commandName(command);
  const reason = BLOCKED.get(name);
  if (reason) return `ERR ${name} ${reason}`;
  const allowed = ALLOWED_SUBCOMMANDS.get(name);
  if (allowed) {
    const sub = (command[1] ?? Buffer.alloc(0)).toString("utf8").toUpperCase();
    if (!allowed.has(sub)) return `ERR ${name} ${sub} is not allowed through the bridge`;
  }
  return null;
}

function isBlocking(command: Command): boolean {
  const name = commandName(command);
  if (BLOCKING.has(name)) return true;
  if (name === "XREAD" || name === "XREADGROUP") {
    return command.some((arg) => arg.length === 5 && arg.toString("latin1").toUpperCase() === "BLOCK");
  }
  return false;
}

/** Drops the exclusive connection (ending a blocking command) if the HTTP client goes away first. */
async function withAbort<T>(connection: RespConnection, res: ServerResponse, work: () => Promise<T>): Promise<T> {
  const onClose = () => {
    if (!res.writableEnded) connection.close();
  };
  res.once("close", onClose);
  try {
    return await work();
  } finally {
    res.off("close", onClose);
  }
}

// ---------------------------------------------------------------------------
// Responses

function encodeString(bytes: Buffer, base64: boolean): string {
  return base64 ? bytes.toString("base64") : bytes.toString("utf8");
}

/**
 * A reply as JSON. With base64, every string is base64 of its bytes except a
 * top-level `OK` status: @upstash/redis decodes everything else (and, inside
 * arrays, `OK` too), so status replies such as PONG or TYPE's `string` are
 * encoded like bulk strings.
 */
function encodeReply(reply: RespReply, base64: boolean, topLevel: boolean): JsonOut {
  if (reply === null || typeof reply === "number" || typeof reply === "bigint") return reply;
  if (Buffer.isBuffer(reply)) return encodeString(reply, base64);
  if (reply instanceof RespStatus) {
    if (!base64 || (topLevel && reply.value === "OK")) return reply.value;
    return encodeString(Buffer.from(reply.value, "utf8"), true);
  }
  if (reply instanceof RespError) return encodeString(Buffer.from(reply.message, "utf8"), base64);
  return reply.map((item) => encodeReply(item, base64, false));
}

function replyEntry(reply: RespReply, base64: boolean): JsonOut {
  return reply instanceof RespError ? { error: reply.message } : { result: encodeReply(reply, base64, true) };
}

function stringify(value: JsonOut): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return JSON.stringify(value);
    case "bigint":
      return value.toString();
  }
  if (Array.isArray(value)) return `[${value.map(stringify).join(",")}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${JSON.stringify(key)}:${stringify(item)}`)
    .join(",")}}`;
}
