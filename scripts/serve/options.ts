import { cpus } from "node:os";
import { parseArgs } from "node:util";

/** One address to listen on; `tls` unset means "HTTPS when a certificate is given". */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean | undefined;
  /** As written, for messages. */
  readonly text: string;
}

export interface ServeOptions {
  readonly listen: readonly ListenAddress[];
  readonly workers: number;
  /** redis://HOST:PORT[/0]: run the REST bridge in front of it; null: the Upstash settings. */
  readonly redis: { readonly host: string; readonly port: number } | null;
  readonly envFile: string | null;
  readonly tlsCert: string | null;
  readonly tlsKey: string | null;
  /** CIDR blocks of load balancers in front (TRUSTED_PROXIES). */
  readonly trustProxy: readonly string[];
  readonly drainSeconds: number;
  readonly health: ListenAddress | null;
}

export class UsageError extends Error {}

/** Every option, its environment variable (same meaning) and what it does: --help prints this. */
export const USAGE = `usage: npm run serve -- [options]

Serves the production bundle (what \`wrangler deploy\` uploads) under workerd on this host.

  --listen [http://|https://]ADDR:PORT  SERVE_LISTEN (comma-separated)  default 0.0.0.0:8080
        where to accept requests; repeatable. Bare ADDR:PORT is HTTPS when a certificate is given.
  --workers N             SERVE_WORKERS        default: the number of cores
        workerd processes sharing the listening sockets
  --redis redis://HOST:PORT[/0]  SERVE_REDIS
        run the Upstash REST bridge (loopback, fresh token) in front of this Redis; without it,
        UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN come from the environment or --env-file
  --env-file FILE         SERVE_ENV_FILE
        KEY=VALUE lines (secrets such as ADMIN_TOKEN, [vars] overrides); the environment wins over the file
  --tls-cert FILE         SERVE_TLS_CERT       PEM certificate chain, leaf first
  --tls-key FILE          SERVE_TLS_KEY        PEM private key
  --trust-proxy CIDR      TRUSTED_PROXIES (comma-separated)
        load balancers in front whose X-Forwarded-For is believed (nginx real_ip_recursive); repeatable
  --drain-seconds N       SERVE_DRAIN_SECONDS  default 30
        on SIGTERM/SIGINT/SIGHUP, how long requests in flight may take to finish
  --health ADDR:PORT      SERVE_HEALTH
        a readiness listener of its own: 200 when the route store answers (checked at most about
        once a second), 503 otherwise; bind it where only the load balancer reaches it
  -h, --help

Every [vars] setting of wrangler.toml can be overridden by an environment variable of the same
name (e.g. ROUTE_CACHE_TTL_MS=2000). Signals: SIGTERM/SIGINT drain and exit 0; SIGHUP rebuilds the
bundle, re-reads the env file and the certificate, starts new processes and drains the old ones.`;

type Env = Readonly<Record<string, string | undefined>>;

/** The options from argv, then the environment, then the defaults. Throws UsageError. */
export function parseServeOptions(argv: readonly string[], env: Env): ServeOptions | "help" {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        listen: { type: "string", multiple: true },
        workers: { type: "string" },
        redis: { type: "string" },
        "env-file": { type: "string" },
        "tls-cert": { type: "string" },
        "tls-key": { type: "string" },
        "trust-proxy": { type: "string", multiple: true },
        "drain-seconds": { type: "string" },
        health: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";
  const list = (text: string | undefined) => (text ?? "").split(/[\s,]+/).filter((item) => item !== "");
  const listen = values.listen ?? list(env.SERVE_LISTEN);
  const tlsCert = values["tls-cert"] ?? env.SERVE_TLS_CERT ?? null;
  const tlsKey = values["tls-key"] ?? env.SERVE_TLS_KEY ?? null;
  if ((tlsCert === null) !== (tlsKey === null)) throw new UsageError("--tls-cert and --tls-key go together");
  const redis = values.redis ?? env.SERVE_REDIS;
  const health = values.health ?? env.SERVE_HEALTH;
  const options: ServeOptions = {
    listen: (listen.length > 0 ? listen : ["0.0.0.0:8080"]).map((text) => parseListen(text, "--listen")),
    workers: count(values.workers ?? env.SERVE_WORKERS, "--workers", cpus().length, 1, 256),
    redis: redis ? parseRedisUrl(redis) : null,
    envFile: values["env-file"] ?? env.SERVE_ENV_FILE ?? null,
    tlsCert,
    tlsKey,
    trustProxy: values["trust-proxy"] ?? list(env.TRUSTED_PROXIES),
    drainSeconds: count(values["drain-seconds"] ?? env.SERVE_DRAIN_SECONDS, "--drain-seconds", 30, 0, 3600),
    health: health ? parseListen(health, "--health") : null,
  };
  if (options.health?.tls) throw new UsageError("--health serves plain HTTP");
  if (options.listen.some((address) => address.tls) && tlsCert === null) {
    throw new UsageError("an https:// listen address needs --tls-cert and --tls-key");
  }
  return options;
}

/** "0.0.0.0:8080", "[::]:443", "https://0.0.0.0:443", "8080" (all interfaces). */
export function parseListen(text: string, option: string): ListenAddress {
  const scheme = /^(https?):\/\//.exec(text)?.[1];
  const rest = scheme ? text.slice(scheme.length + 3) : text;
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(rest) ?? /^()()(\d{1,5})$/.exec(rest);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new UsageError(`${option} must be ADDR:PORT, such as 0.0.0.0:8080, not "${text}"`);
  return { host: match[1] || match[2] || "0.0.0.0", port, tls: scheme ? scheme === "https" : undefined, text };
}

/** redis://HOST:PORT[/0]. The bridge speaks to database 0 and without AUTH. */
export function parseRedisUrl(text: string): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--redis must be redis://HOST:PORT, not "${text}"`);
  }
  if (url.protocol !== "redis:") throw new UsageError(`--redis must start with redis://, not "${text}"`);
  if (url.username || url.password) {
    throw new UsageError("--redis: the bridge does not send AUTH; use a Redis reachable without a password");
  }
  if (url.pathname !== "" && url.pathname !== "/" && url.pathname !== "/0") {
    throw new UsageError(`--redis: the bridge reads database 0 only, not ${url.pathname.slice(1)}`);
  }
  return { host: url.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1", port: Number(url.port || 6379) };
}

function count(text: string | undefined, option: string, fallback: number, min: number, max: number): number {
  if (text === undefined || text.trim() === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${option} must be an integer from ${min} to ${max}, not "${text}"`);
  }
  return value;
}
