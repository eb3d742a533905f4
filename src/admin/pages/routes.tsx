import { clip } from "../../clip.ts";
import { kindOf, type RouteRow, type RoutesPage } from "../routes-data.ts";
import { backendLists, otherFields } from "../spec-view.ts";
import { Fields } from "./fields.tsx";
import { html, Layout } from "./layout.tsx";

export interface RoutesProps {
  readonly page: RoutesPage;
  readonly filter: string;
  /** The cursor this page started at ("0": the first page). */
  readonly cursor: string;
  readonly prefix: string;
}

function ttlText(ttl: number | null): string {
  if (ttl === null) return "none";
  if (ttl < 120) return `${ttl}s`;
  if (ttl < 7200) return `${Math.round(ttl / 60)}m`;
  if (ttl < 172_800) return `${Math.round(ttl / 3600)}h`;
  return `${Math.round(ttl / 86_400)}d`;
}

function rawText(raw: RouteRow["raw"]): string {
  if (raw === null) return "(another Redis type)";
  return clip(typeof raw === "string" ? raw : raw.join(" "), 300);
}

function Row(props: { readonly row: RouteRow }) {
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
    <Layout title="Routes" page="routes" commands={page.commands}>
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
        · read with SCAN, in pages.
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
              <th>TTL</th>
            </tr>
          </thead>
          <tbody>
            {page.routes.map((row) => (
              <Row row={row} />
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
