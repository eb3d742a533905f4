import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startBridge, type RunningBridge } from "../../scripts/bridge/server.ts";
import { startDemoApp, type EchoReply, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { send } from "../support/http.ts";
import { runRoutesCli } from "../support/routes-cli.ts";
import { routesClient, startRouter, uniqueHost, uniquePrefix, type RouterUnderTest } from "../support/stack.ts";

const redis = routesClient();
/** This file's routes live under their own prefix; the router below reads the same one. */
const PREFIX = uniquePrefix("cli");
const OWN_TOKEN = "routes-cli-own-bridge";
let router: RouterUnderTest;
let app: RunningDemoApp;
/** A bridge of our own, whose stats show which commands the CLI sends. */
let own: RunningBridge;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "routes-cli-"));
  [router, app, own] = await Promise.all([
    // Cache off: the CLI's writes must show on the next request.
    startRouter({ ROUTE_KEY_PREFIX: PREFIX, ROUTE_CACHE_SIZE: "0" }),
    startDemoApp({ name: "cli-app" }),
    startBridge({ redisPort: inject("redisPort"), token: OWN_TOKEN }),
  ]);
});
afterAll(async () => {
  rmSync(workDir, { recursive: true, force: true });
  await Promise.all([router.dispose(), app.close(), own.close()]);
});

/** `npm run routes -- …` without npm, against the suite's bridge unless `env` names another. */
const routes = (args: string[], env: Record<string, string> = {}) =>
  runRoutesCli(args, { prefix: PREFIX, workDir, env });
const viaOwnBridge = () => ({ UPSTASH_REDIS_REST_URL: own.url, UPSTASH_REDIS_REST_TOKEN: OWN_TOKEN });

