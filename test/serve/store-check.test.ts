/** The health listener's store check, cached for about a second (scripts/serve/store-check.ts), on a clock of our own. */
import { describe, expect, it } from "vitest";
import { cachedStoreCheck } from "../../scripts/serve/store-check.ts";

describe("the cached store check", () => {
  it("answers 50 probes within a second with one store command, then checks again", async () => {
    let clock = 0;
    let calls = 0;
    let answer = true;
    const check = cachedStoreCheck(
      async () => {
        calls++;
        return answer;
      },
      { ttlMs: 1000, now: () => clock },
    );
    for (let probe = 0; probe < 50; probe++) {
      expect(await check()).toBe(true);
      clock += 19;
    }
    expect(calls).toBe(1);
    answer = false;
    clock = 1000;
    expect(await check()).toBe(false);
    expect(calls).toBe(2);
  });

  it("lets probes that arrive during a check share it, and reads a failed check as 'unavailable'", async () => {
    let calls = 0;
    let release: (ok: boolean) => void = () => undefined;
    const check = cachedStoreCheck(() => {
      calls++;
      return new Promise<boolean>((resolve) => (release = resolve));
    });
    const probes = Array.from({ length: 10 }, () => check());
    release(true);
    expect(await Promise.all(probes)).toEqual(Array<boolean>(10).fill(true));
    expect(calls).toBe(1);
    const failing = cachedStoreCheck(() => Promise.reject(new Error("boom")));
    expect(await failing()).toBe(false);
  });
});
