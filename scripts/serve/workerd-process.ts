import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

/** What a workerd process is started with; a reload starts new processes with a new launch. */
export interface Launch {
  readonly configPath: string;
  /** Socket names of the config, each served from the descriptor at the same index. */
  readonly socketNames: readonly string[];
  readonly fds: readonly number[];
}

export interface WorkerdProcess {
  readonly child: ChildProcess;
  readonly startedAt: number;
  /** Resolves once every socket listens (workerd's --control-fd), rejects if it exits first or takes too long. */
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
}

/**
 * Starts `workerd serve` on the shared listening descriptors: the supervisor
 * puts them at fd 3, 4, … of the child (`--socket-fd name=3`), so every process
 * accepts from the same kernel queue, and reads readiness from a pipe after
 * them (`--control-fd`). stderr is passed on line by line with the pid in front.
 */
export function startWorkerdProcess(
  workerd: string,
  launch: Launch,
  log: (line: string) => void,
  readyTimeoutMs = 30_000,
): WorkerdProcess {
  const controlFd = 3 + launch.fds.length;
  const args = ["serve", launch.configPath, "--control-fd", String(controlFd)];
  launch.socketNames.forEach((name, index) => args.push("--socket-fd", `${name}=${3 + index}`));
  const child = spawn(workerd, args, { stdio: ["ignore", "inherit", "pipe", ...launch.fds, "pipe"] });
  const startedAt = Date.now();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  if (child.stderr) {
    createInterface({ input: child.stderr }).on("line", (line) => log(`workerd[${child.pid}] ${line}`));
  }
  const control = child.stdio[controlFd] as Readable | null;
  const ready = new Promise<void>((resolve, reject) => {
    let listening = 0;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`workerd[${child.pid}] not listening after ${readyTimeoutMs} ms`));
    }, readyTimeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`workerd[${child.pid}] exited (${code ?? signal}) before it was ready`));
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    if (!control) return;
    createInterface({ input: control }).on("line", (line) => {
      if (!line.includes('"listen"')) return;
      listening++;
      if (listening === launch.fds.length) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  ready.catch(() => undefined); // the supervisor looks at it; an early exit must not be an unhandled rejection
  return { child, startedAt, ready, exited };
}

/** Whether the process has not exited yet. */
export function isAlive(process: WorkerdProcess): boolean {
  return process.child.exitCode === null && process.child.signalCode === null;
}
