import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Resident set size of a process in bytes (Linux /proc), or null elsewhere. */
export function rssBytes(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kib ? Number(kib) * 1024 : null;
  } catch {
    return null;
  }
}

/** The pids of `name` processes started by this process (Miniflare's workerd). */
export function childPids(name: string): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(process.pid), name], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
