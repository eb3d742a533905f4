import { readFileSync } from "node:fs";
import type { CpuProfile } from "./cpu-profile.ts";
import { categorise } from "./profile-categories.ts";

export type { CpuProfile } from "./cpu-profile.ts";

export interface ProfileSummary {
  /** Sampled time in JavaScript and the runtime calls it made, per request (not idle, not "(program)"). */
  readonly javascriptUs: number;
  /** Markdown tables: µs per request by part of the request path, by source module, by function. */
  readonly table: string;
}

/**
 * Self time per request, grouped by the bundle's source module (esbuild marks
 * each with a `// src/app.ts` comment) and by function. A runtime call (a
 * `Headers` method, `console.log`, `fetch`, timers) has no source of its
 * own: it is charged to the module that called it, under its own name, so a
 * row reads "src/metrics/access-log.ts → log".
 */
export function summarise(profile: CpuProfile, bundlePath: string, requests: number): ProfileSummary {
  const modules = moduleStarts(readFileSync(bundlePath, "utf8"));
  const moduleAt = (line: number) => {
    let found = "(bundle)";
    for (const [start, name] of modules) {
      if (start > line) break;
      found = name;
    }
    return found;
  };
  // The bundle's URL as the profile names it: that of the function seen most.
  const urls = new Map<string, number>();
  for (const node of profile.nodes) {
    const { url } = node.callFrame;
    if (url.endsWith(".js")) urls.set(url, (urls.get(url) ?? 0) + (node.hitCount ?? 0));
  }
  const bundleUrl = [...urls].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "";
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const sampleCount = profile.samples?.length ?? profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const usPerSample = (profile.endTime - profile.startTime) / Math.max(1, sampleCount);

  const label = (id: number): { module: string; entry: string } => {
    const node = byId.get(id);
    if (!node) return { module: "(unknown)", entry: "(unknown)" };
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName.startsWith("(")) return { module: functionName, entry: functionName };
    if (url === bundleUrl) {
      const module = moduleAt(lineNumber + 1);
      return { module, entry: `${module} ${functionName || "(anonymous)"}` };
    }
    // A runtime call (or the runtime's own JavaScript, such as its Node
    // timers): charge it to the nearest caller in the bundle.
    const name = url === "" ? functionName || "(native)" : `${url.replace(/^.*[/:]/, "")}:${functionName}`;
    for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
      const caller = byId.get(up);
      if (caller && caller.callFrame.url === bundleUrl) {
        const module = moduleAt(caller.callFrame.lineNumber + 1);
        return { module, entry: `${module} → ${name}` };
      }
    }
    return { module: "(runtime)", entry: `(runtime) ${name}` };
  };

  const byModule = new Map<string, number>();
  const byEntry = new Map<string, number>();
  let javascriptUs = 0;
  for (const node of profile.nodes) {
    const us = (node.hitCount ?? 0) * usPerSample;
    if (us === 0) continue;
    const { module, entry } = label(node.id);
    byModule.set(module, (byModule.get(module) ?? 0) + us);
    byEntry.set(entry, (byEntry.get(entry) ?? 0) + us);
    if (!["(idle)", "(program)", "(root)"].includes(module)) javascriptUs += us;
  }
  // Inclusive time of each function of the bundle (callees included, recursion counted once).
  const inclusive = new Map<string, number>();
  const totals = new Map<number, number>();
  const totalOf = (id: number): number => {
    const known = totals.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const own = (node?.hitCount ?? 0) * usPerSample;
    const sum = own + (node?.children ?? []).reduce((acc, child) => acc + totalOf(child), 0);
    totals.set(id, sum);
    return sum;
  };
  const walk = (id: number, open: ReadonlySet<string>): void => {
    const node = byId.get(id);
    if (!node) return;
    let inside = open;
    if (node.callFrame.url === bundleUrl) {
      const key = label(id).entry;
      if (!open.has(key)) {
        inclusive.set(key, (inclusive.get(key) ?? 0) + totalOf(id));
        inside = new Set(open).add(key);
      }
    }
    for (const child of node.children ?? []) walk(child, inside);
  };
  const root = profile.nodes.find((node) => !parent.has(node.id));
  if (root) walk(root.id, new Set());
  const frameOf = (id: number) => {
    const node = byId.get(id);
    if (!node) return undefined;
    const { functionName, url, lineNumber } = node.callFrame;
    const module = url === bundleUrl ? moduleAt(lineNumber + 1) : url === "" ? "" : "(node)";
    return { name: functionName, module };
  };
  const parts = categorise(profile, frameOf, usPerSample, requests);
  const rows = (map: Map<string, number>, limit: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => `| ${name} | ${(us / requests).toFixed(1)} |`);
  const table = [
    "| part of the request path (sampled) | µs/request |",
    "| --- | ---: |",
    ...parts.map(([name, us]) => `| ${name} | ${us.toFixed(1)} |`),
    "",
    "| module (self time, runtime calls included) | µs/request |",
    "| --- | ---: |",
    ...rows(byModule, 25),
    "",
    "| function or runtime call (self time) | µs/request |",
    "| --- | ---: |",
    ...rows(byEntry, 40),
    "",
    "| function (inclusive: its callees too) | µs/request |",
    "| --- | ---: |",
    ...rows(inclusive, 40),
  ].join("\n");
  return { javascriptUs: javascriptUs / requests, table };
}

/** `[line, module]` for each `// path` comment esbuild puts before a module's code, in order. */
function moduleStarts(bundle: string): Array<[number, string]> {
  const starts: Array<[number, string]> = [];
  bundle.split("\n").forEach((line, index) => {
    const match = /^\/\/ ((?:src|node_modules)\/\S+)$/.exec(line);
    if (!match?.[1]) return;
    const path = match[1];
    const group = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    starts.push([index + 1, group ?? path]);
  });
  return starts;
}