describe("set and get", () => {
  it.concurrent.each([
    ["ip:port", () => app.address, "upstream"],
    ["a URL with a base path", () => `http://${app.address}/echo/base`, "url"],
    ["a JSON route", () => JSON.stringify({ backends: [app.address], requestHeaders: { "X-Via-Cli": "1" } }), "json"],
  ])("writes %s that the router then serves, and shows it", async (_what, value, kind) => {
    const host = uniqueHost("set");
    const set = await routes(["set", host, value()]);
    expect(set).toMatchObject({ code: 0, stderr: "" });
    expect(set.stdout).toContain(`set ${PREFIX}${host} → http://${app.address}`);
    const reply = await send(router.url, { host, path: "/echo" });
    expect(reply.json<EchoReply>().app).toBe("cli-app");
    const get = await routes(["get", host]);
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(new RegExp(`^kind +${kind}$`, "m"));
    expect(get.stdout).toContain(`key        ${PREFIX}${host}`);
  });

  it("normalises the host as the router does", async () => {
    const host = uniqueHost("norm");
    expect((await routes(["set", `${host.toUpperCase()}.`, app.address])).code).toBe(0);
    expect(await redis.get(`${PREFIX}${host}`)).toBe(app.address);
  });

  it("sets a TTL, after which the router no longer routes the host", async () => {
    const host = uniqueHost("ttl");
    expect((await routes(["set", host, app.address, "--ttl", "100"])).stdout).toContain("(expires in 100s)");
    const pttl = await redis.pttl(`${PREFIX}${host}`);
    expect(pttl).toBeGreaterThan(90_000);
    expect(pttl).toBeLessThanOrEqual(100_000);
    // Shortened so the test need not wait 100 s; the router honours expiry with no restart.
    await redis.pexpire(`${PREFIX}${host}`, 200);
    expect((await send(router.url, { host })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await send(router.url, { host })).status).toBe(403);
  });

  it("shows a Hipache list, and gets 1 for a host with no route", async () => {
    const host = uniqueHost("hip");
    await redis.rpush(`${PREFIX}frontend:${host}`, "mysite", `http://${app.address}`);
    const get = await routes(["get", host, "--json"]);
    expect(JSON.parse(get.stdout)).toEqual([
      {
        host,
        key: `${PREFIX}frontend:${host}`,
        kind: "hipache",
        upstreams: [`http://${app.address}`],
        ttl: null,
        value: ["mysite", `http://${app.address}`],
        problem: null,
        managedBy: null,
      },
    ]);
    const missing = await routes(["get", uniqueHost("none")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^routes: no route for none-/);
  });
});

describe("refusals: exactly what the worker rejects, with a message, and nothing written", () => {
  it.concurrent.each([
    ['{"backend": "10.0.0.1:80"}', 'unknown field "backend" (did you mean "backends"?)'],
    ['{"backends": [', "not valid JSON"],
    ['{"backends": ["10.0.0.1:80"], "strategy": "rr"}', '"strategy" must be "random" or "round-robin", not "rr"'],
    ["ftp://files.internal", 'unsupported scheme "ftp"'],
    ["", "empty upstream"],
  ])("%j", async (value, message) => {
    const host = uniqueHost("refused");
    const run = await routes(["set", host, value]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`^routes: refused: the value for ${host.replace(/\./g, "\\.")} is invalid: `),
    );
    expect(run.stderr).toContain(message);
    expect(await redis.exists(`${PREFIX}${host}`)).toBe(0);
    // The worker answers 502 for the very same value.
    await redis.set(`${PREFIX}${host}`, value);
    expect((await send(router.url, { host })).status).toBe(502);
  });

  it.concurrent.each([
    [["set", "a..b.example", "10.0.0.1:80"], 1, 'refused: "a..b.example" is not a host name (bad label)'],
    [["set", "app.example:8080", "10.0.0.1:80"], 1, 'drop ":8080"'],
    [["set", "ok.example", "10.0.0.1:80", "--ttl", "0"], 2, "--ttl must be a whole number of seconds above 0"],
    [["set", "ok.example"], 2, "set takes 2 argument(s), got 1"],
    [["frobnicate"], 2, 'unknown command "frobnicate"'],
    [["test", "*.example.com"], 1, "test takes a host as a client sends it"],
  ])("%j exits %i", async (args, code, message) => {
    const run = await routes(args);
    expect(run.code).toBe(code);
    expect(run.stderr).toContain(message);
  });

  it("says which credential is missing", async () => {
    const run = await routes(["ls"], { UPSTASH_REDIS_REST_URL: "", UPSTASH_REDIS_REST_TOKEN: "" });
    // .dev.vars may exist in a developer's checkout; without it the URL is what is missing.
    if (run.code === 2) expect(run.stderr).toContain("UPSTASH_REDIS_REST_URL is not set");
  });

  it("reports an unreachable store without a stack trace", async () => {
    const run = await routes(["get", "x.example"], { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^routes: the route store failed: fetch failed/);
    expect(run.stderr).not.toContain("    at ");
  });
});

describe("ls", () => {
  it("lists routes under the prefix with SCAN (never KEYS) as a table or JSON", async () => {
    const prefix = uniquePrefix("ls");
    const env = { ...viaOwnBridge(), ROUTE_KEY_PREFIX: prefix };
    await redis.set(`${prefix}app.example.com`, "10.0.0.7:5000");
    await redis.set(
      `${prefix}*.example.com`,
      '{"backends": ["10.0.0.1:80", "10.0.0.2:80"], "strategy": "round-robin"}',
      {
        ex: 3600,
      },
    );
    await redis.set(`${prefix}example.com`, '{"redirect": "https://www.example.com", "status": 301}');
    await redis.set(`${prefix}broken.example.com`, "ftp://x");
    await redis.rpush(`${prefix}frontend:www.example.com`, "mysite", "http://10.0.0.3:80");
    await redis.sadd(`${prefix}dead:www.example.com`, "0");
    await redis.set(`${prefix}other.org`, "10.0.0.9:80");
    own.resetStats();
    const table = await routes(["ls", "*example.com"], env);
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")).toEqual([
      "HOST                KIND      TTL  UPSTREAMS",
      "*.example.com       json      60m  http://10.0.0.1, http://10.0.0.2 (round-robin)",
      "app.example.com     upstream  -    http://10.0.0.7:5000",
      `broken.example.com  invalid   -    ${prefix}broken.example.com: unsupported scheme "ftp" (use http or https)`,
      "example.com         redirect  -    301 → https://www.example.com",
      "www.example.com     hipache   -    http://10.0.0.3",
      "",
    ]);
    expect(own.stats.commandNames["SCAN"]).toBeGreaterThanOrEqual(2);
    expect(own.stats.commandNames["KEYS"]).toBeUndefined();
    const json = JSON.parse((await routes(["ls", "--json"], env)).stdout) as { host: string; kind: string }[];
    expect(json.map((route) => `${route.host} ${route.kind}`)).toEqual([
      "*.example.com json",
      "app.example.com upstream",
      "broken.example.com invalid",
      "example.com redirect",
      "other.org upstream",
      "www.example.com hipache",
    ]);
  });
});

