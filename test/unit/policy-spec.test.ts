import { describe, expect, it } from "vitest";
import { readStickyCookie } from "../../src/dispatch/sticky.ts";
import { hashPassword } from "../../src/lib/password-hash.ts";
import { type ForwardAction, type RedirectAction } from "../../src/route-value/route.ts";
import { RouteSyntaxError } from "../../src/route-value/route-syntax-error.ts";
import { parseRouteValue } from "../../src/route-value/value.ts";

function refusal(value: unknown): string {
  try {
    parseRouteValue(JSON.stringify(value));
  } catch (error) {
    if (error instanceof RouteSyntaxError) return error.message;
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(value)}`);
}
const forward = (value: unknown) => parseRouteValue(JSON.stringify(value)).fallback as ForwardAction;
const hash = await hashPassword("s3cret", 10_000);

describe("policies in a route value", () => {
  it("reads every policy with Traefik's names and defaults", () => {
    const action = forward({
      backends: "10.0.0.1:80",
      basicAuth: { users: [`alice:${hash}`] },
      ipAllowList: { sourceRange: ["192.0.2.0/24", "2001:db8::/32", "198.51.100.7"] },
      rateLimit: { average: 100 },
      maintenance: true,
    });
    expect(action.policies?.basicAuth).toMatchObject({ realm: "Restricted", removeHeader: false });
    expect(action.policies?.basicAuth?.users.get("alice")?.iterations).toBe(10_000);
    expect(action.policies?.ipAllowList?.ranges).toHaveLength(3);
    expect(action.policies?.rateLimit).toEqual({ average: 100, periodMs: 1000, burst: 1 });
    expect(action.policies?.maintenance).toEqual({ message: "The service is down for maintenance.", retryAfter: 300 });
  });

  it("costs nothing on a route without policies", () => {
    expect(forward({ backends: "10.0.0.1:80" }).policies).toBeUndefined();
    expect("policies" in forward({ backends: "10.0.0.1:80" })).toBe(false);
  });

  it("removeHeader drops Authorization through a header edit", () => {
    const action = forward({ backends: "a:1", basicAuth: { users: [`alice:${hash}`], removeHeader: true } });
    expect(action.requestHeaders).toEqual([["authorization", null]]);
  });

  it("lets a paths entry replace or turn off the route's policy, and inherit the others", () => {
    const spec = parseRouteValue(
      JSON.stringify({
        backends: "a:1",
        ipAllowList: { sourceRange: ["10.0.0.0/8"] },
        rateLimit: { average: 5, period: "10s", burst: 5 },
        paths: {
          "/admin": { backends: "b:1", basicAuth: { users: [`root:${hash}`] } },
          "/health": { backends: "a:1", ipAllowList: null, rateLimit: null },
          "/static": "c:1",
        },
      }),
    );
    const rule = (prefix: string) => spec.paths.find((p) => p.prefix === prefix)?.action;
    expect(rule("/admin")?.policies?.basicAuth?.users.has("root")).toBe(true);
    expect(rule("/admin")?.policies?.ipAllowList?.sourceRange).toEqual(["10.0.0.0/8"]);
    expect(rule("/health")?.policies).toBeUndefined();
    expect(rule("/static")?.policies?.rateLimit?.periodMs).toBe(10_000);
  });

  it("applies policies to a redirect too", () => {
    const action = parseRouteValue(JSON.stringify({ redirect: "https://x.example", maintenance: true }))
      .fallback as RedirectAction;
    expect(action.policies?.maintenance?.retryAfter).toBe(300);
  });

  it.each([
    [{ backends: "a:1", basicAuth: { users: ["alice:s3cret"] } }, '"basicAuth".users[0] (user "alice")', "plaintext"],
    [{ backends: "a:1", basicAuth: { users: ["alice:$apr1$x$y"] } }, '"basicAuth".users[0]', "apr1"],
    [{ backends: "a:1", basicAuth: { users: [] } }, '"basicAuth".users', "1 to 100"],
    [{ backends: "a:1", basicAuth: { users: [`a:${hash}`], realm: 'x"\n' } }, '"basicAuth".realm', "printable"],
    [{ backends: "a:1", basicAuth: { user: [] } }, '"basicAuth": unknown field "user"', "users"],
    [{ backends: "a:1", ipAllowList: { sourceRange: ["10.0.0.0/33"] } }, '"ipAllowList".sourceRange[0]', "/33"],
    [{ backends: "a:1", ipAllowList: { sourceRange: ["10.0.0.300"] } }, '"ipAllowList".sourceRange[0]', "not an IPv4"],
    [{ backends: "a:1", ipAllowList: { sourceRange: "10.0.0.0/8" } }, '"ipAllowList".sourceRange', "a list"],
    [{ backends: "a:1", rateLimit: { average: 0 } }, '"rateLimit".average', "from 1"],
    [{ backends: "a:1", rateLimit: { average: 5, period: "10 parsecs" } }, '"rateLimit".period', "duration"],
    [{ backends: "a:1", rateLimit: { average: 5, burst: 1.5 } }, '"rateLimit".burst', "whole"],
    [{ backends: "a:1", maintenance: { retryAfter: -1 } }, '"maintenance".retryAfter', "whole seconds"],
    [{ backends: "a:1", maintenance: "yes" }, '"maintenance" must be an object', "message"],
    [{ paths: { "/a": { backends: "a:1", rateLimit: { average: "x" } } } }, 'paths["/a"].rateLimit.average', "from 1"],
    [{ backends: [{ url: "a:1", weight: -1 }] }, '"backends"[0].weight', "0 (drained)"],
    [{ backends: [{ url: "a:1", weight: 0 }] }, '"backends": every backend has weight 0', "at least one"],
    [{ backends: [{ host: "a:1" }] }, '"backends"[0]: unknown field "host"', "url, weight"],
    [{ backends: "a:1", sticky: { cookie: { name: "a b" } } }, '"sticky".cookie.name', "cookie name"],
    [{ backends: "a:1", sticky: { cookie: { sameSite: "lox" } } }, '"sticky".cookie.sameSite', "lax"],
    [{ backends: "a:1", sticky: true }, '"sticky" must be', "cookie"],
    [{ redirect: "https://x.example", sticky: { cookie: {} } }, '"sticky" cannot be combined with "redirect"', ""],
  ])("refuses %j, naming %s", (value, where, why) => {
    const message = refusal(value);
    expect(message).toContain(where);
    expect(message).toContain(why);
  });

  it("never echoes a refused password", () => {
    expect(refusal({ backends: "a:1", basicAuth: { users: ["alice:hunter2"] } })).not.toContain("hunter2");
  });
});

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
    const sticky = await readStickyCookie(new Request("http://a.test/"), action, "a secret of the router's");
    expect(sticky?.ids).toHaveLength(2);
    expect(sticky?.ids[0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(sticky?.ids[0]).not.toBe(sticky?.ids[1]);
    expect(sticky?.setCookies[0]).toBe(`lb=${sticky?.ids[0] ?? ""}; Path=/; HttpOnly; Secure; SameSite=Lax`);
    expect(sticky?.setCookies.join()).not.toContain("10.0.0");
  });
});
