/**
 * Which commands the bridge runs, and how. Refused: what would break the
 * request/response model or the shared connection, and admin commands.
 * Allowed on purpose: Lua (EVAL, EVAL_RO, EVALSHA, EVALSHA_RO, SCRIPT LOAD,
 * SCRIPT EXISTS, FCALL, FCALL_RO), which read-only lookups and
 * @upstash/ratelimit rely on.
 */
import { commandName, subcommandName, type Command } from "./command.ts";

/** Subscribe-mode commands: served as event streams on their own paths (stream.ts), never as one reply. */
const STREAMING = ["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"];

const BLOCKED: ReadonlyMap<string, string> = new Map([
  ...STREAMING.map((name): [string, string] => [
    name,
    "streams replies; use GET or POST /subscribe/<channel> or /psubscribe/<pattern> with Accept: text/event-stream",
  ]),
  ["MONITOR", "streams replies; not supported by this bridge"],
  ...["SYNC", "PSYNC", "REPLCONF"].map((name): [string, string] => [name, "is a replication command"]),
  ...["MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH"].map((name): [string, string] => [
    name,
    "is not allowed; use the /multi-exec endpoint",
  ]),
  ...["SELECT", "HELLO", "RESET", "QUIT", "AUTH"].map((name): [string, string] => [
    name,
    "would change connection state shared by all requests",
  ]),
  ...["SHUTDOWN", "DEBUG", "REPLICAOF", "SLAVEOF", "FAILOVER", "MODULE", "ACL"].map((name): [string, string] => [
    name,
    "is an admin command, not allowed through the bridge",
  ]),
]);

/** CLIENT and CONFIG subcommands that are allowed (the others are refused). */
const ALLOWED_SUBCOMMANDS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["CLIENT", new Set(["ID", "INFO", "LIST", "GETNAME", "HELP"])],
  ["CONFIG", new Set(["GET", "HELP"])],
]);

/** Commands that can block; they run on a connection of their own with no reply timeout. */
const BLOCKING = new Set([..."BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP BZPOPMIN BZPOPMAX BZMPOP WAIT WAITAOF".split(" ")]);

/** Why a command is refused, or null when it may run. */
export function refuse(command: Command): string | null {
  const name = commandName(command);
  const reason = BLOCKED.get(name);
  if (reason) return `ERR ${name} ${reason}`;
  const allowed = ALLOWED_SUBCOMMANDS.get(name);
  if (allowed) {
    const sub = subcommandName(command);
    if (!allowed.has(sub)) return `ERR ${name} ${sub} is not allowed through the bridge`;
  }
  return null;
}

export function isBlocking(command: Command): boolean {
  const name = commandName(command);
  if (BLOCKING.has(name)) return true;
  if (name === "XREAD" || name === "XREADGROUP") {
    return command.some((arg) => arg.length === 5 && arg.toString("latin1").toUpperCase() === "BLOCK");
  }
  return false;
}
