/**
 * An Upstash-REST-compatible HTTP bridge in front of a real redis-server, so
 * that @upstash/redis, curl and the worker talk to local Redis the way they
 * talk to Upstash (docs/bridge.md).
 *
 * Endpoints (every one needs `Authorization: Bearer <token>` or `?_token=`):
 * - `POST /` with a JSON array (`["SET","k","v"]`) → `{"result": …}`; a Redis
 *   error → 400 `{"error": "ERR …"}`.
 * - `POST /pipeline` with an array of commands → 200 and an array of
 *   `{"result": …}` / `{"error": …}`, one per command, even when some failed.
 * - `POST /multi-exec` → the same shape, run inside MULTI/EXEC on a connection
 *   of its own; a command rejected while queueing aborts the whole
 *   transaction → 400 `{"error": "EXECABORT …: <first error>"}`.
 * - `GET|POST /subscribe/<channel>…`, `/psubscribe/<pattern>…` → server-sent
 *   events (`data: message,<channel>,<payload>`), one Redis connection each.
 * - Path form: `GET|POST /COMMAND/arg/…` (segments percent-decoded to bytes);
 *   for POST a non-empty body is appended as one more (binary) argument, then
 *   query parameters other than `_token` as `name[, value]`.
 *
 * Every response carries `upstash-sync-token` (sync-token.ts).
 * This file wires the parts: auth.ts, request.ts, dispatch.ts, execute.ts,
 * policy.ts, encoding.ts, stream.ts, stats.ts, errors.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { RespClient } from "../lib/resp.ts";
import { createAuth } from "./auth.ts";
import { createBlockingGate } from "./blocking.ts";
import { createDispatch } from "./dispatch.ts";
import { stringify, type JsonOut } from "./encoding.ts";
import { errorResponse } from "./errors.ts";
import { createExecutor } from "./execute.ts";
import { checkListenHost } from "./loopback.ts";
import { splitTarget } from "./request.ts";
import { createStats, type BridgeStats } from "./stats.ts";
import { createStreams } from "./stream.ts";
import { createSyncToken, SYNC_TOKEN_HEADER } from "./sync-token.ts";

export { READ_ALL_KEYS_COMMANDS, READ_FIRST_KEY_COMMANDS, NUMKEYS_COMMANDS, type BridgeStats } from "./stats.ts";
export { STREAM_CLIENT_NAME } from "./stream.ts";

export interface BridgeOptions {
  redisPort: number;
  /** Default 127.0.0.1. */
  redisHost?: string;
  token: string;
  /** Default "127.0.0.1". Anything but loopback is refused (RemoteListenError) unless `allowRemote`. */
  host?: string;
  /** Listen on a non-loopback `host` (default false): the token then crosses the network in clear. */
  allowRemote?: boolean;
  /** Default 0 = a free port. */
  port?: number;
  /** Called with one line per request (method, path without the query, status, duration); nothing is logged without it. */
  log?: (line: string) => void;
  /** Give up connecting to redis after this long (default 2000 ms) → 503. */
  connectTimeoutMs?: number;
  /** Give up on a reply after this long without progress (default 10000 ms) → 503. */
  commandTimeoutMs?: number;
  /** Largest request body accepted (default 64 MiB) → 413. */
  maxBodyBytes?: number;
  /** Event streams open at once (default 100); one more → 503. Each holds a Redis connection. */
  maxStreams?: number;
  /** Blocking commands (BLPOP, XREAD BLOCK…) waiting at once (default 100); one more → 503. Each holds a Redis connection. */
  maxBlocking?: number;
  /** A keep-alive comment on idle event streams this often (default 15000 ms). */
  streamHeartbeatMs?: number;
  /** Unread events a stream may buffer for a slow client before it is dropped (default 1 MiB). */
  maxStreamBufferBytes?: number;
}

export interface RunningBridge {
  url: string;
  port: number;
  stats: BridgeStats;
  resetStats(): void;
  /** Event streams open now. */
  readonly openStreams: number;
  /** Blocking commands waiting now. */
  readonly waitingBlocking: number;
  /** Ends the event streams (after their `unsubscribe` events), then the server and its Redis connections. */
  close(): Promise<void>;
}

export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const host = options.host ?? "127.0.0.1";
  checkListenHost(host, options.allowRemote ?? false);
  const authorise = createAuth(options.token);
  const redisHost = options.redisHost ?? "127.0.0.1";
  const connectTimeoutMs = options.connectTimeoutMs ?? 2000;
  const client = new RespClient({
    port: options.redisPort,
    host: redisHost,
    connectTimeoutMs,
    commandTimeoutMs: options.commandTimeoutMs,
  });
  const recorder = createStats();
  const syncToken = createSyncToken();
  const streams = createStreams({
    redisPort: options.redisPort,
    redisHost,
    connectTimeoutMs,
    confirmTimeoutMs: options.commandTimeoutMs ?? 10_000,
    maxStreams: options.maxStreams ?? 100,
    heartbeatMs: options.streamHeartbeatMs ?? 15_000,
    maxBufferedBytes: options.maxStreamBufferBytes ?? 1024 * 1024,
  });
  const blocking = createBlockingGate(options.maxBlocking ?? 100);
  const headers = () => ({ [SYNC_TOKEN_HEADER]: syncToken.current() });
  const dispatch = createDispatch({
    executor: createExecutor(client, syncToken, blocking),
    streams,
    stats: recorder,
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024 * 1024,
    headers,
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    recorder.stats.requests++;
    const { rawPath, query } = splitTarget(req.url ?? "/");
    // The path only: the query may hold `?_token=`, which no log line may show.
    const shown = `${req.method} ${rawPath}`;
    let status: number;
    let body: JsonOut;
    let token: string | undefined;
    try {
      authorise(req, query);
      const answer = await dispatch(req, res, rawPath, query);
      if (answer === null) {
        options.log?.(`${shown} ${res.statusCode} stream opened`);
        return;
      }
      [status, body, token] = answer;
    } catch (error) {
      const failure = errorResponse(error);
      for (const [name, value] of Object.entries(failure.headers)) res.setHeader(name, value);
      [status, body] = [failure.status, failure.body];
    }
    if (res.destroyed || res.writableEnded || res.headersSent) return;
    const text = Buffer.from(stringify(body), "utf8");
    res.writeHead(status, {
      [SYNC_TOKEN_HEADER]: token ?? syncToken.current(),
      "Content-Type": "application/json",
      "Content-Length": text.length,
    });
    res.end(text);
    options.log?.(`${shown} ${status} ${(performance.now() - started).toFixed(1)}ms`);
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
    stats: recorder.stats,
    resetStats: recorder.reset,
    get openStreams() {
      return streams.size;
    },
    get waitingBlocking() {
      return blocking.size;
    },
    async close() {
      await streams.closeAll(500);
      await new Promise<void>((resolve) => {
        client.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
