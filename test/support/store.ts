import { Redis } from "@upstash/redis";
import { startBridge, type RunningBridge } from "../../scripts/bridge/server.ts";
import { startRedisServer, type RunningRedisServer } from "../../scripts/lib/redis-server.ts";
import { RespClient, type RespArg, type RespReply } from "../../scripts/lib/resp.ts";

export interface PrivateStore {
  /** The bridge in front of this store's redis-server; it outlives restarts of redis. */
  readonly bridge: RunningBridge;
  /** The router's settings to use this store. */
  readonly bindings: Record<string, string>;
  /** @upstash/redis on this store's bridge: how the test writes routes. */
  readonly client: Redis;
  /** SIGKILL: redis-server dies as in a crash or an OOM kill; connections are closed by the kernel. */
  kill(): Promise<void>;
  /** A new, empty redis-server on the same port (nothing is persisted). */
  restart(): Promise<void>;
  /** SIGSTOP: redis accepts connections but answers nothing, like a hung server. */
  freeze(): void;
  thaw(): void;
  /** A command straight to redis-server, past the bridge (which refuses ACL and CONFIG SET). */
  command(...args: RespArg[]): Promise<RespReply>;
  close(): Promise<void>;
}

/**
 * A redis-server and a bridge of the test's own, for faults the suite's
 * shared Redis must never see: stopping it, freezing it, changing its ACL.
 */
export async function startPrivateStore(): Promise<PrivateStore> {
  let redis: RunningRedisServer = await startRedisServer();
  const port = redis.port;
  const token = `private-${Math.random().toString(36).slice(2)}`;
  const bridge = await startBridge({ redisPort: port, token });
  const admin = () => new RespClient({ port, host: "127.0.0.1" });
  return {
    bridge,
    bindings: { UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: token },
    client: new Redis({ url: bridge.url, token, automaticDeserialization: false, enableTelemetry: false }),
    async kill() {
      const exited = new Promise((resolve) => redis.process.once("exit", resolve));
      redis.process.kill("SIGKILL");
      await exited;
    },
    async restart() {
      redis = await startRedisServer({ port });
    },
    freeze: () => redis.process.kill("SIGSTOP"),
    thaw: () => redis.process.kill("SIGCONT"),
    async command(...args) {
      const client = admin();
      try {
        return await client.send(args);
      } finally {
        client.close();
      }
    },
    async close() {
      redis.process.kill("SIGCONT");
      await bridge.close();
      await redis.stop();
    },
  };
}
