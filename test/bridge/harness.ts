/** Shared by the bridge tests: a private redis-server with a bridge in front. */
import { startBridge, type BridgeOptions, type RunningBridge } from "../../scripts/bridge/server.ts";
import { startRedisServer, type RunningRedisServer } from "../../scripts/lib/redis-server.ts";

export const TOKEN = "bridge-test-token";

export interface Harness {
  readonly redis: RunningRedisServer;
  readonly bridge: RunningBridge;
  /** POSTs a JSON body (or GETs when body is undefined) with the token; returns status and parsed JSON. */
  call(path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: unknown }>;
  stop(): Promise<void>;
}

export async function startHarness(options: Partial<BridgeOptions> = {}): Promise<Harness> {
  const redis = await startRedisServer();
  const bridge = await startBridge({ redisPort: redis.port, token: TOKEN, ...options });
  return {
    redis,
    bridge,
    async call(path, body, headers = {}) {
      const response = await fetch(`${bridge.url}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { Authorization: `Bearer ${TOKEN}`, ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, json: await response.json() };
    },
    async stop() {
      await bridge.close();
      await redis.stop();
    },
  };
}
