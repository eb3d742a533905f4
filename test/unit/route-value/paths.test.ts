import { describe, expect, it } from "vitest";
import { findPathRule, matchPrefix, stripPrefix } from "../../../src/route-value/paths.ts";
import type { PathRule } from "../../../src/route-value/route.ts";

describe("matchPrefix: segment boundaries", () => {
  it.each([
    ["/api", "/api", true],
    ["/api", "/api/users", true],
    ["/api", "/apix", false],
    ["/api/", "/api/users", true],
    ["/api/", "/api", false],
    ["/", "/anything", true],
    ["/API", "/api", false],
    ["/admin", "/admin;jsessionid=1", true],
    ["/admin", "/admin;x/secret", true],
    ["/admin", "/admins;x", false],
  ])("%s vs %s: %s", (prefix, path, expected) => {
    expect(matchPrefix(prefix, path)).toBe(expected);
  });
});

describe("stripPrefix", () => {
  it.each([
    ["/api", "/api/users", "/users"],
    ["/api", "/api", "/"],
    ["/api/", "/api/users", "/users"],
    ["/", "/x", "/x"],
    ["/a", "/a//b", "//b"],
    ["/api/admin", "/api;x/admin/y", "/y"],
    ["/private/", "/private;x/secret", "/secret"],
  ])("%s from %s -> %s", (prefix, path, expected) => {
    expect(stripPrefix(prefix, path)).toBe(expected);
  });
});

describe("findPathRule", () => {
  const rule = (prefix: string): PathRule => ({
    prefix,
    strip: false,
    action: { type: "redirect", target: { origin: "https://x", basePath: "" }, status: 302, responseHeaders: [] },
  });
  it("takes the longest matching prefix (rules come sorted)", () => {
    const rules = [rule("/api/v2"), rule("/api"), rule("/")];
    expect(findPathRule(rules, "/api/v2/x")?.prefix).toBe("/api/v2");
    expect(findPathRule(rules, "/api/v3")?.prefix).toBe("/api");
    expect(findPathRule(rules, "/other")?.prefix).toBe("/");
    expect(findPathRule([rule("/api")], "/other")).toBeNull();
  });

  it("matches with every segment's ; parameters dropped, as servlet containers route", () => {
    const rules = [rule("/api/admin"), rule("/private/"), rule("/")];
    for (const path of ["/api;x/admin/x", "/api;/admin", "/api/admin;x/y", "/api;a=1/admin;b=2"]) {
      expect(findPathRule(rules, path)?.prefix, path).toBe("/api/admin");
    }
    for (const path of ["/private;x/secret", "/private;/secret"]) {
      expect(findPathRule(rules, path)?.prefix, path).toBe("/private/");
    }
    expect(findPathRule(rules, "/api;x/other")?.prefix).toBe("/");
  });
});
