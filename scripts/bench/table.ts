import type { LoadResult } from "./wrk.ts";

export type Row =
  | {
      readonly name: string;
      readonly result: LoadResult;
      readonly redisPerRequest: number;
      /** CPU time of the server's own process(es) per request, in microseconds. */
      readonly cpuUs: number;
      readonly note: string;
    }
  | { readonly name: string; readonly missing: string; readonly note: string };

const HEADER = ["row", "req/s", "p50 ms", "p99 ms", "errors", "redis cmd/req", "x floor", "CPU us/req", "what"];

/** A Markdown table (readable in a terminal, pasteable into docs/benchmarks.md). */
export function formatTable(rows: readonly Row[], floorRps: number): string {
  const cells = rows.map((row) => {
    if (!("result" in row)) return [row.name, "n/a", "", "", "", "", "", "", row.missing];
    const { result } = row;
    return [
      row.name,
      result.rps.toFixed(0),
      result.p50Ms.toFixed(2),
      result.p99Ms.toFixed(2),
      String(result.errors),
      row.redisPerRequest.toFixed(4),
      Number.isFinite(floorRps) ? (result.rps / floorRps).toFixed(2) : "n/a",
      Number.isFinite(row.cpuUs) ? row.cpuUs.toFixed(0) : "n/a",
      row.note,
    ];
  });
  const widths = HEADER.map((title, i) => Math.max(title.length, ...cells.map((line) => (line[i] ?? "").length)));
  const format = (line: readonly string[]) =>
    `| ${line.map((cell, i) => (i === 0 || i === line.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `|${widths.map((width, i) => (i === 0 || i === widths.length - 1 ? ` ${"-".repeat(width)} ` : ` ${"-".repeat(width - 1)}: `)).join("|")}|`;
  return [format(HEADER), rule, ...cells.map(format)].join("\n");
}
