import { CACHE_OUTCOMES, STATUS_CLASSES } from "../../metrics/index.ts";
import type { TrafficReport } from "../traffic.ts";
import type { FleetReport } from "../fleet-report.ts";
import { BarChart } from "./chart.tsx";
import { html, Layout } from "./layout.tsx";

const CLASS_COLORS = ["#8d99a6", "#2e9e5b", "#3b7dd8", "#e08a1e", "#c62828"];
const CACHE_COLORS = ["#2e9e5b", "#3b7dd8", "#e0b31e", "#c62828", "#8e44ad"];

/** Buckets up to the first that holds every request (the rest repeat it), then "any". */
function shownBuckets(latency: TrafficReport["upstreamLatency"]) {
  const { buckets, count } = latency;
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

export function trafficHtml(report: TrafficReport, commands = 0): string {
  return html(<TrafficPage report={report} commands={commands} />);
}

function TrafficPage(props: { readonly report: TrafficReport; readonly commands: number }) {
  const { report } = props;
  const lookups = CACHE_OUTCOMES.reduce((sum, outcome) => sum + report.cache[outcome], 0);
  const hitRate = lookups === 0 ? "–" : `${Math.round(((report.cache.hit + report.cache.stale) / lookups) * 100)}%`;
  return (
    <Layout title="Cache and traffic" page="traffic" commands={props.commands}>
      <h1>Cache and traffic</h1>
      <Fleet fleet={report.fleet} />
      <Beside report={report} />
      <h2 id="isolate">This isolate</h2>
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
      <h3>Requests per minute, by status class</h3>
      <BarChart
        title="Requests per minute"
        series={STATUS_CLASSES.map((name, i) => ({ name, color: CLASS_COLORS[i] ?? "#888" }))}
        columns={report.minutes.map((m) => STATUS_CLASSES.map((name) => m.requests[name]))}
      />
      <h3>Route lookups per minute, by cache outcome</h3>
      <BarChart
        title="Route lookups per minute"
        series={CACHE_OUTCOMES.map((name, i) => ({ name, color: CACHE_COLORS[i] ?? "#888" }))}
        columns={report.minutes.map((m) => CACHE_OUTCOMES.map((name) => m.cache[name]))}
      />
      <h3>Busiest routes</h3>
      <HostTable hosts={report.busiestHosts} />
      <p class="note">
        Counted by the route key that matched (<code>*.example.com</code> for all its subdomains), never by the name a
        client sent. <code>_unrouted</code>: no route (or an invalid one, or the store failed); <code>_fallback</code>:
        sent to FALLBACK_UPSTREAM; <code>_dashboard</code>: these pages; <code>_other</code>: past the first 100.
      </p>
      <h3>Upstream latency</h3>
      <LatencyTable latency={report.upstreamLatency} />
    </Layout>
  );
}

/** Every isolate's figures, summed from the fleet stats (src/admin/fleet.ts). */
function Fleet(props: { readonly fleet: FleetReport | null }) {
  const { fleet } = props;
  if (fleet === null) return null;
  if (fleet.problem !== null) {
    return (
      <>
        <h2 id="fleet">Every isolate</h2>
        <p class="banner bad">The fleet's counts could not be read: {fleet.problem}</p>
      </>
    );
  }
  const seconds = Math.round(fleet.intervalMs / 1000);
  return (
    <>
      <h2 id="fleet">Every isolate</h2>
      <p class="note">
        Summed from the counts every isolate writes at most every {seconds} s (FLEET_STATS_INTERVAL_MS): the same
        whichever isolate answers, up to each isolate's last write. {fleet.reporting} isolate
        {fleet.reporting === 1 ? "" : "s"} wrote within the last two intervals.
      </p>
      <div class="tiles fleet">
        <Tile value={fleet.requests.total} label="requests, every isolate" />
        <Tile value={fleet.lastHour.total} label="in the last hour" />
        <Tile value={fleet.lastHour["5xx"]} label="5xx in the last hour" />
        <Tile
          value={fleet.upstreamLatency.averageMs === null ? "–" : `${fleet.upstreamLatency.averageMs} ms`}
          label="mean upstream latency"
        />
        <Tile value={fleet.store.storeCommands} label="route store commands" />
        <Tile value={fleet.store.statsCommands} label="commands for these stats" />
        <Tile value={fleet.reporting} label="isolates reporting" />
      </div>
      <h3>Requests per minute, last hour, every isolate</h3>
      <BarChart
        title="Fleet requests per minute"
        series={STATUS_CLASSES.map((name, i) => ({ name, color: CLASS_COLORS[i] ?? "#888" }))}
        columns={fleet.minutes.map((m) => STATUS_CLASSES.map((name) => m.requests[name]))}
      />
      <h3>Busiest routes, every isolate</h3>
      <HostTable hosts={fleet.busiestHosts} />
      <h3>Upstream latency, every isolate</h3>
      <LatencyTable latency={fleet.upstreamLatency} />
    </>
  );
}

function HostTable(props: { readonly hosts: TrafficReport["busiestHosts"] }) {
  if (props.hosts.length === 0) return <p class="note">No requests yet.</p>;
  return (
    <table class="fleet-hosts">
      <thead>
        <tr>
          <th>Route</th>
          <th>Requests</th>
          <th>By status class</th>
        </tr>
      </thead>
      <tbody>
        {props.hosts.map((h) => (
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
  );
}

function LatencyTable(props: { readonly latency: TrafficReport["upstreamLatency"] }) {
  return (
    <table>
      <thead>
        <tr>
          <th>At most</th>
          <th>Requests (cumulative)</th>
        </tr>
      </thead>
      <tbody>
        {shownBuckets(props.latency).map((b) => (
          <tr>
            <td>{b.le === "+Inf" ? "any" : `${b.le} ms`}</td>
            <td>{b.count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The fleet's figures and the answering isolate's, side by side. */
function Beside(props: { readonly report: TrafficReport }) {
  const { report } = props;
  const fleet = report.fleet;
  if (fleet === null || fleet.problem !== null) return null;
  const ms = (value: number | null) => (value === null ? "–" : `${value} ms`);
  const rows: [string, string | number, string | number][] = [
    ["requests", fleet.requests.total, report.requests.total],
    ["5xx", fleet.requests["5xx"], report.requests["5xx"]],
    ["mean upstream latency", ms(fleet.upstreamLatency.averageMs), ms(report.upstreamLatency.averageMs)],
    ["route store commands", fleet.store.storeCommands, report.store.commands],
    ["requests failed on the store", fleet.store.storeErrors, report.storeErrors],
  ];
  return (
    <table class="beside">
      <thead>
        <tr>
          <th>Counted so far</th>
          <th>Every isolate</th>
          <th>This isolate</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, all, own]) => (
          <tr>
            <td>{label}</td>
            <td>{all}</td>
            <td>{own}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
