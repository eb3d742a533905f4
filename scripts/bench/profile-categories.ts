import type { CpuProfile } from "./cpu-profile.ts";

/** One frame of a sampled stack, as the rules see it. */
interface Frame {
  readonly name: string;
  /** The bundle's source module (`src/proxy/forward.ts`, `hono`), or "" for the runtime's own code. */
  readonly module: string;
}

/**
 * The request path's parts, for the "Where the time goes" table. A sample
 * belongs to the innermost frame of its stack that a rule claims (`frame`,
 * with its caller `parent`), so a `Headers` call made while building the
 * upstream request counts there, not under "fetch()". Rules are tried in
 * this order, then FALLBACK_RULES.
 */
const RULES: ReadonlyArray<readonly [string, (frame: Frame, parent: Frame | undefined) => boolean]> = [
  ["fetch() to the upstream (runtime)", (f, p) => f.module === "" && f.name === "fetch" && p?.name === "forward"],
  ["access log line (JSON + console.log)", (f) => f.name === "writeAccessLog"],
  ["request id (Ray ID check, randomUUID)", (f) => f.name === "requestIdOf"],
  [
    "response: check, or copy headers + new Response",
    (f, p) =>
      f.name === "clientResponseHeaders" ||
      f.name === "passesAsIs" ||
      (f.module === "" && f.name === "Response" && p?.name === "forward"),
  ],
  [
    "header timeout (timer, AbortController/Signal)",
    (f, p) =>
      (f.module === "" || f.module === "(node)") &&
      ["setTimeout", "clearTimeout", "AbortController", "timeout", "Timeout"].includes(f.name) &&
      (p?.name === "forward" || p?.module === "src/proxy/forward.ts" || p?.module === "(node)"),
  ],
  ["upstream request headers (copy, hop-by-hop, X-Forwarded-*)", (f) => f.name === "upstreamRequestHeaders"],
  ["forward() itself (fetch init, URL, awaiting the answer)", (f) => f.name === "forward"],
  ["esbuild keepNames (defineProperty per closure)", (f) => f.name === "__name"],
  ["background route refresh (store, @upstash/redis)", (f) => f.name === "fetchEntry" || f.module === "@upstash/redis"],
  ["Server-Timing", (f) => f.name === "routeServerTiming"],
  ["host normalisation", (f) => f.name === "normalizeHost"],
  ["route cache lookup", (f) => f.module === "src/cache/route-cache.ts" || f.module === "src/lib/lru.ts"],
  [
    "dispatch, balance, failover",
    (f) => /^src\/(route-value|lookup|dispatch)\//.test(f.module) && !["lookupRoute", "resolveRoute"].includes(f.name),
  ],
];

/** Tried only when no rule above claims any frame of the stack. */
const FALLBACK_RULES: typeof RULES = [
  ["other router code (app, access-log middleware, proxy/)", (f) => f.module.startsWith("src/")],
  ["Hono (routing, context, compose)", (f) => f.module === "hono"],
];

/**
 * Sampled µs per request by part of the request path, plus the runtime's
 * time outside JavaScript and the garbage collector. Idle time is left out.
 */
export function categorise(
  profile: CpuProfile,
  frameOf: (id: number) => Frame | undefined,
  usPerSample: number,
  requests: number,
): Array<[string, number]> {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const totals = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const own = node.callFrame.functionName;
    let category: string | undefined;
    if (own === "(idle)" || own === "(root)") continue;
    if (own === "(program)") category = "runtime, outside JavaScript (HTTP, streams, event loop)";
    else if (own === "(garbage collector)") category = "garbage collector";
    for (const rules of [RULES, FALLBACK_RULES]) {
      for (let id: number | undefined = node.id; id !== undefined && !category; id = parent.get(id)) {
        const frame = frameOf(id);
        const up = parent.get(id);
        const caller = up === undefined ? undefined : frameOf(up);
        if (frame) category = rules.find(([, claims]) => claims(frame, caller))?.[0];
      }
    }
    category ??= "runtime, called from no router frame (promise jobs, streams)";
    totals.set(category, (totals.get(category) ?? 0) + (hits * usPerSample) / requests);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}
