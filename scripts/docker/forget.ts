/**
 * `--forget ID`: withdraws every backend agent ID wrote, for a Docker host
 * that is gone for good (its agent can no longer do it). Each host's route
 * follows: the other agents' backends stay, and a route left with none is
 * deleted. Hand-written routes are untouched, as always.
 */
import type { AgentStore } from "./store.ts";

export async function forgetAgent(store: AgentStore, log: (line: string) => void): Promise<void> {
  const hosts = await store.hosts();
  let writes = 0;
  for (const host of hosts.sort()) writes += (await store.sync(host, new Map())).writes;
  log(`forgot ${hosts.length} host(s): ${store.commands} command(s), ${writes} write(s)`);
}
