import { describe, expect, it } from "vitest";
import {
  base64Bytes,
  base64urlBytes,
  constantTimeEqual,
  sha256,
  toBase64,
  toBase64url,
  toHex,
} from "../../../src/lib/crypto.ts";

describe("crypto-util", () => {
  it("hashes with SHA-256 and writes lower-case hex", async () => {
    // FIPS 180-2, appendix B.1.
    expect(toHex(await sha256("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("writes base64 and base64url unpadded, and reads them back", () => {
    const bytes = Uint8Array.from([0xfb, 0xff, 0xbf, 0x01]);
    expect(toBase64(bytes)).toBe("+/+/AQ");
    expect(toBase64url(bytes)).toBe("-_-_AQ");
    expect([...base64Bytes("+/+/AQ==")]).toEqual([...bytes]);
    expect([...base64urlBytes("-_-_AQ")]).toEqual([...bytes]);
    expect(() => base64Bytes("not base64!")).toThrow();
  });

  it("compares bytes, lengths included", () => {
    expect(constantTimeEqual(Uint8Array.from([1, 2, 3]), Uint8Array.from([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual(Uint8Array.from([1, 2, 3]), Uint8Array.from([1, 2, 4]))).toBe(false);
    expect(constantTimeEqual(Uint8Array.from([1, 2, 3]), Uint8Array.from([1, 2]))).toBe(false);
  });
});
