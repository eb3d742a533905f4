import { request } from "node:http";
import { commandStats, redisCommandCount } from "../bench/redis-stats.ts";
import type { CostStack } from "./stack.ts";
import { commandsDuring } from "./scenarios.ts";

/**
 * Calls of one Redis command so far (INFO commandstats): the fleet stats'
 * writes are the only HSETs the router sends, so counting HSET during the
 * steady run counts them alone, whatever the route cache does meanwhile.
 */
export async function commandCalls(port: number, name: string): Promise<number> {
  return (await commandStats(port)).get(name) ?? 0;
}

/**
 * Commands so far other than HSET: what the route store was sent, without
 * the fleet stats' writes (which a request may start in its waitUntil at any
 * moment).
 */
export function commandsBesidesStats(port: number): Promise<number> {
  return redisCommandCount(port, ["hset"]);
}

/** One dashboard request (bearer token) on `url`; throws unless it answers 200. */
function dashboardGet(stack: CostStack, url: string, path: string): Promise<string> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path,
        headers: { host: stack.adminHost, authorization: `Bearer ${stack.adminToken}` },
        agent: false,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () =>
          res.statusCode === 200
            ? resolve(body)
            : reject(new Error(`${path}: ${res.statusCode} ${body.slice(0, 200)}`)),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

export interface DashboardCost {
  /** Commands one view of the Cache-and-traffic page cost. */
  readonly view: number;
  /** Commands one /metrics scrape cost. */
  readonly scrape: number;
  /** The fleet's request count as the scrape gave it. */
  readonly fleetRequests: number;
}

/**
 * What reading the fleet costs: one page view, then one scrape, each
 * counted by Redis. Each is one HGETALL, plus the answering isolate's own
 * HSET when it has counted something since its last write (the page view
 * itself, for the scrape).
 */
export async function dashboardCost(stack: CostStack): Promise<DashboardCost> {
  const url = stack.isolates[0]?.url ?? "";
  const view = await commandsDuring(stack, async () => void (await dashboardGet(stack, url, "/traffic")));
  let text = "";
  const scrape = await commandsDuring(stack, async () => void (text = await dashboardGet(stack, url, "/metrics")));
  let fleetRequests = 0;
  for (const match of text.matchAll(/^router_fleet_requests_total\{[^}]*\} (\d+)$/gm))
    fleetRequests += Number(match[1]);
  return { view, scrape, fleetRequests };
}
