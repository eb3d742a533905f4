import { describe, expect, it } from "vitest";
import { cidrContains, parseCidr, parseIp } from "../../../src/lib/cidr.ts";

describe("parseIp / parseCidr", () => {
  it.each([
    ["10.0.0.0/8", "10.255.1.2", true],
    ["10.0.0.0/8", "11.0.0.1", false],
    ["192.0.2.7", "192.0.2.7", true],
    ["192.0.2.7", "192.0.2.8", false],
    ["0.0.0.0/0", "203.0.113.9", true],
    ["2001:db8::/32", "2001:db8:ffff::1", true],
    ["2001:db8::/32", "2001:db9::1", false],
    ["10.0.0.0/8", "::ffff:10.1.2.3", true],
    ["::1", "::1", true],
  ])("%s contains %s: %s", (cidr, address, expected) => {
    const block = parseCidr(cidr);
    const value = parseIp(address);
    expect(block).not.toBeNull();
    expect(value).not.toBeNull();
    if (block && value !== null) expect(cidrContains(block, value)).toBe(expected);
  });

  it.each([
    "10.0.0.0/33",
    "10.0.0/8",
    "010.0.0.1",
    "1.2.3.4/",
    "1:2:3:4:5:6:7:8:9",
    "::1::",
    "example.com",
    "1.2.3.4/8/1",
  ])("refuses %s", (text) => expect(parseCidr(text)).toBeNull());
});
