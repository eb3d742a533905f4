import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { readFile } from "node:fs/promises";
import { request } from "node:http";

export interface Child {
  readonly process: ChildProcess;
  /** The first match of `ready` in the child's stdout (empty when `ready` is a probe). */
  readonly match: RegExpExecArray | null;
  stop(): Promise<void>;
}

/** Every child still running; `stopChildren` ends them (on exit, Ctrl-C, failure). */
const running = new Set<Child>();

/**
 * Starts a child and waits until a line of its stdout matches `ready` (or,
 * when `ready` is a function, until it resolves). Fails, and kills it, after
 * `timeoutMs`.
 */
export async function startChild(
  command: string,
  args: readonly string[],
  ready: RegExp | (() => Promise<boolean>),
  options: SpawnOptions & { timeoutMs?: number } = {},
): Promise<Child> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const match = await new Promise<RegExpExecArray | null>((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? 15_000;
    const timer = setTimeout(() => reject(new Error(`${command} not ready after ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = ready instanceof RegExp ? ready.exec(output) : null;
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    if (typeof ready === "function") {
      const poll = async (): Promise<void> => {
        if (child.exitCode !== null) return;
        if (await ready()) {
          clearTimeout(timer);
          resolve(null);
        } else setTimeout(() => void poll(), 50);
      };
      void poll();
    }
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code ?? signal}) before it was ready:\n${output.slice(-2000)}`));
    });
  }).catch((error: unknown) => {
    child.kill("SIGKILL");
    throw error;
  });
  // Keep draining, so a chatty child never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  const handle: Child = {
    process: child,
    match,
    async stop() {
      running.delete(handle);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
  running.add(handle);
  return handle;
}

export async function stopChildren(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/** Resident memory of a process, in KiB (Linux /proc). */
export async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
}

/** True once something answers HTTP on 127.0.0.1:port (any status). */
export function httpAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/", headers: { host: "probe.invalid" }, timeout: 1000 },
      (res) => {
        res.resume();
        resolve(true);
      },
    );
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

/** CPU time (user + system) used so far by these processes, in seconds (Linux /proc). */
export async function cpuSeconds(pids: readonly number[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** The children of a process (nginx's workers under its master), optionally only those running `name`. */
export async function childPids(parent: number, name?: string): Promise<number[]> {
  const { readdir } = await import("node:fs/promises");
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const command = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    if (ppid === parent && (name === undefined || command === name)) pids.push(Number(entry));
  }
  return pids;
}
