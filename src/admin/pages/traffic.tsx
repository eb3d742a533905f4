import { CACHE_OUTCOMES, STATUS_CLASSES } from "../../metrics/counters.ts";
import type { TrafficReport } from "../traffic.ts";
import { BarChart } from "./chart.tsx";
import { html, Layout } from "./layout.tsx";

const CLASS_COLORS = ["#8d99a6", "#2e9e5b", "#3b7dd8", "#e08a1e", "#c62828"];
const CACHE_COLORS = ["#2e9e5b", "#3b7dd8", "#e0b31e", "#c62828", "#8e44ad"];

/** Buckets up to the first that holds every request (the rest repeat it), then "any". */
function shownBuckets(report: TrafficReport) {
  const { buckets, count } = report.upstreamLatency;
  const full = buckets.findIndex((b) => b.count === count);
  return full === -1 || full === buckets.length - 1 ? buckets : [...buckets.slice(0, full + 1), ...buckets.slice(-1)];
}

function Tile(props: { readonly value: string | number; readonly label: string }) {
  return (
    <div class="tile">
      <b>{props.value}</b>
      <span>{props.label}</span>
    </div>
  );
}

export function trafficHtml(report: TrafficReport): string {
  return html(<TrafficPage report={report} />);
}

function TrafficPage(props: { readonly report: TrafficReport }) {
  const { report } = props;
  const lookups = CACHE_OUTCOMES.reduce((sum, outcome) => sum + report.cache[outcome], 0);
  const hitRate = lookups === 0 ? "–" : `${Math.round(((report.cache.hit + report.cache.stale) / lookups) * 100)}%`;
  return (
    <Layout title="Cache and traffic" page="traffic" commands={0}>
      <h1>Cache and traffic</h1>
      <p class="banner">
        <b>This isolate only</b> (id <code>{report.isolate}</code>, counting since {report.since}). At the edge every
        isolate has its own cache and counters; another page view may be answered by another isolate.
      </p>
      <div class="tiles">
        <Tile value={report.requests.total} label="requests" />
        <Tile value={report.cacheEntries} label="route cache entries" />
        <Tile value={hitRate} label="answered from cache" />
        <Tile value={report.cache.hit} label="cache hits" />
        <Tile value={report.cache.miss} label="misses (store asked)" />
        <Tile value={report.cache.stale} label="stale serves" />
        <Tile value={report.cache.error} label="store errors at lookup" />
        <Tile value={report.storeErrors} label="requests failed on the store" />
        <Tile
          value={report.upstreamLatency.averageMs === null ? "–" : `${report.upstreamLatency.averageMs} ms`}
          label="mean upstream latency"
        />
        <Tile value={report.store.commands} label="route store commands" />
        <Tile value={report.store.commandsPerMinute} label="store commands per minute" />
        <Tile value={report.store.coldLookups} label="cold lookups" />
        <Tile value={report.store.refreshedHosts} label="routes refreshed in batches" />
        <Tile value={report.store.budgetRefused} label="refused by the lookup budget" />
        <Tile value={report.store.misses} label="misses held (apart from routes)" />
        <Tile value={report.dashboardCommands} label="Redis commands by the dashboard" />
      </div>
      <h2>Requests per minute, by status class</h2>
      <BarChart
        title="Requests per minute"
        series={STATUS_CLASSES.map((name, i) => ({ name, color: CLASS_COLORS[i] ?? "#888" }))}
        columns={report.minutes.map((m) => STATUS_CLASSES.map((name) => m.requests[name]))}
      />
      <h2>Route lookups per minute, by cache outcome</h2>
      <BarChart
        title="Route lookups per minute"
        series={CACHE_OUTCOMES.map((name, i) => ({ name, color: CACHE_COLORS[i] ?? "#888" }))}
        columns={report.minutes.map((m) => CACHE_OUTCOMES.map((name) => m.cache[name]))}
      />
      <h2>Busiest hosts</h2>
      {report.busiestHosts.length === 0 ? (
        <p class="note">No requests yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Host</th>
              <th>Requests</th>
              <th>By status class</th>
            </tr>
          </thead>
          <tbody>
            {report.busiestHosts.map((h) => (
              <tr>
                <td class="mono">{h.host}</td>
                <td>{h.total}</td>
                <td>
                  {STATUS_CLASSES.filter((name) => h.classes[name] > 0).map((name, i) => (
                    <>
                      {i > 0 && " · "}
                      <span class={name === "5xx" ? "bad" : undefined}>
                        {name} {h.classes[name]}
                      </span>
                    </>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="note">
        <code>_unrouted</code>: hosts with no route (never named one by one: any name can be sent); <code>_other</code>:
        hosts past the first 100.
      </p>
      <h2>Upstream latency</h2>
      <table>
        <thead>
          <tr>
            <th>At most</th>
            <th>Requests (cumulative)</th>
          </tr>
        </thead>
        <tbody>
          {shownBuckets(report).map((b) => (
            <tr>
              <td>{b.le === "+Inf" ? "any" : `${b.le} ms`}</td>
              <td>{b.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}
