import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { ROOT } from "../../scripts/lib/worker-bundle.ts";
import { processesOfGroup } from "../serve/harness.ts";
import { eventually, within } from "../support/wait.ts";

export interface AgentUnderTest {
  readonly output: () => string;
  /** Resolves once the output matches `pattern` (the agent logs each reconcile and event). */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  /** SIGTERM, as systemd or `docker stop` sends it; resolves with the exit status. */
  stop(): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

/** `npm run docker -- <args>` as an operator types it, in a process group of its own. */
export function startAgent(args: readonly string[], env: Record<string, string> = {}): AgentUnderTest {
  const child = spawn("npm", ["run", "--silent", "docker", "--", ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  const pgid = child.pid ?? 0;
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return {
    output: () => output,
    exited,
    waitFor: (pattern, ms = 30_000) =>
      eventually(() => pattern.test(output), ms, `the agent never logged ${String(pattern)}:\n${output}`),
    async stop() {
      // The agent itself (node on scripts/docker.ts), not npm or sh: npm would pass it on a second time.
      for (const { pid } of processesOfGroup(pgid)) if (isAgent(pid)) process.kill(pid, "SIGTERM");
      try {
        return await within(exited, 15_000, `the agent did not stop on SIGTERM:\n${output}`);
      } finally {
        if (processesOfGroup(pgid).length > 0) process.kill(-pgid, "SIGKILL");
      }
    },
  };
}

function isAgent(pid: number): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return /(^|\/)node$/.test(argv[0] ?? "") && argv.some((arg) => arg.endsWith("scripts/docker.ts"));
  } catch {
    return false;
  }
}
