/**
 * A minimal RESP2 client over node:net, enough for the Upstash REST bridge;
 * the only RESP code in the project (its parts live in ./resp/).
 *
 * - Binary-safe: arguments may be Buffers, bulk replies are Buffers.
 * - Keeps reply kinds apart: status (`+OK`) is a RespStatus, bulk strings are
 *   Buffers, `-ERR …` is a RespError *value* (so a pipeline can carry one
 *   failure among successes), integers are numbers (bigint past 2^53), nil is
 *   null, arrays nest.
 * - The parser is incremental and linear in the reply size (resp/parser.ts).
 * - Pipelining: `pipeline()` writes N commands at once and resolves with N
 *   replies in order; concurrent callers share the connection safely because
 *   replies come back in the order commands were written.
 * - Connects lazily and reconnects on the next command after the connection
 *   dropped. Promises reject with RedisConnectionError (never hang) when redis
 *   is unreachable, the connection drops, or nothing arrives for
 *   `commandTimeoutMs` while replies are outstanding.
 * - RespClient adds exclusive connections for work that must not interleave
 *   with other callers (MULTI/EXEC, blocking commands); RespSubscriber is a
 *   connection in subscribe mode, where redis pushes messages.
 */
export {
  encodeCommands,
  RedisConnectionError,
  RespError,
  RespStatus,
  type RespArg,
  type RespConnectionOptions,
  type RespReply,
} from "./resp/reply.ts";
export { RespParser } from "./resp/parser.ts";
export { RespConnection } from "./resp/connection.ts";
export { RespClient, type RespClientOptions, type TransactionReplies } from "./resp/client.ts";
export { RespSubscriber, type RespSubscriberOptions } from "./resp/subscriber.ts";
