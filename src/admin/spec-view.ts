import type { RouteSpec } from "../route-value/index.ts";
import type { Upstream } from "../route-value/index.ts";
import { REDACTED } from "./redact.ts";

/*
 * A parsed route as plain data for pages and JSON, walked generically: any
 * field the parser adds later (policies, weights, …) shows up without a
 * change here. Upstreams become their URL, and defaults that say nothing
 * (null, false, empty lists) are left out. Secrets never show (redact.ts):
 * a header edit is `Name: •••`, and a map (basicAuth's users) is its keys,
 * never its values (the password hashes).
 */

export type View = string | number | boolean | readonly View[] | { readonly [field: string]: View };

/** One backend list: each distinct backend with its weight (how often the list names it). */
export interface BackendsView {
  /** "" for the route's own backends, else the path prefix (`/api`). */
  readonly path: string;
  readonly backends: readonly { readonly url: string; readonly weight: number }[];
  /** Everything else the action says (strategy, timeout, redirect target, …). */
  readonly settings: { readonly [field: string]: View };
}

function isUpstream(value: unknown): value is Upstream {
  return typeof value === "object" && value !== null && "origin" in value && "basePath" in value;
}

function isHeaderEdit(value: unknown): value is readonly [string, string | null] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === "string";
}

/** The value as display data; undefined when it is a default that says nothing. */
export function view(value: unknown, skip: ReadonlySet<string> = new Set()): View | undefined {
  if (value === null || value === undefined || value === false) return undefined;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (isUpstream(value)) return value.origin + value.basePath;
  if (value instanceof Map) return view([...(value as Map<unknown, unknown>).keys()].map(String), skip);
  if (typeof value === "function" || typeof value === "bigint") return undefined;
  // A value that says how it reads as JSON (an ipAllowList range) is shown that way.
  if (typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return view((value as { toJSON: () => unknown }).toJSON(), skip);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    return value.map((item): View => {
      if (isHeaderEdit(item)) return item[1] === null ? `-${item[0]}` : `${item[0]}: ${REDACTED}`;
      return view(item, skip) ?? "";
    });
  }
  if (typeof value === "object") {
    const fields: Record<string, View> = {};
    for (const [name, field] of Object.entries(value)) {
      if (skip.has(name)) continue;
      const shown = view(field, skip);
      if (shown !== undefined) fields[name] = shown;
    }
    return Object.keys(fields).length === 0 ? undefined : fields;
  }
  return String(value);
}

const BACKENDS = new Set(["backends"]);

/** Every backend list of the route (its own, then each path rule's), with weights. */
export function backendLists(spec: RouteSpec): BackendsView[] {
  const actions: [string, unknown][] = [];
  if (spec.fallback) actions.push(["", spec.fallback]);
  for (const rule of spec.paths) actions.push([rule.prefix + (rule.strip ? " (strip)" : ""), rule.action]);
  return actions.map(([path, action]) => {
    const { backends: list, weights: given } = action as { backends?: unknown; weights?: readonly number[] };
    // A route's own weights (`{"url": …, "weight": N}`) when it gives them; else how often the list names a backend.
    const weights = new Map<string, number>();
    if (Array.isArray(list)) {
      list.forEach((backend: unknown, i) => {
        const url = isUpstream(backend) ? backend.origin + backend.basePath : String(backend);
        weights.set(url, (weights.get(url) ?? 0) + (given?.[i] ?? 1));
      });
    }
    const shown = view(action, new Set([...BACKENDS, "weights"]));
    const settings: Record<string, View> =
      typeof shown === "object" && !Array.isArray(shown) ? { ...(shown as Record<string, View>) } : {};
    // Defaults that say nothing here: forwarding is the usual action, and a strategy needs two backends.
    if (settings["type"] === "forward") delete settings["type"];
    if (weights.size < 2) delete settings["strategy"];
    return { path, backends: [...weights].map(([url, weight]) => ({ url, weight })), settings };
  });
}

/** The route's own fields other than kind, label, backends and paths (shown apart): policies and the like. */
export function otherFields(spec: RouteSpec): { readonly [field: string]: View } {
  const shown = view(spec, new Set(["kind", "label", "fallback", "paths"]));
  return typeof shown === "object" && !Array.isArray(shown) ? (shown as Record<string, View>) : {};
}
