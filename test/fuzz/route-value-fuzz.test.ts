import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRuntime, type RunningRuntime } from "../../scripts/lib/runtime.ts";
import { buildWorkerBundle, readWranglerToml, ROOT } from "../../scripts/lib/worker-bundle.ts";
import { verdict, type StoredValue, type Verdict } from "./parser-worker/verdict.ts";

/** FUZZ_RUNS=100000 for a longer run; the seed keeps CI repeatable. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);

let workDir: string;
let parser: RunningRuntime;

beforeAll(async () => {
  // The parser worker is built the way the router is (wrangler deploy --dry-run), on the router's compatibility date.
  workDir = mkdtempSync(join(tmpdir(), "route-value-fuzz-"));
  const { compatibilityDate } = readWranglerToml(join(ROOT, "wrangler.toml"));
  const config = join(workDir, "wrangler.toml");
  const main = join(import.meta.dirname, "parser-worker", "index.ts");
  writeFileSync(
    config,
    `name = "route-value-parser"\nmain = ${JSON.stringify(main)}\ncompatibility_date = "${compatibilityDate}"\n`,
  );
  parser = await startRuntime({ bundle: buildWorkerBundle(join(workDir, "bundle"), config) });
}, 60_000);
afterAll(async () => {
  await parser?.dispose();
  rmSync(workDir, { recursive: true, force: true });
});

/** Verdicts from inside workerd, in one round trip. */
async function workerdVerdicts(values: readonly StoredValue[]): Promise<Verdict[]> {
  const response = await fetch(parser.url, { method: "POST", body: JSON.stringify(values) });
  expect(response.status).toBe(200);
  return (await response.json()) as Verdict[];
}

// Upstreams as operators write them, and as they mistype them.
const scheme = fc.constantFrom("", "", "http://", "https://", "HTTP://", "ftp://", "http:/", "//", "ws://");
const hostName = fc.oneof(
  fc.domain(),
  fc.ipV4(),
  fc.ipV6().map((address) => `[${address}]`),
  fc.ipV4Extended(),
  fc.constantFrom("localhost", "bücher.example", "xn--bcher-kva.example", "a..b", "-a.example", "_svc.internal", ""),
  fc.string({ maxLength: 12 }),
);
const port = fc.oneof(
  fc.constant(""),
  fc.integer({ min: 0, max: 70000 }).map((n) => `:${n}`),
  fc.constantFrom(":", ":080", ":-1", ": 80", ":0x50"),
);
const tail = fc.oneof(
  fc.constant(""),
  fc.webPath(),
  fc.constantFrom("/v2/", "?q=1", "#frag", "/a b", "/%zz", "/..", "\\x"),
);
const upstream = fc
  .tuple(scheme, fc.constantFrom("", "", "", "user:pw@"), hostName, port, tail)
  .map((parts) => parts.join(""));
/** Mostly `good`, now and then `bad`: values that pass the parser often enough to compare routes, not only refusals. */
function mostly<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: good, weight: 9 }, { arbitrary: bad, weight: 1 });
}
const wellFormedUpstream = fc
  .tuple(
    fc.constantFrom("", "http://", "https://"),
    fc.oneof(
      fc.domain(),
      fc.ipV4(),
      fc.ipV6().map((address) => `[${address}]`),
    ),
    fc.oneof(
      fc.constant(""),
      fc.integer({ min: 1, max: 65535 }).map((n) => `:${n}`),
    ),
    fc.oneof(
      fc.constant(""),
      fc.webSegment().map((segment) => `/${segment}`),
    ),
  )
  .map((parts) => parts.join(""));
