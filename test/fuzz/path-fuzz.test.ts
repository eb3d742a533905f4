import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalPath } from "../../src/receive/canonical-path.ts";
import { rawRequest } from "../support/raw.ts";
import { routedHost, startRouter, type RouterUnderTest } from "../support/stack.ts";
import { startHttpUpstream, type TestUpstream } from "../support/upstream.ts";

/** FUZZ_RUNS=20000 npm test -- test/fuzz for a longer run; the seed keeps CI repeatable. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 600);
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);

// A route whose /admin rule adds an ipAllowList the test's own address is
// outside of: no spelling of /admin may reach the upstream. The upstream
// records every request target it gets.
let router: RouterUnderTest;
let upstream: TestUpstream;
let host: string;
const seen: string[] = [];

beforeAll(async () => {
  [router, upstream] = await Promise.all([
    startRouter(),
    startHttpUpstream((request, response) => {
      seen.push(request.url ?? "");
      response.writeHead(200).end("ok");
    }),
  ]);
  host = await routedHost(
    "path-fuzz",
    JSON.stringify({
      backends: upstream.address,
      paths: { "/admin": { backends: upstream.address, ipAllowList: { sourceRange: ["192.0.2.0/24"] } } },
    }),
  );
});
afterAll(async () => {
  await Promise.all([router.dispose(), upstream.close()]);
});

/** Spellings of `admin` and of other segments an attacker mixes in. */
const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("admin", "%61dmin", "adm%69n", "%61%64%6d%69%6e", "%41dmin", "ADMIN") },
  { weight: 3, arbitrary: fc.constantFrom(".", "..", "%2e", "%2E%2e", ".%2e", "", "x", "health", "%7e", "a%20b") },
  { weight: 1, arbitrary: fc.constantFrom("%", "%zz", "%00", "%3b", ";x", "%25", "%3f", "%23", "%c3%a9") },
  { weight: 1, arbitrary: fc.constantFrom("admin;x", "..;", ".;", "..;x=1", "%2e%2e;", "admin;") },
);
/** What goes between segments: slashes, a backslash (the URL parser's `/`), or an encoded separator. */
const separator = fc.oneof(
  { weight: 6, arbitrary: fc.constant("/") },
  { weight: 2, arbitrary: fc.constantFrom("//", "\\", "/./") },
  { weight: 1, arbitrary: fc.constantFrom("%2f", "%2F", "%5c", "%5C") },
);
const spelling = fc
  .array(fc.tuple(separator, segment), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.map(([sep, seg]) => sep + seg).join(""))
  .map((path) => (path.startsWith("/") ? path : `/${path}`));

/**
 * What an upstream that decodes everything would serve (nginx, Go, Django):
 * every escape decoded, `\` as `/`, dot segments resolved, slashes merged;
 * with `servlet`, each segment's `;` parameters dropped first, as Tomcat does.
 */
function asAnUpstreamReadsIt(path: string, servlet: boolean): string {
  const decoded = path.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const segments: string[] = [];
  for (const raw of decoded.replace(/\\/g, "/").split("/")) {
    const part = servlet ? raw.replace(/;.*$/, "") : raw;
    if (part === "..") segments.pop();
    else if (part !== "." && part !== "") segments.push(part);
  }
  return `/${segments.join("/")}`;
}

const underAdmin = (path: string) => /^\/admin(\/|$)/.test(path);

describe("fuzzed request paths", () => {
  it(`no spelling of a path protected by a rule reaches the upstream without the rule's policy (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(spelling, fc.constantFrom("", "?q=%2F..//admin", "?a=1"), async (path, query) => {
        seen.length = 0;
        const reply = await rawRequest(
          router.url,
          `GET ${path}${query} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
        );
        if (seen.length === 0) {
          // Refused: an encoded separator or a bad escape (400), the allow list (403); or the
          // runtime's HTTP layer refused the request line before the worker ran.
          expect([400, 403]).toContain(reply.status);
          return;
        }
        expect(reply.status).toBe(200);
        const [received = "", ...rest] = seen;
        expect(rest).toEqual([]);
        const queryAt = received.indexOf("?");
        const sentPath = queryAt === -1 ? received : received.slice(0, queryAt);
        // The upstream got a canonical path, the query as sent, and nothing it could read as /admin.
        expect(canonicalPath(sentPath)).toBe(sentPath);
        expect(received.slice(sentPath.length)).toBe(query);
        expect(underAdmin(sentPath), sentPath).toBe(false);
        expect(underAdmin(asAnUpstreamReadsIt(sentPath, false)), sentPath).toBe(false);
        expect(underAdmin(asAnUpstreamReadsIt(sentPath, true)), sentPath).toBe(false);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  }, 300_000);
});
