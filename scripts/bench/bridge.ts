import { join } from "node:path";
import { ROOT } from "../lib/worker-bundle.ts";
import { startChild } from "./processes.ts";

/** How a worker reaches the route store: the REST bridge's URL and bearer token (its UPSTASH_REDIS_REST_* bindings). */
export interface BridgeAccess {
  readonly url: string;
  readonly token: string;
}

export interface RunningBridge extends BridgeAccess {
  stop(): Promise<void>;
}

/**
 * The Upstash REST bridge in front of `redisPort`, in its own process (so its
 * CPU is not the script's), on a free port, with a fresh random token named
 * after `purpose`. stopChildren() ends it too.
 */
export async function startBridgeProcess(redisPort: number, purpose: string): Promise<RunningBridge> {
  const token = `${purpose}-${Math.random().toString(36).slice(2)}`;
  const child = await startChild(
    process.execPath,
    [join(ROOT, "scripts", "bridge", "main.ts"), "--redis-port", String(redisPort), "--port", "0"],
    /bridge listening on (http:\/\/\S+)/,
    { env: { ...process.env, BRIDGE_TOKEN: token } },
  );
  return { url: child.match?.[1] ?? "", token, stop: () => child.stop() };
}
