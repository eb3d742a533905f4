/**
 * The file `routes export` writes and `routes import` reads:
 *
 *   { "routes": [
 *       { "host": "app1.example.com", "value": "10.0.0.7:5000" },
 *       { "host": "api.example.com", "value": { "backends": ["10.0.0.1:80"] }, "ttl": 3600 },
 *       { "host": "www.example.com", "hipache": ["mysite", "http://10.0.0.1:80"] }
 *   ] }
 *
 * `value` is a string route, or a JSON route as an object; `hipache` is a
 * Hipache list (identifier, then backends); `ttl` is in seconds.
 */
import { parseHostPattern, type KeyFormat } from "../../src/lookup/patterns.ts";
import { RouteSyntaxError } from "../../src/route-value/route-syntax-error.ts";
import { parseHipacheList, parseRouteValue } from "../../src/route-value/value.ts";

export interface ImportEntry {
  readonly host: string;
  readonly format: KeyFormat;
  /** The string to SET, or the elements to RPUSH. */
  readonly value: string | readonly string[];
  readonly ttl: number | null;
}

export interface ExportEntry {
  readonly host: string;
  readonly value?: unknown;
  readonly hipache?: readonly string[];
  readonly ttl?: number;
}

/** Every entry, or every problem: nothing is written unless the whole file is valid. */
export function parseImportFile(text: string): { entries: ImportEntry[]; problems: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { entries: [], problems: [`not valid JSON: ${(error as Error).message}`] };
  }
  const routes = typeof data === "object" && data !== null && "routes" in data ? data.routes : undefined;
  if (!Array.isArray(routes)) {
    return { entries: [], problems: ['the file must be an object with a "routes" list, as `routes export` writes'] };
  }
  const entries: ImportEntry[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  routes.forEach((item: unknown, i) => {
    const where = `routes[${i}]`;
    try {
      const entry = parseEntry(item, where);
      const id = `${entry.format} ${entry.host}`;
      const first = seen.get(id);
      if (first !== undefined) throw new RouteSyntaxError(`${entry.host} is already set by routes[${first}]`);
      seen.set(id, i);
      entries.push(entry);
    } catch (error) {
      if (!(error instanceof RouteSyntaxError)) throw error;
      problems.push(error.message.startsWith(where) ? error.message : `${where}: ${error.message}`);
    }
  });
  return { entries, problems };
}

function parseEntry(item: unknown, where: string): ImportEntry {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    throw new RouteSyntaxError(
      `${where} must be an object such as {"host": "app.example.com", "value": "10.0.0.7:5000"}`,
    );
  }
  const entry = item as Record<string, unknown>;
  for (const name of Object.keys(entry)) {
    if (!["host", "value", "hipache", "ttl"].includes(name)) {
      throw new RouteSyntaxError(`${where}: unknown field "${name}" (known: host, value, hipache, ttl)`);
    }
  }
  if (typeof entry["host"] !== "string") throw new RouteSyntaxError(`${where}: "host" must be a string`);
  const host = parseHostPattern(entry["host"]);
  const label = `${where} (${host})`;
  const ttl = entry["ttl"];
  if (ttl !== undefined && !(typeof ttl === "number" && Number.isInteger(ttl) && ttl > 0)) {
    throw new RouteSyntaxError(`${label}: "ttl" must be a whole number of seconds above 0`);
  }
  const hasValue = entry["value"] !== undefined;
  const hasList = entry["hipache"] !== undefined;
  if (hasValue === hasList) throw new RouteSyntaxError(`${label}: give exactly one of "value" or "hipache"`);
  try {
    if (hasValue) {
      const raw = entry["value"];
      if (typeof raw !== "string" && (typeof raw !== "object" || raw === null || Array.isArray(raw))) {
        throw new RouteSyntaxError('"value" must be a string or a JSON route object');
      }
      const value = typeof raw === "string" ? raw.trim() : JSON.stringify(raw);
      parseRouteValue(value);
      return { host, format: "string", value, ttl: (ttl as number | undefined) ?? null };
    }
    const list = entry["hipache"];
    if (!Array.isArray(list) || !list.every((element) => typeof element === "string")) {
      throw new RouteSyntaxError('"hipache" must be a list of strings: an identifier, then backend URLs');
    }
    parseHipacheList(list);
    return { host, format: "hipache", value: list, ttl: (ttl as number | undefined) ?? null };
  } catch (error) {
    if (error instanceof RouteSyntaxError) throw new RouteSyntaxError(`${label}: ${error.message}`);
    throw error;
  }
}
