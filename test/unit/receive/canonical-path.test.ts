import { describe, expect, it } from "vitest";
import {
  canonicalPath,
  NonCanonicalPathError,
  STRICT_ENCODED_CHARACTERS,
  type EncodedCharacterPolicy,
} from "../../../src/receive/canonical-path.ts";

const allowing = (name: keyof EncodedCharacterPolicy): EncodedCharacterPolicy => ({
  ...STRICT_ENCODED_CHARACTERS,
  [name]: true,
});

describe("canonicalPath", () => {
  it("returns a path that has no escape, empty or dot segment as it is", () => {
    for (const path of ["/", "/api/users/7", "/a.b/c-d_e~f", "/a/b/", "/caf%C3%A9x".replace("%C3%A9", "é")]) {
      expect(canonicalPath(path)).toBe(path);
    }
  });

  it("decodes escapes of unreserved characters and upper-cases the others (RFC 3986 §2.3, §6.2.2.1)", () => {
    expect(canonicalPath("/%61dmin/x")).toBe("/admin/x");
    expect(canonicalPath("/%7euser/%2D%5f%2e%30")).toBe("/~user/-_.0");
    expect(canonicalPath("/caf%c3%a9/a%20b")).toBe("/caf%C3%A9/a%20b");
  });

  it("removes dot segments and merges duplicate slashes (RFC 3986 §5.2.4)", () => {
    expect(canonicalPath("//admin/x")).toBe("/admin/x");
    expect(canonicalPath("/./admin/x")).toBe("/admin/x");
    expect(canonicalPath("/x/../admin/x")).toBe("/admin/x");
    expect(canonicalPath("/health/../secret")).toBe("/secret");
    expect(canonicalPath("/health/%2e%2e/secret")).toBe("/secret");
    expect(canonicalPath("/health/.%2E/secret")).toBe("/secret");
    expect(canonicalPath("/../../etc/passwd")).toBe("/etc/passwd");
    expect(canonicalPath("/a/b/..")).toBe("/a/");
    expect(canonicalPath("/a/b/.")).toBe("/a/b/");
    expect(canonicalPath("/a//b//")).toBe("/a/b/");
    expect(canonicalPath("/..")).toBe("/");
    expect(canonicalPath("//")).toBe("/");
    expect(canonicalPath("/.well-known/x")).toBe("/.well-known/x");
    expect(canonicalPath("/a/..b/c.")).toBe("/a/..b/c.");
  });

  it("refuses every encoded separator with 400, each allowed back by its own setting", () => {
    const cases: [string, keyof EncodedCharacterPolicy, string][] = [
      ["/admin%2fx", "allowEncodedSlash", "encoded slash"],
      ["/health/..%2Fsecret", "allowEncodedSlash", "encoded slash"],
      ["/a%5cb", "allowEncodedBackSlash", "encoded backslash"],
      ["/a%00b", "allowEncodedNullCharacter", "encoded NUL"],
      ["/a%3bjsessionid=1", "allowEncodedSemicolon", "encoded semicolon"],
      ["/a%252e%252e/", "allowEncodedPercent", "encoded percent"],
      ["/a%3Fb", "allowEncodedQuestionMark", "encoded question mark"],
      ["/a%23b", "allowEncodedHash", "encoded hash"],
    ];
    for (const [path, setting, what] of cases) {
      let error: unknown;
      try {
        canonicalPath(path);
      } catch (caught) {
        error = caught;
      }
      expect(error, path).toBeInstanceOf(NonCanonicalPathError);
      expect((error as NonCanonicalPathError).status).toBe(400);
      expect((error as NonCanonicalPathError).message).toContain(what);
      // Allowed: kept encoded (upper-cased), never decoded into the separator it names.
      expect(canonicalPath(path, allowing(setting)), path).not.toMatch(/%[0-9A-F][a-f]|%[a-f]/);
    }
    expect(canonicalPath("/admin%2fx", allowing("allowEncodedSlash"))).toBe("/admin%2Fx");
    expect(canonicalPath("/health/..%2fsecret", allowing("allowEncodedSlash"))).toBe("/health/..%2Fsecret");
    expect(canonicalPath("/a%252e%252e/", allowing("allowEncodedPercent"))).toBe("/a%252e%252e/");
  });

  it("refuses a dot or empty segment with parameters, which servlet containers resolve and others do not", () => {
    for (const path of ["/x/..;/admin", "/x/.;/admin", "/x/..;jsessionid=1/admin", "/x/%2e%2e;/admin", "/;x/admin"]) {
      expect(() => canonicalPath(path), path).toThrow(/segment with parameters/);
    }
    expect(canonicalPath("/x/..a;/b")).toBe("/x/..a;/b");
    expect(canonicalPath("/.well-known;x/y")).toBe("/.well-known;x/y");
  });

  it("refuses overlong UTF-8, which lax decoders read as . or /, and keeps real UTF-8", () => {
    for (const path of [
      "/health/%c0%ae%c0%ae/secret",
      "/health/%C0%AE%C0%AE/secret",
      "/x/%c0%af/admin",
      "/x/%c1%9c",
      "/x/%e0%80%ae",
      "/x/%f0%80%80%ae",
    ]) {
      expect(() => canonicalPath(path), path).toThrow(/overlong UTF-8/);
    }
    expect(canonicalPath("/caf%c3%a9/%e2%82%ac/%f0%9f%98%80/%c0")).toBe("/caf%C3%A9/%E2%82%AC/%F0%9F%98%80/%C0");
  });

  it("refuses a % that starts no escape", () => {
    for (const path of ["/a%", "/a%4", "/a%zz", "/%%41"]) {
      expect(() => canonicalPath(path), path).toThrow(NonCanonicalPathError);
    }
  });

  it("is idempotent: a canonical path is its own canonical form", () => {
    for (const path of ["/%61//./b/../c%c3%a9/", "/x/%2e/y/%2E%2E/z", "/a/b/../../../c"]) {
      const once = canonicalPath(path);
      expect(canonicalPath(once)).toBe(once);
    }
  });
});
