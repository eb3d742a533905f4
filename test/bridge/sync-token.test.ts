/**
 * `upstash-sync-token` per write (issue 23): @upstash/redis's "Read Your
 * Writes" suite checks that the token changes after each element of a
 * Promise.all of writes. Each response must carry the token as of its own
 * write, not whatever the counter says when the response is written.
 */
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, TOKEN, type Harness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** A client as an application holds one: read-your-writes on (the default), one request per command. */
const client = () =>
  new Redis({ url: h.bridge.url, token: TOKEN, enableTelemetry: false, retry: false, enableAutoPipelining: false });

describe("read your writes: a sync token per write", () => {
  it("gives two writes run with Promise.all through @upstash/redis two different tokens, and reads see both", async () => {
    const tokens = new Set<string>();
    // Many rounds: whether two replies come back in one read from Redis is up to the scheduler.
    for (let round = 0; round < 25; round++) {
      const [a, b] = [client(), client()];
      await Promise.all([a.set(`ryw:a:${round}`, "1"), b.set(`ryw:b:${round}`, "2")]);
      const [tokenA, tokenB] = [a.readYourWritesSyncToken ?? "", b.readYourWritesSyncToken ?? ""];
      expect(tokenA, `round ${round}`).not.toBe(tokenB);
      tokens.add(tokenA).add(tokenB);
      // A reader that carries the later token sees both writes.
      const reader = client();
      reader.readYourWritesSyncToken = String(Math.max(Number(tokenA), Number(tokenB)));
      expect(await reader.mget(`ryw:a:${round}`, `ryw:b:${round}`)).toEqual([1, 2]);
    }
    expect(tokens.size).toBe(50);
  });

  it("answers ten concurrent writes with ten different, growing tokens", async () => {
    const write = async (i: number) => {
      const response = await fetch(`${h.bridge.url}/`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(["SET", `ryw:many:${i}`, String(i)]),
      });
      await response.json();
      return Number(response.headers.get("upstash-sync-token"));
    };
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => write(i)));
    expect(new Set(tokens).size).toBe(10);
    const read = await fetch(`${h.bridge.url}/get/ryw:many:0`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    await read.json();
    // A read answered after all of them carries at least the newest write's token.
    expect(Number(read.headers.get("upstash-sync-token"))).toBe(Math.max(...tokens));
  });
});
