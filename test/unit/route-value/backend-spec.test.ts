import { describe, expect, it } from "vitest";
import { readStickyCookie } from "../../../src/dispatch/sticky.ts";
import { type ForwardAction } from "../../../src/route-value/route.ts";
import { parseRouteValue } from "../../../src/route-value/value.ts";

const forward = (value: unknown) => parseRouteValue(JSON.stringify(value)).fallback as ForwardAction;

describe("weights and sticky in a route value", () => {
  it("keeps plain strings at weight 1 and turns round robin on for weights", () => {
    const action = forward({ backends: [{ url: "a:1", weight: 9 }, "b:1", { url: "c:1", weight: 0 }] });
    expect(action.weights).toEqual([9, 1, 0]);
    expect(action.strategy).toBe("round-robin");
    expect(forward({ backends: [{ url: "a:1", weight: 2 }, "b:1"], strategy: "random" }).strategy).toBe("random");
    expect(forward({ backends: ["a:1", "b:1"] })).not.toHaveProperty("weights");
  });

  it("names each backend in the cookie by an opaque id, never its address", async () => {
    const action = forward({
      backends: ["10.0.0.1:8080", "10.0.0.2:8080"],
      sticky: { cookie: { name: "lb", secure: true, httpOnly: true, sameSite: "lax" } },
    });
    expect(action.sticky).toEqual({ name: "lb", attributes: "; Path=/; HttpOnly; Secure; SameSite=Lax" });
    const sticky = await readStickyCookie(
      new Request("http://a.test/"),
      action,
      "a secret of the router's",
      "a.test\n",
    );
    expect(sticky?.ids).toHaveLength(2);
    expect(sticky?.ids[0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(sticky?.ids[0]).not.toBe(sticky?.ids[1]);
    expect(sticky?.setCookies[0]).toBe(`lb=${sticky?.ids[0] ?? ""}; Path=/; HttpOnly; Secure; SameSite=Lax`);
    expect(sticky?.setCookies.join()).not.toContain("10.0.0");
    // Another route's value for the same backend is another value.
    const elsewhere = await readStickyCookie(
      new Request("http://b.test/"),
      action,
      "a secret of the router's",
      "b.test\n",
    );
    expect(elsewhere?.ids[0]).not.toBe(sticky?.ids[0]);
  });
});
