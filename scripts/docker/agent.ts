/**
 * The agent's loop: subscribe to the engine's container events, reconcile
 * fully (at start-up and after every reconnect: whatever happened while the
 * stream was down is caught up), then apply each event as it comes, one task
 * at a time in arrival order. An engine that goes away, a dropped stream or a
 * failing store is retried with backoff; nothing here exits the process.
 */
import type { ContainerInspectInfo } from "dockerode";
import { createBackoff, pause } from "./backoff.ts";
import { createDesired } from "./desired.ts";
import type { Engine, EventStream } from "./engine.ts";
import { AgentRunError } from "./errors.ts";
import { eventAction, type EventAction } from "./events.ts";
import { LabelError, readClaim, servesTraffic, type Claim } from "./labels.ts";
import type { AgentStore } from "./store.ts";
import { createSyncer } from "./sync.ts";

export interface AgentOptions {
  readonly engine: Engine;
  readonly store: AgentStore;
  readonly log: (line: string) => void;
  /** First retry delay; doubles up to maxBackoffMs. */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface Agent {
  /** Runs until `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
  /** One reconcile, then return (--once); throws AgentRunError when the engine or the store fails. */
  once(): Promise<void>;
}

export function createAgent(options: AgentOptions): Agent {
  const { engine, store, log } = options;
  const desired = createDesired();
  const syncer = createSyncer({ store, desired, log });
  const backoff = createBackoff({ minMs: options.minBackoffMs ?? 500, maxMs: options.maxBackoffMs ?? 30_000 });
  const storeBackoff = createBackoff({ minMs: options.minBackoffMs ?? 500, maxMs: options.maxBackoffMs ?? 30_000 });
  /** container → the label problem last logged for it, so each is said once. */
  const refused = new Map<string, string>();
  let retryTimer: NodeJS.Timeout | undefined;

  /** The claim of a container that serves, with its label problems logged (once) and skipped. */
  function claimOf(container: ContainerInspectInfo | null): Claim | null {
    if (container === null || !servesTraffic(container)) return null;
    const id = short(container.Id);
    try {
      const claim = readClaim(container);
      refused.delete(id);
      return claim;
    } catch (error) {
      if (!(error instanceof LabelError)) throw error;
      if (refused.get(id) !== error.message) {
        refused.set(id, error.message);
        log(`skipped container ${id} (${container.Name.replace(/^\//, "")}): ${error.message}`);
      }
      return null;
    }
  }

  /** Sends what is pending; on a store failure keeps it pending and tries again after a backoff. */
  async function flush(schedule: (task: () => Promise<void>) => void) {
    const result = await syncer.flush();
    if (result.error === null) {
      storeBackoff.reset();
      return result;
    }
    const delay = storeBackoff.next();
    log(
      `the route store failed: ${result.error.message}; ${syncer.pending} host(s) pending, retrying in ${seconds(delay)}`,
    );
    clearTimeout(retryTimer);
    retryTimer = setTimeout(
      () =>
        schedule(async () => {
          const before = store.commands;
          const retried = await flush(schedule);
          if (retried.error === null)
            log(`retry: ${retried.hosts} host(s) sent: ${store.commands - before} command(s)`);
        }),
      delay,
    );
    return result;
  }

  async function handle(action: EventAction, schedule: (task: () => Promise<void>) => void) {
    const id = short(action.id);
    if (action.recheck) {
      const again = { ...action, recheck: false };
      setTimeout(() => schedule(() => handle(again, schedule)), RECHECK_MS).unref();
    }
    const claim = action.kind === "withdraw" ? null : claimOf(await engine.inspect(action.id));
    const hosts = desired.set(id, claim);
    if (hosts.length === 0) return;
    syncer.mark(hosts);
    const before = store.commands;
    const result = await flush(schedule);
    log(
      `event ${action.what} ${id} (${hosts.join(", ")}): ${store.commands - before} command(s), ${result.writes} write(s)`,
    );
  }

  async function reconcile(reason: string, schedule: (task: () => Promise<void>) => void) {
    const before = store.commands;
    const running = await engine.running();
    const claims = new Map<string, Claim>();
    for (const container of running) {
      const claim = claimOf(container);
      if (claim) claims.set(short(container.Id), claim);
    }
    const stored = await store.hosts().catch((error: unknown) => {
      throw new StoreFailure(describe(error));
    });
    const touched = desired.replaceAll(claims);
    syncer.mark([...touched, ...stored], true);
    const result = await flush(schedule);
    log(
      `reconcile (${reason}): ${running.length} running, ${claims.size} routed, ${new Set([...touched, ...stored]).size} host(s): ${store.commands - before} command(s), ${result.writes} write(s)`,
    );
    return result;
  }

  return {
    async once() {
      const tasks: Array<() => Promise<void>> = [];
      let result;
      try {
        result = await reconcile("--once", (task) => tasks.push(task));
      } catch (error) {
        throw new AgentRunError(`reconcile failed: ${describe(error)}`);
      } finally {
        clearTimeout(retryTimer);
      }
      if (result.error) throw new AgentRunError(`the route store failed: ${result.error.message}`);
    },

    async run(signal) {
      let cycle = 0;
      let reason = "start-up";
      while (!signal.aborted) {
        const current = ++cycle;
        const started = Date.now();
        let queue = Promise.resolve();
        let endCycle: (why: string) => void = () => undefined;
        const ended = new Promise<string>((resolve) => (endCycle = resolve));
        // Tasks of an older cycle (its stream is gone) are dropped: the new cycle's reconcile covers them.
        const schedule = (task: () => Promise<void>) => {
          queue = queue.then(async () => {
            if (cycle !== current || signal.aborted) return;
            try {
              await task();
            } catch (error) {
              endCycle(
                error instanceof StoreFailure
                  ? `the route store failed: ${error.message}`
                  : `the engine failed: ${describe(error)}`,
              );
            }
          });
        };
        let stream: EventStream | undefined;
        try {
          stream = await engine.events((event) => {
            const action = eventAction(event);
            if (action) schedule(() => handle(action, schedule));
          });
        } catch (error) {
          endCycle(`cannot reach the engine: ${describe(error)}`);
        }
        if (stream) schedule(async () => void (await reconcile(reason, schedule)));
        const aborted = new Promise<string>((resolve) =>
          signal.addEventListener("abort", () => resolve(""), { once: true }),
        );
        const why = await Promise.race([ended, stream?.closed ?? ended, aborted]);
        stream?.close();
        cycle++;
        await queue;
        if (signal.aborted) break;
        // A connection that held for a while was a good one: start the backoff over. One that keeps
        // dropping at once backs off, even though each reconcile succeeds.
        if (Date.now() - started > HEALTHY_CYCLE_MS) backoff.reset();
        const delay = backoff.next();
        log(`${why}; reconnecting in ${seconds(delay)}`);
        reason = "reconnect";
        await pause(delay, signal);
      }
      clearTimeout(retryTimer);
    },
  };
}

/** A store failure during a reconcile: the cycle starts over after a backoff. */
class StoreFailure extends Error {}

/** An event stream that stayed up this long resets the backoff. */
const HEALTHY_CYCLE_MS = 30_000;

/** How long after a status-less health event the container is inspected again. */
const RECHECK_MS = 1000;

const short = (id: string) => id.slice(0, 12);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}
