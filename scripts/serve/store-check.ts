/**
 * The health listener's store check, cached: a load balancer (or anyone who
 * reaches the listener) may probe many times a second, and each uncached
 * probe would be one command on the route store, billed per command on
 * Upstash. One check per `ttlMs` (about a second) answers all the probes in
 * that time; probes that arrive while a check runs wait for it instead of
 * starting another.
 */
export interface StoreCheckOptions {
  /** How long an answer is reused (default 1000 ms). */
  readonly ttlMs?: number;
  /** The clock, in milliseconds (default performance.now). */
  readonly now?: () => number;
}

export function cachedStoreCheck(
  check: () => Promise<boolean>,
  { ttlMs = 1000, now = () => performance.now() }: StoreCheckOptions = {},
): () => Promise<boolean> {
  let last: { readonly at: number; readonly ok: boolean } | null = null;
  let running: Promise<boolean> | null = null;
  return () => {
    if (last && now() - last.at < ttlMs) return Promise.resolve(last.ok);
    running ??= check()
      .catch(() => false)
      .then((ok) => {
        // Stamped when the answer came: an answer is fresh for ttlMs after the store gave it.
        last = { at: now(), ok };
        running = null;
        return ok;
      });
    return running;
  };
}
