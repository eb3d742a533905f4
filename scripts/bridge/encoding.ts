/**
 * Replies as Upstash writes them. With `Upstash-Encoding: base64` every string
 * is base64 of its raw bytes, except a top-level status reply `OK` (which
 * @upstash/redis leaves undecoded); without it strings are UTF-8 text.
 * Integers and nil stay as they are; integers past 2^53 keep their digits.
 */
import { RespError, RespStatus, type RespReply } from "../lib/resp.ts";

/** JSON output, with bigint for integers past 2^53 (written as their digits). */
export type JsonOut = string | number | bigint | boolean | null | JsonOut[] | { [key: string]: JsonOut };

function encodeString(bytes: Buffer, base64: boolean): string {
  return base64 ? bytes.toString("base64") : bytes.toString("utf8");
}

/**
 * A reply as JSON. With base64, every string is base64 of its bytes except a
 * top-level `OK` status: @upstash/redis decodes everything else (and, inside
 * arrays, `OK` too), so status replies such as PONG or TYPE's `string` are
 * encoded like bulk strings.
 */
export function encodeReply(reply: RespReply, base64: boolean, topLevel = true): JsonOut {
  if (reply === null || typeof reply === "number" || typeof reply === "bigint") return reply;
  if (Buffer.isBuffer(reply)) return encodeString(reply, base64);
  if (reply instanceof RespStatus) {
    if (!base64 || (topLevel && reply.value === "OK")) return reply.value;
    return encodeString(Buffer.from(reply.value, "utf8"), true);
  }
  if (reply instanceof RespError) return encodeString(Buffer.from(reply.message, "utf8"), base64);
  return reply.map((item) => encodeReply(item, base64, false));
}

/** One entry of a /pipeline or /multi-exec answer. */
export function replyEntry(reply: RespReply, base64: boolean): JsonOut {
  return reply instanceof RespError ? { error: reply.message } : { result: encodeReply(reply, base64) };
}

/** JSON.stringify, but bigints are written as their digits. */
export function stringify(value: JsonOut): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return JSON.stringify(value);
    case "bigint":
      return value.toString();
  }
  if (Array.isArray(value)) return `[${value.map(stringify).join(",")}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${JSON.stringify(key)}:${stringify(item)}`)
    .join(",")}}`;
}
