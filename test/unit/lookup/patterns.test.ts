import { describe, expect, it } from "vitest";
import { candidateKeys, hostPatterns, parseHostPattern } from "../../../src/lookup/patterns.ts";

describe("hostPatterns", () => {
  it("tries the host, then every parent wildcard nearest first, never the apex, then the catch-all", () => {
    expect(hostPatterns("x.y.example.com")).toEqual([
      "x.y.example.com",
      "*.y.example.com",
      "*.example.com",
      "*.com",
      "*",
    ]);
    expect(hostPatterns("example.com")).toEqual(["example.com", "*.com", "*"]);
    expect(hostPatterns("localhost")).toEqual(["localhost", "*"]);
  });

  it("gives IP literals no wildcards", () => {
    expect(hostPatterns("10.0.0.7")).toEqual(["10.0.0.7", "*"]);
    expect(hostPatterns("[::1]")).toEqual(["[::1]", "*"]);
  });
});

describe("candidateKeys", () => {
  it("reads each pattern as a string and as a Hipache list, under the prefix", () => {
    expect(candidateKeys("a.example.com", "route:").map((c) => `${c.format} ${c.key}`)).toEqual([
      "string route:a.example.com",
      "hipache route:frontend:a.example.com",
      "string route:*.example.com",
      "hipache route:frontend:*.example.com",
      "string route:*.com",
      "hipache route:frontend:*.com",
      "string route:*",
      "hipache route:frontend:*",
    ]);
  });
});

describe("parseHostPattern", () => {
  it.each([
    ["App.Example.COM.", "app.example.com"],
    ["*.Example.com", "*.example.com"],
    ["*", "*"],
    ["10.0.0.7", "10.0.0.7"],
    ["[0:0::1]", "[::1]"],
    ["bücher.example", "xn--bcher-kva.example"],
  ])("%s -> %s", (text, pattern) => {
    expect(parseHostPattern(text)).toBe(pattern);
  });

  it.each([
    ["a..b", "not a host name"],
    ["app.example.com:8080", 'drop ":8080"'],
    ["a.*.example.com", "a wildcard is"],
    ["*example.com", "a wildcard is"],
    ["*.10.0.0.1", "an IP address has no subdomains"],
    ["", "not a host name"],
  ])("refuses %j (%s)", (text, message) => {
    expect(() => parseHostPattern(text)).toThrow(message);
  });
});
