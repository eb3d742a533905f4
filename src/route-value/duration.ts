import { RouteSyntaxError } from "./route-syntax-error.ts";

/** `500ms`, `5s`, `1m`, `1h` (Traefik's duration units), or a plain number of seconds. */
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration field of a JSON route, in milliseconds: one syntax for every
 * field that holds one (a route's `timeout`, a rate limit's `period`), so
 * `"timeout": "500ms"` and `"period": 10` both mean what they say.
 */
export function readDuration(
  value: unknown,
  at: string,
  limits: { readonly maxMs: number; readonly hint: string },
): number {
  const match = typeof value === "string" ? DURATION.exec(value.trim()) : null;
  const ms =
    typeof value === "number" ? value * 1000 : match ? Number(match[1]) * (UNIT_MS[match[2] ?? "s"] ?? 1000) : NaN;
  if (!Number.isFinite(ms) || !(ms > 0) || ms > limits.maxMs) {
    throw new RouteSyntaxError(
      `${at} must be a duration above 0 and at most ${limits.hint}: a number of seconds or a string such as "500ms", "5s" or "1m", not ${JSON.stringify(value)}`,
    );
  }
  // Timers take whole milliseconds; anything shorter is 1 ms, as a numeric timeout always was.
  return Math.max(1, Math.round(ms));
}
