/**
 * What a container asks for: its host names, port, network and route options,
 * read from Traefik-style labels (`router.host`, `router.port`,
 * `router.network`, `router.route`) or nginx-proxy's `VIRTUAL_HOST` /
 * `VIRTUAL_PORT` environment variables, and turned into one backend entry.
 */
import type { ContainerInspectInfo } from "dockerode";
import { parseHostPattern, parseRouteValue, RouteSyntaxError } from "./route-value.ts";

export const LABELS = {
  host: "router.host",
  port: "router.port",
  network: "router.network",
  route: "router.route",
} as const;

/** A container's claim: one backend for each of its host names. */
export interface Claim {
  readonly hosts: readonly string[];
  /** `10.88.0.5:8000`: the container's address on its network and the port. */
  readonly backend: string;
  /**
   * What the agent stores for this container (scripts/docker/sync-script.ts):
   * the backend as a JSON string, a newline, then the `router.route` fields
   * as JSON object members without the braces ("" for none).
   */
  readonly entry: string;
}

/** Why a labelled container gets no route: logged, the container skipped. */
export class LabelError extends Error {}

/**
 * The container's claim; null when it asks for nothing (no `router.host`, no
 * `VIRTUAL_HOST`). Throws LabelError when it asks for something invalid.
 */
export function readClaim(container: ContainerInspectInfo): Claim | null {
  const labels = container.Config.Labels ?? {};
  const env = environment(container.Config.Env ?? []);
  const hostText = labels[LABELS.host] ?? env.get("VIRTUAL_HOST");
  if (hostText === undefined || hostText.trim() === "") return null;
  const hosts = [
    ...new Set(
      hostText
        .split(",")
        .map((text) => text.trim())
        .filter((text) => text !== "")
        .map(hostPattern),
    ),
  ];
  const port = readPort(labels[LABELS.port] ?? env.get("VIRTUAL_PORT"), container);
  const address = readAddress(container, labels[LABELS.network]);
  const backend = address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
  const members = routeMembers(labels[LABELS.route]);
  const value = `{"backends":[${JSON.stringify(backend)}]${members ? `,${members}` : ""}}`;
  try {
    parseRouteValue(value);
  } catch (error) {
    if (error instanceof RouteSyntaxError) throw new LabelError(`${LABELS.route} is invalid: ${error.message}`);
    throw error;
  }
  return { hosts, backend, entry: `${JSON.stringify(backend)}\n${members}` };
}

/**
 * Whether the container should receive traffic now: running, not paused, and
 * healthy if it has a health check (Traefik's rule: a container whose check
 * is still "starting" or "unhealthy" gets none).
 */
export function servesTraffic(container: ContainerInspectInfo): boolean {
  const state = container.State;
  if (!state.Running || state.Paused || state.Restarting) return false;
  const health = state.Health?.Status ?? "";
  return health === "" || health === "none" || health === "healthy";
}

function environment(lines: readonly string[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const line of lines) {
    const equals = line.indexOf("=");
    if (equals > 0) env.set(line.slice(0, equals), line.slice(equals + 1));
  }
  return env;
}

function hostPattern(text: string): string {
  try {
    return parseHostPattern(text);
  } catch (error) {
    if (error instanceof RouteSyntaxError) throw new LabelError(`${LABELS.host}: ${error.message}`);
    throw error;
  }
}

/** The label's port, else the one port the image exposes; several or none is refused (which one would be a guess). */
function readPort(text: string | undefined, container: ContainerInspectInfo): number {
  if (text !== undefined && text.trim() !== "") {
    const port = Number(text.trim());
    if (!/^\d{1,5}$/.test(text.trim()) || port < 1 || port > 65535) {
      throw new LabelError(`${LABELS.port} must be a port number from 1 to 65535, not "${text}"`);
    }
    return port;
  }
  const exposed = Object.keys(container.Config.ExposedPorts ?? {})
    .filter((spec) => !spec.endsWith("/udp") && !spec.endsWith("/sctp"))
    .map((spec) => Number(spec.split("/")[0]));
  const [only] = exposed;
  if (exposed.length === 1 && only !== undefined) return only;
  throw new LabelError(
    exposed.length === 0
      ? `no ${LABELS.port} label and the image exposes no port: say which port the container listens on`
      : `no ${LABELS.port} label and the image exposes ${exposed.length} ports (${exposed.join(", ")}): say which one`,
  );
}

/** The container's address on `router.network`, else on its only network (several: the first by name, as Traefik does). */
function readAddress(container: ContainerInspectInfo, wanted: string | undefined): string {
  const networks = container.NetworkSettings.Networks ?? {};
  const names = Object.keys(networks).sort();
  const name = wanted?.trim() || names[0];
  const network = name === undefined ? undefined : networks[name];
  if (!network) {
    throw new LabelError(
      wanted
        ? `${LABELS.network} is "${wanted}" but the container is on ${names.length ? names.join(", ") : "no network"}`
        : "the container is on no network (host networking?): it has no address of its own to route to",
    );
  }
  const address = network.IPAddress || network.GlobalIPv6Address;
  if (!address) throw new LabelError(`the container has no address on the network "${name}"`);
  return address;
}

/** `router.route` as JSON object members (the braces dropped); "" without the label. */
function routeMembers(text: string | undefined): string {
  if (text === undefined || text.trim() === "") return "";
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new LabelError(`${LABELS.route} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new LabelError(`${LABELS.route} must be a JSON object, such as {"strategy": "round-robin"}`);
  }
  if ("backends" in data) {
    throw new LabelError(`${LABELS.route} cannot set "backends": each container is a backend of its host's route`);
  }
  return JSON.stringify(data).slice(1, -1);
}
