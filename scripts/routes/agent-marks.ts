/**
 * Which of the listed routes a container agent manages (`npm run docker`):
 * its marks (src/admin/agent-marks.ts), read with one HMGET per 500 hosts.
 */
import type { Redis } from "@upstash/redis";
import { AGENT_MARKS_KEY, agentsOf, marksByHost } from "../../src/admin/agent-marks.ts";
import type { StoredRoute } from "./catalog.ts";

const BATCH = 500;

/** route key → the agents managing it; routes no agent manages are left out. */
export async function agentsManaging(
  redis: Redis,
  prefix: string,
  routes: readonly StoredRoute[],
): Promise<Map<string, string[]>> {
  const managed = new Map<string, string[]>();
  const strings = routes.filter((route) => route.format === "string");
  for (let start = 0; start < strings.length; start += BATCH) {
    const batch = strings.slice(start, start + BATCH);
    const hosts = batch.map((route) => route.host);
    const marks = marksByHost(await redis.hmget(prefix + AGENT_MARKS_KEY, ...hosts), hosts);
    for (const route of batch) {
      const agents = agentsOf(marks.get(route.host), route.raw);
      if (agents) managed.set(route.key, agents);
    }
  }
  return managed;
}
