import { spawn } from "node:child_process";
import { join } from "node:path";
import { inject } from "vitest";
import { ROOT } from "../../scripts/lib/worker-bundle.ts";

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** The ROUTE_KEY_PREFIX the test's routes live under. */
  readonly prefix: string;
  /** Holds Node's compile cache: the stripped TypeScript is a third of the CPU per run once warm. */
  readonly workDir: string;
  /** Added to (or replacing) the environment below, e.g. another bridge. */
  readonly env?: Record<string, string>;
  /** Piped to stdin, which then ends; default: stdin ends at once, as /dev/null would. */
  readonly input?: string;
}

/** `npm run routes -- …` without npm: this Node on scripts/routes.ts, against the suite's bridge. */
export function runRoutesCli(args: readonly string[], options: CliOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "scripts", "routes.ts"), ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env["PATH"] ?? "",
        UPSTASH_REDIS_REST_URL: inject("bridgeUrl"),
        UPSTASH_REDIS_REST_TOKEN: inject("bridgeToken"),
        ROUTE_KEY_PREFIX: options.prefix,
        NODE_COMPILE_CACHE: join(options.workDir, "compile-cache"),
        ...options.env,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}
