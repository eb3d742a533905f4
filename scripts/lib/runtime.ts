import { dirname } from "node:path";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import type { WorkerBundle } from "./worker-bundle.ts";

export interface RuntimeOptions {
  readonly bundle: WorkerBundle;
  /** Merged over the bundle's `[vars]`: secrets and per-test settings. */
  readonly bindings?: Readonly<Record<string, string>>;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Receives each line the worker logs (the access log); default: dropped. */
  readonly onLog?: (line: string) => void;
  /**
   * `request.cf` for every request (Miniflare's static cf blob), e.g.
   * `{ clientIp: "127.0.0.1:1" }` for the TCP peer `workerd serve` reports;
   * default: Miniflare's placeholder, which has no clientIp.
   */
  readonly cf?: Record<string, unknown>;
}

export interface RunningRuntime {
  /** `http://127.0.0.1:PORT/` */
  readonly url: URL;
  readonly port: number;
  readonly miniflare: Miniflare;
  dispose(): Promise<void>;
}

/**
 * Serves a worker bundle from workerd (through Miniflare) on a loopback port:
 * the production runtime, without `wrangler dev`'s proxy in front.
 */
export async function startRuntime(options: RuntimeOptions): Promise<RunningRuntime> {
  const miniflare = new Miniflare(
    convertV4MiniflareOptions({
      scriptPath: options.bundle.scriptPath,
      modules: true,
      // Module names are paths relative to this root; one outside it ("../…")
      // makes workerd fail to start with an opaque "internal error".
      modulesRoot: dirname(options.bundle.scriptPath),
      compatibilityDate: options.bundle.compatibilityDate,
      compatibilityFlags: [...options.bundle.compatibilityFlags],
      bindings: { ...options.bundle.vars, ...options.bindings },
      host: "127.0.0.1",
      port: options.port ?? 0,
      handleStructuredLogs: (log) => options.onLog?.(log.message),
      ...(options.cf ? { cf: options.cf } : {}),
    }),
  );
  const url = await miniflare.ready;
  return { url, port: Number(url.port), miniflare, dispose: () => miniflare.dispose() };
}
