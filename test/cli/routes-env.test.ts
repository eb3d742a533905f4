import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readCliEnv } from "../../scripts/routes/env.ts";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "routes-env-"));
  writeFileSync(
    join(root, "wrangler.toml"),
    'name = "x"\ncompatibility_date = "2026-01-01"\n[vars]\nROUTE_KEY_PREFIX = "route:"\n',
  );
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("readCliEnv", () => {
  it("prefers the environment, and takes the prefix from wrangler.toml unless the environment sets one", () => {
    const env = { UPSTASH_REDIS_REST_URL: "https://db.upstash.io", UPSTASH_REDIS_REST_TOKEN: "t" };
    expect(readCliEnv(env, root)).toMatchObject({ url: "https://db.upstash.io", token: "t", keyPrefix: "route:" });
    expect(readCliEnv({ ...env, ROUTE_KEY_PREFIX: "" }, root).keyPrefix).toBe("");
  });

  it("falls back to .dev.vars, as npm start writes it", () => {
    writeFileSync(
      join(root, ".dev.vars"),
      '# Written by npm start\nUPSTASH_REDIS_REST_URL="http://127.0.0.1:8079"\nUPSTASH_REDIS_REST_TOKEN=abc\n',
    );
    expect(readCliEnv({}, root)).toMatchObject({
      url: "http://127.0.0.1:8079",
      token: "abc",
      source: "environment and .dev.vars",
    });
  });

  it("names the missing setting", () => {
    expect(() => readCliEnv({ UPSTASH_REDIS_REST_URL: "https://db.upstash.io" }, root)).toThrow(
      /^UPSTASH_REDIS_REST_TOKEN is not set/,
    );
  });
});
