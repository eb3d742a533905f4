import { describe, expect, it } from "vitest";
import { InvalidHostError } from "../../../src/errors.ts";
import { normalizeHost } from "../../../src/receive/host.ts";

describe("normalizeHost", () => {
  it.each([
    ["app1.example.com", "app1.example.com"],
    ["App1.Example.COM", "app1.example.com"],
    ["app1.example.com.", "app1.example.com"],
    ["app1.example.com:8080", "app1.example.com"],
    ["APP1.example.com.:443", "app1.example.com"],
    ["10.0.0.7:5000", "10.0.0.7"],
    ["[::1]:8787", "[::1]"],
    ["[0:0:0:0:0:0:0:1]", "[::1]"],
    ["xn--bcher-kva.example", "xn--bcher-kva.example"],
    ["bücher.example", "xn--bcher-kva.example"],
    ["bücher．example", "xn--bcher-kva.example"], // IDNA maps the full-width dot
    ["ﬀ.example.com", "ff.example.com"],
    ["_acme.example.com", "_acme.example.com"],
  ])("%s -> %s", (raw, expected) => {
    expect(normalizeHost(raw)).toBe(expected);
  });

  it.each([
    ["", "empty"],
    ["a b.example", "space"],
    ["a\tb", "tab"],
    ["a\u0000b", "NUL"],
    ["a..b", "empty label"],
    [".", "only a dot"],
    ["-a.example", "label starting with a hyphen"],
    ["a-.example", "label ending with a hyphen"],
    [`${"a".repeat(64)}.example`, "label over 63"],
    [`${"a.".repeat(127)}ab`, "over 253"],
    ["a.example:99999x", "bad port"],
    ["user@a.example", "userinfo"],
    ["a.example/path", "path"],
    ["[zz::1]", "bad IPv6"],
    ["é@admin.example.com", "URL userinfo in a Unicode name"],
    ["é:1@admin.example.com:443", "URL userinfo and port"],
    ["admin.example.com/é", "URL path"],
    ["é.com?x=1", "URL query"],
    ["admin.example.com#é", "URL fragment"],
    ["admin.example.com\\é", "backslash, a path for http URLs"],
    ["é%2eadmin.example.com", "percent-escape, decoded in a URL host"],
    ["１２７.0.0.1", "full-width digits the URL parser reads as an IPv4 address"],
  ])("refuses %j (%s)", (raw) => {
    expect(() => normalizeHost(raw)).toThrow(InvalidHostError);
  });

  it("refuses a missing header", () => {
    expect(() => normalizeHost(null)).toThrow(InvalidHostError);
  });
});
