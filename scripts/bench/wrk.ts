import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface LoadOptions {
  readonly wrk: string;
  readonly url: string;
  readonly threads: number;
  readonly connections: number;
  readonly durationS: number;
  /** Where the generated Lua script is written. */
  readonly workDir: string;
}

export interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Connect, read, write and timeout errors, plus responses with a status >= 400. */
  readonly errors: number;
}

/**
 * Requests spread round-robin over `hosts` (one prebuilt request per host,
 * so the Lua per request is a table lookup), each thread starting at a
 * different host.
 */
export function runSpread(options: LoadOptions, hosts: readonly string[]): Promise<LoadResult> {
  const script = `
local hosts = { ${hosts.map((host) => JSON.stringify(host)).join(", ")} }
local requests = {}
local n = 0
function setup(thread)
  thread:set("offset", math.random(#hosts))
end
function init(args)
  for i, host in ipairs(hosts) do requests[i] = wrk.format("GET", "/", { Host = host }) end
  n = offset or 0
end
function request()
  n = n + 1
  return requests[(n % #requests) + 1]
end
${DONE}`;
  return run(options, "spread.lua", script);
}

/**
 * Every request for a host never asked before (`c<chunk>-<n>.<suffix>`), for
 * `durationS`; call again with the next `chunk` for more. (wrk cannot stop
 * after a number of requests, so callers run chunks until they have enough.)
 */
export function runDistinct(options: LoadOptions, suffix: string, chunk: number): Promise<LoadResult> {
  const script = `
local n = 0
local id = 0
function setup(thread)
  id = id + 1
  thread:set("id", id)
end
function request()
  n = n + 1
  return wrk.format("GET", "/", { Host = "c${chunk}-t" .. id .. "-" .. n .. ${JSON.stringify(`.${suffix}`)} })
end
${DONE}`;
  return run(options, "distinct.lua", script);
}

/** Prints the summary as one JSON line, which `run` picks out of wrk's output. */
const DONE = `
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"duration_us":%d,"errors":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50), latency:percentile(99)))
end
`;

function run(options: LoadOptions, name: string, script: string): Promise<LoadResult> {
  const path = join(options.workDir, name);
  writeFileSync(path, script);
  const args = [
    `-t${options.threads}`,
    `-c${options.connections}`,
    `-d${options.durationS}s`,
    "--timeout",
    "5s",
    "-s",
    path,
    options.url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(options.wrk, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      const line = /^WRK_JSON (.*)$/m.exec(out)?.[1];
      if (code !== 0 || !line) {
        reject(new Error(`wrk failed (exit ${code}):\n${out.slice(-2000)}`));
        return;
      }
      const raw = JSON.parse(line) as Record<string, number>;
      const requests = raw.requests ?? 0;
      resolve({
        requests,
        rps: requests / ((raw.duration_us ?? 1) / 1e6),
        p50Ms: (raw.p50_us ?? 0) / 1000,
        p99Ms: (raw.p99_us ?? 0) / 1000,
        errors: raw.errors ?? 0,
      });
    });
  });
}
