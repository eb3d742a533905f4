import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { startChild } from "../bench/processes.ts";
import { startWorkerd, type RunningWorkerd } from "../bench/workerd.ts";
import { startRedisServer, type RunningRedisServer } from "../lib/redis-server.ts";
import { RespConnection } from "../lib/resp.ts";
import { ROOT, type WorkerBundle } from "../lib/worker-bundle.ts";

export interface CostStack {
  readonly redis: RunningRedisServer;
  /** Straight to redis-server, for writing routes and reading INFO (neither passes the bridge). */
  readonly admin: RespConnection;
  /** Isolates: one workerd process each, serving the production bundle with its [vars]. */
  readonly isolates: readonly RunningWorkerd[];
  /** An upstream that answers 200 to anything (its own process). */
  readonly upstream: string;
  /** An in-process upstream whose body is the request's path: which route version served it. */
  readonly echo: string;
  stop(): Promise<void>;
}

/** redis-server, the REST bridge and an upstream (child processes), then `count` workerd isolates. */
export async function startCostStack(bundle: WorkerBundle, count: number): Promise<CostStack> {
  const stops: Array<() => Promise<void> | void> = [];
  const redis = await startRedisServer();
  stops.push(() => redis.stop());
  const admin = new RespConnection({ port: redis.port });
  stops.push(() => admin.close());
  const token = `cost-${Math.random().toString(36).slice(2)}`;
  const bridge = await startChild(
    process.execPath,
    [join(ROOT, "scripts", "bridge", "main.ts"), "--redis-port", String(redis.port), "--port", "0"],
    /bridge listening on (http:\/\/\S+)/,
    { env: { ...process.env, BRIDGE_TOKEN: token } },
  );
  stops.push(() => bridge.stop());
  const upstream = await startChild(
    process.execPath,
    [join(ROOT, "scripts", "bench", "upstream.ts"), "--name", "upstream"],
    /listening on (\S+)/,
  );
  stops.push(() => upstream.stop());
  const echo = await startEcho();
  stops.push(() => new Promise<void>((resolve) => echo.close(() => resolve())));
  const isolates: RunningWorkerd[] = [];
  for (let i = 0; i < count; i++) {
    const isolate = await startWorkerd(
      {
        scriptPath: bundle.scriptPath,
        compatibilityDate: bundle.compatibilityDate,
        compatibilityFlags: bundle.compatibilityFlags,
        bindings: {
          ...bundle.vars,
          UPSTASH_REDIS_REST_URL: bridge.match?.[1] ?? "",
          UPSTASH_REDIS_REST_TOKEN: token,
          ACCESS_LOG_SAMPLE_RATE: "0",
        },
      },
      `isolate-${i}`,
    );
    stops.push(() => isolate.stop());
    isolates.push(isolate);
  }
  return {
    redis,
    admin,
    isolates,
    upstream: upstream.match?.[1] ?? "",
    echo: `127.0.0.1:${(echo.address() as AddressInfo).port}`,
    async stop() {
      for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
    },
  };
}

function startEcho(): Promise<Server> {
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { "content-type": "text/plain" }).end(request.url ?? "");
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}
