import { Agent, request } from "node:http";

export interface Answer {
  /** 0 when the request failed (refused, reset, timed out). */
  readonly status: number;
  readonly ms: number;
  readonly body: string;
  /** Server-Timing's `desc` for the route lookup (hit, miss, stale, error, refused). */
  readonly lookup: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One GET / with a chosen Host, over a kept-alive connection. */
export function get(base: string, host: string, timeoutMs = 5_000): Promise<Answer> {
  const url = new URL(base);
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (status: number, body: string, lookup: string) =>
      resolve({ status, ms: performance.now() - started, body, lookup });
    const req = request(
      { host: url.hostname, port: url.port, path: "/", headers: { host }, agent, timeout: timeoutMs },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => {
          const timing = String(res.headers["server-timing"] ?? "");
          done(res.statusCode ?? 0, body, /route;desc=(\w+)/.exec(timing)?.[1] ?? "");
        });
        res.on("error", () => done(0, "", ""));
      },
    );
    req.on("error", () => done(0, "", ""));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

/** Runs `work` over `items`, `concurrency` at a time. */
export async function eachLimited<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** Calls `tick` every `periodMs` until `untilMs` (performance.now()), without overlapping calls. */
export async function every(periodMs: number, untilMs: number, tick: () => Promise<void>): Promise<void> {
  for (let at = performance.now(); at < untilMs; at += periodMs) {
    const wait = at - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await tick();
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export function closeAgent(): void {
  agent.destroy();
}
