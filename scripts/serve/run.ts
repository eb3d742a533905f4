import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../lib/worker-bundle.ts";
import { readEnvFile } from "./env-file.ts";
import { startHealthListener } from "./health.ts";
import { prepareLaunch } from "./launch.ts";
import { openSharedListeners } from "./listeners.ts";
import type { ServeOptions } from "./options.ts";
import { openRouteStore, storeAnswers } from "./route-store.ts";
import { cachedStoreCheck } from "./store-check.ts";
import { createSupervisor } from "./supervisor.ts";

const WORKERD = join(ROOT, "node_modules", ".bin", "workerd");
const log = (line: string): void => void process.stderr.write(`serve: ${line}\n`);

/**
 * Runs the self-hosted router until SIGTERM/SIGINT: the route store, the
 * shared listening sockets, the workerd processes and the health listener.
 * SIGHUP starts a new generation from the files as they are now.
 */
export async function serve(options: ServeOptions): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), "router-serve-"));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(workDir, { recursive: true, force: true })];
  const cleanUp = async () => {
    for (const step of cleanups.splice(0).reverse()) await Promise.resolve(step()).catch(() => undefined);
  };
  let stopping = false;
  // Listened for from the start: a stop asked for while the bundle builds is honoured once it is up.
  const stopRequested = new Promise<void>((resolve) => {
    const onStop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: no new connections; requests in flight may take up to ${options.drainSeconds} s`);
      resolve();
    };
    process.on("SIGTERM", onStop);
    process.on("SIGINT", onStop);
  });
  // SIGHUP would end the process by default: until the first generation listens, it is ignored.
  let reload = (): void => log("SIGHUP while starting: ignored");
  process.on("SIGHUP", () => reload());
  try {
    const env = { ...(options.envFile ? readEnvFile(options.envFile) : {}), ...process.env };
    const store = await openRouteStore(options, env);
    cleanups.push(() => store.close());
    const listeners = await openSharedListeners(options.listen);
    cleanups.push(() => listeners.close());
    const supervisor = createSupervisor({
      workerd: WORKERD,
      count: options.workers,
      drainMs: options.drainSeconds * 1000,
      log,
    });
    let generation = 0;
    const launchNext = () => prepareLaunch(options, store.settings, listeners.fds, join(workDir, `g${++generation}`));
    log("building the bundle (wrangler deploy --dry-run)");
    await supervisor.start(await launchNext());
    cleanups.push(() => supervisor.stop());
    let health: Server | null = null;
    if (options.health) {
      health = await startHealthListener(options.health, {
        serving: () => !stopping,
        processes: () => supervisor.pids().length,
        storeAnswers: cachedStoreCheck(() => storeAnswers(store.settings)),
      });
      cleanups.push(() => new Promise<void>((resolve) => health?.close(() => resolve())));
    }
    const urls = options.listen.map((address, index) => {
      const scheme = address.tls === false || !options.tlsCert ? "http" : "https";
      const host = address.host.includes(":") ? `[${address.host}]` : address.host;
      return `${scheme}://${host}:${listeners.ports[index]}`;
    });
    log(`route store: ${store.description}`);
    if (options.health) log(`health: http://${options.health.host}:${options.health.port}/`);
    // One line on stdout, for scripts and tests: the addresses and the processes.
    process.stdout.write(
      `serve: listening on ${urls.join(" ")} (${supervisor.pids().length} workerd processes: ${supervisor.pids().join(" ")})\n`,
    );

    let reloading: Promise<void> = Promise.resolve();
    reload = () => {
      reloading = reloading.then(async () => {
        if (stopping) return;
        log("SIGHUP: starting a new generation");
        try {
          await supervisor.reload(await launchNext());
          log(`reloaded: workerd processes ${supervisor.pids().join(" ")}`);
        } catch (error) {
          log(`reload failed, the running processes keep serving: ${(error as Error).message}`);
        }
      });
    };
    await stopRequested;
    // The health check says 503 from here on; workerd stops accepting on SIGTERM.
    await supervisor.stop();
    await reloading;
    log("stopped");
  } finally {
    stopping = true;
    await cleanUp();
  }
}
