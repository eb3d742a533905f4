/**
 * The Docker Engine API (or Podman's Docker-compatible one) through dockerode:
 * the running containers, one container's details, and the event stream.
 * https://docs.docker.com/reference/api/engine/
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Docker, { type ContainerInspectInfo, type DockerOptions } from "dockerode";
import { AgentUsageError } from "./errors.ts";

/** One line of GET /events, the fields the agent reads. */
export interface EngineEvent {
  readonly Type?: string;
  readonly Action?: string;
  readonly Actor?: { readonly ID?: string; readonly Attributes?: Readonly<Record<string, string>> };
}

export interface EventStream {
  /** Resolves when the stream ends or fails (the engine restarted, the connection dropped): reconnect then. */
  readonly closed: Promise<string>;
  close(): void;
}

export interface Engine {
  /** The engine's name (its host's name): the default agent id. */
  name(): Promise<string>;
  /** Every running container, inspected (labels, environment, networks, health). */
  running(): Promise<ContainerInspectInfo[]>;
  /** One container's details; null once it is gone. */
  inspect(id: string): Promise<ContainerInspectInfo | null>;
  /** Container events from now on, each passed to `onEvent` in order. */
  events(onEvent: (event: EngineEvent) => void): Promise<EventStream>;
}

export interface EngineOptions {
  /** unix:///var/run/docker.sock, tcp://HOST:PORT, http(s)://HOST:PORT. */
  readonly url: string;
  /** A directory holding ca.pem, cert.pem, key.pem (Docker's DOCKER_CERT_PATH): TLS to a tcp:// engine. */
  readonly certPath: string | null;
  /** Milliseconds a request (not the event stream) may take. */
  readonly timeoutMs?: number;
}

export function createEngine({ url, certPath, timeoutMs = 10_000 }: EngineOptions): Engine {
  const connection = dockerOptions(url, certPath);
  const requests = new Docker({ ...connection, timeout: timeoutMs });
  // No timeout on the stream: it is quiet for as long as nothing happens.
  const streams = new Docker(connection);
  const inspect = async (id: string) => {
    try {
      return await requests.getContainer(id).inspect();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return null;
      throw error;
    }
  };
  return {
    async name() {
      return String(((await requests.info()) as { Name?: unknown }).Name ?? "");
    },
    async running() {
      const list = await requests.listContainers({ filters: { status: ["running"] } });
      const found = await Promise.all(list.map((container) => inspect(container.Id)));
      return found.filter((container) => container !== null);
    },
    inspect,
    async events(onEvent) {
      // Container events only; which actions matter is decided here (events.ts), not by an `event`
      // filter: Podman matches that filter against its own names ("died"), so "die" would never come.
      const stream = await streams.getEvents({ filters: { type: ["container"] } });
      let buffered = "";
      stream.on("data", (chunk: Buffer) => {
        buffered += chunk.toString("utf8");
        // One JSON object per line; a chunk may end mid-line.
        let newline;
        while ((newline = buffered.indexOf("\n")) !== -1) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line === "") continue;
          try {
            onEvent(JSON.parse(line) as EngineEvent);
          } catch {
            // Not JSON: not an event.
          }
        }
      });
      const closed = new Promise<string>((resolve) => {
        stream.once("end", () => resolve("the engine ended the event stream"));
        stream.once("close", () => resolve("the event stream closed"));
        stream.once("error", (error: Error) => resolve(`the event stream failed: ${error.message}`));
      });
      return {
        closed,
        close: () => (stream as NodeJS.ReadableStream & { destroy(): void }).destroy(),
      };
    },
  };
}

/** dockerode's connection settings for an engine URL. */
export function dockerOptions(url: string, certPath: string | null): DockerOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AgentUsageError(`--docker must be unix:///PATH or tcp://HOST:PORT, not "${url}"`);
  }
  if (parsed.protocol === "unix:") {
    if (!parsed.pathname) throw new AgentUsageError(`--docker: no socket path in "${url}"`);
    return { socketPath: decodeURIComponent(parsed.pathname) };
  }
  if (!["tcp:", "http:", "https:"].includes(parsed.protocol)) {
    throw new AgentUsageError(
      `--docker: ${parsed.protocol}// is not supported; use unix:///PATH or tcp://HOST:PORT (forward an ssh:// engine's socket)`,
    );
  }
  const tls = parsed.protocol === "https:" || certPath !== null;
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  const port = Number(parsed.port || (tls ? 2376 : 2375));
  if (!tls) return { host, port, protocol: "http" };
  if (certPath === null) return { host, port, protocol: "https" };
  const read = (name: string) => {
    try {
      return readFileSync(join(certPath, name));
    } catch (error) {
      throw new AgentUsageError(`cannot read ${join(certPath, name)}: ${(error as Error).message}`);
    }
  };
  return { host, port, protocol: "https", ca: read("ca.pem"), cert: read("cert.pem"), key: read("key.pem") };
}
