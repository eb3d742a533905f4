import { kindOf, type RouteRow, type RoutesPage } from "./routes-data.ts";
import { redactStored } from "./redact.ts";
import { backendLists, otherFields } from "./spec-view.ts";

/** A route key as JSON: what the Routes page shows, as data. */
function routeJson(row: RouteRow) {
  return {
    host: row.host,
    key: row.key,
    format: row.format,
    kind: kindOf(row),
    ttl: row.ttl,
    // As stored, but with hashes and header values redacted (redact.ts).
    value: redactStored(row.raw),
    problem: row.problem,
    managedBy: row.agents ?? null,
    backends: row.spec ? backendLists(row.spec) : [],
    fields: row.spec ? { ...(row.spec.label ? { identifier: row.spec.label } : {}), ...otherFields(row.spec) } : {},
  };
}

export function routesJson(page: RoutesPage) {
  return { routes: page.routes.map(routeJson), next: page.next, commands: page.commands };
}
