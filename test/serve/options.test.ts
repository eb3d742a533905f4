import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/worker-bundle.ts";
import { serveBindings } from "../../scripts/serve/bindings.ts";
import { readEnvFile } from "../../scripts/serve/env-file.ts";
import { STORE_SECRETS, WORKER_SECRETS } from "../../scripts/serve/secrets.ts";
import { parseServeOptions, UsageError } from "../../scripts/serve/options.ts";
import { workerdConfig } from "../../scripts/serve/workerd-config.ts";

describe("serve options", () => {
  it("reads each option from the command line or from its environment variable, the command line winning", () => {
    const env = {
      SERVE_LISTEN: "127.0.0.1:1, https://[::1]:2",
      SERVE_WORKERS: "3",
      SERVE_REDIS: "redis://10.0.0.5:6380/0",
      SERVE_DRAIN_SECONDS: "5",
      SERVE_HEALTH: "127.0.0.1:9",
      SERVE_TLS_CERT: "c.pem",
      SERVE_TLS_KEY: "k.pem",
      TRUSTED_PROXIES: "10.0.0.0/8,192.168.0.0/16",
    };
    const fromEnv = parseServeOptions([], env);
    expect(fromEnv).toMatchObject({
      listen: [
        { host: "127.0.0.1", port: 1, tls: undefined },
        { host: "::1", port: 2, tls: true },
      ],
      workers: 3,
      redis: { host: "10.0.0.5", port: 6380 },
      drainSeconds: 5,
      health: { host: "127.0.0.1", port: 9 },
      trustProxy: ["10.0.0.0/8", "192.168.0.0/16"],
    });
    expect(parseServeOptions(["--workers", "1", "--listen", "8080"], env)).toMatchObject({
      workers: 1,
      listen: [{ host: "0.0.0.0", port: 8080 }],
    });
    expect(parseServeOptions([], {})).toMatchObject({ listen: [{ host: "0.0.0.0", port: 8080 }], drainSeconds: 30 });
  });

  it.each([
    [["--workers", "0"], /--workers must be an integer/],
    [["--listen", "nowhere"], /--listen must be ADDR:PORT/],
    [["--redis", "http://x:1"], /redis:\/\//],
    [["--redis", "redis://:secret@127.0.0.1:6379"], /AUTH/],
    [["--redis", "redis://127.0.0.1:6379/2"], /database 0/],
    [["--tls-cert", "c.pem"], /go together/],
    [["--listen", "https://0.0.0.0:443"], /needs --tls-cert/],
    [["--bogus"], /Unknown option/],
  ])("refuses %j with a readable message", (argv, message) => {
    expect(() => parseServeOptions(argv, {})).toThrow(UsageError);
    expect(() => parseServeOptions(argv, {})).toThrow(message);
  });

  it("prints its usage for --help and exits 0; a bad option exits 2 with the reason", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, "scripts", "serve.ts"), ...args], { encoding: "utf8" });
    const help = run("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--trust-proxy CIDR");
    const bad = run("--workers", "many");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--workers must be an integer from 1 to 256, not "many"');
  });
});

describe("serve settings", () => {
  const bundle = { scriptPath: "", compatibilityDate: "2026-01-01", compatibilityFlags: [], vars: { MAX_HOPS: "5" } };
  const store = { url: "http://127.0.0.1:1", token: "t" };

  it("overrides every [vars] setting from the environment and takes the client address from the connection", () => {
    expect(serveBindings(bundle, { MAX_HOPS: "2" }, store, [])).toEqual({
      MAX_HOPS: "2",
      CLIENT_ADDRESS: "connection",
      UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1",
      UPSTASH_REDIS_REST_TOKEN: "t",
    });
    expect(serveBindings(bundle, {}, store, ["10.0.0.0/8"]).TRUSTED_PROXIES).toBe("10.0.0.0/8");
  });

  it("passes ADMIN_TOKEN and every other secret the worker reads from the environment (or --env-file)", () => {
    const env = { ADMIN_TOKEN: "a-token-of-sixteen+", MAX_HOPS: "2", UNRELATED_SECRET: "no" };
    expect(serveBindings(bundle, env, store, [])).toEqual({
      MAX_HOPS: "2",
      ADMIN_TOKEN: "a-token-of-sixteen+",
      CLIENT_ADDRESS: "connection",
      UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1",
      UPSTASH_REDIS_REST_TOKEN: "t",
    });
    // An unset or empty secret is left out, so the worker says "not configured" rather than "too short".
    expect(serveBindings(bundle, { ADMIN_TOKEN: "" }, store, [])).not.toHaveProperty("ADMIN_TOKEN");
    // Every secret .dev.vars.example lists is one npm run serve passes (the store's it sets itself).
    const example = readEnvFile(join(ROOT, ".dev.vars.example"));
    expect(Object.keys(example).sort()).toEqual([...WORKER_SECRETS, ...STORE_SECRETS].sort());
  });

  it("reads an env file: comments, export, quotes", () => {
    const dir = mkdtempSync(join(tmpdir(), "serve-env-"));
    try {
      const file = join(dir, "router.env");
      writeFileSync(file, "# secrets\nexport UPSTASH_REDIS_REST_URL=\"https://x.upstash.io\"\nMAX_HOPS=3\n\nA='b c'\n");
      expect(readEnvFile(file)).toEqual({ UPSTASH_REDIS_REST_URL: "https://x.upstash.io", MAX_HOPS: "3", A: "b c" });
      writeFileSync(file, "not a setting\n");
      expect(() => readEnvFile(file)).toThrow(/router\.env:1: expected KEY=VALUE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes a workerd config that may reach private addresses and serves HTTPS with the given keypair", () => {
    const dir = mkdtempSync(join(tmpdir(), "serve-config-"));
    try {
      writeFileSync(join(dir, "index.js"), "export default {};\n");
      const config = workerdConfig({
        scriptPath: join(dir, "index.js"),
        compatibilityDate: "2026-01-01",
        compatibilityFlags: [],
        bindings: { A: 'quote " and \\ backslash' },
        sockets: [
          { name: "http0", tls: null },
          { name: "http1", tls: { certificateChain: "CERT\n", privateKey: "KEY\n" } },
        ],
      });
      expect(config).toContain('allow = ["public", "private", "local"]');
      expect(config).toContain('(name = "http0", service = "router", http = ())');
      expect(config).toContain('keypair = (privateKey = "KEY\\n", certificateChain = "CERT\\n")');
      expect(config).toContain('(name = "A", text = "quote \\" and \\\\ backslash")');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
