export interface ScriptRunOptions {
  /** Writes one progress line (the script's own `[name]` prefix). */
  readonly log: (line: string) => void;
  /** The whole run is stopped, and exits 1, after this many seconds. */
  readonly timeoutS: number;
  /** Stops whatever the run started; called once on every way out (done, failed, watchdog, signal). */
  readonly cleanUp: () => Promise<void>;
}

/**
 * Runs a measuring script's `main` so that it always stops by itself: a
 * watchdog ends a run that hangs, SIGINT/SIGTERM clean up before exiting 130,
 * a failure is logged (never left as an unhandled rejection) and the process
 * exits 0 only when `main` finished.
 */
export async function runScript(main: () => Promise<void>, options: ScriptRunOptions): Promise<never> {
  const { log, timeoutS, cleanUp } = options;
  const watchdog = setTimeout(() => {
    log(`still running after ${timeoutS} s: stopping`);
    void cleanUp().finally(() => process.exit(1));
  }, timeoutS * 1000);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => void cleanUp().finally(() => process.exit(130)));
  }
  let finished = false;
  try {
    await main();
    finished = true;
  } catch (error) {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    clearTimeout(watchdog);
    await cleanUp();
  }
  return process.exit(finished ? 0 : 1);
}
