import type { ContainerInspectInfo } from "dockerode";
import { describe, expect, it } from "vitest";
import { eventAction } from "../../scripts/docker/events.ts";
import { LabelError, readClaim, servesTraffic } from "../../scripts/docker/labels.ts";

/**
 * The agent's pure parts: what a container's labels ask for, and what an
 * engine event means. (test/docker/ runs them against a real engine; these
 * are the cases a real engine makes slow to set up.)
 */
interface Shape {
  labels?: Record<string, string>;
  env?: string[];
  exposed?: string[];
  networks?: Record<string, { IPAddress: string; GlobalIPv6Address?: string }>;
  state?: Partial<ContainerInspectInfo["State"]>;
}

/** The fields of GET /containers/{id}/json the agent reads, as an engine returns them. */
function container(shape: Shape): ContainerInspectInfo {
  return {
    Id: "0123456789abcdef",
    Name: "/web",
    Config: {
      Labels: shape.labels ?? {},
      Env: shape.env ?? [],
      ExposedPorts: Object.fromEntries((shape.exposed ?? ["8000/tcp"]).map((port) => [port, {}])),
    },
    NetworkSettings: { Networks: shape.networks ?? { bridge: { IPAddress: "172.17.0.5" } } },
    State: { Running: true, Paused: false, Restarting: false, ...shape.state },
  } as unknown as ContainerInspectInfo;
}

const refusal = (shape: Shape) => {
  try {
    readClaim(container(shape));
  } catch (error) {
    if (error instanceof LabelError) return error.message;
    throw error;
  }
  return "accepted";
};

describe("container labels", () => {
  it("reads router.host (normalised, deduplicated, wildcards) with the only exposed port by default", () => {
    expect(
      readClaim(container({ labels: { "router.host": "App.Example.com., *.example.com,app.example.com" } })),
    ).toEqual({
      hosts: ["app.example.com", "*.example.com"],
      backend: "172.17.0.5:8000",
      entry: '"172.17.0.5:8000"\n',
    });
    expect(readClaim(container({}))).toBeNull();
  });

  it("reads VIRTUAL_HOST / VIRTUAL_PORT; the labels win over them", () => {
    const env = ["VIRTUAL_HOST=legacy.example.com", "VIRTUAL_PORT=3000"];
    expect(readClaim(container({ env }))?.backend).toBe("172.17.0.5:3000");
    expect(readClaim(container({ env, labels: { "router.host": "new.example.com" } }))?.hosts).toEqual([
      "new.example.com",
    ]);
  });

  it("refuses a port it would have to guess, or an invalid one", () => {
    expect(refusal({ labels: { "router.host": "a.example" }, exposed: [] })).toMatch(/exposes no port/);
    expect(refusal({ labels: { "router.host": "a.example" }, exposed: ["80/tcp", "443/tcp"] })).toMatch(
      /exposes 2 ports \(80, 443\): say which one/,
    );
    expect(refusal({ labels: { "router.host": "a.example", "router.port": "99999" } })).toMatch(/1 to 65535/);
    expect(refusal({ labels: { "router.host": "a.example:8080" } })).toMatch(/whatever the port/);
  });

  it("takes the address on router.network, or the first network by name; brackets an IPv6 one", () => {
    const networks = { zeta: { IPAddress: "10.0.9.9" }, alpha: { IPAddress: "10.0.1.1" } };
    const host = { "router.host": "a.example" };
    expect(readClaim(container({ labels: host, networks }))?.backend).toBe("10.0.1.1:8000");
    expect(readClaim(container({ labels: { ...host, "router.network": "zeta" }, networks }))?.backend).toBe(
      "10.0.9.9:8000",
    );
    expect(refusal({ labels: { ...host, "router.network": "nope" }, networks })).toMatch(/on alpha, zeta/);
    expect(
      readClaim(container({ labels: host, networks: { v6: { IPAddress: "", GlobalIPv6Address: "fd00::5" } } }))
        ?.backend,
    ).toBe("[fd00::5]:8000");
    expect(refusal({ labels: host, networks: {} })).toMatch(/host networking/);
  });

  it("merges router.route, checked by the worker's parser; refuses backends and what the router would 502", () => {
    const labels = { "router.host": "a.example", "router.route": '{"strategy": "round-robin"}' };
    expect(readClaim(container({ labels }))?.entry).toBe('"172.17.0.5:8000"\n"strategy":"round-robin"');
    const route = (text: string) => refusal({ labels: { "router.host": "a.example", "router.route": text } });
    expect(route('{"backends": ["10.0.0.1:80"]}')).toMatch(/cannot set "backends"/);
    expect(route('{"redirect": "https://x.example"}')).toMatch(/cannot be combined with "redirect"/);
    expect(route("[1]")).toMatch(/must be a JSON object/);
    expect(route("{nope")).toMatch(/not valid JSON/);
  });

  it("serves only while running, not paused, and healthy if checked", () => {
    expect(servesTraffic(container({}))).toBe(true);
    expect(servesTraffic(container({ state: { Paused: true } }))).toBe(false);
    expect(servesTraffic(container({ state: { Health: { Status: "starting" } } as never }))).toBe(false);
    expect(servesTraffic(container({ state: { Health: { Status: "healthy" } } as never }))).toBe(true);
  });
});

describe("engine events", () => {
  const event = (Action: string, Attributes: Record<string, string> = {}) =>
    eventAction({ Type: "container", Action, Actor: { ID: "abc", Attributes } });

  it("withdraws on what ends serving, inspects on what may start it, ignores the rest", () => {
    expect(["die", "stop", "pause", "kill", "oom", "destroy", "remove"].map((a) => event(a)?.kind)).toEqual(
      Array(7).fill("withdraw"),
    );
    expect(["start", "unpause"].map((a) => event(a)?.kind)).toEqual(["inspect", "inspect"]);
    expect(event("exec_start: sh")).toBeNull();
    expect(eventAction({ Type: "image", Action: "pull", Actor: { ID: "x" } })).toBeNull();
  });

  it("reads health in Docker's and Podman's forms, and kill signals that do not stop a process", () => {
    expect(event("health_status: unhealthy")?.kind).toBe("withdraw");
    expect(event("health_status: healthy")?.kind).toBe("inspect");
    // Podman: no status, so the container is inspected, and again a moment later (the event may come first).
    expect(event("health_status")).toMatchObject({ kind: "inspect", recheck: true });
    expect(event("kill", { signal: "HUP" })?.kind).toBe("inspect");
    expect(event("kill", { signal: "15" })?.kind).toBe("withdraw");
  });
});
