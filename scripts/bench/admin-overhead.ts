/**
 * What the dashboard adds to every routed request, measured in this process
 * (the same V8 as workerd) against work the request path already does, in the
 * same run: one `normalizeHost` of the request's Host. Prints ns per call and
 * ratios; the machine's load moves the ns, much less the ratios.
 *
 *   bash scripts/run.sh node scripts/bench/admin-overhead.ts
 */
import { newRequestFacts } from "../../src/request-state.ts";
import { isAdminRequest } from "../../src/admin/admin-host.ts";
import { normalizeHost } from "../../src/receive/host.ts";
import { createTrafficCounters } from "../../src/metrics/counters.ts";

const ROUNDS = 5;
const CALLS = 1_000_000;

/** Median ns per call of `body` over ROUNDS rounds of CALLS calls. */
function measure(body: (i: number) => unknown): number {
  const rounds: number[] = [];
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) if (body(i)) sink++;
    rounds.push(Number(process.hrtime.bigint() - started) / CALLS);
  }
  if (sink === -1) console.log(sink); // keep the results alive
  return rounds.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)] ?? 0;
}

const hosts = Array.from({ length: 100 }, (_, i) => `h${i}.bench.test`);
const counters = createTrafficCounters();
const facts = hosts.map((host) => ({
  ...newRequestFacts(),
  host,
  lookup: "hit" as const,
  cache: "hit" as const,
  upstreamMs: 3,
}));
const first = facts[0] ?? newRequestFacts();
const now = Date.now();
const unset = { ADMIN_HOST: "" };
const set = { ADMIN_HOST: "router.localhost" };

const baseline = measure((i) => normalizeHost(hosts[i % 100]));
const record = measure((i) => counters.record(facts[i % 100] ?? first, 200, now + i, null));
const selectUnset = measure((i) => isAdminRequest(unset, hosts[i % 100] ?? null, first));
const selectSet = measure((i) => isAdminRequest(set, hosts[i % 100] ?? null, first));

const row = (name: string, ns: number) =>
  console.log(
    `${name.padEnd(44)} ${ns.toFixed(1).padStart(7)} ns  ${(ns / baseline).toFixed(2).padStart(5)} x normalizeHost`,
  );
row("normalizeHost (baseline, already per request)", baseline);
row("counters.record (every request)", record);
row("isAdminRequest, ADMIN_HOST unset (default)", selectUnset);
row("isAdminRequest, ADMIN_HOST set", selectSet);
console.log(
  `\nper request: ${(record + selectUnset).toFixed(1)} ns with the dashboard off, ${(record + selectSet).toFixed(1)} ns on` +
    ` (${((record + selectSet) / baseline).toFixed(2)} x normalizeHost); load average ${(await import("node:os"))
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
);
