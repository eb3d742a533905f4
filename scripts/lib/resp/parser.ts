/**
 * Incremental RESP2 reply parser, linear in the reply size: arrays under
 * construction are kept between chunks (a stack of open arrays), so a chunk
 * only parses bytes that arrived since the last complete element, instead of
 * re-parsing a large reply from its start on every chunk.
 */
import { CRLF, RespError, RespStatus, type RespReply } from "./reply.ts";

class ProtocolError extends Error {}

/** An array whose elements are still arriving. */
interface OpenArray {
  readonly items: RespReply[];
  remaining: number;
}

/** Signals that the buffer ends inside the element at hand. */
const INCOMPLETE = -1;

function parseInteger(text: string): number | bigint {
  if (!/^-?\d+$/.test(text)) throw new ProtocolError(`bad integer ${JSON.stringify(text)}`);
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

function parseLength(text: string): number {
  if (!/^(-1|\d+)$/.test(text)) throw new ProtocolError(`bad length ${JSON.stringify(text)}`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new ProtocolError(`bad length ${JSON.stringify(text)}`);
  return n;
}

/** Feed it socket chunks; it returns the replies they complete, in order. */
export class RespParser {
  /** Unparsed bytes: at most the one element the last chunk ended in. */
  private pending: Buffer[] = [];
  private buffered = 0;
  /** Bytes of `pending` needed before parsing can progress (a large bulk string waits here, uncopied). */
  private needed = 1;
  private readonly open: OpenArray[] = [];
  private replies: RespReply[] = [];

  push(chunk: Buffer): RespReply[] {
    this.pending.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered < this.needed) return [];
    const buf = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.buffered);
    let offset = 0;
    for (;;) {
      const next = this.element(buf, offset);
      if (next === INCOMPLETE) break;
      offset = next;
    }
    const rest = buf.subarray(offset);
    this.pending = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    const replies = this.replies;
    this.replies = [];
    return replies;
  }

  /** Parses the element at `start`: returns the offset after it, or INCOMPLETE (having set `needed`). */
  private element(buf: Buffer, start: number): number {
    if (start >= buf.length) return this.wait(start, start + 1);
    const lineEnd = buf.indexOf(CRLF, start + 1);
    if (lineEnd === -1) return this.wait(start, buf.length + 1);
    const line = buf.toString("utf8", start + 1, lineEnd);
    const next = lineEnd + 2;
    switch (buf[start]) {
      case 0x2b: // +
        return this.complete(new RespStatus(line), next);
      case 0x2d: // -
        return this.complete(new RespError(line), next);
      case 0x3a: // :
        return this.complete(parseInteger(line), next);
      case 0x24: {
        // $
        const length = parseLength(line);
        if (length === -1) return this.complete(null, next);
        const end = next + length;
        if (buf.length < end + 2) return this.wait(start, end + 2);
        // Copy so the (possibly large) read buffer can be released.
        return this.complete(Buffer.from(buf.subarray(next, end)), end + 2);
      }
      case 0x2a: {
        // *
        const count = parseLength(line);
        if (count === -1) return this.complete(null, next);
        if (count === 0) return this.complete([], next);
        this.open.push({ items: [], remaining: count });
        return next;
      }
      default:
        throw new ProtocolError(`unexpected reply type byte 0x${(buf[start] ?? 0).toString(16)}`);
    }
  }

  /** Hands a finished value to the innermost open array, closing arrays it completes. */
  private complete(value: RespReply, next: number): number {
    let done = value;
    for (;;) {
      const parent = this.open.at(-1);
      if (!parent) {
        this.replies.push(done);
        break;
      }
      parent.items.push(done);
      if (--parent.remaining > 0) break;
      this.open.pop();
      done = parent.items;
    }
    this.needed = 1;
    return next;
  }

  private wait(start: number, needEnd: number): number {
    this.needed = needEnd - start;
    return INCOMPLETE;
  }
}
