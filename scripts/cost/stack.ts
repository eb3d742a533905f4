import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { startBridgeProcess, type BridgeAccess } from "../bench/bridge.ts";
import { startChild } from "../bench/processes.ts";
import { startBundleWorkerd, type RunningWorkerd } from "../bench/workerd.ts";
import { startRedisServer, type RunningRedisServer } from "../lib/redis-server.ts";
import { RespConnection } from "../lib/resp.ts";
import { ROOT, type WorkerBundle } from "../lib/worker-bundle.ts";

export interface CostStack {
  readonly redis: RunningRedisServer;
  /** Straight to redis-server, for writing routes and reading INFO (neither passes the bridge). */
  readonly admin: RespConnection;
  /** The REST bridge the isolates use: the container agent's writes go through it too. */
  readonly bridge: BridgeAccess;
  /** Isolates: one workerd process each, serving the production bundle with its [vars]. */
  readonly isolates: readonly RunningWorkerd[];
  /** An upstream that answers 200 to anything (its own process). */
  readonly upstream: string;
  /** An in-process upstream whose body is the request's path: which route version served it. */
  readonly echo: string;
  /** The dashboard (ADMIN_HOST) and its bearer token, for what reading the fleet stats costs. */
  readonly adminHost: string;
  readonly adminToken: string;
  stop(): Promise<void>;
}

/** redis-server, the REST bridge and an upstream (child processes), then `count` workerd isolates. */
export async function startCostStack(bundle: WorkerBundle, count: number): Promise<CostStack> {
  const stops: Array<() => Promise<void> | void> = [];
  const redis = await startRedisServer();
  stops.push(() => redis.stop());
  const admin = new RespConnection({ port: redis.port });
  stops.push(() => admin.close());
  const bridge = await startBridgeProcess(redis.port, "cost");
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
  const adminHost = "admin.cost.test";
  const adminToken = randomBytes(24).toString("base64url");
  for (let i = 0; i < count; i++) {
    const isolate = await startBundleWorkerd(bundle, bridge, {
      name: `isolate-${i}`,
      vars: { ACCESS_LOG_SAMPLE_RATE: "0", ADMIN_HOST: adminHost, ADMIN_TOKEN: adminToken },
    });
    stops.push(() => isolate.stop());
    isolates.push(isolate);
  }
  return {
    redis,
    admin,
    bridge: { url: bridge.url, token: bridge.token },
    isolates,
    upstream: upstream.match?.[1] ?? "",
    echo: `127.0.0.1:${(echo.address() as AddressInfo).port}`,
    adminHost,
    adminToken,
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