const backends = mostly(
  fc.oneof(wellFormedUpstream, fc.array(wellFormedUpstream, { minLength: 1, maxLength: 3 })),
  fc.oneof(upstream, fc.array(upstream, { maxLength: 3 }), fc.jsonValue()),
);
const headerEdits = mostly(
  fc.dictionary(
    fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,11}$/),
    fc.oneof(fc.string({ unit: "grapheme-ascii", maxLength: 12 }), fc.constant(null)),
    { maxKeys: 3 },
  ),
  fc.jsonValue(),
);
const forwardSettings = {
  backends,
  strategy: mostly(fc.constantFrom("random", "round-robin"), fc.jsonValue()),
  timeout: mostly(fc.double({ min: 0.001, max: 600, noNaN: true }), fc.jsonValue()),
  network: mostly(fc.constantFrom("public", "PRIVATE_NETWORK", "STAGING_NETWORK"), fc.jsonValue()),
  requestHeaders: headerEdits,
  responseHeaders: headerEdits,
};
const redirectSettings = {
  redirect: mostly(wellFormedUpstream, upstream),
  status: mostly(fc.constantFrom(301, 302, 307, 308), fc.jsonValue()),
  responseHeaders: headerEdits,
};
const pathEntry = fc.oneof(
  wellFormedUpstream,
  fc.array(wellFormedUpstream, { minLength: 1, maxLength: 2 }),
  fc.record({ ...forwardSettings, strip: mostly(fc.boolean(), fc.jsonValue()) }, { requiredKeys: ["backends"] }),
  fc.record({ ...redirectSettings, strip: fc.boolean() }, { requiredKeys: ["redirect"] }),
);
const paths = mostly(
  fc.dictionary(
    mostly(
      fc.webSegment().map((segment) => `/${segment}`),
      fc.string({ maxLength: 5 }),
    ) as fc.Arbitrary<string>,
    pathEntry,
    { minKeys: 1, maxKeys: 3 },
  ),
  fc.jsonValue(),
);
const jsonRoute = fc
  .oneof(
    fc.record({ ...forwardSettings, paths }, { requiredKeys: ["backends"] }),
    fc.record({ ...redirectSettings, paths }, { requiredKeys: ["redirect"] }),
    fc.record({ paths }, { requiredKeys: ["paths"] }),
  )
  .chain((route) =>
    // Now and then a field the parser does not know.
    fc.oneof(
      { arbitrary: fc.constant<object>(route), weight: 9 },
      { arbitrary: fc.jsonValue().map((extra) => ({ ...route, extra })), weight: 1 },
    ),
  )
  .map((route) => JSON.stringify(route));
const storedValue: fc.Arbitrary<StoredValue> = fc.oneof(
  upstream.map((value) => ({ value })),
  fc.tuple(fc.constantFrom("", " ", "\t", "\n"), upstream, fc.constantFrom("", " ", "\r\n")).map((parts) => ({
    value: parts.join(""),
  })),
  jsonRoute.map((value) => ({ value })),
  jsonRoute.map((value) => ({ value: value.slice(0, value.length - 3) })),
  fc.jsonValue().map((json) => ({ value: JSON.stringify(json) })),
  fc.string({ unit: "binary", maxLength: 40 }).map((value) => ({ value })),
  fc.array(upstream, { maxLength: 4 }).map((items) => ({ list: ["site", ...items] })),
  fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }).map((list) => ({ list })),
);

describe("fuzzed route values", () => {
  it(`the routes CLI (Node) and the router (workerd) make the same of every value: same route or same refusal, never a crash (${RUNS} values)`, async () => {
    const values = fc.sample(storedValue, { numRuns: RUNS, seed: SEED });
    const inNode = values.map(verdict);
    const inWorkerd = await workerdVerdicts(values);
    const crashes = inNode.concat(inWorkerd).filter((one) => "crashed" in one);
    expect(crashes).toEqual([]);
    const differences = values
      .map((value, i) => ({ value, node: inNode[i], workerd: inWorkerd[i] }))
      .filter(({ node, workerd }) => JSON.stringify(node) !== JSON.stringify(workerd));
    expect(differences.slice(0, 5)).toEqual([]);
    // The sample is not all refusals: both verdicts are well represented.
    const accepted = inNode.filter((one) => "route" in one).length;
    expect(accepted).toBeGreaterThan(RUNS / 10);
    expect(RUNS - accepted).toBeGreaterThan(RUNS / 10);
  });
});
