/**
 * Requests → commands: the raw target, the body (bounded), JSON command
 * arrays and the path form `/COMMAND/arg/…`.
 */
import type { IncomingMessage } from "node:http";
import type { Command } from "./command.ts";
import { HttpError } from "./errors.ts";

/**
 * Path and query from the raw request target, not WHATWG URL parsing: that
 * would resolve "..", "%2e%2e" and backslashes, and path segments are keys
 * and values.
 */
export function splitTarget(target: string): { rawPath: string; query: URLSearchParams } {
  const queryAt = target.indexOf("?");
  return {
    rawPath: queryAt === -1 ? target : target.slice(0, queryAt),
    query: new URLSearchParams(queryAt === -1 ? "" : target.slice(queryAt + 1)),
  };
}

/** The whole body, or a 413 HttpError past `limit` bytes (the rest is not buffered). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new HttpError(413, `ERR request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => {
      if (!failed) resolve(Buffer.concat(chunks, size));
    });
    req.once("error", (error) => {
      if (!failed) reject(new HttpError(400, `ERR could not read the request body: ${error.message}`));
      failed = true;
    });
  });
}

/** JSON numbers keep their source text, so `1.50` reaches redis as written. */
class JsonNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

export function parseJsonBody(body: Buffer): unknown {
  const parse = JSON.parse as (text: string, reviver: Reviver) => unknown;
  try {
    return parse(body.toString("utf8"), (_key, value, context) =>
      typeof value === "number" ? new JsonNumber(context?.source ?? String(value)) : value,
    );
  } catch (error) {
    throw new HttpError(400, `ERR malformed JSON body: ${(error as Error).message}`);
  }
}

/** A JSON command array → argument bytes. Strings as UTF-8, numbers as written, booleans as true/false. */
export function toCommand(value: unknown, what: string): Command {
  if (!Array.isArray(value)) throw new HttpError(400, `ERR ${what} must be a JSON array like ["SET","key","value"]`);
  if (value.length === 0) throw new HttpError(400, `ERR ${what} is an empty command`);
  return value.map((arg: unknown, i) => {
    if (typeof arg === "string") return Buffer.from(arg, "utf8");
    if (arg instanceof JsonNumber) return Buffer.from(arg.text, "utf8");
    if (typeof arg === "boolean") return Buffer.from(String(arg), "utf8");
    throw new HttpError(
      400,
      `ERR ${what}: argument ${i + 1} is ${arg === null ? "null" : Array.isArray(arg) ? "an array" : typeof arg}; only strings, numbers and booleans are accepted`,
    );
  });
}

/** A /pipeline or /multi-exec body → its commands. */
export function toCommands(body: unknown, path: string): Command[] {
  if (!Array.isArray(body)) throw new HttpError(400, "ERR the body must be a JSON array of commands");
  if (body.length === 0) throw new HttpError(400, `ERR empty ${path === "/pipeline" ? "pipeline" : "transaction"}`);
  return body.map((item, i) => toCommand(item, `command ${i + 1}`));
}

/** Percent-decodes a path segment to raw bytes (so %FF survives). */
export function percentDecode(segment: string): Buffer {
  if (!segment.includes("%")) return Buffer.from(segment, "utf8");
  const bytes: number[] = [];
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] as string;
    const hex = segment.slice(i + 1, i + 3);
    if (ch === "%" && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      const code = segment.codePointAt(i) ?? 0;
      if (code > 0xffff) i++;
      bytes.push(...Buffer.from(String.fromCodePoint(code), "utf8"));
    }
  }
  return Buffer.from(bytes);
}

/** `/COMMAND/arg/…` → the decoded segments (a trailing slash adds no empty argument). */
export function pathSegments(rawPath: string): Command {
  return rawPath
    .slice(1)
    .split("/")
    .filter((segment, i, all) => !(i === all.length - 1 && segment === "" && all.length > 1))
    .map(percentDecode);
}

/**
 * The path form: segments, then a non-empty POST body as one more (binary)
 * argument, then query parameters other than `_token` as `name[, value]`
 * (so `POST /set/k?EX=100` with body `v` is `SET k v EX 100`).
 */
export function pathCommand(segments: Command, body: Buffer, query: URLSearchParams): Command {
  const command = [...segments];
  if (body.length > 0) command.push(body);
  for (const [name, value] of query) {
    if (name === "_token") continue;
    command.push(Buffer.from(name, "utf8"));
    if (value !== "") command.push(Buffer.from(value, "utf8"));
  }
  return command;
}
