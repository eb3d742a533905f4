import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBridge, type RunningBridge } from "../../scripts/bridge/server.ts";
import { freePort } from "../../scripts/lib/ports.ts";
import { startRedisServer, type RunningRedisServer } from "../../scripts/lib/redis-server.ts";
import { routeStoreClient } from "../../scripts/routes/client.ts";
import { startServe, type ServeUnderTest } from "../serve/harness.ts";
import { send } from "../support/http.ts";
import { runRoutesCli } from "../support/routes-cli.ts";
import { eventually } from "../support/wait.ts";
import { startAgent, type AgentUnderTest } from "./agent-process.ts";
import { startPodman, type Podman } from "./podman.ts";

/**
 * The "Done when", against a real engine (Podman's Docker-compatible
 * API) and a redis-server of this file's own: `npm run docker` and
 * `npm run serve` each with --redis, as an operator runs them. The tests run
 * in order on one set of containers; each starts from what the one before left.
 */
let podman: Podman;
let redis: RunningRedisServer;
/** Reads and hand-written routes, through this file's own bridge. */
let admin: ReturnType<typeof routeStoreClient>;
let bridge: RunningBridge;
let bridgeToken: string;
let agent: AgentUnderTest;
let workDir: string;
const addresses: Record<string, string> = {};

const APP = { "router.host": "app.docker.test", "router.port": "8000" };
const route = (host: string) => admin.get<string>(host);
const backendsOf = async (host: string) => {
  const value = await route(host);
  return value === null ? null : (JSON.parse(value) as { backends: string[] }).backends.slice().sort();
};
const agentArgs = () => [
  "--docker",
  podman.url,
  "--redis",
  `redis://127.0.0.1:${redis.port}`,
  "--agent-id",
  "test-host",
];

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "router-docker-"));
  [podman, redis] = await Promise.all([startPodman(), startRedisServer()]);
  bridgeToken = `docker-${Math.random().toString(36).slice(2)}`;
  bridge = await startBridge({ redisPort: redis.port, token: bridgeToken });
  admin = routeStoreClient({ url: bridge.url, token: bridgeToken });
  await admin.set("hand.docker.test", "127.0.0.1:9");
  const containers: Array<[string, Parameters<Podman["runContainer"]>[1]]> = [
    ["app-1", { labels: APP }],
    ["app-2", { labels: APP }],
    ["other", { labels: { "router.host": "other.docker.test,www.other.docker.test" } }],
    ["plain", {}],
    ["claims-hand", { labels: { "router.host": "hand.docker.test", "router.port": "8000" } }],
    [
      "virtual",
      {
        env: { VIRTUAL_HOST: "virtual.docker.test", VIRTUAL_PORT: "8000" },
        labels: { "router.route": '{"strategy": "round-robin", "timeout": "5s"}', "router.network": podman.network },
      },
    ],
    ["bad-route", { labels: { "router.host": "bad.docker.test", "router.route": '{"backend": "x"}' } }],
  ];
  for (const [name, options] of containers) {
    await podman.runContainer(name, options);
    addresses[name] = await podman.address(name);
  }
  agent = startAgent(agentArgs());
}, 180_000);

afterAll(async () => {
  await agent?.stop().catch(() => undefined);
  await bridge?.close();
  await redis?.stop();
  await podman?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}, 120_000);

