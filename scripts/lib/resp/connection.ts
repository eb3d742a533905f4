/**
 * One TCP connection to redis with in-order pipelining: replies come back in
 * the order commands were written, so concurrent callers can share it.
 */
import { Socket } from "node:net";
import { RespParser } from "./parser.ts";
import { readReplies } from "./read-replies.ts";
import {
  encodeCommands,
  RedisConnectionError,
  type RespArg,
  type RespConnectionOptions,
  type RespReply,
} from "./reply.ts";

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
      const replies = readReplies(this.parser, socket, chunk);
      if (!replies) return;
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
