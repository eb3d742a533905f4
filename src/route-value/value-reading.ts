import { RouteSyntaxError } from "./route-syntax-error.ts";
import { parseUpstreamAs, type Upstream } from "./upstream.ts";

/** A JSON object from a route value, read field by field. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** Whether the value is a JSON object (not null, not a list). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value as an object, or a RouteSyntaxError saying what it is instead. */
export function asObject(value: unknown, what: string, expected = "an object"): JsonObject {
  if (!isJsonObject(value)) {
    const got = value === null ? "null" : Array.isArray(value) ? "a list" : typeof value;
    throw new RouteSyntaxError(`${what} must be ${expected}, not ${got}`);
  }
  return value;
}

/** A backend or redirect URL; a bad one is a RouteSyntaxError naming where it was. */
export function upstream(text: string, where: string): Upstream {
  return parseUpstreamAs(text, (reason) => new RouteSyntaxError(`${where}: ${reason}`));
}
