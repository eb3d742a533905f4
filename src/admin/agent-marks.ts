/**
 * Which routes a container agent (`npm run docker`, scripts/docker/) manages.
 * The agent keeps one Redis hash under the key prefix, host → mark, where a
 * mark is `<agent ids, comma-separated>\n<the route value it wrote>`. A route
 * is the agents' only while its stored value is still exactly what they wrote:
 * a route typed by hand (or edited by hand since) is not theirs, whatever the
 * hash says. The route format itself carries no marker, so the worker's
 * parser and every route already stored are unchanged.
 */

/** The hash's name after ROUTE_KEY_PREFIX. Not a host name (a colon), so no lookup or SCAN of routes takes it for a route. */
export const AGENT_MARKS_KEY = "docker:routes";

/** The agents that manage a route whose stored value is `raw`; null when none does (no mark, or the value changed since). */
export function agentsOf(mark: string | null | undefined, raw: unknown): string[] | null {
  if (typeof mark !== "string" || typeof raw !== "string") return null;
  const newline = mark.indexOf("\n");
  if (newline < 1 || mark.slice(newline + 1) !== raw) return null;
  return mark.slice(0, newline).split(",");
}

/** An HMGET reply of the marks hash, as raw values in the order asked or (deserialized) by field: host → mark. */
export function marksByHost(reply: unknown, hosts: readonly string[]): Map<string, string> {
  const marks = new Map<string, string>();
  hosts.forEach((host, i) => {
    const value: unknown = Array.isArray(reply) ? reply[i] : (reply as Record<string, unknown> | null)?.[host];
    if (typeof value === "string") marks.set(host, value);
  });
  return marks;
}
