import { dirname } from "node:path";
import { Miniflare, convertV4MiniflareOptions, type V4FetchHandler, type V4ServiceDesignator } from "miniflare";
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
  /**
   * Bindings with a fetch() (a Node function, an HTTP server on loopback):
   * stand-ins for what cannot be simulated locally (a Workers VPC Network).
   */
  readonly serviceBindings?: Readonly<Record<string, V4ServiceDesignator>>;
  /**
   * Where the worker's own fetch() goes (its global outbound); default: the
   * network. A test that puts addresses it does not own in route values
   * confines it to loopback with a function that refuses everything else.
   */
  readonly outboundService?: V4FetchHandler;
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
      ...(options.serviceBindings ? { serviceBindings: { ...options.serviceBindings } } : {}),
      ...(options.outboundService ? { outboundService: options.outboundService } : {}),
    }),
  );
  const url = await miniflare.ready;
  return { url, port: Number(url.port), miniflare, dispose: () => miniflare.dispose() };
}
