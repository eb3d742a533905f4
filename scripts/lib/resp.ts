/**
 * A minimal RESP2 client over node:net, enough for the Upstash REST bridge.
 *
 * - Binary-safe: arguments may be Buffers, bulk replies are Buffers.
 * - Keeps reply kinds apart: status (`+OK`) is a RespStatus, bulk strings are
 *   Buffers, `-ERR …` is a RespError *value* (so a pipeline can carry one
 *   failure among successes), integers are numbers (bigint past 2^53), nil is
 *   null, arrays nest.
 * - Pipelining: `pipeline()` writes N commands at once and resolves with N
 *   replies in order; concurrent callers share the connection safely because
 *   replies come back in the order commands were written.
 * - Connects lazily and reconnects on the next command after the connection
 *   dropped. Promises reject with RedisConnectionError (never hang) when redis
 *   is unreachable, the connection drops, or nothing arrives for
 *   `commandTimeoutMs` while replies are outstanding.
 * - RespClient adds exclusive connections for work that must not interleave
 *   with other callers (MULTI/EXEC, blocking commands).
 */
import { Socket } from "node:net";

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

// ---------------------------------------------------------------------------
// Encoding

const CRLF = Buffer.from("\r\n");

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

// ---------------------------------------------------------------------------
// Decoding

/** Thrown inside the parser when the buffer ends before the reply does. */
class Incomplete {
  /** Absolute buffer offset that must be reached before parsing can progress. */
  readonly needEnd: number;
  constructor(needEnd: number) {
    this.needEnd = needEnd;
  }
}

class ProtocolError extends Error {}

function readLine(buf: Buffer, start: number): { line: string; next: number } {
  const end = buf.indexOf(CRLF, start);
  if (end === -1) throw new Incomplete(buf.length + 1);
  return { line: buf.toString("utf8", start, end), next: end + 2 };
}

function parseInteger(text: string): number | bigint {
  if (!/^-?\d+$/.test(text)) throw new ProtocolError(`bad integer ${JSON.stringify(text)}`);
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

function parseLength(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < -1) throw new ProtocolError(`bad length ${JSON.stringify(text)}`);
  return n;
}

function parseReply(buf: Buffer, start: number): { value: RespReply; next: number } {
  if (start >= buf.length) throw new Incomplete(start + 1);
  const type = buf[start];
  const { line, next } = readLine(buf, start + 1);
  switch (type) {
    case 0x2b: // +
      return { value: new RespStatus(line), next };
    case 0x2d: // -
      return { value: new RespError(line), next };
    case 0x3a: // :
      return { value: parseInteger(line), next };
    case 0x24: {
      // $
      const length = parseLength(line);
      if (length === -1) return { value: null, next };
      const end = next + length;
      if (buf.length < end + 2) throw new Incomplete(end + 2);
      // Copy so the (possibly large) read buffer can be released.
      return { value: Buffer.from(buf.subarray(next, end)), next: end + 2 };
    }
    case 0x2a: {
      // *
      const count = parseLength(line);
      if (count === -1) return { value: null, next };
      const items: RespReply[] = [];
      let offset = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, offset);
        items.push(item.value);
        offset = item.next;
      }
      return { value: items, next: offset };
    }
    default:
      throw new ProtocolError(`unexpected reply type byte 0x${(type ?? 0).toString(16)}`);
  }
}

/**
 * Incremental reply parser: feed it socket chunks, it returns complete
 * replies. Chunks are only joined once enough bytes for the next step are
 * buffered, so a large bulk reply is not re-copied per chunk.
 */
export class RespParser {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private needed = 1;

  push(chunk: Buffer): RespReply[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered < this.needed) return [];
    let buf = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.buffered);
    const replies: RespReply[] = [];
    let offset = 0;
    for (;;) {
      try {
        const { value, next } = parseReply(buf, offset);
        replies.push(value);
        offset = next;
      } catch (error) {
        if (!(error instanceof Incomplete)) throw error;
        this.needed = error.needEnd - offset;
        break;
      }
    }
    buf = buf.subarray(offset);
    this.chunks = buf.length > 0 ? [buf] : [];
    this.buffered = buf.length;
    if (this.buffered === 0) this.needed = 1;
    return replies;
  }
}

