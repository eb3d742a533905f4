/**
 * `npm run cost`: what the router costs in route-store commands (what Upstash
 * bills), measured on loopback: the production bundle in K workerd processes
 * (isolates) against a real redis-server behind the REST bridge, commands
 * counted by Redis itself (INFO commandstats). Three scenarios, the container
 * agent's writes (npm run docker: one line of its own), a table, and a last line such as
 *
 *   cost: cold_lookup_commands=1 steady_commands_per_isolate_per_min=11.9 flood_commands_per_request=0.0086 flood_known_host_errors=0 routes_evicted=0 change_bound_ms=5345
 *
 * Stops by itself. Settings (environment):
 *   COST_ISOLATES=4  COST_HOSTS=1000  COST_STEADY_S=60 (one minute: the per-minute rate is counted, not extrapolated)
 *   COST_STEADY_RPS=50 (per isolate)  COST_FLOOD_S=10  COST_CHURN_S=12  COST_TIMEOUT_S=600
 */
import { tmpdir } from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { stopChildren } from "./bench/processes.ts";
import { machineLine } from "./bench/machine.ts";
import { ensureTools, requireWrk } from "./bench/tools.ts";
import { runScript } from "./lib/script-run.ts";
import { buildWorkerBundle } from "./lib/worker-bundle.ts";
import { agentCost } from "./cost/docker-agent.ts";
import { closeAgent, get } from "./cost/http.ts";
import {
  churn,
  commandsDuring,
  evicted,
  floodLoad,
  knownHostDuring,
  setRoutes,
  steady,
  warm,
} from "./cost/scenarios.ts";
import { startCostStack, type CostStack } from "./cost/stack.ts";
import { commandCalls, commandsBesidesStats, dashboardCost } from "./cost/fleet.ts";

const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const ISOLATES = Math.round(setting("COST_ISOLATES", 4));
const HOSTS = Math.round(setting("COST_HOSTS", 1000));
const STEADY_S = setting("COST_STEADY_S", 60);
const STEADY_RPS = setting("COST_STEADY_RPS", 50);
const FLOOD_S = setting("COST_FLOOD_S", 10);
const CHURN_S = setting("COST_CHURN_S", 12);
const TIMEOUT_S = setting("COST_TIMEOUT_S", 600);
/** Hosts the container agent keeps in the docker-agent scenario. */
const AGENT_HOSTS = 100;

const log = (line: string) => process.stderr.write(`[cost] ${line}\n`);
const workDir = mkdtempSync(join(tmpdir(), "router-cost-"));
let stack: CostStack | undefined;

async function cleanUp(): Promise<void> {
  closeAgent();
  await stack?.stop();
  await stopChildren();
  rmSync(workDir, { recursive: true, force: true });
}
await runScript(main, { log, timeoutS: TIMEOUT_S, cleanUp });