describe("npm run docker", () => {
  it("makes two replicas labelled router.host=app.docker.test, router.port=8000 both backends", async () => {
    await eventually(
      async () => JSON.stringify(await backendsOf("app.docker.test")) === JSON.stringify(expectedApp()),
      60_000,
      "app.docker.test never had both replicas",
    );
    await agent.waitFor(/reconcile \(start-up\): 7 running, 5 routed/);
  });

  it("gives a container every name of its comma-separated router.host, on its only exposed port", async () => {
    expect(await backendsOf("other.docker.test")).toEqual([`${addresses["other"]}:8000`]);
    expect(await backendsOf("www.other.docker.test")).toEqual([`${addresses["other"]}:8000`]);
  });

  it("reads nginx-proxy's VIRTUAL_HOST/VIRTUAL_PORT, router.network, and merges router.route into the route", async () => {
    expect(JSON.parse((await route("virtual.docker.test")) ?? "null")).toEqual({
      backends: [`${addresses["virtual"]}:8000`],
      strategy: "round-robin",
      timeout: "5s",
    });
  });

  it("gives a container without labels nothing, and skips an invalid router.route with a log line", async () => {
    const values = await Promise.all(
      (await admin.keys("*")).map(async (key) =>
        (await admin.type(key)) === "string" ? String(await route(key)) : "",
      ),
    );
    expect(values.join("\n")).not.toContain(`${addresses["plain"]}:`);
    expect(await route("bad.docker.test")).toBeNull();
    expect(agent.output()).toMatch(
      /skipped container \w+ \(bad-route\): router\.route is invalid: unknown field "backend"/,
    );
  });

  it("leaves a hand-written route for the same host as written, and says so once", async () => {
    expect(await route("hand.docker.test")).toBe("127.0.0.1:9");
    expect(agent.output().match(/conflict: hand\.docker\.test/g)).toHaveLength(1);
  });

  it("shows in routes ls which routes the agent manages", async () => {
    const env = { UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: bridgeToken };
    const listed = await runRoutesCli(["ls"], { prefix: "", workDir, env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^app\.docker\.test\s+json\s+-\s+docker: test-host\s/m);
    expect(listed.stdout).toMatch(/^hand\.docker\.test\s+upstream\s+-\s+-\s/m);
    const json = JSON.parse((await runRoutesCli(["ls", "--json"], { prefix: "", workDir, env })).stdout) as Array<{
      host: string;
      managedBy: string[] | null;
    }>;
    expect(json.find((entry) => entry.host === "other.docker.test")?.managedBy).toEqual(["test-host"]);
    expect(json.find((entry) => entry.host === "hand.docker.test")?.managedBy).toBeNull();
    const got = await runRoutesCli(["get", "app.docker.test"], { prefix: "", workDir, env });
    expect(got.stdout).toMatch(/^managed\s+by the container agent \(npm run docker\): test-host$/m);
  });

  it("has npm run serve on the same store answer Host: app.docker.test from a container", async () => {
    const port = await freePort();
    let serve: ServeUnderTest | undefined;
    try {
      serve = await startServe([
        ...["--redis", `redis://127.0.0.1:${redis.port}`, "--listen", `127.0.0.1:${port}`, "--workers", "1"],
      ]);
      const seen = new Set<string>();
      await eventually(
        async () => {
          const reply = await send(`http://127.0.0.1:${port}/`, { host: "app.docker.test" });
          if (reply.status === 200) seen.add(reply.text.trim());
          return seen.size === 2;
        },
        30_000,
        `app.docker.test was not served by both replicas (seen: ${[...seen].join(", ")})`,
      );
      expect([...seen].sort()).toEqual(["app-1", "app-2"]);
    } finally {
      await serve?.kill();
    }
  });

  it("removes only the stopped replica, within 10 s", async () => {
    const start = Date.now();
    await podman.cli("stop", "--time", "0", "app-1");
    await eventually(
      async () =>
        JSON.stringify(await backendsOf("app.docker.test")) === JSON.stringify([`${addresses["app-2"]}:8000`]),
      10_000,
      "app-1 was not removed within 10 s",
    );
    expect(Date.now() - start).toBeLessThan(10_000);
    expect(await backendsOf("other.docker.test")).toEqual([`${addresses["other"]}:8000`]);
    await agent.waitFor(/event (die|stop|kill\b[^(]*) \w+ \(app\.docker\.test\): 1 command\(s\), 3 write\(s\)/);
  });

  it("after a restart, drops what vanished while it was down and keeps what still runs", async () => {
    expect(await agent.stop()).toBe(0);
    await podman.cli("rm", "--force", "--time", "0", "other");
    const start = Date.now();
    agent = startAgent(agentArgs());
    await eventually(
      async () => (await route("other.docker.test")) === null && (await route("www.other.docker.test")) === null,
      30_000,
      "the removed container's routes were still there 30 s after the restart",
    );
    expect(Date.now() - start).toBeLessThan(30_000);
    expect(await backendsOf("app.docker.test")).toEqual([`${addresses["app-2"]}:8000`]);
    expect(await route("hand.docker.test")).toBe("127.0.0.1:9");
    await agent.waitFor(/reconcile \(start-up\): 5 running, 3 routed, 5 host\(s\): 6 command\(s\), \d+ write\(s\)/);
  });

  it("retries with backoff while the engine is away, then reconciles what changed meanwhile", async () => {
    await podman.stopService();
    await agent.waitFor(/reconnecting in \d/);
    // The CLI works without the API service: the container goes while the agent cannot see it.
    await podman.cli("rm", "--force", "--time", "0", "virtual");
    await agent.waitFor(/cannot reach the engine: .*; reconnecting in \d/);
    await podman.startService();
    await eventually(async () => (await route("virtual.docker.test")) === null, 30_000, "virtual outlived the outage");
    await agent.waitFor(/reconcile \(reconnect\): 4 running, 2 routed/);
    expect(await backendsOf("app.docker.test")).toEqual([`${addresses["app-2"]}:8000`]);
  });

  it("deletes the route when the last replica stops", async () => {
    await podman.cli("stop", "--time", "0", "app-2");
    await eventually(async () => (await route("app.docker.test")) === null, 10_000, "the route outlived its replicas");
    expect(await admin.hexists("docker:routes", "app.docker.test")).toBe(0);
    expect(await admin.exists("docker:backends:app.docker.test")).toBe(0);
  });

  it("routes a container with a health check only while it is healthy", async () => {
    // No timer (no systemd here): each check is run by hand, and Podman sends health_status events for them.
    const check = ["--health-cmd", '["/bin/busybox", "test", "-e", "/www/ok"]', "--health-interval", "disable"];
    await podman.runContainer("checked", {
      labels: { "router.host": "checked.docker.test" },
      flags: [...check, "--health-retries", "1"],
    });
    const backend = `${await podman.address("checked")}:8000`;
    expect(await route("checked.docker.test")).toBeNull(); // "starting": no traffic yet
    await podman.cli("exec", "checked", "/bin/busybox", "touch", "/www/ok");
    await podman.cli("healthcheck", "run", "checked");
    await eventually(async () => (await backendsOf("checked.docker.test"))?.[0] === backend, 10_000, "never healthy");
    await podman.cli("exec", "checked", "/bin/busybox", "rm", "/www/ok");
    await podman.cli("healthcheck", "run", "checked").catch(() => undefined); // exits 1: unhealthy
    await eventually(async () => (await route("checked.docker.test")) === null, 10_000, "routed while unhealthy");
    await podman.cli("rm", "--force", "--time", "0", "checked");
  }, 60_000);

  it("reconciles once with --once, forgets a gone host's backends with --forget, refuses a bad option (exit 2)", async () => {
    expect(await agent.stop()).toBe(0);
    await podman.runContainer("late", { labels: { "router.host": "late.docker.test" } });
    addresses["late"] = await podman.address("late");
    const once = startAgent([...agentArgs(), "--once"]);
    expect(await once.exited).toBe(0);
    expect(once.output()).toMatch(/reconcile \(--once\): 4 running, 2 routed/);
    expect(await backendsOf("late.docker.test")).toEqual([`${addresses["late"]}:8000`]);
    const forget = startAgent(["--redis", `redis://127.0.0.1:${redis.port}`, "--forget", "test-host"]);
    expect(await forget.exited).toBe(0);
    expect(forget.output()).toMatch(/forgot 1 host\(s\): 2 command\(s\), \d+ write\(s\)/);
    expect(await route("late.docker.test")).toBeNull();
    expect(await route("hand.docker.test")).toBe("127.0.0.1:9");

    const bad = startAgent(["--docker", "ftp://somewhere"]);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain("docker: --docker: ftp:// is not supported; use unix:///PATH or tcp://HOST:PORT");
    expect(bad.output()).not.toMatch(/\n\s+at /);
  });
});

function expectedApp(): string[] {
  return [`${addresses["app-1"]}:8000`, `${addresses["app-2"]}:8000`].sort();
}
