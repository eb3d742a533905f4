/**
 * Where the router's CPU goes under load:
 *
 *   bash scripts/run.sh node scripts/bench/profile.ts [--seconds 10] [--var NAME=VALUE ...] [--out FILE] [--script DIR/index.js]
 *   bash scripts/run.sh node scripts/bench/profile.ts --from FILE --bundle index.js --requests N
 *
 * Serves an unminified build of the bundle (so functions keep their names)
 * from the `workerd` binary with its inspector on (`--inspector-addr`),
 * drives it with wrk as `npm run bench` does (100 routed hosts, round robin),
 * and records V8's CPU profile over the DevTools protocol meanwhile. Prints
 * µs per request: the workerd process's whole CPU time (from /proc), the
 * JavaScript's share, each source module's own time and the inclusive time
 * of the request path's main functions (profile.ts's FUNCTIONS).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildWorkerBundle, readWranglerToml } from "../lib/worker-bundle.ts";
import { freePort } from "../lib/ports.ts";
import { startRedisServer } from "../lib/redis-server.ts";
import { RespConnection } from "../lib/resp.ts";
import { ROOT } from "../lib/worker-bundle.ts";
import { cpuSeconds, startChild, stopChildren } from "./processes.ts";
import { summarise, type CpuProfile } from "./profile-summary.ts";
import { startBridgeProcess } from "./bridge.ts";
import { ensureTools, requireWrk } from "./tools.ts";
import { startBundleWorkerd } from "./workerd.ts";
import { runSpread } from "./wrk.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "32" },
    var: { type: "string", multiple: true, default: [] },
    out: { type: "string" },
    // A bundle built before (`wrangler deploy --dry-run --minify=false --outdir DIR`): DIR/index.js.
    script: { type: "string" },
    // Summarise a profile saved before (--out) instead: its bundle and request count.
    from: { type: "string" },
    bundle: { type: "string" },
    requests: { type: "string" },
  },
});
if (values.from) {
  const saved = JSON.parse(readFileSync(values.from, "utf8")) as CpuProfile;
  process.stdout.write(`${summarise(saved, values.bundle ?? "", Number(values.requests)).table}\n`);
  process.exit(0);
}
const seconds = Number(values.seconds);
const extraVars = Object.fromEntries(
  values.var.map((pair) => {
    const at = pair.indexOf("=");
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
const workDir = mkdtempSync(join(tmpdir(), "router-profile-"));
const log = (line: string) => process.stderr.write(`[profile] ${line}\n`);

try {
  const wrk = requireWrk(ensureTools());
  const bundle = values.script
    ? { scriptPath: values.script, ...readWranglerToml(join(ROOT, "wrangler.toml")) }
    : (log("building an unminified bundle"), buildWorkerBundle(join(workDir, "bundle"), undefined, ["--minify=false"]));
  const redis = await startRedisServer();
  const bridge = await startBridgeProcess(redis.port, "profile");
  const upstream = await startChild(
    process.execPath,
    [join(ROOT, "scripts", "bench", "upstream.ts")],
    /listening on (\S+)/,
  );
  const hosts = Array.from({ length: 100 }, (_, i) => `h${i}.bench.test`);
  const redisConnection = new RespConnection({ port: redis.port });
  await redisConnection.pipeline(hosts.map((host) => ["SET", host, upstream.match?.[1] ?? ""]));
  redisConnection.close();

  const inspectorPort = await freePort();
  // UPSTREAM_URL too, so a floor worker (floor-workers.ts) can be profiled with --script, for comparison.
  const vars = { UPSTREAM_URL: `http://${upstream.match?.[1] ?? ""}/`, ...extraVars };
  const router = await startBundleWorkerd(bundle, bridge, { name: "router-profile", vars, inspectorPort });
  const load = {
    wrk,
    threads: 1,
    connections: Number(values.connections),
    workDir,
  };
  log("warming up");
  await runSpread({ ...load, url: router.url, durationS: 2 }, hosts);

  const inspector = await connectInspector(inspectorPort);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 100 });
  await inspector.send("Profiler.start");
  const cpuBefore = await cpuSeconds([router.pid]);
  log(`${seconds} s of load, profiling`);
  const result = await runSpread({ ...load, url: router.url, durationS: seconds }, hosts);
  const cpuUs = ((await cpuSeconds([router.pid])) - cpuBefore) * 1e6;
  const { profile } = (await inspector.send("Profiler.stop")) as { profile: CpuProfile };
  inspector.close();
  if (values.out) writeFileSync(values.out, JSON.stringify(profile));
  await router.stop();

  const summary = summarise(profile, bundle.scriptPath, result.requests);
  const perRequest = (us: number) => (us / result.requests).toFixed(1);
  process.stdout.write(
    `${result.requests} requests (${result.rps.toFixed(0)}/s, ${result.errors} errors); workerd CPU ${perRequest(cpuUs)} µs/request, of which JavaScript (sampled) ${summary.javascriptUs.toFixed(1)} µs\n\n`,
  );
  process.stdout.write(`${summary.table}\n`);
} finally {
  await stopChildren();
  rmSync(workDir, { recursive: true, force: true });
}
process.exit(0);

interface Inspector {
  send(method: string, params?: object): Promise<unknown>;
  close(): void;
}

/** The worker's DevTools endpoint (workerd names it after the service: `/main`). */
async function connectInspector(port: number): Promise<Inspector> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/main`);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error("cannot reach workerd's inspector")), { once: true });
  });
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  let next = 1;
  return {
    send(method, params = {}) {
      const id = next++;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve) => pending.set(id, resolve));
    },
    close: () => socket.close(),
  };
}
