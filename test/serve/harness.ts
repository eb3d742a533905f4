import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../scripts/lib/worker-bundle.ts";
import { within } from "../support/wait.ts";

export interface ServeUnderTest {
  /** The npm process, leader of the process group everything runs in. */
  readonly process: ChildProcess;
  readonly pgid: number;
  /** Listen URLs, as printed. */
  readonly urls: string[];
  readonly output: () => string;
  /** Pids of the group's processes named `name` (workerd's comm is "workerd"). */
  pidsNamed(name: string): number[];
  /** Every process of the group still running. */
  groupPids(): number[];
  /** Resolves when the npm process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGKILL to the whole group if anything is left: tests leave no process behind. */
  kill(): Promise<void>;
}

/**
 * `npm run serve -- <args>` exactly as an operator types it, in a process
 * group of its own (so a test can signal the group as systemd does, and
 * clean up all of it), once it prints its "listening on" line.
 */
export async function startServe(args: readonly string[], env: Record<string, string> = {}): Promise<ServeUnderTest> {
  const child = spawn("npm", ["run", "--silent", "serve", "--", ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  const pgid = child.pid ?? 0;
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  // "close", not "exit": the output is complete only once the pipes have closed.
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const groupPids = () => processesOfGroup(pgid).map((entry) => entry.pid);
  const handle: ServeUnderTest = {
    process: child,
    pgid,
    urls: [],
    output: () => output,
    pidsNamed: (name) =>
      processesOfGroup(pgid)
        .filter((entry) => entry.name === name)
        .map((entry) => entry.pid),
    groupPids,
    exited,
    async kill() {
      if (groupPids().length === 0) return;
      try {
        process.kill(-pgid, "SIGKILL");
      } catch {
        // already gone
      }
      await within(exited, 5000, "npm did not exit").catch(() => undefined);
    },
  };
  try {
    const line = await within(
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const match = /serve: listening on (.+) \(/.exec(output);
          if (match) resolve(match[1] ?? "");
        };
        child.stdout?.on("data", check);
        child.once("exit", (code) => reject(new Error(`npm run serve exited (${code}):\n${output}`)));
      }),
      90_000,
      "npm run serve did not start",
    );
    handle.urls.push(...line.split(" "));
  } catch (error) {
    await handle.kill();
    throw error;
  }
  return handle;
}

/** Processes whose process group is `pgid` (Linux /proc), with their command names. */
export function processesOfGroup(pgid: number): Array<{ pid: number; name: string }> {
  const found: Array<{ pid: number; name: string }> = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(join("/proc", entry, "stat"), "utf8");
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is the state: a zombie has exited and is only waiting to be reaped.
    if (Number(fields[2]) === pgid && fields[0] !== "Z") {
      found.push({ pid: Number(entry), name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) });
    }
  }
  return found;
}
