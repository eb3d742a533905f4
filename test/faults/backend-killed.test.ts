/**
 * Fault: one of a route's two backends is killed while requests stream in,
 * some of them held by that backend at the moment it dies.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { send } from "../support/http.ts";
import { routesClient, startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";
import { startUpstreamProcess } from "../support/upstream.ts";
import { until } from "../support/wait.ts";

const redis = routesClient();
let router: RouterUnderTest;
let survivor: RunningDemoApp;

beforeAll(async () => {
  [router, survivor] = await Promise.all([startRouter(), startDemoApp({ name: "survivor" })]);
});
afterAll(async () => {
  await Promise.all([router.dispose(), survivor.close()]);
});

/** Idempotent methods (RFC 9110 §9.2.2); PUT carries a small body, which the router keeps for a replay. */
const METHODS = ["GET", "HEAD", "GET", "PUT", "GET", "DELETE", "GET", "OPTIONS"];
const CONCURRENCY = 12;
const TOTAL = 240;
/** The victim is killed once this many requests have been answered and it holds at least a few. */
const KILL_AFTER = 60;

describe("one of two backends killed under load", () => {
  it("SIGKILL of a backend holding requests: zero failed idempotent requests", async () => {
    // The victim answers after 40 ms, so at any moment it holds several requests.
    const victim = await startUpstreamProcess({ name: "victim", delayMs: 40 });
    const host = uniqueHost("killed-backend");
    await redis.set(host, JSON.stringify({ backends: [victim.address, survivor.address], strategy: "round-robin" }));

    const answers: { method: string; status: number; app: string }[] = [];
    let issued = 0;
    let heldAtKill = -1;
    let answeredByVictimAtKill = -1;
    let killing: Promise<void> | null = null;
    const answeredBy = (app: string) => answers.filter((answer) => answer.app === app).length;
    async function client(): Promise<void> {
      while (issued < TOTAL) {
        const method = METHODS[issued++ % METHODS.length] ?? "GET";
        const reply = await send(router.url, { host, method, body: method === "PUT" ? "put body" : undefined });
        answers.push({ method, status: reply.status, app: String(reply.headers["x-app"] ?? "") });
      }
    }
    async function killer(): Promise<void> {
      await until(() => answers.length >= KILL_AFTER && victim.inFlight >= 3, 20_000);
      heldAtKill = victim.inFlight;
      answeredByVictimAtKill = answeredBy("victim");
      killing = victim.kill();
      await killing;
    }
    await Promise.all([killer(), ...Array.from({ length: CONCURRENCY }, () => client())]);

    const failed = answers.filter((answer) => answer.status !== 200);
    expect(failed).toEqual([]);
    expect(answers).toHaveLength(TOTAL);
    // The kill did happen mid-stream, with requests held by the victim: those
    // were retried on the survivor.
    expect(heldAtKill).toBeGreaterThanOrEqual(3);
    expect(answeredByVictimAtKill).toBeGreaterThan(0);
    expect(answeredBy("victim")).toBeLessThanOrEqual(answeredByVictimAtKill + heldAtKill);
    expect(answeredBy("survivor")).toBe(TOTAL - answeredBy("victim"));
    expect(router.logs.join("\n")).toMatch(
      /backend http:\/\/127\.0\.0\.1:\d+ of .* failed .*; trying the next backend/,
    );
  });
});
