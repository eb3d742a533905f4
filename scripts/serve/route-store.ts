import { randomBytes } from "node:crypto";
import { startBridge } from "../bridge/server.ts";
import type { RouteStoreSettings } from "./bindings.ts";
import type { ServeOptions } from "./options.ts";

export interface RouteStore {
  readonly settings: RouteStoreSettings;
  /** What the operator is told at start (never the token). */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * With --redis, the Upstash REST bridge in front of that Redis, on loopback
 * with a token made for this run (nobody else needs it); otherwise the
 * Upstash database named by UPSTASH_REDIS_REST_URL / _TOKEN.
 */
export async function openRouteStore(
  options: Pick<ServeOptions, "redis">,
  env: Readonly<Record<string, string | undefined>>,
): Promise<RouteStore> {
  if (options.redis) {
    const token = randomBytes(32).toString("hex");
    const bridge = await startBridge({
      redisHost: options.redis.host,
      redisPort: options.redis.port,
      token,
      host: "127.0.0.1",
      port: 0,
    });
    return {
      settings: { url: bridge.url, token },
      description: `redis://${options.redis.host}:${options.redis.port} through the REST bridge at ${bridge.url}`,
      close: () => bridge.close(),
    };
  }
  const url = env.UPSTASH_REDIS_REST_URL?.trim() ?? "";
  const token = env.UPSTASH_REDIS_REST_TOKEN?.trim() ?? "";
  if (!url || !token) {
    throw new Error(
      "no route store: pass --redis redis://HOST:PORT, or set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (environment or --env-file)",
    );
  }
  return { settings: { url, token }, description: url, close: async () => undefined };
}

/** Whether the store answers a PING over its REST API within the time given. */
export async function storeAnswers(settings: RouteStoreSettings, timeoutMs = 1000): Promise<boolean> {
  try {
    const response = await fetch(settings.url, {
      method: "POST",
      headers: { authorization: `Bearer ${settings.token}`, "content-type": "application/json" },
      body: JSON.stringify(["PING"]),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { result?: unknown };
    return response.ok && body.result === "PONG";
  } catch {
    return false;
  }
}
