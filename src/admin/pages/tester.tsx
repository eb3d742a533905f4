import type { TestReport } from "../tester.ts";
import { html, Layout } from "./layout.tsx";

export interface TesterProps {
  readonly host: string;
  readonly path: string;
  readonly report: TestReport | null;
  /** A refused input or a store failure, said instead of a report. */
  readonly problem: string | null;
  readonly commands: number;
}

const STATE_CLASS: Record<string, string> = {
  match: "tag good",
  invalid: "tag bad",
  missing: "tag",
  "not needed": "muted",
};

function Report(props: { readonly report: TestReport }) {
  const { report } = props;
  const answered = report.status !== null;
  return (
    <section>
      <p class={answered && report.status !== null && report.status >= 400 ? "banner bad" : "banner good"}>
        {answered && <b>{report.status} · </b>}
        {report.outcome}
      </p>
      <h2>Keys read</h2>
      <p class="note">
        {report.candidates.length} keys in one round trip ({report.commands} command{report.commands === 1 ? "" : "s"}),
        most specific first; the first key that exists decides.
      </p>
      <table>
        <thead>
          <tr>
            <th>Key</th>
            <th>Read as</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          {report.candidates.map((c) => (
            <tr>
              <td data-label="Key" class="mono">
                {c.key}
              </td>
              <td data-label="Read as">{c.format === "string" ? "string" : "Hipache list"}</td>
              <td data-label="State">
                <span class={STATE_CLASS[c.state] ?? "tag"}>{c.state === "match" ? "← decides" : c.state}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.decided && (
        <>
          <h2>Decision</h2>
          <dl class="fields">
            <dt>key</dt>
            <dd class="mono">{report.decided}</dd>
            {report.why && (
              <>
                <dt>why</dt>
                <dd>{report.why}</dd>
              </>
            )}
            {report.problem && (
              <>
                <dt>problem</dt>
                <dd class="bad">{report.problem}</dd>
              </>
            )}
            {report.pathRule && (
              <>
                <dt>path</dt>
                <dd>{report.pathRule}</dd>
              </>
            )}
          </dl>
        </>
      )}
      {report.backends.length > 0 && (
        <>
          <h2>Backends</h2>
          <ol>
            {report.backends.map((b) => (
              <li>
                <span class="mono">{b.sent}</span>
                <span class="muted"> · {b.via === "public" ? "direct" : `through ${b.via}`}</span>
                {b.down && <span class="warn"> · marked down ({b.down}): skipped while another is up</span>}
              </li>
            ))}
          </ol>
          {report.choice.map((line) => (
            <p class="note">{line}</p>
          ))}
        </>
      )}
    </section>
  );
}

export function testerHtml(props: TesterProps): string {
  return html(<TesterPage {...props} />);
}

function TesterPage(props: TesterProps) {
  return (
    <Layout title="Host tester" page="tester" commands={props.commands}>
      <h1>Host tester</h1>
      <p class="note">
        What the router would do with a request, and why: the same story as <code>npm run routes -- test</code>.
      </p>
      <form class="inline" method="get" action="/tester">
        <label>
          Host
          <input type="text" name="host" value={props.host} placeholder="app.example.com" required />
        </label>
        <label>
          Path
          <input type="text" name="path" value={props.path} placeholder="/" />
        </label>
        <button class="primary" type="submit">
          Test
        </button>
      </form>
      {props.problem && <p class="banner bad">{props.problem}</p>}
      {props.report && <Report report={props.report} />}
    </Layout>
  );
}
