import { createMiddleware } from "hono/factory";
import { RouteStoreError, RouterError } from "../errors.ts";
import type { CacheOutcome } from "../cache/index.ts";
import { newRequestFacts, type LookupOutcome, type RequestVariables } from "../request-state.ts";
import { isolateTraffic } from "./counters.ts";
import { isolateFleet, type FleetSource } from "./fleet-flush.ts";
import { splitTarget } from "../receive/index.ts";

/** One access log line: a flat JSON object, so log tools index every field. */
export interface AccessLogEntry {
  readonly time: string;
  readonly requestId: string;
  readonly clientIp: string | null;
  readonly method: string;
  /** The Host header as sent (cut at 256 characters). */
  readonly host: string | null;
  readonly path: string;
  readonly status: number;
  readonly upstream: string | null;
  readonly lookup: LookupOutcome;
  readonly cache: CacheOutcome | null;
  readonly hops: number;
  /** The error code (errors.ts) when the router answered by itself. */
  readonly error: string | null;
  /** Operator-only detail of that error; never shown to the client. */
  readonly detail: string | null;
  readonly lookupMs: number | null;
  readonly upstreamMs: number | null;
  readonly totalMs: number;
}

/**
 * Whether this request's line is written. `rate` 1 logs everything and 0
 * nothing; in between, successes are sampled but server-side failures (5xx)
 * are always kept: they are the lines an operator goes looking for.
 */
export function sampled(status: number, rate: number, random: () => number = Math.random): boolean {
  if (rate <= 0) return false;
  return rate >= 1 || status >= 500 || random() < rate;
}

/** Writes the line to the Workers log (`wrangler tail`, Logpush, Workers Logs). */
export function writeAccessLog(entry: AccessLogEntry): void {
  console.log(JSON.stringify(entry));
}

export interface AccessLogOptions<B extends object> {
  /** The sample rate for these bindings (read per request: config is cached). */
  readonly sampleRate: (bindings: B) => number;
  /** The real client address for these bindings; default: the edge's CF-Connecting-IP. */
  readonly clientIp?: (request: Request, bindings: B) => string | null;
  /** What the fleet stats write for these bindings (fleet-flush.ts); null or absent: nothing is written. */
  readonly fleet?: (bindings: B) => FleetSource | null;
}

/**
 * Gives each request an id and writes its access log line once the response
 * (headers) is ready. It never touches the proxied Response (no
 * `c.header()`): re-wrapping it would lose a WebSocket and the manual body
 * encoding, and cost a copy. The line is built only when it is written
 * (sampled), and the id made only when something shows or logs it.
 */
export function accessLog<B extends object>(options: AccessLogOptions<B>) {
  return createMiddleware<{ Bindings: B; Variables: RequestVariables }>(async (c, next) => {
    const started = Date.now();
    const request = c.req.raw;
    let id: string | undefined;
    const requestId = () => (id ??= requestIdOf(request));
    const target = splitTarget(request.url);
    const facts = newRequestFacts();
    c.set("requestId", requestId);
    c.set("facts", facts);
    c.set("target", target);
    await next();
    const { status } = c.res;
    const error = c.error;
    isolateTraffic.record(facts, status, started, error instanceof RouteStoreError ? detailOf(error) : null);
    // One comparison per request; the write itself runs after the response, in waitUntil.
    if (options.fleet && isolateFleet.due(started)) scheduleFleetWrite(options.fleet(c.env), c.executionCtx);
    if (!sampled(status, options.sampleRate(c.env))) return;
    writeAccessLog({
      time: new Date(started).toISOString(),
      requestId: requestId(),
      // Resolved once by the handler; a request refused before that (a bad Host, a loop) resolves it here.
      clientIp:
        facts.clientIp !== undefined
          ? facts.clientIp
          : options.clientIp
            ? options.clientIp(request, c.env)
            : request.headers.get("cf-connecting-ip"),
      method: request.method,
      host: request.headers.get("host")?.slice(0, 256) ?? null,
      path: target.path + target.query,
      status,
      upstream: facts.upstream,
      lookup: facts.lookup,
      cache: facts.cache,
      hops: facts.hops,
      error: error ? (error instanceof RouterError ? error.code : "internal_error") : null,
      detail: error ? detailOf(error) : null,
      lookupMs: facts.lookupMs,
      upstreamMs: facts.upstreamMs,
      totalMs: Date.now() - started,
    });
  });
}

function scheduleFleetWrite(source: FleetSource | null, ctx: { waitUntil(promise: Promise<unknown>): void }): void {
  if (source !== null) ctx.waitUntil(isolateFleet.flush(source, Date.now()));
  else isolateFleet.rest(Date.now());
}

/** The edge's Ray ID when it looks like one, so our id matches Cloudflare's logs. */
function requestIdOf(request: Request): string {
  const ray = request.headers.get("cf-ray");
  return ray !== null && /^[0-9a-z-]{1,64}$/i.test(ray) ? ray : crypto.randomUUID();
}

function detailOf(error: Error): string {
  return (error instanceof RouterError ? error.detail : null) ?? error.message;
}
