import { readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { freePort } from "../lib/ports.ts";
import { ROOT, type WorkerBundle } from "../lib/worker-bundle.ts";
import type { BridgeAccess } from "./bridge.ts";
import { httpAnswers, startChild, type Child } from "./processes.ts";

export interface WorkerdWorker {
  /** The entry module; every other .js/.mjs module beside it is included too. */
  readonly scriptPath: string;
  readonly compatibilityDate: string;
  readonly compatibilityFlags: readonly string[];
  readonly bindings: Readonly<Record<string, string>>;
  /** Passed to V8 (workerd's `v8Flags`), e.g. a heap limit. */
  readonly v8Flags?: readonly string[];
  /** Opens workerd's DevTools inspector on this loopback port (`--inspector-addr`), e.g. for a CPU profile. */
  readonly inspectorPort?: number;
}

export interface RunningWorkerd {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const WORKERD = join(ROOT, "node_modules", ".bin", "workerd");

/**
 * Serves a worker from the `workerd` binary itself, with a generated config:
 * one socket straight into the worker, as at the edge, without the entry
 * worker and loopback service Miniflare puts in front. Outbound fetch() may
 * reach loopback addresses only.
 */
export async function startWorkerd(worker: WorkerdWorker, name: string): Promise<RunningWorkerd> {
  const port = await freePort();
  const dir = dirname(worker.scriptPath);
  const entry = worker.scriptPath.slice(dir.length + 1);
  const others = readdirSync(dir).filter((file) => /\.m?js$/.test(file) && file !== entry);
  const modules = [entry, ...others].map((file) => `(name = ${q(file)}, esModule = embed ${q(file)})`);
  const bindings = Object.entries(worker.bindings).map(([key, value]) => `(name = ${q(key)}, text = ${q(value)})`);
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["local"])),
  ],
  v8Flags = [${(worker.v8Flags ?? []).map(q).join(", ")}],
  sockets = [(name = "http", address = ${q(`127.0.0.1:${port}`)}, http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [${modules.join(", ")}],
  compatibilityDate = ${q(worker.compatibilityDate)},
  compatibilityFlags = [${worker.compatibilityFlags.map(q).join(", ")}],
  bindings = [${bindings.join(", ")}],
  globalOutbound = "loopback",
);
`;
  const configPath = join(dir, `${name}.capnp`);
  writeFileSync(configPath, config);
  const inspector = worker.inspectorPort === undefined ? [] : [`--inspector-addr=127.0.0.1:${worker.inspectorPort}`];
  const child: Child = await startChild(WORKERD, ["serve", configPath, ...inspector], () => httpAnswers(port), {
    cwd: dir,
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.process.pid ?? 0, stop: () => child.stop() };
}

export interface BundleWorkerdOptions {
  /** Names the generated config (`NAME.capnp` beside the bundle). */
  readonly name: string;
  /** Bindings over the bundle's [vars] and the bridge's, e.g. `{ ROUTE_CACHE_SIZE: "0" }`. */
  readonly vars?: Readonly<Record<string, string>>;
  readonly inspectorPort?: number;
}

/** The router bundle in workerd with its [vars], reading routes through the REST bridge. */
export function startBundleWorkerd(
  bundle: WorkerBundle,
  bridge: BridgeAccess,
  options: BundleWorkerdOptions,
): Promise<RunningWorkerd> {
  const worker: WorkerdWorker = {
    scriptPath: bundle.scriptPath,
    compatibilityDate: bundle.compatibilityDate,
    compatibilityFlags: bundle.compatibilityFlags,
    bindings: {
      ...bundle.vars,
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: bridge.token,
      ...options.vars,
    },
    ...(options.inspectorPort === undefined ? {} : { inspectorPort: options.inspectorPort }),
  };
  return startWorkerd(worker, options.name);
}

/** A capnp text literal (its escapes are C's, which JSON's cover for our strings). */
function q(text: string): string {
  return JSON.stringify(text);
}
