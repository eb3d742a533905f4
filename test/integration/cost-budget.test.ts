import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOwnStack, type OwnStack } from "../support/bridges.ts";
import { send } from "../support/http.ts";
import { routesClient, uniqueHost } from "../support/stack.ts";
import { eventually } from "../support/wait.ts";

const redis = routesClient();
let stack: OwnStack<"app">;

beforeAll(async () => {
  stack = await startOwnStack(
    {
      // Two cold lookups at once, then one every 10 s: the third unknown host is refused.
      SERVER_TIMING: "true",
      LOOKUP_BUDGET_PER_SECOND: "1",
      LOOKUP_BUDGET_BURST: "2",
      ROUTE_CACHE_TTL_MS: "60000",
    },
    ["app"],
  );
});
afterAll(() => stack.close());

describe("lookup budget (LOOKUP_BUDGET_PER_SECOND)", () => {
  it("past the budget an uncached host gets 503 + Retry-After: 1 with no store call; cached hosts are served; one log line", async () => {
    const known = uniqueHost("budget-known");
    await redis.set(known, stack.apps.app.address);
    expect((await send(stack.router.url, { host: known })).status).toBe(200);
    expect((await send(stack.router.url, { host: uniqueHost("budget-first") })).status).toBe(403);

    const refused = [uniqueHost("budget-refused"), uniqueHost("budget-refused")];
    for (const host of refused) {
      const reply = await send(stack.router.url, { host, headers: { accept: "application/json" } });
      expect(reply.status).toBe(503);
      expect(reply.headers["retry-after"]).toBe("1");
      expect(reply.headers["server-timing"]).toMatch(/^route;desc=refused;dur=/);
      expect(reply.json()).toMatchObject({
        status: 503,
        error: "lookup_budget",
        message: "Too many new host names at once; try again in a moment.",
      });
      expect(stack.bridge.readsOf(host)).toBe(0);
    }
    // A host with a cached route is never refused.
    for (let i = 0; i < 5; i++) expect((await send(stack.router.url, { host: known })).status).toBe(200);
    await eventually(() => stack.router.logs.some((line) => line.startsWith("route lookups refused: 1 ")));
    // The second refusal falls in the same log interval: counted, not logged.
    expect(stack.router.logs.filter((line) => line.startsWith("route lookups refused"))).toHaveLength(1);
  });
});
