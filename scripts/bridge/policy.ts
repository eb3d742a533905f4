/**
 * Which commands the bridge runs, and how: only those of the allow list
 * (allow-list.ts, the commands Upstash offers). A refusal is worded as
 * Upstash words it (`ERR Command is not available: 'BITFIELD'. See …`, seen
 * in sidekiq/sidekiq#5641) and answered with 400 like any command error; for
 * commands Upstash serves another way, the message says which.
 * Allowed on purpose: Lua (EVAL, EVAL_RO, EVALSHA, EVALSHA_RO, SCRIPT LOAD,
 * SCRIPT EXISTS, FCALL, FCALL_RO), which read-only lookups and
 * @upstash/ratelimit rely on.
 */
import { ALLOWED_COMMANDS, ALLOWED_SUBCOMMANDS, REFUSED_REDIS_COMMANDS } from "./allow-list.ts";
import { commandName, subcommandName, type Command } from "./command.ts";

/** Subscribe-mode commands: served as event streams on their own paths (stream.ts), never as one reply. */
const STREAMING = ["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"];

/** Refused commands with a more useful reason than "not available". */
const REASONS: ReadonlyMap<string, string> = new Map([
  ...STREAMING.map((name): [string, string] => [
    name,
    "streams replies; use GET or POST /subscribe/<channel> or /psubscribe/<pattern> with Accept: text/event-stream",
  ]),
  ["MONITOR", "streams replies; not supported by this bridge"],
  ...["MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH"].map((name): [string, string] => [
    name,
    "is not allowed; use the /multi-exec endpoint",
  ]),
  ...["SELECT", "HELLO", "RESET", "QUIT", "AUTH", "CLIENT"].map((name): [string, string] => [
    name,
    "would change connection state shared by all requests",
  ]),
]);

/** The docs page that lists what the bridge runs, named in every refusal. */
const SEE = "See docs/bridge.md (the commands Upstash offers) for details";

/** A name as quoted back in a refusal: whatever a client sent, never more than 64 characters. */
function quoted(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}…` : name;
}

/** Why a command is refused, or null when it may run. */
export function refuse(command: Command): string | null {
  const name = commandName(command);
  const reason = REASONS.get(name);
  if (reason) return `ERR ${name} ${reason}`;
  if (ALLOWED_COMMANDS.has(name)) return null;
  const allowed = ALLOWED_SUBCOMMANDS.get(name);
  if (allowed) {
    const sub = subcommandName(command);
    if (allowed.has(sub)) return null;
    return `ERR Command is not available: '${name} ${quoted(sub)}'. ${SEE}`;
  }
  if (REFUSED_REDIS_COMMANDS.has(name)) return `ERR Command is not available: '${name}'. ${SEE}`;
  // Worded as Redis words it, so clients that probe for a command read the answer as they would from Redis.
  return `ERR unknown command '${quoted((command[0] ?? Buffer.alloc(0)).toString("utf8"))}', ${SEE}`;
}

/** Commands that can block; they run on a connection of their own with no reply timeout. */
const BLOCKING = new Set([..."BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP BZPOPMIN BZPOPMAX BZMPOP WAIT WAITAOF".split(" ")]);

export function isBlocking(command: Command): boolean {
  const name = commandName(command);
  if (BLOCKING.has(name)) return true;
  if (name === "XREAD" || name === "XREADGROUP") {
    return command.some((arg) => arg.length === 5 && arg.toString("latin1").toUpperCase() === "BLOCK");
  }
  return false;
}
