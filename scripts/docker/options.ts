import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseRedisUrl, UsageError } from "../serve/options.ts";
import { AgentUsageError } from "./errors.ts";

export interface AgentCliOptions {
  /** The engine: unix:///var/run/docker.sock, tcp://HOST:PORT. */
  readonly docker: string;
  /** TLS client files for a tcp:// engine (ca.pem, cert.pem, key.pem); null: no TLS client certificate. */
  readonly certPath: string | null;
  /** redis://HOST:PORT: the REST bridge in front of it; null: the Upstash settings. */
  readonly redis: { readonly host: string; readonly port: number } | null;
  /** null: the engine's name. */
  readonly agentId: string | null;
  readonly once: boolean;
  /** Withdraw this (gone) agent's backends and exit; the engine is not asked. */
  readonly forget: string | null;
}

export const USAGE = `usage: npm run docker -- [options]

Keeps the route of every labelled container of a Docker (or Podman) engine in the route store.

  --docker URL        DOCKER_HOST        default unix:///var/run/docker.sock
        the engine's API: unix:///PATH, tcp://HOST:PORT (TLS with DOCKER_CERT_PATH / DOCKER_TLS_VERIFY)
  --docker-cert-path DIR  DOCKER_CERT_PATH
        ca.pem, cert.pem and key.pem for a tcp:// engine (Docker's own convention)
  --redis redis://HOST:PORT[/0]  DOCKER_AGENT_REDIS
        run the Upstash REST bridge (loopback, fresh token) in front of this Redis; without it,
        UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN from the environment or .dev.vars
  --agent-id ID       DOCKER_AGENT_ID    default: the engine's name (its host's name)
        names this agent's backends in the store; unique per Docker host
  --once              reconcile once and exit (0 done, 1 failed)
  --forget ID         withdraw every backend agent ID wrote (its Docker host is gone for good) and exit
  -h, --help

Labels: router.host (names, comma-separated), router.port, router.network, router.route (JSON);
or nginx-proxy's VIRTUAL_HOST / VIRTUAL_PORT environment variables. docs/docker.md has the rest.`;

type Env = Readonly<Record<string, string | undefined>>;

export function parseAgentOptions(argv: readonly string[], env: Env): AgentCliOptions | "help" {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        docker: { type: "string" },
        "docker-cert-path": { type: "string" },
        redis: { type: "string" },
        "agent-id": { type: "string" },
        once: { type: "boolean" },
        forget: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new AgentUsageError((error as Error).message);
  }
  if (values.help) return "help";
  const redis = values.redis ?? env["DOCKER_AGENT_REDIS"];
  const agentId = values["agent-id"] ?? env["DOCKER_AGENT_ID"] ?? null;
  if (agentId !== null) checkAgentId(agentId);
  const tlsVerify = (env["DOCKER_TLS_VERIFY"] ?? "") !== "" && env["DOCKER_TLS_VERIFY"] !== "0";
  const certPath =
    values["docker-cert-path"] ?? env["DOCKER_CERT_PATH"] ?? (tlsVerify ? join(homedir(), ".docker") : null);
  let store = null;
  try {
    store = redis ? parseRedisUrl(redis) : null;
  } catch (error) {
    if (error instanceof UsageError) throw new AgentUsageError(error.message);
    throw error;
  }
  return {
    docker: values.docker ?? env["DOCKER_HOST"] ?? "unix:///var/run/docker.sock",
    certPath,
    redis: store,
    agentId,
    once: values.once ?? false,
    forget: values.forget === undefined ? null : checkAgentId(values.forget),
  };
}

/** An agent id names hash fields (`<id>/<container>`) and is listed comma-separated: no `/`, `,` or spaces. */
export function checkAgentId(id: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) {
    throw new AgentUsageError(`--agent-id must be 1 to 64 letters, digits, ".", "_" or "-", not "${id}"`);
  }
  return id;
}

/** The engine's name as an agent id: other characters become "-". */
export function agentIdFrom(name: string): string {
  const id = name.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 64);
  return id === "" ? "docker" : id;
}
