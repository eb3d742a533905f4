import { Agent, request } from "node:http";

export interface FreshnessOptions {
  readonly routerUrl: string;
  readonly hosts: readonly string[];
  /** Writes the new route (the SET being timed). */
  readonly setRoute: (host: string) => Promise<void>;
  /** The `x-app` the new upstream answers with. */
  readonly newApp: string;
  readonly pollMs?: number;
  /** Each host's SET waits a random 0..spreadMs first, so the samples are independent. */
  readonly spreadMs?: number;
  readonly timeoutMs?: number;
}

/**
 * For each host at once: the time from issuing `SET host <new upstream>` to
 * the first response that came from the new upstream, polling the router
 * every `pollMs` (which also keeps the host's traffic steady). NaN when the
 * new upstream was not reached within `timeoutMs`.
 */
export async function timeToNewUpstream(options: FreshnessOptions): Promise<number[]> {
  const { pollMs = 10, timeoutMs = 30_000 } = options;
  const agent = new Agent({ keepAlive: true, maxSockets: options.hosts.length });
  const base = new URL(options.routerUrl);
  try {
    return await Promise.all(
      options.hosts.map(async (host) => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * (options.spreadMs ?? 0)));
        const started = performance.now();
        await options.setRoute(host);
        while (performance.now() - started < timeoutMs) {
          if ((await appOf(base, host, agent)) === options.newApp) return performance.now() - started;
          await new Promise((resolve) => setTimeout(resolve, pollMs));
        }
        return Number.NaN;
      }),
    );
  } finally {
    agent.destroy();
  }
}

function appOf(base: URL, host: string, agent: Agent): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: base.hostname, port: base.port, path: "/", headers: { host }, agent }, (res) => {
      res.resume();
      resolve(String(res.headers["x-app"] ?? res.statusCode));
    });
    req.on("error", () => resolve("error"));
    req.end();
  });
}
