/** The bridge's command line as an operator runs it: `node scripts/bridge/main.ts …`, for the CLI tests. */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

export type CliProcess = ChildProcessByStdio<null, Readable, Readable>;

/** Starts the CLI; BRIDGE_TOKEN is passed only when `env` names it. */
export function runBridgeCli(args: string[], env: Record<string, string | undefined> = {}): CliProcess {
  const childEnv = { ...process.env, ...env };
  if (!("BRIDGE_TOKEN" in env)) delete childEnv.BRIDGE_TOKEN;
  return spawn(process.execPath, ["scripts/bridge/main.ts", ...args], {
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** The first line on stdout (`bridge listening on …`); rejects if the process exits first. */
export function firstLine(child: CliProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`exited with ${code} before printing`)));
  });
}

/** The exit code, once the process has exited. */
export function exitOf(child: CliProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}
