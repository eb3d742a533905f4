/** What the bridge counts, for tests and benchmarks that check how many Redis calls something costs. */
import { commandName, type Command } from "./command.ts";

export interface BridgeStats {
  /** Every HTTP request received, including rejected ones. */
  requests: number;
  /** Redis commands run on behalf of authorised requests (a pipeline of 3 counts 3). */
  commands: number;
  /** Authorised requests by route: "/", "/pipeline", "/multi-exec", or "/<command>" for the path form ("/get"). */
  byPath: Record<string, number>;
  /** Commands by upper-case name ("GET", "SET", …). */
  commandNames: Record<string, number>;
  /**
   * Key arguments of read commands, in order, the last 10,000: the first
   * argument of the commands in READ_FIRST_KEY_COMMANDS, every argument of
   * those in READ_ALL_KEYS_COMMANDS, and the keys of NUMKEYS_COMMANDS (the
   * `numkeys` arguments after the script or function). Keys are decoded as UTF-8.
   */
  keysRead: string[];
}

/** Read commands whose first argument is recorded in `stats.keysRead`. */
export const READ_FIRST_KEY_COMMANDS: ReadonlySet<string> = new Set([
  ..."GET GETRANGE SUBSTR STRLEN GETDEL GETEX GETBIT BITCOUNT BITPOS".split(" "),
  ..."HGET HMGET HGETALL HKEYS HVALS HLEN HEXISTS HSTRLEN HRANDFIELD HSCAN".split(" "),
  ..."LRANGE LINDEX LLEN LPOS".split(" "),
  ..."SMEMBERS SISMEMBER SMISMEMBER SCARD SRANDMEMBER SSCAN".split(" "),
  ..."ZRANGE ZRANGEBYSCORE ZRANGEBYLEX ZREVRANGE ZREVRANGEBYSCORE ZREVRANGEBYLEX ZSCORE ZMSCORE".split(" "),
  ..."ZCARD ZCOUNT ZLEXCOUNT ZRANK ZREVRANK ZRANDMEMBER ZSCAN".split(" "),
  ..."TTL PTTL EXPIRETIME PEXPIRETIME TYPE DUMP XRANGE XREVRANGE XLEN".split(" "),
]);

/** Read commands all of whose arguments are keys, all recorded in `stats.keysRead`. */
export const READ_ALL_KEYS_COMMANDS: ReadonlySet<string> = new Set(["MGET", "EXISTS", "SINTER", "SUNION", "SDIFF"]);

/** `NAME script-or-function numkeys key… arg…`: the keys are recorded in `stats.keysRead`. */
export const NUMKEYS_COMMANDS: ReadonlySet<string> = new Set([
  ..."EVAL EVAL_RO EVALSHA EVALSHA_RO FCALL FCALL_RO".split(" "),
]);

const KEYS_READ_CAP = 10_000;

/** The key arguments of a command, as far as `stats.keysRead` is concerned. */
function keysOf(name: string, args: Buffer[]): Buffer[] {
  if (READ_FIRST_KEY_COMMANDS.has(name)) return args.slice(0, 1);
  if (READ_ALL_KEYS_COMMANDS.has(name)) return args;
  if (NUMKEYS_COMMANDS.has(name)) {
    const text = (args[1] ?? Buffer.alloc(0)).toString("latin1");
    // Redis refuses a bad or too large numkeys itself; nothing was read then.
    if (!/^\d{1,9}$/.test(text) || Number(text) > args.length - 2) return [];
    return args.slice(2, 2 + Number(text));
  }
  return [];
}

export interface StatsRecorder {
  readonly stats: BridgeStats;
  /** Counts one authorised request to `route` running `commands`. */
  record(route: string, commands: readonly Command[]): void;
  reset(): void;
}

export function createStats(): StatsRecorder {
  const stats: BridgeStats = { requests: 0, commands: 0, byPath: {}, commandNames: {}, keysRead: [] };
  return {
    stats,
    record(route, commands) {
      stats.byPath[route] = (stats.byPath[route] ?? 0) + 1;
      for (const command of commands) {
        stats.commands++;
        const name = commandName(command);
        stats.commandNames[name] = (stats.commandNames[name] ?? 0) + 1;
        for (const key of keysOf(name, command.slice(1))) stats.keysRead.push(key.toString("utf8"));
      }
      if (stats.keysRead.length > KEYS_READ_CAP) stats.keysRead.splice(0, stats.keysRead.length - KEYS_READ_CAP);
    },
    reset() {
      stats.requests = 0;
      stats.commands = 0;
      for (const key of Object.keys(stats.byPath)) Reflect.deleteProperty(stats.byPath, key);
      for (const key of Object.keys(stats.commandNames)) Reflect.deleteProperty(stats.commandNames, key);
      stats.keysRead.length = 0;
    },
  };
}
