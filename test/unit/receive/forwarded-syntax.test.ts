import { describe, expect, it } from "vitest";
import { wellFormedForwarded } from "../../../src/receive/forwarded-syntax.ts";

describe("wellFormedForwarded", () => {
  it("accepts RFC 7239 values: pairs, quoted strings with escapes, several elements, empty elements", () => {
    for (const value of [
      "for=192.0.2.60;proto=http;by=203.0.113.43",
      'for="[2001:db8:cafe::17]:4711"',
      "for=192.0.2.43, for=198.51.100.17",
      'for="_gazonk", For="\\"quoted\\""',
      "for=a,,for=b ; proto=https",
      "",
    ]) {
      expect(wellFormedForwarded(value), value).toBe(true);
    }
  });

  it("refuses what would swallow an element appended after it: an open quote, stray syntax", () => {
    for (const value of [
      'for="198.51.100.1',
      'for=198.51.100.1;by="x',
      'for="\\"',
      "for=a for=b",
      "for",
      "for=",
      "for=a(b)",
      'for="a"b',
    ]) {
      expect(wellFormedForwarded(value), value).toBe(false);
    }
  });

  it("reads a long hostile value to its end", () => {
    expect(wellFormedForwarded(`${"for=a;".repeat(20_000)}"`)).toBe(false);
    expect(wellFormedForwarded(`for="${"\\\\".repeat(20_000)}`)).toBe(false);
    expect(wellFormedForwarded("for=a;".repeat(20_000))).toBe(true);
  });
});
