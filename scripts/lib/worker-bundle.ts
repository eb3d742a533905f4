import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");

export interface WorkerBundle {
  /** The entry module `wrangler deploy` would upload. */
  readonly scriptPath: string;
  readonly compatibilityDate: string;
  readonly compatibilityFlags: readonly string[];
  /** The `[vars]` of wrangler.toml. */
  readonly vars: Readonly<Record<string, string>>;
}

/**
 * Builds exactly what `wrangler deploy` would upload (`--dry-run --outdir`),
 * so tests and benchmarks run the production bundle, not a dev build.
 */
export function buildWorkerBundle(
  outDir: string,
  configPath = join(ROOT, "wrangler.toml"),
  /** More `wrangler deploy` flags, e.g. `--minify=false` for a profile with function names. */
  extraArgs: readonly string[] = [],
): WorkerBundle {
  const wrangler = join(ROOT, "node_modules", ".bin", "wrangler");
  const result = spawnSync(
    wrangler,
    ["deploy", "--dry-run", "--outdir", outDir, "--config", configPath, ...extraArgs],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    },
  );
  if (result.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${result.stdout}${result.stderr}`);
  return { scriptPath: join(outDir, "index.js"), ...readWranglerToml(configPath) };
}

/** The few settings we need from wrangler.toml (our own file: flat and simple). */
export function readWranglerToml(path: string): Omit<WorkerBundle, "scriptPath"> {
  const text = readFileSync(path, "utf8");
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(text)?.[1];
  if (!date) throw new Error(`${path} has no compatibility_date`);
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(text)?.[1] ?? "";
  const vars: Record<string, string> = {};
  const varsSection = /^\[vars\]\s*$([\s\S]*?)(?=^\[|$(?![\s\S]))/m.exec(text)?.[1] ?? "";
  for (const match of varsSection.matchAll(/^([A-Z0-9_]+)\s*=\s*"([^"]*)"/gm)) {
    vars[match[1] ?? ""] = match[2] ?? "";
  }
  return {
    compatibilityDate: date,
    compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? ""),
    vars,
  };
}
