import { request } from "node:http";
import { startRuntime } from "../lib/runtime.ts";
import type { WorkerBundle } from "../lib/worker-bundle.ts";
import type { BridgeAccess } from "./bridge.ts";
import { writeFloorWorker } from "./floor-workers.ts";
import { childPids } from "./processes.ts";
import { startScalingServers } from "./scaling.ts";
import { startSeed } from "./seed-nginx.ts";
import type { Tools } from "./tools.ts";
import { startBundleWorkerd, startWorkerd, type RunningWorkerd } from "./workerd.ts";
import { runSpread, type LoadOptions } from "./wrk.ts";

/** One row of `npm run bench`: a server, and the processes whose CPU time is its own (not wrk's, not Redis's). */
export interface RowServer {
  readonly name: string;
  readonly url: string;
  readonly note: string;
  readonly pids: number[];
  /** Why the row has no figures (a tool missing, a server that does not route). */
  missing?: string;
}

export interface RowsContext {
  readonly workDir: string;
  /** The production bundle, as `wrangler deploy --dry-run` wrote it. */
  readonly bundle: WorkerBundle;
  readonly bridge: BridgeAccess;
  /** The upstream every route points at. */
  readonly upstream: { readonly address: string; readonly pid: number };
  readonly tools: Tools;
  readonly redisPort: number;
  /** Where each server's stop goes (bench.ts runs them at the end). */
  readonly stops: Array<() => Promise<void> | void>;
  readonly hosts: readonly string[];
  readonly load: Omit<LoadOptions, "url" | "durationS">;
  readonly warmupS: number;
  readonly withMiniflare: boolean;
  readonly log: (line: string) => void;
}

export interface StartedRows {
  readonly servers: RowServer[];
  /** The bare fetch() worker and the hot router, which bench.ts also loads together and on their own. */
  readonly floorRuntime: RunningWorkerd;
  readonly hotRuntime: RunningWorkerd;
}

/**
 * Starts every row's server: the upstream alone, the floor (a bare fetch()
 * worker), the router hot and with no cache, the seed's nginx, the
 * self-hosted and scaling rows, and the floor behind Miniflare. Each must
 * route a known host before it counts; it is then warmed up.
 */
export async function startRows(ctx: RowsContext): Promise<StartedRows> {
  const { workDir, bundle, bridge, tools, stops, hosts, load, log } = ctx;
  const upstream = ctx.upstream.address;
  const floorWorker = {
    scriptPath: writeFloorWorker(workDir, "floor"),
    compatibilityDate: bundle.compatibilityDate,
    compatibilityFlags: bundle.compatibilityFlags,
    bindings: { UPSTREAM_URL: `http://${upstream}/` },
  };

  // Every server runs from the start; the load visits them in turn, ROUNDS
  // times, so that a burst of other work on this machine is spread over all
  // rows instead of landing on one. Each row reports its median.
  log("starting the floor, the routers, the seed");
  /** `pids`: the processes whose CPU time is the row's own (not the load generator's, not Redis's). */
  const servers: RowServer[] = [
    { name: "direct", url: `http://${upstream}/`, note: "the upstream alone (node:http)", pids: [ctx.upstream.pid] },
  ];
  const floorRuntime = await startWorkerd(floorWorker, "floor");
  stops.push(() => floorRuntime.stop());
  servers.push({
    name: "floor",
    url: floorRuntime.url,
    note: "fetch() to a fixed upstream, in workerd",
    pids: [floorRuntime.pid],
  });
  const wireFloorRuntime = await startWorkerd(
    { ...floorWorker, scriptPath: writeFloorWorker(workDir, "wire-floor") },
    "wire-floor",
  );
  stops.push(() => wireFloorRuntime.stop());
  servers.push({
    name: "wire floor",
    url: wireFloorRuntime.url,
    note: "the floor + what the router's defaults send (6 headers, header timeout): no routing",
    pids: [wireFloorRuntime.pid],
  });
  const hotRuntime = await startBundleWorkerd(bundle, bridge, { name: "router-hot" });
  stops.push(() => hotRuntime.stop());
  servers.push({
    name: "router, hot",
    url: hotRuntime.url,
    note: "the router, cache on (defaults)",
    pids: [hotRuntime.pid],
  });
  const uncachedRuntime = await startBundleWorkerd(bundle, bridge, {
    name: "router-nocache",
    vars: { ROUTE_CACHE_SIZE: "0" },
  });
  stops.push(() => uncachedRuntime.stop());
  servers.push({
    name: "router, no cache",
    url: uncachedRuntime.url,
    note: "ROUTE_CACHE_SIZE=0: a lookup per request (CPU: workerd only, not the bridge)",
    pids: [uncachedRuntime.pid],
  });
  if ("missing" in tools.nginx) {
    servers.push({ name: "seed", url: "", note: "", pids: [], missing: tools.nginx.missing });
  } else {
    const seed = await startSeed(tools.nginx.path, workDir, ctx.redisPort);
    stops.push(() => seed.stop());
    servers.push({
      name: "seed",
      url: seed.url,
      note: "nginx + Lua, Redis GET per request, 1 worker",
      pids: await childPids(seed.pid),
    });
  }
  servers.push(
    ...(await startScalingServers({
      nginx: tools.nginx,
      workDir,
      redisPort: ctx.redisPort,
      bridgeUrl: bridge.url,
      token: bridge.token,
      stops,
    })),
  );
  if (ctx.withMiniflare) {
    const miniflare = await startRuntime({
      bundle: {
        scriptPath: floorWorker.scriptPath,
        compatibilityDate: floorWorker.compatibilityDate,
        compatibilityFlags: floorWorker.compatibilityFlags,
        vars: floorWorker.bindings,
      },
    });
    stops.push(() => miniflare.dispose());
    servers.push({
      name: "floor via Miniflare",
      url: miniflare.url.href,
      note: "the floor behind Miniflare's entry worker",
      pids: (await childPids(process.pid, "workerd")).filter(
        (pid) => ![floorRuntime.pid, wireFloorRuntime.pid, hotRuntime.pid, uncachedRuntime.pid].includes(pid),
      ),
    });
  }
  for (const server of servers) {
    if (server.missing) continue;
    const status = await fetchStatus(server.url, hosts[0] ?? "");
    if (status !== 200) server.missing = `answers ${status} for a routed host`;
    else if (ctx.warmupS > 0) await runSpread({ ...load, url: server.url, durationS: ctx.warmupS }, hosts);
  }
  return { servers, floorRuntime, hotRuntime };
}

/** One request with a chosen Host: is the row's server routing at all? */
async function fetchStatus(url: string, host: string): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, headers: { host }, timeout: 5000 },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", () => resolve(0));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}
