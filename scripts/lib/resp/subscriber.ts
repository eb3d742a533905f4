/**
 * A connection in RESP2 subscribe mode. After SUBSCRIBE/PSUBSCRIBE redis
 * pushes messages that answer no command, so instead of pairing replies with
 * commands (RespConnection) every reply goes to `onReply`, in arrival order.
 * It never reconnects: messages published while it was down would be lost
 * without a trace, so its owner ends instead (and its client resubscribes).
 */
import { Socket } from "node:net";
import { RespParser } from "./parser.ts";
import { readReplies } from "./read-replies.ts";
import { encodeCommands, RedisConnectionError, RespStatus, type RespArg, type RespReply } from "./reply.ts";

export interface RespSubscriberOptions {
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Give up connecting after this long (default 2000 ms). */
  readonly connectTimeoutMs?: number;
  /** Sent as CLIENT SETNAME first (no spaces), so CLIENT LIST tells what the connection is for. */
  readonly name?: string;
  /** Every reply to the commands and every message pushed, in order. */
  onReply(reply: RespReply): void;
  /** Called once when the connection is gone: with null after close(), with the reason otherwise. */
  onClose(error: RedisConnectionError | null): void;
}

export class RespSubscriber {
  private readonly options: RespSubscriberOptions;
  private readonly parser = new RespParser();
  private socket: Socket | null = null;
  private closed = false;
  /** The CLIENT SETNAME reply, not the owner's business unless it failed. */
  private skipOk = 0;

  constructor(options: RespSubscriberOptions) {
    this.options = options;
  }

  /** Connects and writes `commands`; rejects with a RedisConnectionError when redis cannot be reached. */
  open(commands: readonly (readonly RespArg[])[]): Promise<void> {
    const { host = "127.0.0.1", port, connectTimeoutMs = 2000, name } = this.options;
    const socket = new Socket();
    this.socket = socket;
    const where = `${host}:${port}`;
    let failure: Error | null = null;
    let connected = false;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => socket.destroy(new Error(`connect timed out after ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
      socket.setNoDelay(true);
      socket.once("connect", () => {
        clearTimeout(timer);
        connected = true;
        socket.setKeepAlive(true, 10_000);
        const first: RespArg[][] = name ? [["CLIENT", "SETNAME", name]] : [];
        this.skipOk = first.length;
        socket.write(encodeCommands([...first, ...commands]));
        resolve();
      });
      socket.on("data", (chunk: Buffer) => this.receive(socket, chunk));
      socket.on("error", (error) => {
        failure = error;
      });
      socket.once("close", () => {
        clearTimeout(timer);
        const reason = failure ? failure.message : "connection closed by redis";
        const error = new RedisConnectionError(
          connected ? `redis connection to ${where} lost: ${reason}` : `redis unreachable at ${where}: ${reason}`,
        );
        if (!connected) reject(error);
        this.finish(error);
      });
      socket.connect({ host, port });
    });
  }

  /** Writes more commands (UNSUBSCRIBE, PING, …) on the open connection. */
  send(commands: readonly (readonly RespArg[])[]): void {
    if (!this.closed) this.socket?.write(encodeCommands(commands));
  }

  /** Closes the connection; `onClose(null)` follows unless it was already gone. */
  close(): void {
    const socket = this.socket;
    this.finish(null);
    socket?.destroy();
  }

  private receive(socket: Socket, chunk: Buffer): void {
    const replies = readReplies(this.parser, socket, chunk);
    if (!replies) return;
    for (const reply of replies) {
      if (this.closed) return;
      if (this.skipOk > 0 && reply instanceof RespStatus) {
        this.skipOk--;
        continue;
      }
      this.skipOk = 0;
      this.options.onReply(reply);
    }
  }

  private finish(error: RedisConnectionError | null): void {
    if (this.closed) return;
    this.closed = true;
    this.socket = null;
    this.options.onClose(error);
  }
}
