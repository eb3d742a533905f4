import { RespConnection, RespError } from "../lib/resp.ts";

/**
 * Commands redis-server has run so far, from its own `INFO commandstats`,
 * not counting INFO itself: what Redis was asked, however the client batched it.
 */
export async function redisCommandCount(port: number): Promise<number> {
  const connection = new RespConnection({ host: "127.0.0.1", port });
  try {
    const reply = await connection.send(["INFO", "commandstats"]);
    if (reply instanceof RespError || !Buffer.isBuffer(reply)) throw new Error(`INFO commandstats: ${String(reply)}`);
    let total = 0;
    for (const match of reply.toString("utf8").matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      if (match[1] !== "info") total += Number(match[2]);
    }
    return total;
  } finally {
    connection.close();
  }
}
