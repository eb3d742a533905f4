import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The baselines the router is measured against, as worker sources. Each
 * reads the upstream's URL from its `UPSTREAM_URL` binding.
 *
 * - `floor`: the least a worker can do, fetch() one fixed upstream passing
 *   the request on (the "bare workerd fetch()").
 * - `wire-floor`: the floor plus exactly what the router's defaults put on
 *   the wire and in the runtime, with no routing at all: the request headers
 *   copied, Host dropped, the six headers it always adds (X-Forwarded-Host,
 *   -Proto, -Port, Forwarded, Via, the hop counter), the header timeout
 *   (one AbortSignal.timeout) and manual body encoding. What the router
 *   costs beyond it is its own logic; up to it, the cost of its defaults.
 */
export const FLOOR_SOURCES = {
  floor: "export default { fetch: (request, env) => fetch(env.UPSTREAM_URL, request) };\n",
  "wire-floor": `export default {
  fetch(request, env) {
    const host = request.headers.get("host") ?? "";
    const headers = new Headers(request.headers);
    headers.delete("host");
    headers.set("x-forwarded-host", host);
    headers.set("x-forwarded-proto", "http");
    headers.set("x-forwarded-port", "80");
    headers.set("forwarded", "host=" + host + ";proto=http");
    headers.set("via", "1.1 edge-host-router");
    headers.set("x-host-router-hops", "1");
    return fetch(env.UPSTREAM_URL, {
      method: request.method,
      headers,
      redirect: "manual",
      signal: AbortSignal.timeout(30000),
      encodeResponseBody: "manual",
    });
  },
};
`,
} as const;

export type FloorName = keyof typeof FLOOR_SOURCES;

/** Writes `DIR/NAME/index.js` and returns its path. */
export function writeFloorWorker(dir: string, name: FloorName): string {
  const workerDir = join(dir, name);
  mkdirSync(workerDir, { recursive: true });
  const path = join(workerDir, "index.js");
  writeFileSync(path, FLOOR_SOURCES[name]);
  return path;
}
