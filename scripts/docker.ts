/**
 * `npm run docker -- …`: the container agent. Watches a Docker (or Podman)
 * engine and keeps the route of each labelled container in the route store
 * (docs/docker.md). Long-running: SIGTERM/SIGINT stop it (routes stay, as the
 * containers do); --once reconciles and exits; --forget ID withdraws a gone
 * Docker host's backends.
 *
 * Exit status: 0 stopped or done, 1 failed (--once), 2 usage error.
 */
import { agentIdFrom, parseAgentOptions, USAGE } from "./docker/options.ts";
import { createAgent } from "./docker/agent.ts";
import { pause } from "./docker/backoff.ts";
import { createEngine } from "./docker/engine.ts";
import { forgetAgent } from "./docker/forget.ts";
import { AgentRunError, AgentUsageError } from "./docker/errors.ts";
import { createAgentStore } from "./docker/store.ts";
import { routeStoreClient } from "./routes/client.ts";
import { CliUsageError, readCliEnv, readKeySettings } from "./routes/env.ts";
import { openRouteStore, type RouteStore } from "./serve/route-store.ts";

const log = (line: string) => process.stderr.write(`docker: ${line}\n`);

async function main(): Promise<number> {
  const options = parseAgentOptions(process.argv.slice(2), process.env);
  if (options === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const engine = createEngine({ url: options.docker, certPath: options.certPath });
  const { keyPrefix } = readKeySettings(process.env);
  let routeStore: RouteStore;
  if (options.redis) {
    routeStore = await openRouteStore({ redis: options.redis }, process.env);
  } else {
    try {
      const env = readCliEnv(process.env);
      routeStore = { settings: env, description: env.url, close: async () => undefined };
    } catch (error) {
      if (error instanceof CliUsageError) throw new AgentUsageError(`${error.message} (or pass --redis)`);
      throw error;
    }
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  try {
    if (options.forget !== null) {
      const store = createAgentStore({
        redis: routeStoreClient(routeStore.settings),
        keyPrefix,
        agentId: options.forget,
      });
      await forgetAgent(store, log).catch((error: unknown) => {
        throw new AgentRunError(`the route store failed: ${(error as Error).message}`);
      });
      return 0;
    }
    const agentId = options.agentId ?? (await engineName(engine, options.once, controller.signal));
    if (agentId === null) return 0;
    const store = createAgentStore({ redis: routeStoreClient(routeStore.settings), keyPrefix, agentId });
    log(
      `agent ${agentId}: engine ${options.docker}, route store ${routeStore.description}${keyPrefix ? `, key prefix "${keyPrefix}"` : ""}`,
    );
    const agent = createAgent({ engine, store, log });
    if (options.once) await agent.once();
    else await agent.run(controller.signal);
    log(`stopped after ${store.commands} command(s)`);
    return 0;
  } finally {
    await routeStore.close();
  }
}

/** The engine's name, for the default agent id; waits for the engine (with --once: fails) until stopped. */
async function engineName(
  engine: ReturnType<typeof createEngine>,
  once: boolean,
  signal: AbortSignal,
): Promise<string | null> {
  for (let delay = 500; !signal.aborted; delay = Math.min(30_000, delay * 2)) {
    try {
      return agentIdFrom(await engine.name());
    } catch (error) {
      if (once) throw new AgentRunError(`cannot reach the engine: ${(error as Error).message}`);
      log(`cannot reach the engine: ${(error as Error).message}; retrying in ${(delay / 1000).toFixed(1)} s`);
      await pause(delay, signal);
    }
  }
  return null;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof AgentUsageError || error instanceof AgentRunError) {
    log(error.message);
    if (error instanceof AgentUsageError) process.stderr.write("(npm run docker -- --help lists the options)\n");
    process.exitCode = error.status;
  } else {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
