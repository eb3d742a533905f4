import { isAlive, startWorkerdProcess, type Launch, type WorkerdProcess } from "./workerd-process.ts";

export interface SupervisorOptions {
  readonly workerd: string;
  readonly count: number;
  /** How long requests in flight may take once a process is told to stop; then it is killed. */
  readonly drainMs: number;
  readonly log: (line: string) => void;
  /** First restart delay after a crash, doubled for each crash in a row, up to maxBackoffMs. */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** A process that ran this long before it died starts its slot's backoff afresh. */
  readonly stableMs?: number;
}

export interface Supervisor {
  /** Starts `count` processes; resolves when all listen. */
  start(launch: Launch): Promise<void>;
  /**
   * Starts a new generation on the same descriptors and, once it listens,
   * stops the old one gracefully: the kernel queue is shared, so no
   * connection is refused meanwhile. A new generation that fails to start is
   * killed and the old one keeps serving.
   */
  reload(launch: Launch): Promise<void>;
  /** SIGTERM to every process (workerd stops accepting and finishes requests in flight), SIGKILL after drainMs. */
  stop(): Promise<void>;
  /** Pids of the current generation's running processes. */
  pids(): number[];
}

interface Slot {
  process: WorkerdProcess;
  crashes: number;
  restart: NodeJS.Timeout | null;
}

export function createSupervisor(options: SupervisorOptions): Supervisor {
  const minBackoffMs = options.minBackoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const stableMs = options.stableMs ?? 10_000;
  let launch: Launch | null = null;
  let slots: Slot[] = [];
  const retiring = new Set<WorkerdProcess>();
  let stopping = false;

  function spawnInto(slot: Slot | null, current: Launch): Slot {
    const process = startWorkerdProcess(options.workerd, current, options.log);
    const filled: Slot = slot ?? { process, crashes: 0, restart: null };
    filled.process = process;
    process.child.once("exit", (code, signal) => onExit(filled, process, code, signal));
    return filled;
  }

  function onExit(slot: Slot, process: WorkerdProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (stopping || slot.process !== process || !slots.includes(slot) || !launch) return;
    const lived = Date.now() - process.startedAt;
    slot.crashes = lived >= stableMs ? 1 : slot.crashes + 1;
    const delay = Math.min(maxBackoffMs, minBackoffMs * 2 ** (slot.crashes - 1));
    options.log(
      `workerd[${process.child.pid}] exited (${code ?? signal}) after ${lived} ms; restarting in ${delay} ms`,
    );
    const current = launch;
    slot.restart = setTimeout(() => {
      slot.restart = null;
      if (stopping || !slots.includes(slot)) return;
      const next = spawnInto(slot, current);
      next.process.ready.then(
        () => options.log(`workerd[${next.process.child.pid}] restarted`),
        (error: Error) => options.log(error.message),
      );
    }, delay);
  }

  async function startGeneration(current: Launch): Promise<Slot[]> {
    const generation = Array.from({ length: options.count }, () => spawnInto(null, current));
    try {
      await Promise.all(generation.map((slot) => slot.process.ready));
      return generation;
    } catch (error) {
      for (const slot of generation) slot.process.child.kill("SIGKILL");
      await Promise.all(generation.map((slot) => slot.process.exited));
      throw error;
    }
  }

  /** SIGTERM, then SIGKILL once the drain time is up; resolves when it has exited. */
  async function retire(process: WorkerdProcess): Promise<void> {
    if (!isAlive(process)) return;
    retiring.add(process);
    process.child.kill("SIGTERM");
    const killer = setTimeout(() => {
      if (isAlive(process)) {
        options.log(`workerd[${process.child.pid}] still busy after ${options.drainMs} ms: killed`);
        process.child.kill("SIGKILL");
      }
    }, options.drainMs);
    await process.exited;
    clearTimeout(killer);
    retiring.delete(process);
  }

  return {
    async start(first) {
      launch = first;
      slots = await startGeneration(first);
    },
    async reload(next) {
      if (stopping) return;
      const generation = await startGeneration(next);
      if (stopping) {
        await Promise.all(generation.map((slot) => retire(slot.process)));
        return;
      }
      const old = slots;
      launch = next;
      slots = generation;
      for (const slot of old) if (slot.restart) clearTimeout(slot.restart);
      await Promise.all(old.map((slot) => retire(slot.process)));
    },
    async stop() {
      stopping = true;
      for (const slot of slots) if (slot.restart) clearTimeout(slot.restart);
      await Promise.all([...slots.map((slot) => retire(slot.process)), ...[...retiring].map((p) => p.exited)]);
    },
    pids() {
      return slots.filter((slot) => isAlive(slot.process)).map((slot) => slot.process.child.pid ?? 0);
    },
  };
}
