/** Plain-text descriptions of routes, for tables and explanations. */
import type { Action, HeaderEdits, RouteSpec } from "../../src/route-value/route.ts";
import type { Upstream } from "../../src/route-value/upstream.ts";
import { policyTags } from "./policies-text.ts";

export function upstreamText(upstream: Upstream): string {
  return upstream.origin + upstream.basePath;
}

/**
 * `http://a:80, http://b:80 (round-robin)`, `http://a:80 ×9, http://b:80 ×1 (round-robin)`
 * or `301 → https://www.example.com`; policies follow in brackets.
 */
export function actionText(action: Action): string {
  if (action.type === "redirect") return `${action.status} → ${upstreamText(action.target)}${policyTags(action)}`;
  const weights = action.weights;
  const list = action.backends
    .map((backend, i) => upstreamText(backend) + (weights ? ` ×${weights[i] ?? 1}` : ""))
    .join(", ");
  const network = action.network === undefined ? "" : ` via ${action.network}`;
  return (action.backends.length > 1 ? `${list} (${action.strategy})` : list) + network + policyTags(action);
}

/** Every upstream and redirect target, path rules after the route's own. */
export function upstreamsOf(spec: RouteSpec): string[] {
  const parts: string[] = [];
  if (spec.fallback) parts.push(actionText(spec.fallback));
  for (const rule of spec.paths)
    parts.push(`${rule.prefix}${rule.strip ? " (strip)" : ""} → ${actionText(rule.action)}`);
  return parts;
}

/** The kind as `ls` shows it: redirect-only JSON routes are called out. */
export function kindOf(spec: RouteSpec): string {
  if (spec.kind === "json" && spec.paths.length === 0 && spec.fallback?.type === "redirect") return "redirect";
  return spec.kind;
}

export function headersText(edits: HeaderEdits): string {
  return edits.map(([name, value]) => (value === null ? `-${name}` : `${name}: ${value}`)).join("; ");
}

export function ttlText(ttl: number | null): string {
  if (ttl === null) return "-";
  if (ttl < 120) return `${ttl}s`;
  if (ttl < 7200) return `${Math.round(ttl / 60)}m`;
  if (ttl < 172_800) return `${Math.round(ttl / 3600)}h`;
  return `${Math.round(ttl / 86_400)}d`;
}

/** Left-aligned columns separated by two spaces. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}
