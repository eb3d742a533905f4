/**
 * The agent's writes to the route store, through the routes CLI's client
 * (@upstash/redis over the REST API): one EVALSHA of the sync script per
 * host that changed, one SMEMBERS per reconcile. Every request is counted,
 * since Upstash bills per command.
 */
import { createHash } from "node:crypto";
import type { Redis } from "@upstash/redis";
import { AGENT_MARKS_KEY } from "../../src/admin/agent-marks.ts";
import { SYNC_SCRIPT } from "./sync-script.ts";

export interface SyncResult {
  /** "conflict": the host's route is not the agents' (written by hand): left alone. */
  readonly outcome: "ok" | "conflict";
  /** Redis writes the script made; 0 when the store already held this. */
  readonly writes: number;
}

export interface AgentStore {
  /** This agent's entries for `host` are now `entries` (container id → entry); the route follows. */
  sync(host: string, entries: ReadonlyMap<string, string>): Promise<SyncResult>;
  /** The hosts this agent has entries for in the store. */
  hosts(): Promise<string[]>;
  /** Commands sent so far (what Upstash bills). */
  readonly commands: number;
}

export interface AgentStoreOptions {
  readonly redis: Redis;
  readonly keyPrefix: string;
  /** `[A-Za-z0-9._-]+`: names this agent's entries (agent-id.ts). */
  readonly agentId: string;
}

export function createAgentStore({ redis, keyPrefix, agentId }: AgentStoreOptions): AgentStore {
  const sha = createHash("sha1").update(SYNC_SCRIPT).digest("hex");
  const agentKey = `${keyPrefix}docker:agent:${agentId}`;
  let commands = 0;
  // Sent as EVALSHA; the script text only when Redis does not have it yet (NOSCRIPT).
  const run = async (keys: string[], args: string[]): Promise<unknown> => {
    commands++;
    try {
      return await redis.evalsha(sha, keys, args);
    } catch (error) {
      if (!String((error as Error).message).includes("NOSCRIPT")) throw error;
      commands++;
      return await redis.eval(SYNC_SCRIPT, keys, args);
    }
  };
  return {
    get commands() {
      return commands;
    },
    async sync(host, entries) {
      const keys = [keyPrefix + host, keyPrefix + AGENT_MARKS_KEY, `${keyPrefix}docker:backends:${host}`, agentKey];
      const args = [host, agentId];
      for (const [container, entry] of [...entries].sort(([a], [b]) => a.localeCompare(b))) {
        args.push(`${agentId}/${container}`, entry);
      }
      const reply = await run(keys, args);
      const [outcome, writes] = Array.isArray(reply) ? reply : [];
      if (outcome !== "ok" && outcome !== "conflict") {
        throw new Error(`the sync script answered ${JSON.stringify(reply)}`);
      }
      return { outcome, writes: Number(writes) };
    },
    async hosts() {
      commands++;
      return (await redis.smembers(agentKey)).map(String);
    },
  };
}
