import { request } from "node:http";
import { RespConnection, RespError } from "../lib/resp.ts";
import type { CostStack } from "./stack.ts";
import { commandsDuring } from "./scenarios.ts";

/**
 * Calls of one Redis command so far (INFO commandstats): the fleet stats'
 * writes are the only HSETs the router sends, so counting HSET during the
 * steady run counts them alone, whatever the route cache does meanwhile.
 */
export async function commandCalls(port: number, name: string): Promise<number> {
  const connection = new RespConnection({ host: "127.0.0.1", port });
  try {
    const reply = await connection.send(["INFO", "commandstats"]);
    if (reply instanceof RespError || !Buffer.isBuffer(reply)) throw new Error(`INFO commandstats: ${String(reply)}`);
    const match = new RegExp(`^cmdstat_${name}:calls=(\\d+)`, "m").exec(reply.toString("utf8"));
    return Number(match?.[1] ?? 0);
  } finally {
    connection.close();
  }
}

/**
 * Commands so far other than HSET, read in one INFO: what the route store
 * was sent, without the fleet stats' writes (which a request may start in
 * its waitUntil at any moment).
 */
export async function commandsBesidesStats(port: number): Promise<number> {
  const connection = new RespConnection({ host: "127.0.0.1", port });
  try {
    const reply = await connection.send(["INFO", "commandstats"]);
    if (reply instanceof RespError || !Buffer.isBuffer(reply)) throw new Error(`INFO commandstats: ${String(reply)}`);
    let total = 0;
    for (const match of reply.toString("utf8").matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      if (match[1] !== "info" && match[1] !== "hset") total += Number(match[2]);
    }
    return total;
  } finally {
    connection.close();
  }
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
