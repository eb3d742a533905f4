import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/worker-bundle.ts";
import { readNetworkBindings } from "../../scripts/routes/networks.ts";
import { runRoutesCli } from "../support/routes-cli.ts";
import { routesClient, uniqueHost, uniquePrefix } from "../support/stack.ts";

/*
 * The routes CLI and private upstreams: `set` refuses a "network" that no
 * environment of wrangler.toml binds (the worker would answer 502), and
 * `test` says which way each backend goes.
 */

const PREFIX = uniquePrefix("cli-networks");
const redis = routesClient();
let workDir: string;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), "routes-networks-"));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const routes = (args: string[], env: Record<string, string> = {}) =>
  runRoutesCli(args, { prefix: PREFIX, workDir, env });

describe("readNetworkBindings", () => {
  it("reads the project's wrangler.toml: PRIVATE_NETWORK, in [env.production]", () => {
    expect(readNetworkBindings(join(ROOT, "wrangler.toml"))).toEqual(["PRIVATE_NETWORK"]);
  });

  it("reads [[vpc_networks]] and [[services]] of every environment, and nothing else", () => {
    const path = join(workDir, "wrangler.toml");
    writeFileSync(
      path,
      [
        'name = "x"',
        "[[vpc_networks]]",
        'binding = "PRIVATE_NETWORK"',
        'tunnel_id = "t"',
        "[[env.staging.vpc_networks]]",
        'binding = "STAGING_NETWORK" # the other vnet',
        'network_id = "cf1:vnet:1"',
        "[[services]]",
        'binding = "AUTH"',
        'service = "auth-worker"',
        "[[kv_namespaces]]",
        'binding = "KV"',
        "[vars]",
        'binding = "NOT_A_BINDING"',
      ].join("\n"),
    );
    expect(readNetworkBindings(path)).toEqual(["PRIVATE_NETWORK", "STAGING_NETWORK", "AUTH"]);
    expect(readNetworkBindings(join(workDir, "missing.toml"))).toBeNull();
  });
});

describe("routes set", () => {
  it("refuses a network no environment in wrangler.toml binds, and writes nothing", async () => {
    const host = uniqueHost("net-refused");
    const run = await routes(["set", host, '{"backends": "10.0.0.7:5000", "network": "STAGING_NETWORK"}']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `refused: the value for ${host} names the network STAGING_NETWORK, which no environment in wrangler.toml binds (it binds PRIVATE_NETWORK)`,
    );
    expect(await redis.get(`${PREFIX}${host}`)).toBeNull();
  });

  it('accepts a network wrangler.toml binds, and "public", and shows it', async () => {
    for (const network of ["PRIVATE_NETWORK", "public"]) {
      const host = uniqueHost("net-ok");
      const run = await routes(["set", host, `{"backends": "10.0.0.7:5000", "network": "${network}"}`]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`→ http://10.0.0.7:5000 via ${network}`);
    }
  });
});

describe("routes import", () => {
  it("refuses a file whose route names a network no environment in wrangler.toml binds, and writes none of it", async () => {
    const [ok, bad] = [uniqueHost("import-ok"), uniqueHost("import-bad")];
    const file = join(workDir, "routes.json");
    writeFileSync(
      file,
      JSON.stringify({
        routes: [
          { host: ok, value: "10.0.0.7:5000" },
          { host: bad, value: { backends: "10.0.0.7:5000", network: "STAGING_NETWORK" } },
        ],
      }),
    );
    const run = await routes(["import", file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `${bad}: names the network STAGING_NETWORK, which no environment in wrangler.toml binds`,
    );
    expect(await redis.get(`${PREFIX}${ok}`)).toBeNull();
  });
});

describe("routes test", () => {
  it("says which way each backend goes", async () => {
    const host = uniqueHost("net-test");
    await redis.set(`${PREFIX}${host}`, '{"backends": ["10.0.0.7:5000", "127.0.0.1:5001", "app.internal:8080"]}');
    const run = await routes(["test", host, "/a?b=1"]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    const after = (backend: string) => lines[lines.findIndex((line) => line.includes(backend)) + 1];
    expect(after("1. http://10.0.0.7:5000/a?b=1")).toBe(
      "          network: through the PRIVATE_NETWORK binding (where the worker has it)",
    );
    expect(after("2. http://127.0.0.1:5001/a?b=1")).toBe("          network: direct (global fetch)");
    expect(after("3. http://app.internal:8080/a?b=1")).toBe("          network: direct (global fetch)");
  });

  it("follows PRIVATE_NETWORK_RANGES from the environment, as the worker reads it", async () => {
    const host = uniqueHost("net-ranges");
    await redis.set(`${PREFIX}${host}`, "10.0.0.7:5000");
    const run = await routes(["test", host], { PRIVATE_NETWORK_RANGES: "192.168.0.0/16" });
    expect(run.stdout).toContain("          network: direct (global fetch)");
  });
});