async function main(): Promise<void> {
  const machine = machineLine();
  const wrk = requireWrk(ensureTools());
  log("building the production bundle (wrangler deploy --dry-run)");
  const bundle = buildWorkerBundle(join(workDir, "bundle"));
  const vars = bundle.vars;
  const ttlMs = Number(vars["ROUTE_CACHE_TTL_MS"]);
  const swrMs = Number(vars["ROUTE_CACHE_STALE_WHILE_REVALIDATE_MS"]);
  log(`starting redis-server, the bridge, an upstream and ${ISOLATES} isolates (workerd)`);
  stack = await startCostStack(bundle, ISOLATES);
  const s = stack;
  const [first] = s.isolates;
  if (!first) throw new Error("no isolate");

  const cold = "x.cost.example.com";
  await setRoutes(s.admin, [[cold, s.upstream]]);
  // An isolate's first fleet stats write (HSET) may fall in this window: it is the fleet line's, not the lookup's.
  const coldBefore = await commandsBesidesStats(s.redis.port);
  const answer = await get(first.url, cold);
  if (answer.status !== 200) throw new Error(`${cold} answered ${answer.status}`);
  const coldCommands = (await commandsBesidesStats(s.redis.port)) - coldBefore;

  const hosts = Array.from({ length: HOSTS }, (_, i) => `h${i}.cost.example.com`);
  await setRoutes(
    s.admin,
    hosts.map((host) => [host, s.upstream] as const),
  );
  log(`steady: warming ${HOSTS} hosts on every isolate`);
  const warmCommands = await commandsDuring(s, () => warm(s, hosts));
  log(`steady: ${STEADY_S} s of skewed traffic, ${STEADY_RPS} requests/s per isolate`);
  const hsetBefore = await commandCalls(s.redis.port, "hset");
  const steadyStarted = performance.now();
  const steadyRun = await steady(s, hosts, STEADY_S, STEADY_RPS);
  const steadyMinutes = (performance.now() - steadyStarted) / 60_000;
  const fleetWrites = (await commandCalls(s.redis.port, "hset")) - hsetBefore;
  const fleetPerIsolatePerMin = fleetWrites / ISOLATES / steadyMinutes;
  const intervalMs = Number(vars["FLEET_STATS_INTERVAL_MS"]);
  log("fleet: one dashboard view and one /metrics scrape");
  const reading = await dashboardCost(s);

  log(`churn: a route changed every second for ${CHURN_S} s, every isolate polling it`);
  const changeBoundMs = await churn(s, "churn.cost.example.com", CHURN_S);

  const known = hosts[0] ?? "";
  log(`flood: ${FLOOD_S} s without, then ${FLOOD_S} s with random hosts against one isolate`);
  const quiet = await knownHostDuring(s, first.url, known, FLOOD_S, null);
  const flood = await knownHostDuring(s, first.url, known, FLOOD_S, floodLoad(wrk, first.url, workDir, FLOOD_S));
  const routesEvicted = await evicted(first.url, hosts);
  const perFloodRequest = flood.commands / Math.max(1, flood.floodRequests);
  log(`docker agent: ${AGENT_HOSTS} hosts, a replica started and stopped, a reconcile`);
  const agent = await agentCost(s, AGENT_HOSTS);

  const rows = [
    ["scenario", "requests", "commands", "result"],
    ["cold lookup", "1", String(coldCommands), `commands for one new host (x.cost.example.com)`],
    [
      "steady",
      String(steadyRun.requests),
      String(steadyRun.commands),
      `${steadyRun.perIsolatePerMin.toFixed(1)} commands per isolate per minute; ${HOSTS} hosts Zipf, ${ISOLATES} isolates, ${steadyRun.errors} errors (warm-up: ${warmCommands} commands)`,
    ],
    [
      "flood",
      String(flood.floodRequests),
      String(flood.commands),
      `${perFloodRequest.toFixed(4)} commands per flood request at ${flood.floodRps.toFixed(0)}/s; known host: ${flood.knownErrors} errors, p99 ${flood.knownP99Ms.toFixed(1)} ms (without the flood: ${quiet.knownErrors} errors, p99 ${quiet.knownP99Ms.toFixed(1)} ms, ${quiet.commands} commands); ${routesEvicted} of ${HOSTS} warm routes evicted`,
    ],
    [
      "fleet",
      String(steadyRun.requests),
      String(fleetWrites),
      `${fleetPerIsolatePerMin.toFixed(2)} stats commands per isolate per minute (one HSET per isolate per FLEET_STATS_INTERVAL_MS = ${intervalMs} ms, during steady; included in its commands); one dashboard view ${reading.view}, one /metrics scrape ${reading.scrape} (fleet total there: ${reading.fleetRequests} requests)`,
    ],
    [
      "docker agent",
      "-",
      String(agent.start.sent + agent.unchanged.sent + agent.stop.sent + agent.reconcile.sent),
      `per container event ${agent.start.sent} (start) / ${agent.stop.sent} (stop) / ${agent.unchanged.sent} (nothing changed) sent, ${agent.start.redis} / ${agent.stop.redis} / ${agent.unchanged.redis} run by Redis inside the script; reconcile of ${agent.hosts} hosts ${agent.reconcile.sent} sent, ${agent.reconcile.redis} run`,
    ],
    [
      "churn",
      "-",
      "-",
      `a change seen by every isolate within ${changeBoundMs.toFixed(0)} ms (bound: TTL ${ttlMs} + stale-while-revalidate ${swrMs} + 1000 ms)`,
    ],
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((row) => (row[c] ?? "").length)));
  const table = rows.map((row) => row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c] ?? 0) : cell)).join("  "));
  process.stdout.write(`\n${table.join("\n")}\n\n`);
  process.stdout.write(
    `machine: ${machine}\nsettings: the bundle's [vars] (TTL ${ttlMs} ms, HIPACHE_ROUTES=${vars["HIPACHE_ROUTES"]}, LOOKUP_BUDGET_PER_SECOND=${vars["LOOKUP_BUDGET_PER_SECOND"]}, burst ${vars["LOOKUP_BUDGET_BURST"]}); commands from redis INFO commandstats\n\n`,
  );
  process.stdout.write(
    `docker agent: event_commands=${agent.start.sent} unchanged_event_commands=${agent.unchanged.sent} reconcile_commands=${agent.reconcile.sent} (${agent.hosts} hosts) redis_commands_per_event=${agent.start.redis}\n`,
  );
  process.stdout.write(
    `cost: cold_lookup_commands=${coldCommands} steady_commands_per_isolate_per_min=${round(steadyRun.perIsolatePerMin)} flood_commands_per_request=${round(perFloodRequest, 4)} flood_known_host_errors=${flood.knownErrors} routes_evicted=${routesEvicted} change_bound_ms=${changeBoundMs.toFixed(0)} fleet_commands_per_isolate_per_min=${round(fleetPerIsolatePerMin, 2)} dashboard_view_commands=${reading.view} scrape_commands=${reading.scrape}\n`,
  );
}

function round(value: number, digits = 1): string {
  return String(Number(value.toFixed(digits)));
}
