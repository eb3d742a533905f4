import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startBridge } from "../../scripts/bridge/server.ts";
import { startRedisServer } from "../../scripts/lib/redis-server.ts";
import { buildWorkerBundle, type WorkerBundle } from "../../scripts/lib/worker-bundle.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The production bundle (`wrangler deploy --dry-run`) and its settings. */
    bundle: WorkerBundle;
    redisPort: number;
    /** The shared Upstash-REST bridge in front of that redis-server. */
    bridgeUrl: string;
    bridgeToken: string;
  }
}

/**
 * Starts what every integration test needs once: a real redis-server, the
 * REST bridge in front of it, and the worker bundle. Tests start their own
 * workerd (test/support/stack.ts) with the settings they exercise.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const workDir = mkdtempSync(join(tmpdir(), "router-suite-"));
  const bundle = buildWorkerBundle(join(workDir, "bundle"));
  const redis = await startRedisServer();
  const bridgeToken = `test-token-${Math.random().toString(36).slice(2)}`;
  const bridge = await startBridge({ redisPort: redis.port, token: bridgeToken });
  project.provide("bundle", bundle);
  project.provide("redisPort", redis.port);
  project.provide("bridgeUrl", bridge.url);
  project.provide("bridgeToken", bridgeToken);
  return async () => {
    await bridge.close();
    await redis.stop();
    rmSync(workDir, { recursive: true, force: true });
  };
}
