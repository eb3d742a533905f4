import { describe, expect, it } from "vitest";
import { createSpecCache } from "../../../src/lookup/spec-cache.ts";

describe("the parsed-value cache", () => {
  it("parses a value once and hands out the same spec for it afterwards", () => {
    const cache = createSpecCache();
    const value = '{"backends": ["10.0.0.1:80", "10.0.0.2:80"], "strategy": "round-robin"}';
    const first = cache.value(value);
    expect(first.spec?.kind).toBe("json");
    expect(cache.value(value)).toBe(first);
    expect(cache.value("10.0.0.3:80")).not.toBe(first);
  });

  it("keeps what is wrong with an invalid value, and keeps strings and lists apart", () => {
    const cache = createSpecCache();
    expect(cache.value("ftp://x").problem).toContain('unsupported scheme "ftp"');
    const list = cache.list(["site", "http://10.0.0.1:80"]);
    expect(list.spec?.kind).toBe("hipache");
    expect(cache.list(["site", "http://10.0.0.1:80"])).toBe(list);
    expect(cache.value('["site","http://10.0.0.1:80"]').spec).toBeNull();
  });

  it("is bounded: past its size the oldest entry is parsed again", () => {
    const cache = createSpecCache(2);
    const a = cache.value("10.0.0.1:80");
    cache.value("10.0.0.2:80");
    expect(cache.value("10.0.0.1:80")).toBe(a);
    cache.value("10.0.0.3:80");
    expect(cache.value("10.0.0.1:80")).not.toBe(a);
  });
});
