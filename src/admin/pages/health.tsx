import type { HealthReport } from "../health.ts";
import { html, Layout } from "./layout.tsx";

export function healthHtml(report: HealthReport): string {
  return html(<HealthPage report={report} />);
}

function HealthPage(props: { readonly report: HealthReport }) {
  const { report } = props;
  return (
    <Layout title="Health" page="health" commands={report.commands}>
      <h1>Health</h1>
      <h2>Route store</h2>
      {report.store.reachable ? (
        <p class="banner good">Reachable: PING answered in {report.store.ms} ms.</p>
      ) : (
        <p class="banner bad">Unreachable: {report.store.error}</p>
      )}
      <dl class="fields">
        <dt>requests failed on the store</dt>
        <dd>{report.storeErrors} (this isolate)</dd>
        <dt>last failure</dt>
        <dd>
          {report.lastFailure ? (
            <>
              <span class="bad">{report.lastFailure.detail}</span> <span class="muted">at {report.lastFailure.at}</span>
            </>
          ) : (
            "none seen by this isolate"
          )}
        </dd>
      </dl>
      <h2>Backends marked down in this isolate</h2>
      {report.isolateMarks.length === 0 ? (
        <p class="note">None: no backend refused a connection or timed out lately here.</p>
      ) : (
        <table class="cards">
          <thead>
            <tr>
              <th>Backend</th>
              <th>Skipped until</th>
            </tr>
          </thead>
          <tbody>
            {report.isolateMarks.map((mark) => (
              <tr>
                <td data-label="Backend" class="mono">
                  {mark.origin}
                </td>
                <td data-label="Skipped until">{mark.until}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Shared down marks (dead: sets)</h2>
      <p class="note">
        SHARED_DOWN_MARKS is{" "}
        {report.sharedDownMarks ? "on: isolates share these marks" : "off: the router neither writes nor reads them"}.
      </p>
      {report.deadSets.length === 0 ? (
        <p class="note">No dead: set exists.</p>
      ) : (
        <table class="cards">
          <thead>
            <tr>
              <th>Set</th>
              <th>Backends marked</th>
              <th>TTL</th>
            </tr>
          </thead>
          <tbody>
            {report.deadSets.map((set) => (
              <tr>
                <td data-label="Set" class="mono">
                  {set.key}
                </td>
                <td data-label="Backends marked" class="mono">
                  {set.members.join(", ")}
                </td>
                <td data-label="TTL">{set.ttl === null ? "none" : `${set.ttl}s`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.deadSetsCut && <p class="note">More sets exist than shown (the first 100).</p>}
    </Layout>
  );
}
