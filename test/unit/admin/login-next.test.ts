import { describe, expect, it } from "vitest";
import { safeNext } from "../../../src/admin/login-next.ts";

describe("safeNext: where the login form sends the operator", () => {
  it.each(["/", "/routes?filter=shop", "/tester?host=a.example.com&path=%2Fx"])(
    "keeps a path on this host: %s",
    (next) => expect(safeNext(next)).toBe(next),
  );

  it.each([
    undefined,
    "",
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/ /evil.example",
    "routes",
  ])("refuses %j: back to /", (next) => {
    expect(safeNext(next)).toBe("/");
    // What a browser would make of the refused value's replacement stays on this host.
    expect(new URL(safeNext(next), "https://router.example.com").host).toBe("router.example.com");
  });
});
