import { describe, expect, it } from "vitest";
import { createLru } from "../../../src/lib/lru.ts";

describe("createLru", () => {
  it("never holds more than its capacity and drops the least recently used", () => {
    const lru = createLru<string, number>(3);
    for (const [i, key] of ["a", "b", "c"].entries()) lru.set(key, i);
    lru.get("a"); // a is now the most recent; b the oldest
    lru.set("d", 3);
    expect(lru.size).toBe(3);
    expect([lru.get("a"), lru.get("b"), lru.get("c"), lru.get("d")]).toEqual([0, undefined, 2, 3]);
  });
});
