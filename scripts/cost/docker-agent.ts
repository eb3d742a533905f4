/**
 * What the container agent (`npm run docker`) costs in route-store commands:
 * its own write path (desired state, syncer, store client and sync script)
 * fed the changes an engine reports, on the cost stack's Redis behind the
 * REST bridge. Counted twice: the requests the agent sends (what Upstash
 * bills: one EVALSHA per changed host) and the commands Redis runs for them
 * (INFO commandstats: the script's own reads and writes included).
 */
import { createDesired } from "../docker/desired.ts";
import type { Claim } from "../docker/labels.ts";
import { createAgentStore } from "../docker/store.ts";
import { createSyncer } from "../docker/sync.ts";
import { routeStoreClient } from "../routes/client.ts";
import type { CostStack } from "./stack.ts";
import { commandsDuring } from "./scenarios.ts";

export interface AgentStep {
  /** Requests the agent sent. */
  readonly sent: number;
  /** Commands redis-server ran for them. */
  readonly redis: number;
}

export interface AgentCost {
  readonly hosts: number;
  readonly start: AgentStep;
  readonly unchanged: AgentStep;
  readonly stop: AgentStep;
  readonly reconcile: AgentStep;
}

export async function agentCost(stack: CostStack, hosts: number): Promise<AgentCost> {
  const store = createAgentStore({
    redis: routeStoreClient(stack.bridge),
    keyPrefix: "cost-docker:",
    agentId: "cost-host",
  });
  const desired = createDesired();
  const syncer = createSyncer({ store, desired, log: () => undefined });
  const claim = (host: string, address: string): Claim => ({
    hosts: [host],
    backend: address,
    entry: `${JSON.stringify(address)}\n`,
  });
  const step = async (change: () => string[] | Promise<string[]>, force = false): Promise<AgentStep> => {
    const before = store.commands;
    const redis = await commandsDuring(stack, async () => {
      syncer.mark(await change(), force);
      const result = await syncer.flush();
      if (result.error) throw result.error;
    });
    return { sent: store.commands - before, redis };
  };
  const names = Array.from({ length: hosts }, (_, i) => `app${i}.cost.docker.test`);
  // Start-up: one container per host (the script is loaded here, once).
  await step(() => names.flatMap((host, i) => desired.set(`c${i}`, claim(host, `10.0.${i >> 8}.${i & 255}:8000`))));
  const host = names[0] ?? "";
  const replica = claim(host, "10.1.0.1:8000");
  return {
    hosts,
    start: await step(() => desired.set("replica", replica)),
    // health_status: healthy again, say: the same claim, nothing sent.
    unchanged: await step(() => desired.set("replica", replica)),
    stop: await step(() => desired.set("replica", null)),
    // After a reconnect: SMEMBERS, then every host once, nothing to change.
    reconcile: await step(async () => [...desired.hosts(), ...(await store.hosts())], true),
  };
}
