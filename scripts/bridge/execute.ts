/**
 * Runs authorised commands against Redis and shapes the answer: `/` and the
 * path form (one command), `/pipeline` and `/multi-exec`.
 */
import type { ServerResponse } from "node:http";
import { RespError, type RespClient, type RespConnection, type RespReply } from "../lib/resp.ts";
import type { Command } from "./command.ts";
import { encodeReply, replyEntry, type JsonOut } from "./encoding.ts";
import { isBlocking, refuse } from "./policy.ts";
import type { SyncToken } from "./sync-token.ts";

/** A status and the JSON body to send with it. */
export type Answer = [number, JsonOut];

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

export function createExecutor(client: RespClient, syncToken: SyncToken): Executor {
  return {
    async one(command, res, base64) {
      const refusal = refuse(command);
      if (refusal) return [400, { error: refusal }];
      const reply = isBlocking(command)
        ? await client.exclusive((connection) => withAbort(connection, res, () => connection.send(command)), 0)
        : await client.send(command);
      syncToken.ran([command]);
      if (reply instanceof RespError) return [400, { error: reply.message }];
      return [200, { result: encodeReply(reply, base64) }];
    },

    async pipeline(commands, res, base64) {
      const refusals = commands.map(refuse);
      const toSend = commands.filter((_, i) => !refusals[i]);
      const replies = toSend.some(isBlocking)
        ? await client.exclusive((connection) => withAbort(connection, res, () => connection.pipeline(toSend)), 0)
        : await client.pipeline(toSend);
      syncToken.ran(toSend);
      let next = 0;
      const out = refusals.map((refusal): JsonOut => {
        if (refusal) return { error: refusal };
        return replyEntry(replies[next++] ?? null, base64);
      });
      return [200, out];
    },

    async transaction(commands, base64) {
      for (const command of commands) {
        const refusal = refuse(command);
        if (refusal) return [400, { error: refusal }];
      }
      const { multi, queued, exec } = await client.transaction(commands);
      if (multi instanceof RespError) return [400, { error: multi.message }];
      if (exec instanceof RespError) {
        const first = queued.find((reply: RespReply) => reply instanceof RespError);
        return [400, { error: first ? `${exec.message.replace(/\.$/, "")}: ${first.message}` : exec.message }];
      }
      if (!Array.isArray(exec)) return [400, { error: "EXECABORT transaction was not executed" }];
      syncToken.ran(commands);
      return [200, exec.map((reply) => replyEntry(reply, base64))];
    },
  };
}
