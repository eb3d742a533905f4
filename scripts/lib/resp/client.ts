/** A shared pipelined connection plus exclusive ones for work that must not interleave (MULTI/EXEC, blocking commands). */
import { RespConnection } from "./connection.ts";
import { RedisConnectionError, type RespArg, type RespConnectionOptions, type RespReply } from "./reply.ts";

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
