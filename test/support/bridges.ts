import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { inject } from "vitest";
import { startBridge, type RunningBridge } from "../../scripts/bridge/server.ts";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { ROOT } from "../../scripts/lib/worker-bundle.ts";
import { startRouter, type RouterUnderTest } from "./stack.ts";

export interface OwnBridge extends RunningBridge {
  readonly token: string;
  /** The router's settings to use this bridge as its route store. */
  readonly bindings: Record<string, string>;
  /** Lookups (read commands) this bridge received for `key`. */
  readsOf(key: string): number;
}

/**
 * A bridge of the test's own on the suite's redis-server, so its stats count
 * only that test's router. `like` restarts a closed one (same port and token).
 */
export async function startOwnBridge(like?: OwnBridge): Promise<OwnBridge> {
  const token = like?.token ?? `own-${Math.random().toString(36).slice(2)}`;
  const port = like?.port ?? 0;
  const bridge = await startBridge({ redisPort: inject("redisPort"), token, port });
  return Object.assign(bridge, {
    token,
    bindings: { UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: token },
    readsOf: (key: string) => bridge.stats.keysRead.filter((read) => read === key).length,
  });
}

export interface BridgeProcess {
  readonly url: string;
  readonly bindings: Record<string, string>;
  readonly child: ChildProcess;
  /** SIGSTOP: connections are accepted by the kernel but never answered, like a hung store. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** `scripts/bridge/main.ts` as a child process, so it can be frozen with SIGSTOP. */
export async function startBridgeProcess(): Promise<BridgeProcess> {
  const token = `proc-${Math.random().toString(36).slice(2)}`;
  const child = spawn(
    process.execPath,
    [join(ROOT, "scripts", "bridge", "main.ts"), "--redis-port", String(inject("redisPort")), "--port", "0"],
    { env: { ...process.env, BRIDGE_TOKEN: token }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /bridge listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`bridge exited (${code ?? "signal"}) before listening`)));
  });
  return {
    url,
    bindings: { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token },
    child,
    pause: () => child.kill("SIGSTOP"),
    resume: () => child.kill("SIGCONT"),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A router on a bridge of its own (so the bridge's stats are this router's alone), and demo apps by name. */
export interface OwnStack<Name extends string> {
  readonly bridge: OwnBridge;
  readonly router: RouterUnderTest;
  readonly apps: Readonly<Record<Name, RunningDemoApp>>;
  close(): Promise<void>;
}

/** Starts an OwnStack: the bridge first (the router needs its address), then the router and the apps together. */
export async function startOwnStack<Name extends string>(
  bindings: Record<string, string>,
  appNames: readonly Name[],
): Promise<OwnStack<Name>> {
  const bridge = await startOwnBridge();
  const [router, ...started] = await Promise.all([
    startRouter({ ...bridge.bindings, ...bindings }),
    ...appNames.map((name) => startDemoApp({ name })),
  ]);
  const apps = Object.fromEntries(appNames.map((name, i) => [name, started[i] as RunningDemoApp])) as Record<
    Name,
    RunningDemoApp
  >;
  return {
    bridge,
    router,
    apps,
    async close() {
      await Promise.all([router.dispose(), ...started.map((app) => app.close())]);
      await bridge.close();
    },
  };
}