// ---------------------------------------------------------------------------
// Connection

interface Waiter {
  resolve(reply: RespReply): void;
  reject(error: Error): void;
}

type State = "disconnected" | "connecting" | "ready" | "closed";

/**
 * One TCP connection to redis with in-order pipelining. Connects on first
 * use and again after a drop; every waiter of a dropped connection is
 * rejected with a RedisConnectionError.
 */
export class RespConnection {
  private readonly host: string;
  private readonly port: number;
  private readonly connectTimeoutMs: number;
  private readonly commandTimeoutMs: number;
  private socket: Socket | null = null;
  private state: State = "disconnected";
  private parser = new RespParser();
  /** Commands waiting for the connection to open. */
  private outbox: Buffer[] = [];
  /** One per command written (or queued in outbox), in order. */
  private waiters: Waiter[] = [];

  constructor(options: RespConnectionOptions) {
    this.host = options.host ?? "127.0.0.1";
    this.port = options.port;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2000;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 10_000;
  }

  /** True while a socket is open and ready. */
  get connected(): boolean {
    return this.state === "ready";
  }

  /** Commands sent whose replies have not arrived yet. */
  get pending(): number {
    return this.waiters.length;
  }

  get closed(): boolean {
    return this.state === "closed";
  }

  /** Sends one command; resolves with its reply (a RespError for `-ERR`). */
  send(args: readonly RespArg[]): Promise<RespReply> {
    return this.pipeline([args]).then((replies) => replies[0] as RespReply);
  }

  /** Sends commands in one write; resolves with their replies in order. */
  pipeline(commands: readonly (readonly RespArg[])[]): Promise<RespReply[]> {
    if (this.state === "closed") return Promise.reject(new RedisConnectionError("redis connection closed"));
    if (commands.length === 0) return Promise.resolve([]);
    const promises = commands.map(
      () => new Promise<RespReply>((resolve, reject) => this.waiters.push({ resolve, reject })),
    );
    const bytes = encodeCommands(commands);
    if (this.state === "ready" && this.socket) {
      this.socket.write(bytes);
      this.armTimeout();
    } else {
      this.outbox.push(bytes);
      if (this.state === "disconnected") this.connect();
    }
    return Promise.all(promises);
  }

  /** Closes the connection for good; pending commands are rejected. */
  close(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    const socket = this.socket;
    this.socket = null;
    this.failAll(new RedisConnectionError("redis connection closed"));
    socket?.destroy();
  }

  private connect(): void {
    this.state = "connecting";
    this.parser = new RespParser();
    const socket = new Socket();
    this.socket = socket;
    const where = `${this.host}:${this.port}`;
    const connectTimer = setTimeout(() => {
      socket.destroy(new Error(`connect timed out after ${this.connectTimeoutMs} ms`));
    }, this.connectTimeoutMs);
    let failure: Error | null = null;
    socket.setNoDelay(true);
    socket.once("connect", () => {
      clearTimeout(connectTimer);
      if (this.socket !== socket) return;
      socket.setKeepAlive(true, 10_000);
      this.state = "ready";
      const queued = this.outbox;
      this.outbox = [];
      for (const bytes of queued) socket.write(bytes);
      this.armTimeout();
    });
    socket.on("data", (chunk: Buffer) => {
      if (this.socket !== socket) return;
      let replies: RespReply[];
      try {
        replies = this.parser.push(chunk);
      } catch (error) {
        socket.destroy(new Error(`protocol error: ${(error as Error).message}`));
        return;
      }
      for (const reply of replies) {
        const waiter = this.waiters.shift();
        if (!waiter) {
          socket.destroy(new Error("reply without a command"));
          return;
        }
        waiter.resolve(reply);
      }
      this.armTimeout();
    });
    socket.on("timeout", () => {
      socket.destroy(new Error(`no reply from redis within ${this.commandTimeoutMs} ms`));
    });
    socket.on("error", (error) => {
      failure = error;
    });
    socket.once("close", () => {
      clearTimeout(connectTimer);
      if (this.socket !== socket) return;
      this.socket = null;
      const wasReady = this.state === "ready";
      if (this.state !== "closed") this.state = "disconnected";
      const reason = failure ? failure.message : "connection closed by redis";
      const message = wasReady
        ? `redis connection to ${where} lost: ${reason}`
        : `redis unreachable at ${where}: ${reason}`;
      this.failAll(new RedisConnectionError(message));
    });
    socket.connect({ host: this.host, port: this.port });
  }