describe("rm", () => {
  it("removes the string key and the Hipache list; exits 1 when there was nothing", async () => {
    const host = uniqueHost("rm");
    await redis.set(`${PREFIX}${host}`, app.address);
    await redis.rpush(`${PREFIX}frontend:${host}`, "site", `http://${app.address}`);
    const run = await routes(["rm", host]);
    expect(run).toMatchObject({ code: 0, stdout: `removed ${PREFIX}${host} and ${PREFIX}frontend:${host}\n` });
    expect((await send(router.url, { host })).status).toBe(403);
    const again = await routes(["rm", host]);
    expect([again.code, again.stderr]).toEqual([1, `routes: no route for ${host}: nothing removed\n`]);
  });
});

describe("export and import", () => {
  it("round-trips every route, validates the whole file first, and writes it in one transaction", async () => {
    const source = uniquePrefix("exp");
    const target = uniquePrefix("imp");
    const env = viaOwnBridge();
    await redis.set(`${source}a.example.com`, "10.0.0.7:5000");
    await redis.set(`${source}*.example.com`, '{"backends": ["10.0.0.1:80"], "timeout": 5}', { ex: 600 });
    await redis.rpush(`${source}frontend:www.example.com`, "mysite", "http://10.0.0.3:80");

    const exported = await routes(["export"], { ...env, ROUTE_KEY_PREFIX: source });
    expect(exported.code).toBe(0);
    expect(exported.stderr).toBe(`exported 3 routes (under the prefix "${source}")\n`);
    const file = join(workDir, "routes.json");
    writeFileSync(file, exported.stdout);
    const document = JSON.parse(readFileSync(file, "utf8")) as { routes: Record<string, unknown>[] };
    expect(document.routes).toEqual([
      { host: "*.example.com", value: { backends: ["10.0.0.1:80"], timeout: 5 }, ttl: expect.any(Number) as number },
      { host: "a.example.com", value: "10.0.0.7:5000" },
      { host: "www.example.com", hipache: ["mysite", "http://10.0.0.3:80"] },
    ]);

    const dry = await routes(["import", file, "--dry-run"], { ...env, ROUTE_KEY_PREFIX: target });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("dry run: 3 routes: 3 new, 0 changed, 0 unchanged; nothing written");
    expect(await redis.exists(`${target}a.example.com`)).toBe(0);

    own.resetStats();
    const imported = await routes(["import", file], { ...env, ROUTE_KEY_PREFIX: target });
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain("imported 3 routes: 3 new, 0 changed, 0 unchanged");
    expect(own.stats.byPath["/multi-exec"]).toBe(1);
    // Same routes; a JSON route is stored compact (export writes it as an object).
    const listed = async (prefix: string) =>
      (
        JSON.parse((await routes(["ls", "--json"], { ...env, ROUTE_KEY_PREFIX: prefix })).stdout) as Record<
          string,
          unknown
        >[]
      ).map(({ host, kind, upstreams, problem }: Record<string, unknown>) => ({ host, kind, upstreams, problem }));
    expect(await listed(target)).toEqual(await listed(source));
    expect(await redis.ttl(`${target}*.example.com`)).toBeGreaterThan(500);

    const again = await routes(["import", file, "--dry-run"], { ...env, ROUTE_KEY_PREFIX: target });
    expect(again.stdout).toContain("3 routes: 0 new, 0 changed, 3 unchanged");
  });

  it("refuses a file with any invalid entry and writes none of it", async () => {
    const prefix = uniquePrefix("bad");
    const file = join(workDir, "bad.json");
    writeFileSync(
      file,
      JSON.stringify({
        routes: [
          { host: "good.example.com", value: "10.0.0.1:80" },
          { host: "bad.example.com", value: { backends: ["ftp://x"] } },
          { host: "good.example.com", value: "10.0.0.2:80" },
          { host: "list.example.com", hipache: ["only-an-identifier"] },
          { host: "ttl.example.com", value: "10.0.0.1:80", ttl: "soon" },
        ],
      }),
    );
    const run = await routes(["import", file], { ROUTE_KEY_PREFIX: prefix });
    expect(run.code).toBe(1);
    expect(run.stderr.split("\n")).toEqual([
      `routes: refused: ${file} has 4 problems; nothing was written`,
      '  routes[1] (bad.example.com): "backends"[0]: unsupported scheme "ftp" (use http or https)',
      "  routes[2]: good.example.com is already set by routes[0]",
      "  routes[3] (list.example.com): the list has an identifier but no backends (RPUSH more backend URLs to it)",
      '  routes[4] (ttl.example.com): "ttl" must be a whole number of seconds above 0',
      "",
    ]);
    expect(await redis.exists(`${prefix}good.example.com`)).toBe(0);
  });
});

