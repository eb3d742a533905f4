import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { ROOT, type WorkerBundle } from "../lib/worker-bundle.ts";

const BUNDLE_MODULE = pathToFileURL(join(ROOT, "scripts", "lib", "worker-bundle.ts")).href;

/**
 * buildWorkerBundle (what `wrangler deploy` uploads) on a thread of its own:
 * it waits for wrangler synchronously, and a SIGHUP rebuild must not stall
 * the supervisor meanwhile (crash restarts, the health check, signals).
 */
export function buildBundle(outDir: string): Promise<WorkerBundle> {
  const code = `
    const { parentPort, workerData } = require("node:worker_threads");
    import(workerData.module).then((m) => parentPort.postMessage(m.buildWorkerBundle(workerData.outDir)));
  `;
  const worker = new Worker(code, { eval: true, workerData: { module: BUNDLE_MODULE, outDir } });
  return new Promise<WorkerBundle>((resolve, reject) => {
    worker.once("message", (bundle: WorkerBundle) => resolve(bundle));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the bundle build stopped (${code})`)));
  });
}
