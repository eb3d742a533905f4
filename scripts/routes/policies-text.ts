/** Plain-text descriptions of a route's policies, weights and sticky cookie, for get, ls and test. */
import type { Policies } from "../../src/route-value/policy-spec.ts";
import type { Action, RouteSpec } from "../../src/route-value/route.ts";

/** The names of the policies that apply, in the order they are checked. */
export function policyNames(action: Action): string[] {
  const names: string[] = [];
  const p = action.policies;
  if (p?.maintenance) names.push("maintenance");
  if (p?.ipAllowList) names.push("ipAllowList");
  if (p?.basicAuth) names.push("basicAuth");
  if (p?.rateLimit) names.push("rateLimit");
  if (action.type === "forward" && action.sticky) names.push(`sticky cookie ${action.sticky.name}`);
  return names;
}

/** ` [basicAuth, rateLimit]`, or "" when none apply: what ls and get append to an action. */
export function policyTags(action: Action): string {
  const names = policyNames(action);
  return names.length > 0 ? ` [${names.join(", ")}]` : "";
}

/** One line per policy, in the order the router checks them, with what a refusal looks like. */
export function policyLines(policies: Policies | undefined): string[] {
  if (!policies) return [];
  const lines: string[] = [];
  const { maintenance, ipAllowList, basicAuth, rateLimit } = policies;
  if (maintenance) {
    lines.push(
      `maintenance: every request gets 503 "${maintenance.message}" (Retry-After ${maintenance.retryAfter}); nothing else is checked`,
    );
  }
  if (ipAllowList) {
    lines.push(`ipAllowList: client address in ${ipAllowList.sourceRange.join(", ")}, else 403`);
  }
  if (basicAuth) {
    const users = [...basicAuth.users.keys()].join(", ");
    lines.push(
      `basicAuth: realm "${basicAuth.realm}", users ${users}, else 401; Authorization ${basicAuth.removeHeader ? "removed before" : "kept for"} the upstream`,
    );
  }
  if (rateLimit) {
    lines.push(
      `rateLimit: ${rateLimit.average} per ${durationText(rateLimit.periodMs)}, burst ${rateLimit.burst}, per client address across isolates, else 429`,
    );
  }
  return lines;
}

function durationText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** `basicAuth: …` for the route's own action, `/admin basicAuth: …` for a path rule's: what get shows. */
export function policyRows(spec: RouteSpec): string[] {
  const rows = spec.fallback ? policyLines(spec.fallback.policies) : [];
  for (const rule of spec.paths) {
    rows.push(...policyLines(rule.action.policies).map((line) => `${rule.prefix} ${line}`));
  }
  return rows;
}