describe("test", () => {
  it("says which key and backend a request would use, and why", async () => {
    const domain = uniqueHost("t");
    await redis.set(
      `${PREFIX}*.${domain}`,
      JSON.stringify({
        backends: ["10.0.0.1:8080", "10.0.0.2:8080"],
        strategy: "round-robin",
        paths: { "/api": { backends: "https://api.internal/v2", strip: true } },
      }),
    );
    const api = await routes(["test", `x.y.${domain}`, "/api/users?id=7"], { HIPACHE_ROUTES: "true" });
    expect(api.code).toBe(0);
    expect(api.stdout).toContain("lookup    12 keys in 1 round trip");
    expect(api.stdout).toMatch(new RegExp(`${PREFIX}x\\.y\\.${domain.replace(/\./g, "\\.")} +missing`));
    expect(api.stdout).toMatch(/\*\.t-\S+ +← match/);
    expect(api.stdout).toContain(
      `route     ${PREFIX}*.${domain} (json): the wildcard *.${domain}, the most specific one that exists`,
    );
    expect(api.stdout).toContain("path      /api/users is under /api, stripped to /users (longest matching prefix)");
    expect(api.stdout).toContain("backend   1. https://api.internal/v2/users?id=7");

    const root = await routes(["test", `y.${domain}`]);
    expect(root.stdout).toContain("backend   2. http://10.0.0.2:8080/");
    expect(root.stdout).toContain("choice    round robin");
  });

  it("counts the commands, and flags a key the router skips because it is not a string", async () => {
    const domain = uniqueHost("t");
    await redis.set(`${PREFIX}*.${domain}`, "10.0.0.1:8080");
    await redis.hset(`${PREFIX}x.${domain}`, { upstream: "10.0.0.2:8080" });
    const run = await routes(["test", `x.${domain}`], { HIPACHE_ROUTES: "true" });
    expect(run.code).toBe(0);
    // x.<domain>, *.<domain>, *.test.example, *.example, * — each as a string and a list.
    expect(run.stdout).toContain("lookup    10 keys in 1 round trip (6 commands; 7 with SHARED_DOWN_MARKS)");
    expect(run.stdout).toMatch(/x\.t-\S+ +missing: holds a Redis hash, not a string, so the router skips it/);
    expect(run.stdout).toContain(`route     ${PREFIX}*.${domain} (upstream)`);
    const strings = await routes(["test", `x.${domain}`], { HIPACHE_ROUTES: "false" });
    expect(strings.stdout).toContain("lookup    5 keys in 1 round trip (1 command; 2 with SHARED_DOWN_MARKS)");
  });

  it("explains a miss and an invalid value with exit 1", async () => {
    const host = uniqueHost("miss");
    const miss = await routes(["test", host]);
    expect([miss.code, miss.stderr]).toEqual([
      1,
      `routes: no route: no key exists for ${host}; the router answers 403 (under the prefix "${PREFIX}")\n`,
    ]);
    await redis.set(`${PREFIX}${host}`, '{"backends": []}');
    const invalid = await routes(["test", host]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain(
      `${PREFIX}${host} decides, but its value is invalid: "backends" is empty; the router answers 502`,
    );
  });
});
