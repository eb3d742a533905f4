import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createConnection } from "node:net";
import { freePort } from "./ports.ts";

export interface RedisServerOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Where dump.rdb is kept; without it nothing is persisted. */
  readonly dataDir?: string;
  /** Extra `redis-server` arguments, e.g. ["--maxmemory", "64mb"]. */
  readonly args?: readonly string[];
}

export interface RunningRedisServer {
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a private `redis-server` bound to loopback. Persistence is RDB in
 * `dataDir` when given (so `npm start` keeps its routes), off otherwise.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RunningRedisServer> {
  const port = options.port || (await freePort());
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--protected-mode", "yes", "--daemonize", "no"];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push("--dir", options.dataDir, "--save", "60 1", "--appendonly", "no");
  } else {
    args.push("--save", "", "--appendonly", "no");
  }
  args.push(...(options.args ?? []));
  const child = spawn("redis-server", args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await waitForPing(port, child);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`redis-server did not start on port ${port}: ${(error as Error).message}\n${stderr}`);
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

/** Resolves once the server answers PING with +PONG. */
async function waitForPing(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    if (await ping(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("no answer to PING");
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    socket.setTimeout(500);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}
