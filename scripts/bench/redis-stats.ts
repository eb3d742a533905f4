import { RespConnection, RespError } from "../lib/resp.ts";

/** Calls of each command redis-server has run so far, from its own `INFO commandstats` (lower-case names). */
export async function commandStats(port: number): Promise<Map<string, number>> {
  const connection = new RespConnection({ host: "127.0.0.1", port });
  try {
    const reply = await connection.send(["INFO", "commandstats"]);
    if (reply instanceof RespError || !Buffer.isBuffer(reply)) throw new Error(`INFO commandstats: ${String(reply)}`);
    const calls = new Map<string, number>();
    for (const match of reply.toString("utf8").matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      calls.set(match[1] ?? "", Number(match[2]));
    }
    return calls;
  } finally {
    connection.close();
  }
}

/**
 * Commands redis-server has run so far, not counting INFO itself nor the
 * commands named in `except`: what Redis was asked, however the client batched it.
 */
export async function redisCommandCount(port: number, except: readonly string[] = []): Promise<number> {
  let total = 0;
  for (const [name, calls] of await commandStats(port)) {
    if (name !== "info" && !except.includes(name)) total += calls;
  }
  return total;
}
