/**
 * Runs authorised commands against Redis and shapes the answer: `/` and the
 * path form (one command), `/pipeline` and `/multi-exec`.
 */
import type { ServerResponse } from "node:http";
import { RespError, type RespClient, type RespConnection, type RespReply } from "../lib/resp.ts";
import type { Command } from "./command.ts";
import { encodeReply, replyEntry, type JsonOut } from "./encoding.ts";
import type { BlockingGate } from "./blocking.ts";
import { isBlocking, refuse } from "./policy.ts";
import type { SyncToken } from "./sync-token.ts";

/**
 * A status and the JSON body to send with it, and the sync token as of the
 * moment its commands ran (sync-token.ts): taken then, not when the response
 * is written, so two writes answered together get two tokens.
 */
export type Answer = [number, JsonOut, string?];

/** Drops the exclusive connection (ending a blocking command) if the HTTP client goes away first. */
async function withAbort<T>(connection: RespConnection, res: ServerResponse, work: () => Promise<T>): Promise<T> {
  const onClose = () => {
    if (!res.writableEnded) connection.close();
  };
  res.once("close", onClose);
  try {
    return await work();
  } finally {
    res.off("close", onClose);
  }
}

export interface Executor {
  /** One command: 200 `{"result"}`, or 400 `{"error"}` when refused or when Redis answers an error. */
  one(command: Command, res: ServerResponse, base64: boolean): Promise<Answer>;
  /** 200 and one `{"result"}` / `{"error"}` per command, even when some failed or were refused. */
  pipeline(commands: Command[], res: ServerResponse, base64: boolean): Promise<Answer>;
  /** MULTI/EXEC on a connection of its own; a refused or rejected command aborts it all with 400. */
  transaction(commands: Command[], base64: boolean): Promise<Answer>;
}

export function createExecutor(client: RespClient, syncToken: SyncToken, blocking: BlockingGate): Executor {
  /** A connection of its own with no reply timeout, for as long as the command blocks; capped by `blocking`. */
  const exclusive = <T>(res: ServerResponse, work: (connection: RespConnection) => Promise<T>): Promise<T> =>
    blocking.run(() => client.exclusive((connection) => withAbort(connection, res, () => work(connection)), 0));
  return {
    async one(command, res, base64) {
      const refusal = refuse(command);
      if (refusal) return [400, { error: refusal }, syncToken.current()];
      const reply = isBlocking(command)
        ? await exclusive(res, (connection) => connection.send(command))
        : await client.send(command);
      const token = syncToken.ran([command]);
      if (reply instanceof RespError) return [400, { error: reply.message }, token];
      return [200, { result: encodeReply(reply, base64) }, token];
    },

    async pipeline(commands, res, base64) {
      const refusals = commands.map(refuse);
      const toSend = commands.filter((_, i) => !refusals[i]);
      const replies = toSend.some(isBlocking)
        ? await exclusive(res, (connection) => connection.pipeline(toSend))
        : await client.pipeline(toSend);
      const token = syncToken.ran(toSend);
      let next = 0;
      const out = refusals.map((refusal): JsonOut => {
        if (refusal) return { error: refusal };
        return replyEntry(replies[next++] ?? null, base64);
      });
      return [200, out, token];
    },

    async transaction(commands, base64) {
      for (const command of commands) {
        const refusal = refuse(command);
        if (refusal) return [400, { error: refusal }, syncToken.current()];
      }
      const { multi, queued, exec } = await client.transaction(commands);
      if (multi instanceof RespError) return [400, { error: multi.message }];
      if (exec instanceof RespError) {
        const first = queued.find((reply: RespReply) => reply instanceof RespError);
        return [400, { error: first ? `${exec.message.replace(/\.$/, "")}: ${first.message}` : exec.message }];
      }
      if (!Array.isArray(exec)) return [400, { error: "EXECABORT transaction was not executed" }];
      return [200, exec.map((reply) => replyEntry(reply, base64)), syncToken.ran(commands)];
    },
  };
}
