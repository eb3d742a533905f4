import { describe, expect, it } from "vitest";
import { constantTimeEqual } from "../../../src/lib/crypto.ts";
import { deriveKey, hashPassword, parsePasswordHash } from "../../../src/lib/password-hash.ts";

describe("password hashes", () => {
  it("round-trips a PBKDF2 hash and compares in constant time", async () => {
    const text = await hashPassword("correct horse", 10_000);
    expect(text).toMatch(/^\$pbkdf2-sha256\$i=10000\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    const hash = parsePasswordHash(text);
    if (typeof hash === "string") throw new Error(hash);
    expect(constantTimeEqual(await deriveKey("correct horse", hash.salt, hash.iterations), hash.key)).toBe(true);
    expect(constantTimeEqual(await deriveKey("correct horsf", hash.salt, hash.iterations), hash.key)).toBe(false);
    expect(constantTimeEqual(new Uint8Array(3), new Uint8Array(4))).toBe(false);
  });

  it("refuses what it cannot verify cheaply", () => {
    expect(parsePasswordHash("$pbkdf2-sha256$i=500000$c2FsdHNhbHQ$x")).toContain("from 10000 to 100000");
    expect(parsePasswordHash("$2y$10$abcdefghijklmnopqrstuv")).toContain("bcrypt");
  });
});
