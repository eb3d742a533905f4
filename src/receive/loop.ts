import { LoopDetectedError } from "../errors.ts";

/**
 * Counts the routers a request has passed. Via (RFC 9110 §7.6.3) records the
 * path too, but it may be rewritten or merged by other intermediaries; a
 * dedicated counter survives them and costs one integer parse.
 */
export const HOPS_HEADER = "x-host-router-hops";

/** The hops the request has made so far: 0 when it comes straight from a client. */
export function readHops(headers: Headers): number {
  const raw = headers.get(HOPS_HEADER);
  if (raw === null) return 0;
  // A value we cannot read is treated as "very many": whoever forged it gets
  // a 508 rather than a way round the limit.
  return /^\d{1,6}$/.test(raw.trim()) ? Number(raw.trim()) : Number.MAX_SAFE_INTEGER;
}

/**
 * Refuses a request that has come back through routers more than `maxHops`
 * times — a route whose upstream is the router itself would otherwise spin
 * until the platform's subrequest limit.
 */
export function checkHops(hops: number, maxHops: number): void {
  if (hops > maxHops) throw new LoopDetectedError(hops, maxHops);
}
