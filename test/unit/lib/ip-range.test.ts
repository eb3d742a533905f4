import { describe, expect, it } from "vitest";
import { inRanges, parseCidr, type CidrRange } from "../../../src/lib/ip-range.ts";
import { constantTimeEqual } from "../../../src/lib/crypto.ts";
import { deriveKey, hashPassword, parsePasswordHash } from "../../../src/lib/password-hash.ts";
import { orderBackends } from "../../../src/dispatch/balance.ts";
import type { ForwardAction } from "../../../src/route-value/route.ts";
import { parseRouteValue } from "../../../src/route-value/value.ts";

const forward = (value: unknown) => parseRouteValue(JSON.stringify(value)).fallback as ForwardAction;
const first = (action: ForwardAction, downUntil: (origin: string) => number = () => 0) =>
  (orderBackends(action, { key: "k", now: 100, downUntil })[0]?.origin ?? "").slice(7);

describe("weighted backends", () => {
  it("spreads smooth weighted round robin as nginx does: 5:1:1 is a a b a c a a", () => {
    const action = forward({ backends: [{ url: "a", weight: 5 }, { url: "b" }, { url: "c" }] });
    expect(Array.from({ length: 7 }, () => first(action)).join(" ")).toBe("a a b a c a a");
  });

  it("sends 9:1 exactly over 1,000 requests", () => {
    const action = forward({
      backends: [
        { url: "a", weight: 9 },
        { url: "b", weight: 1 },
      ],
    });
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 1000; i++) counts[first(action) as "a" | "b"]++;
    expect(counts).toEqual({ a: 900, b: 100 });
  });

  it("random in proportion to the weights, within 5 points over 1,000 requests", () => {
    const action = forward({
      backends: [
        { url: "a", weight: 9 },
        { url: "b", weight: 1 },
      ],
      strategy: "random",
    });
    let a = 0;
    for (let i = 0; i < 1000; i++) if (first(action) === "a") a++;
    expect(Math.abs(a / 10 - 90)).toBeLessThanOrEqual(5);
  });

  it("gives a drained backend (weight 0) no traffic and skips one marked down", () => {
    const action = forward({
      backends: [
        { url: "a", weight: 0 },
        { url: "b", weight: 1 },
        { url: "c", weight: 1 },
      ],
    });
    const seen = new Set(Array.from({ length: 20 }, () => first(action, (o) => (o === "http://c" ? 500 : 0))));
    expect([...seen]).toEqual(["b"]);
    const order = orderBackends(action, { key: "k", now: 100, downUntil: () => 500 });
    expect(order.map((b) => b.origin)).toEqual(["http://b", "http://c"]);
  });
});

describe("ip ranges", () => {
  const ranges = ["192.0.2.0/24", "2001:db8::/32", "198.51.100.7", "::ffff:203.0.113.0/120"].map(
    (text) => parseCidr(text) as CidrRange,
  );
  it.each([
    ["192.0.2.77", true],
    ["192.0.3.1", false],
    ["198.51.100.7", true],
    ["198.51.100.8", false],
    ["2001:db8:1::5", true],
    ["2001:db9::1", false],
    ["::ffff:192.0.2.9", true],
    ["203.0.113.200", true],
    ["not an address", false],
    ["", false],
  ])("%s inside: %s", (address, inside) => {
    expect(inRanges(address, ranges)).toBe(inside);
  });
});

describe("password hashes", () => {
  it("round-trips a PBKDF2 hash and compares in constant time", async () => {
    const text = await hashPassword("correct horse", 10_000);
    expect(text).toMatch(/^\$pbkdf2-sha256\$i=10000\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    const hash = parsePasswordHash(text);
    if (typeof hash === "string") throw new Error(hash);
    expect(constantTimeEqual(await deriveKey("correct horse", hash.salt, hash.iterations), hash.key)).toBe(true);
    expect(constantTimeEqual(await deriveKey("correct horsf", hash.salt, hash.iterations), hash.key)).toBe(false);
    expect(constantTimeEqual(new Uint8Array(3), new Uint8Array(4))).toBe(false);
  });

  it("refuses what it cannot verify cheaply", () => {
    expect(parsePasswordHash("$pbkdf2-sha256$i=500000$c2FsdHNhbHQ$x")).toContain("from 10000 to 100000");
    expect(parsePasswordHash("$2y$10$abcdefghijklmnopqrstuv")).toContain("bcrypt");
  });
});
