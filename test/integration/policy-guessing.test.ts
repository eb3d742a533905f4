import { afterEach, describe, expect, it, inject, vi } from "vitest";
import { clientKey, UNKNOWN_CLIENT } from "../../src/lib/client-key.ts";
import { hashPassword } from "../../src/lib/password-hash.ts";
import { enforcePolicies } from "../../src/policy/enforce.ts";
import { createLocalBuckets } from "../../src/policy/local-bucket.ts";
import { createRateLimiter } from "../../src/policy/rate-limiter.ts";
import { RouterError } from "../../src/errors.ts";
import type { ForwardAction } from "../../src/route-value/route.ts";
import { parseRouteValue } from "../../src/route-value/value.ts";
import { uniquePrefix } from "../support/stack.ts";

/*
 * Password guessing is bounded: a client past its rateLimit gets 429 with no
 * PBKDF2 at all. The hashes are counted, not timed: each verify is one
 * crypto.subtle.deriveBits call, watched (and still made) by a spy.
 */

const alice = `alice:${await hashPassword("right horse battery", 10_000)}`;

function policiesOf(rateLimit: object) {
  const action = parseRouteValue(JSON.stringify({ backends: "10.0.0.7:80", basicAuth: { users: [alice] }, rateLimit }))
    .fallback as ForwardAction;
  if (!action.policies) throw new Error("the route has policies");
  return action.policies;
}

/** The status enforcePolicies answers with (200: every policy passed). */
async function statusOf(run: Promise<void>): Promise<number> {
  try {
    await run;
    return 200;
  } catch (error) {
    if (error instanceof RouterError) return error.status;
    throw error;
  }
}

function basic(user: string, password: string): Request {
  return new Request("http://guarded.test/", { headers: { authorization: `Basic ${btoa(`${user}:${password}`)}` } });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("password guessing under a rateLimit", () => {
  it("50 wrong guesses with burst 5: the first 5 are hashed (401), the other 45 get 429 without a PBKDF2", async () => {
    // The real limiter, on the suite's Redis through the REST bridge.
    const limiter = createRateLimiter({
      url: inject("bridgeUrl"),
      token: inject("bridgeToken"),
      timeoutMs: 5000,
      prefix: uniquePrefix("guess"),
      logIntervalMs: 10_000,
    });
    const policies = policiesOf({ average: 1, period: "1m", burst: 5 });
    const facts = { clientIp: "198.51.100.7", ipv6Prefix: 64, scope: "guarded.test|", rateLimiter: () => limiter };
    const derive = vi.spyOn(crypto.subtle, "deriveBits");
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++)
      statuses.push(await statusOf(enforcePolicies(basic("alice", `guess-${i}`), policies, facts)));
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((status) => status === 429)).toBe(true);
    expect(derive).toHaveBeenCalledTimes(5);
    // Refused passwords counted: now even the right one waits, and costs nothing either.
    expect(await statusOf(enforcePolicies(basic("alice", "right horse battery"), policies, facts))).toBe(429);
    expect(derive).toHaveBeenCalledTimes(5);
  });
});

describe("clientKey: who shares a bucket", () => {
  it("counts the addresses of one IPv6 /64 as one client, and other /64s apart", () => {
    const a = clientKey("2001:db8:1:2::1", 64);
    expect(clientKey("2001:db8:1:2:ffff:ffff:ffff:ffff", 64)).toBe(a);
    expect(clientKey("2001:db8:1:3::1", 64)).not.toBe(a);
    expect(clientKey("2001:db8:1:2::1", 128)).not.toBe(clientKey("2001:db8:1:2::2", 128));
    expect(clientKey("2001:db8:1:2::1", 48)).toBe(clientKey("2001:db8:1:ffff::1", 48));
  });

  it("keeps IPv4 per address, IPv4-mapped IPv6 included; an unknown address is one shared bucket", () => {
    expect(clientKey("192.0.2.1")).toBe("192.0.2.1");
    expect(clientKey("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(clientKey("192.0.2.2")).not.toBe(clientKey("192.0.2.1"));
    expect(clientKey(null)).toBe(UNKNOWN_CLIENT);
    expect(clientKey("unknown")).toBe(UNKNOWN_CLIENT);
    expect(clientKey("203.0.113.5:51234")).toBe(UNKNOWN_CLIENT);
  });
});

describe("createLocalBuckets: the isolate's own token bucket", () => {
  it("allows burst at once, then one per average/period, with when to come back; a refund gives one back", () => {
    let now = 1_000_000;
    const buckets = createLocalBuckets({ now: () => now });
    const spec = { average: 1, periodMs: 10_000, burst: 3 };
    const taken = [1, 2, 3, 4].map(() => buckets.take("a", spec).allowed);
    expect(taken).toEqual([true, true, true, false]);
    expect(buckets.take("a", spec).reset).toBe(now + 10_000);
    expect(buckets.peek("a", spec).allowed).toBe(false);
    expect(buckets.take("b", spec).allowed).toBe(true);
    now += 10_000;
    expect(buckets.peek("a", spec).allowed).toBe(true);
    expect(buckets.take("a", spec).allowed).toBe(true);
    expect(buckets.take("a", spec).allowed).toBe(false);
    // A refund gives one token back, never more than the burst.
    buckets.refund("a", spec);
    expect(buckets.take("a", spec).allowed).toBe(true);
    for (let i = 0; i < 10; i++) buckets.refund("c", spec);
    expect([1, 2, 3, 4].map(() => buckets.take("c", spec).allowed)).toEqual([true, true, true, false]);
  });
});
