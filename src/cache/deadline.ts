import { RouteStoreError } from "../errors.ts";

/** A waiter gets this much longer than the store's own timeout (and the batch window) before it gives up. */
export const DEADLINE_GRACE_MS = 250;

/** Rejects with a 503 if the lookup has not settled in time: a request never hangs on it. */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RouteStoreError(`lookup did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}
