/**
 * `npm start`: the whole router on this machine. A private redis-server (data
 * in .data/, so routes survive a restart), the Upstash REST bridge, the seed's
 * two demo apps, their routes, and the worker under `wrangler dev` on
 * 127.0.0.1:8787, with the dashboard at http://router.localhost:8787/ (a new
 * random ADMIN_TOKEN each start). Ctrl-C stops everything it started.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "@upstash/redis";
import { startBridge } from "./bridge/server.ts";
import { startDemoApp, type RunningDemoApp } from "./lib/demo-app.ts";
import { freePort } from "./lib/ports.ts";
import { startRedisServer } from "./lib/redis-server.ts";
import { ROOT } from "./lib/worker-bundle.ts";

const ROUTER_PORT = Number(process.env.PORT ?? 8787);
const BRIDGE_PORT = Number(process.env.BRIDGE_PORT ?? 8079);

const stops: Array<() => Promise<void> | void> = [];
async function stopAll(code: number): Promise<never> {
  for (const stop of stops.reverse()) await stop();
  process.exit(code);
}
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

const redisServer = await startRedisServer({ dataDir: join(ROOT, ".data", "redis") });
stops.push(() => redisServer.stop());

const token = randomBytes(24).toString("base64url");
const bridge = await startBridge({ redisPort: redisServer.port, token, port: BRIDGE_PORT });
stops.push(() => bridge.close());
/** The dashboard (docs/dashboard.md): *.localhost resolves to loopback, so the browser finds it. */
const ADMIN_HOST = "router.localhost";
const adminToken = randomBytes(24).toString("base64url");
writeFileSync(
  join(ROOT, ".dev.vars"),
  [
    "# Written by npm start: the local Upstash REST bridge and the dashboard. Git-ignored.",
    `UPSTASH_REDIS_REST_URL="${bridge.url}"`,
    `UPSTASH_REDIS_REST_TOKEN="${token}"`,
    `ADMIN_HOST="${ADMIN_HOST}"`,
    `ADMIN_TOKEN="${adminToken}"`,
    "",
  ].join("\n"),
);

/** The seed's apps listen on 5001 and 5002; any free port will do if those are taken. */
async function demoApp(name: string, port: number): Promise<RunningDemoApp> {
  try {
    return await startDemoApp({ name, port });
  } catch {
    return startDemoApp({ name, port: await freePort() });
  }
}
const apps = [await demoApp("p5001", 5001), await demoApp("p5002", 5002)];
const redis = new Redis({ url: bridge.url, token, automaticDeserialization: false, enableTelemetry: false });
for (const app of apps) {
  stops.push(() => app.close());
  await redis.set(`${app.name}.localhost`, app.address);
}

const wrangler = spawn(
  join(ROOT, "node_modules", ".bin", "wrangler"),
  ["dev", "--ip", "127.0.0.1", "--port", String(ROUTER_PORT), "--show-interactive-dev-session=false"],
  {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      // The router reads nothing from request.cf; skip fetching it from the network.
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
    },
  },
);
stops.push(() => {
  wrangler.kill("SIGTERM");
});
wrangler.on("exit", (code) => {
  console.error(`wrangler dev exited (${code ?? "signal"})`);
  void stopAll(code ?? 1);
});

await waitForRouter(`http://127.0.0.1:${ROUTER_PORT}/`);
const base = `http://127.0.0.1:${ROUTER_PORT}`;
console.log(`
  Router ready on ${base}  (routes in redis-server :${redisServer.port}, REST bridge ${bridge.url})

  Try:
    curl -H 'Host: p5001.localhost' ${base}/
    curl -H 'Host: p5002.localhost' ${base}/
    curl http://p5001.localhost:${ROUTER_PORT}/          # *.localhost resolves to loopback
    curl -H 'Host: nope.localhost' ${base}/    # 403: no route

  Dashboard: http://${ADMIN_HOST}:${ROUTER_PORT}/   (log in with the token below)
    token: ${adminToken}   (ADMIN_TOKEN in .dev.vars; new at every start)
    curl -H 'Host: ${ADMIN_HOST}' -H 'Authorization: Bearer ${adminToken}' ${base}/api/routes
    curl -H 'Host: ${ADMIN_HOST}' -H 'Authorization: Bearer ${adminToken}' ${base}/metrics

  Add a route (any of these):
    npm run routes -- set myapp.localhost 127.0.0.1:3000
    redis-cli -p ${redisServer.port} SET myapp.localhost 127.0.0.1:3000
    curl -H 'Authorization: Bearer ${token}' ${bridge.url}/set/myapp.localhost/127.0.0.1:3000

  Ctrl-C stops everything.
`);

async function waitForRouter(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
  console.error(`wrangler dev did not answer on ${url} within ${timeoutMs / 1000} s`);
  await stopAll(1);
}
