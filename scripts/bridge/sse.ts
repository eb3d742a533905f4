/**
 * Subscribe-mode replies as server-sent events, in the line format Upstash
 * streams and @upstash/redis's Subscriber reads: the reply's parts joined by
 * commas after `data: `, e.g. `data: subscribe,news,1`,
 * `data: message,news,hello`, `data: pmessage,n*,news,hello`.
 */
import { RespError, RespStatus, type RespReply } from "../lib/resp.ts";

function part(item: RespReply): string {
  if (item === null) return "";
  if (Buffer.isBuffer(item)) return item.toString("utf8");
  if (item instanceof RespStatus) return item.value;
  if (item instanceof RespError) return item.message;
  if (Array.isArray(item)) return item.map(part).join(",");
  return String(item);
}

/**
 * One event. A payload holding line breaks becomes several `data:` lines, as
 * the SSE format requires (WHATWG HTML §9.2.6: an EventSource joins them with
 * "\n" again; @upstash/redis reads each line as an event of its own).
 */
export function sseEvent(reply: RespReply): string {
  const text = Array.isArray(reply) ? reply.map(part).join(",") : `error,${part(reply)}`;
  return `${text
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join("")}\n`;
}

/** A comment line: ignored by every SSE reader, it keeps idle connections open and says why a stream ends. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, " ")}\n\n`;
}

/** Whether a reply confirms the last unsubscription of a stream (`unsubscribe,<channel>,0`). */
export function isLastUnsubscribe(reply: RespReply): boolean {
  if (!Array.isArray(reply) || reply.length !== 3) return false;
  const kind = part(reply[0] ?? null);
  return (kind === "unsubscribe" || kind === "punsubscribe") && reply[2] === 0;
}
