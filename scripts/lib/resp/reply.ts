/** RESP2 reply kinds and the command encoder (https://redis.io/docs/latest/develop/reference/protocol-spec/). */

export type RespArg = string | number | Buffer | Uint8Array;

/** A simple-string (status) reply such as `+OK`, `+PONG` or `+string` (TYPE). */
export class RespStatus {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

/** An error reply from redis (`-ERR …`, `-WRONGTYPE …`). Returned as a value, not thrown. */
export class RespError extends Error {
  override readonly name = "RespError";
}

/** Redis could not be reached, the connection dropped, or a reply timed out. */
export class RedisConnectionError extends Error {
  override readonly name = "RedisConnectionError";
}

export type RespReply = RespStatus | Buffer | number | bigint | null | RespError | RespReply[];

export interface RespConnectionOptions {
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Give up connecting after this long (default 2000 ms). */
  readonly connectTimeoutMs?: number;
  /**
   * Drop the connection when replies are outstanding and nothing has been
   * read or written for this long (default 10000 ms; 0 = never, for blocking
   * commands).
   */
  readonly commandTimeoutMs?: number;
}

export const CRLF = Buffer.from("\r\n");

function argToBuffer(arg: RespArg): Buffer {
  if (Buffer.isBuffer(arg)) return arg;
  if (arg instanceof Uint8Array) return Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength);
  return Buffer.from(String(arg), "utf8");
}

/** Encodes commands as RESP arrays of bulk strings, in one buffer. */
export function encodeCommands(commands: readonly (readonly RespArg[])[]): Buffer {
  const parts: Buffer[] = [];
  for (const command of commands) {
    parts.push(Buffer.from(`*${command.length}\r\n`));
    for (const arg of command) {
      const bytes = argToBuffer(arg);
      parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
    }
  }
  return Buffer.concat(parts);
}
