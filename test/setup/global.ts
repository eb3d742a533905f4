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

interface Started {
  readonly provided: {
    readonly bundle: WorkerBundle;
    readonly redisPort: number;
    readonly bridgeUrl: string;
    readonly bridgeToken: string;
  };
  stop(): Promise<void>;
}

/**
 * The integration and browser projects (vitest.config.ts) both name this
 * file, and vitest loads it once per project, in one process: the running
 * stack is kept on globalThis so one `npm test` builds one bundle and starts
 * one redis-server and one bridge, stopped when the last project is done.
 */
const SHARED = Symbol.for("edge-host-router.test-stack");
interface Shared {
  started: Promise<Started>;
  users: number;
}
const holder = globalThis as { [SHARED]?: Shared };

async function start(): Promise<Started> {
  const workDir = mkdtempSync(join(tmpdir(), "router-suite-"));
  const bundle = buildWorkerBundle(join(workDir, "bundle"));
  const redis = await startRedisServer();
  const bridgeToken = `test-token-${Math.random().toString(36).slice(2)}`;
  const bridge = await startBridge({ redisPort: redis.port, token: bridgeToken });
  return {
    provided: { bundle, redisPort: redis.port, bridgeUrl: bridge.url, bridgeToken },
    async stop() {
      await bridge.close();
      await redis.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts what every integration test needs once: a real redis-server, the
 * REST bridge in front of it, and the worker bundle. Tests start their own
 * workerd (test/support/stack.ts) with the settings they exercise.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = (holder[SHARED] ??= { started: start(), users: 0 });
  shared.users++;
  const { provided } = await shared.started;
  project.provide("bundle", provided.bundle);
  project.provide("redisPort", provided.redisPort);
  project.provide("bridgeUrl", provided.bridgeUrl);
  project.provide("bridgeToken", provided.bridgeToken);
  return async () => {
    if (--shared.users > 0) return;
    holder[SHARED] = undefined;
    await (await shared.started).stop();
  };
}
