import { clip } from "../../lib/clip.ts";
import { redactStored } from "../redact.ts";
import { kindOf, type RouteRow, type RoutesPage } from "../routes-data.ts";
import type { RouteTraffic } from "../fleet-report.ts";
import { backendLists, otherFields } from "../spec-view.ts";
import { Fields } from "./fields.tsx";
import { html, Layout } from "./layout.tsx";

export interface RoutesProps {
  readonly page: RoutesPage;
  readonly filter: string;
  /** The cursor this page started at ("0": the first page). */
  readonly cursor: string;
  readonly prefix: string;
  /** Requests and 5xx per route key in the last hour, every isolate; null when the fleet's counts could not be read. */
  readonly traffic: RouteTraffic | null;
  /** Commands the fleet read cost (added to the page's). */
  readonly fleetCommands: number;
}

function ttlText(ttl: number | null): string {
  if (ttl === null) return "none";
  if (ttl < 120) return `${ttl}s`;
  if (ttl < 7200) return `${Math.round(ttl / 60)}m`;
  if (ttl < 172_800) return `${Math.round(ttl / 3600)}h`;
  return `${Math.round(ttl / 86_400)}d`;
}

function rawText(stored: RouteRow["raw"]): string {
  const raw = redactStored(stored);
  if (raw === null) return "(another Redis type)";
  return clip(typeof raw === "string" ? raw : raw.join(" "), 300);
}

/** The route's last hour, every isolate: requests, and its 5xx in red. */
function LastHour(props: { readonly traffic: RouteTraffic | null; readonly host: string }) {
  if (props.traffic === null) return <span class="muted">–</span>;
  const { requests, errors } = props.traffic.get(props.host) ?? { requests: 0, errors: 0 };
  return (
    <span class="last-hour">
      {requests} req
      {errors > 0 ? <span class="bad"> · {errors} 5xx</span> : <span class="muted"> · 0 5xx</span>}
    </span>
  );
}

function Row(props: { readonly row: RouteRow; readonly traffic: RouteTraffic | null }) {
  const { row } = props;
  const spec = row.spec;
  const more = spec ? { ...(spec.label ? { identifier: spec.label } : {}), ...otherFields(spec) } : {};
  return (
    <tr class={spec ? undefined : "invalid"}>
      <td data-label="Host">
        <b class="mono">{row.host}</b>
        {row.format === "hipache" && <div class="note mono">{row.key}</div>}
      </td>
      <td data-label="Kind">
        <span class={spec ? "tag" : "tag bad"}>{kindOf(row)}</span>
        {row.agents && <div class="note">managed by docker: {row.agents.join(", ")}</div>}
      </td>
      <td data-label="Backends">
        {spec ? (
          backendLists(spec).map((list) => (
            <div>
              {list.path && <div class="note mono">{list.path}</div>}
              <ul class="plain">
                {list.backends.map((b) => (
                  <li class="mono">
                    {b.url}
                    {list.backends.length > 1 || b.weight > 1 ? <span class="muted"> · weight {b.weight}</span> : ""}
                  </li>
                ))}
              </ul>
              {Object.keys(list.settings).length > 0 && <Fields fields={list.settings} />}
            </div>
          ))
        ) : (
          <span class="bad">{row.problem}</span>
        )}
      </td>
      <td
        data-label={spec ? "Policies and more" : "Stored value"}
        class={spec && Object.keys(more).length === 0 ? "empty" : undefined}
      >
        {spec ? <Fields fields={more} /> : <code>{rawText(row.raw)}</code>}
      </td>
      <td data-label="Last hour">
        <LastHour traffic={props.traffic} host={row.host} />
      </td>
      <td data-label="TTL">{ttlText(row.ttl)}</td>
    </tr>
  );
}

export function routesHtml(props: RoutesProps): string {
  return html(<RoutesPageView {...props} />);
}

function RoutesPageView(props: RoutesProps) {
  const { page, filter } = props;
  const invalid = page.routes.filter((r) => !r.spec).length;
  const nextHref =
    page.next === null ? null : `/routes?q=${encodeURIComponent(filter)}&cursor=${encodeURIComponent(page.next)}`;
  return (
    <Layout title="Routes" page="routes" commands={page.commands + props.fleetCommands}>
      <h1>Routes</h1>
      <form class="inline" method="get" action="/routes">
        <label>
          Filter (text in the key)
          <input type="search" name="q" value={filter} placeholder="example.com" />
        </label>
        <button class="primary" type="submit">
          Filter
        </button>
      </form>
      <p class="note">
        {page.routes.length} route key{page.routes.length === 1 ? "" : "s"} on this page
        {invalid > 0 && <span class="bad"> · {invalid} invalid (the router answers 502 for their hosts)</span>}
        {props.prefix && (
          <>
            {" "}
            · keys under the prefix <code>{props.prefix}</code>
          </>
        )}{" "}
        · read with SCAN, in pages · last hour: requests and 5xx of every isolate, by route key.
      </p>
      {page.routes.length === 0 ? (
        <p class="banner">No route keys{filter ? ` containing "${filter}"` : ""} on this page.</p>
      ) : (
        <table class="cards">
          <thead>
            <tr>
              <th>Host</th>
              <th>Kind</th>
              <th>Backends</th>
              <th>Policies and more</th>
              <th title="Requests and 5xx in the last hour, every isolate">Last hour</th>
              <th>TTL</th>
            </tr>
          </thead>
          <tbody>
            {page.routes.map((row) => (
              <Row row={row} traffic={props.traffic} />
            ))}
          </tbody>
        </table>
      )}
      <div class="pager">
        {props.cursor !== "0" && <a href={`/routes?q=${encodeURIComponent(filter)}`}>← First page</a>}
        {nextHref && <a href={nextHref}>Next page →</a>}
      </div>
    </Layout>
  );
}
