/**
 * `upstash-sync-token`, Upstash's read-your-writes bookkeeping: @upstash/redis
 * keeps the header of the last response and sends it back with the next
 * request, so a replica that has not yet seen that write can wait for it.
 * Behind this bridge there is one Redis and no replica: every reply already
 * reflects every earlier write, there is nothing to wait for, and the token a
 * client sends is ignored. The bridge still answers with a token on every
 * response, a sequence number that only grows, advanced by every request that
 * ran a command not known to be read-only. Each response carries the number
 * as of the moment its own commands ran, so two writes answered at the same
 * time carry two different tokens (what @upstash/redis's "Read Your Writes"
 * test checks after each element of a Promise.all).
 */
import { commandName, subcommandName, type Command } from "./command.ts";
import { NUMKEYS_COMMANDS, READ_ALL_KEYS_COMMANDS, READ_FIRST_KEY_COMMANDS } from "./stats.ts";

export const SYNC_TOKEN_HEADER = "upstash-sync-token";

/** Commands that never change data; anything else counts as a write (FCALL and EVAL may write). */
const READ_ONLY: ReadonlySet<string> = new Set([
  ...READ_FIRST_KEY_COMMANDS,
  ...READ_ALL_KEYS_COMMANDS,
  ...[...NUMKEYS_COMMANDS].filter((name) => name.endsWith("_RO")),
  ..."PING ECHO TIME DBSIZE INFO LASTSAVE KEYS SCAN RANDOMKEY OBJECT MEMORY COMMAND CLIENT CONFIG".split(" "),
  ..."PUBSUB LCS SINTERCARD ZUNION ZINTER ZDIFF ZINTERCARD PFCOUNT BITFIELD_RO SORT_RO".split(" "),
  ..."GEOPOS GEODIST GEOHASH GEOSEARCH GEORADIUS_RO GEORADIUSBYMEMBER_RO XREAD XINFO XPENDING".split(" "),
]);

function mayWrite(command: Command): boolean {
  const name = commandName(command);
  if (name === "SCRIPT") return subcommandName(command) !== "EXISTS";
  return !READ_ONLY.has(name);
}

export interface SyncToken {
  /** The token for a response sent now. */
  current(): string;
  /** Advances the token when any of `commands` may have written; returns the token for their response. */
  ran(commands: readonly Command[]): string;
}

export function createSyncToken(): SyncToken {
  let sequence = 0;
  return {
    current: () => String(sequence),
    ran(commands) {
      if (commands.some(mayWrite)) sequence++;
      return String(sequence);
    },
  };
}
