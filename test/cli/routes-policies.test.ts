import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { send } from "../support/http.ts";
import { runRoutesCli } from "../support/routes-cli.ts";
import { startRouter, uniqueHost, uniquePrefix, type RouterUnderTest } from "../support/stack.ts";

const PREFIX = uniquePrefix("clipol");
let router: RouterUnderTest;
let app: RunningDemoApp;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "routes-policies-"));
  [router, app] = await Promise.all([
    startRouter({ ROUTE_KEY_PREFIX: PREFIX, ROUTE_CACHE_SIZE: "0" }),
    startDemoApp({ name: "cli-policies" }),
  ]);
});
afterAll(async () => {
  rmSync(workDir, { recursive: true, force: true });
  await Promise.all([router.dispose(), app.close()]);
});

/** `npm run routes -- …` without npm, with `input` piped to its stdin. */
const routes = (args: string[], input = "") => runRoutesCli(args, { prefix: PREFIX, workDir, input });

describe("routes passwd", () => {
  it("reads the password from stdin and prints a user:hash line the router accepts", async () => {
    const run = await routes(["passwd", "alice"], "wonderland\n");
    expect(run.code).toBe(0);
    const line = run.stdout.trim();
    expect(line).toMatch(/^alice:\$pbkdf2-sha256\$i=20000\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(line).not.toContain("wonderland");

    const host = uniqueHost("passwd");
    const value = JSON.stringify({ backends: app.address, basicAuth: { users: [line], realm: "CLI" } });
    expect((await routes(["set", host, value])).code).toBe(0);
    const basic = (password: string) => `Basic ${Buffer.from(`alice:${password}`).toString("base64")}`;
    expect((await send(router.url, { host, headers: { authorization: basic("wonderland") } })).status).toBe(200);
    expect((await send(router.url, { host, headers: { authorization: basic("wonderland\n") } })).status).toBe(401);
  });

  it("refuses an empty password and a user name with a colon", async () => {
    expect(await routes(["passwd", "alice"], "")).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("empty password"),
    });
    expect(await routes(["passwd", "a:b"], "x")).toMatchObject({ code: 1, stderr: expect.stringContaining('":"') });
  });
});

describe("routes set, get, ls and test with policies", () => {
  it("refuses a plaintext password, naming the field, and writes nothing", async () => {
    const host = uniqueHost("plain");
    const run = await routes([
      "set",
      host,
      JSON.stringify({ backends: app.address, basicAuth: { users: ["alice:wonderland"] } }),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('"basicAuth".users[0] (user "alice")');
    expect(run.stderr).toContain("plaintext passwords are refused");
    expect(run.stderr).not.toContain("wonderland");
    expect((await routes(["get", host])).code).toBe(1);
  });

  it("refuses bad policy values", async () => {
    const host = uniqueHost("bad");
    for (const [value, field] of [
      [{ backends: "a:1", ipAllowList: { sourceRange: ["10.0.0.0/40"] } }, '"ipAllowList".sourceRange[0]'],
      [{ backends: "a:1", rateLimit: { average: 5, period: "soon" } }, '"rateLimit".period'],
      [{ backends: [{ url: "a:1", weight: 1.5 }] }, '"backends"[0].weight'],
    ] as const) {
      const run = await routes(["set", host, JSON.stringify(value)]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(field);
    }
  });

  it("shows which policies apply to a path, in the order they are checked", async () => {
    const host = uniqueHost("show");
    const hash = (await routes(["passwd", "root"], "toor")).stdout.trim();
    const value = {
      backends: [
        { url: "10.0.0.1:8080", weight: 9 },
        { url: "10.0.0.2:8080", weight: 1 },
      ],
      sticky: { cookie: { name: "lb" } },
      ipAllowList: { sourceRange: ["192.0.2.0/24"] },
      rateLimit: { average: 100, period: "1s", burst: 50 },
      paths: { "/admin": { backends: "10.0.0.3:8080", basicAuth: { users: [hash], realm: "Root" } } },
    };
    expect((await routes(["set", host, JSON.stringify(value)])).code).toBe(0);

    const admin = await routes(["test", host, "/admin/users"]);
    expect(admin.code).toBe(0);
    expect(admin.stdout).toContain("policies  checked in this order, the first refusal answers:");
    expect(admin.stdout).toContain("          ipAllowList: client address in 192.0.2.0/24, else 403");
    expect(admin.stdout).toContain('          basicAuth: realm "Root", users root, else 401');
    expect(admin.stdout).toContain(
      "          rateLimit: 100 per 1s, burst 50, per client address across isolates, else 429",
    );

    const root = await routes(["test", host, "/"]);
    expect(root.stdout).not.toContain("basicAuth");
    expect(root.stdout).toContain("backend   1. http://10.0.0.1:8080/   (weight 9)");
    expect(root.stdout).toContain("sticky    cookie lb");
    expect(root.stdout).toContain("choice    smooth weighted round robin");

    const get = await routes(["get", host]);
    expect(get.stdout).toContain(
      "upstream   http://10.0.0.1:8080 ×9, http://10.0.0.2:8080 ×1 (round-robin) [ipAllowList, rateLimit, sticky cookie lb]",
    );
    expect(get.stdout).toContain('policy     /admin basicAuth: realm "Root", users root');
    const ls = await routes(["ls", host]);
    expect(ls.stdout).toContain("/admin → http://10.0.0.3:8080 [ipAllowList, basicAuth, rateLimit, sticky cookie lb]");

    const none = uniqueHost("none");
    await routes(["set", none, app.address]);
    expect((await routes(["test", none])).stdout).toContain("policies  none");
  });
});
