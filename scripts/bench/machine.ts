import { cpus, loadavg } from "node:os";

/** The machine a measurement ran on, for the report: cores, CPU model and the load average when it started. */
export function machineLine(): string {
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
  return `${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown CPU"}, load average ${load} at start`;
}
