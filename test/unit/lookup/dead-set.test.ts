import { describe, expect, it } from "vitest";
import { deadKey, deadKeys, deadMember, deadMembers, sharedDownMarks } from "../../../src/lookup/dead-set.ts";
import { parseHipacheList, parseRouteValue } from "../../../src/route-value/value.ts";

const hipache = parseHipacheList(["site", "http://10.0.0.1:80", "http://10.0.0.2:80"]);
const json = parseRouteValue('{"backends": ["10.0.0.1:80", "10.0.0.2:80"]}');
const [first, second] = hipache.fallback?.type === "forward" ? hipache.fallback.backends : [];

describe("dead sets (Hipache's dead:<pattern>)", () => {
  it("are named after the route pattern; a lookup reads one per candidate pattern", () => {
    expect(deadKey("*.example.com", "route:")).toBe("route:dead:*.example.com");
    expect(deadKeys("a.example.com", "")).toEqual(["dead:a.example.com", "dead:*.example.com", "dead:*.com", "dead:*"]);
  });

  it("mark a Hipache backend by its index and others by origin, and read both back as origins", () => {
    if (!first || !second) throw new Error("no backends");
    expect([deadMember(hipache, first), deadMember(hipache, second)]).toEqual(["0", "1"]);
    expect(deadMember(json, second)).toBe("http://10.0.0.2");
    expect(deadMembers(hipache, second)).toEqual(["1", "http://10.0.0.2"]);
    expect(deadMembers(json, second)).toEqual(["http://10.0.0.2"]);
    for (const route of [hipache, json]) {
      const member = deadMember(route, second);
      expect(sharedDownMarks(route, [member], 1000, 500)).toEqual({ origins: [second.origin], until: 1500 });
    }
    expect(sharedDownMarks(json, [], 1000, 500)).toBeNull();
  });
});