  /** Socket inactivity timeout only while replies are outstanding. */
  private armTimeout(): void {
    if (!this.socket) return;
    this.socket.setTimeout(this.waiters.length > 0 ? this.commandTimeoutMs : 0);
  }

  private failAll(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    this.outbox = [];
    for (const waiter of waiters) waiter.reject(error);
  }
}

// ---------------------------------------------------------------------------
// Client: shared pipelined connection + exclusive connections

export interface RespClientOptions extends RespConnectionOptions {
  /** Idle exclusive connections kept for reuse (default 4). */
  readonly maxIdleExclusive?: number;
}

/** Replies of MULTI, each queued command (QUEUED or an error), and EXEC. */
export interface TransactionReplies {
  readonly multi: RespReply;
  readonly queued: RespReply[];
  readonly exec: RespReply;
}

export class RespClient {
  private readonly options: RespClientOptions;
  private readonly shared: RespConnection;
  private readonly idle: RespConnection[] = [];
  private readonly busy = new Set<RespConnection>();
  private isClosed = false;

  constructor(options: RespClientOptions) {
    this.options = options;
    this.shared = new RespConnection(options);
  }

  /** One command on the shared connection. */
  send(args: readonly RespArg[]): Promise<RespReply> {
    return this.shared.send(args);
  }

  /** Commands pipelined on the shared connection (may interleave with other callers). */
  pipeline(commands: readonly (readonly RespArg[])[]): Promise<RespReply[]> {
    return this.shared.pipeline(commands);
  }

  /**
   * Runs `work` on a connection nobody else uses meanwhile. The connection
   * goes back to the idle pool if `work` succeeded and left nothing pending.
   * `commandTimeoutMs` overrides the client's for a new connection (0 for
   * blocking commands); such connections are not pooled.
   */
  async exclusive<T>(work: (connection: RespConnection) => Promise<T>, commandTimeoutMs?: number): Promise<T> {
    if (this.isClosed) throw new RedisConnectionError("redis client closed");
    const custom = commandTimeoutMs !== undefined;
    const connection =
      (!custom && this.idle.pop()) || new RespConnection(custom ? { ...this.options, commandTimeoutMs } : this.options);
    this.busy.add(connection);
    let healthy = false;
    try {
      const result = await work(connection);
      healthy = connection.pending === 0 && !connection.closed;
      return result;
    } finally {
      this.busy.delete(connection);
      if (healthy && !custom && !this.isClosed && this.idle.length < (this.options.maxIdleExclusive ?? 4)) {
        this.idle.push(connection);
      } else {
        connection.close();
      }
    }
  }

  /** MULTI, the commands, EXEC on an exclusive connection, written in one go. */
  transaction(commands: readonly (readonly RespArg[])[]): Promise<TransactionReplies> {
    return this.exclusive(async (connection) => {
      const replies = await connection.pipeline([["MULTI"], ...commands, ["EXEC"]]);
      return {
        multi: replies[0] as RespReply,
        queued: replies.slice(1, -1),
        exec: replies[replies.length - 1] as RespReply,
      };
    });
  }

  close(): void {
    this.isClosed = true;
    this.shared.close();
    for (const connection of this.idle.splice(0)) connection.close();
    for (const connection of this.busy) connection.close();
    this.busy.clear();
  }
}
