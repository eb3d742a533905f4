/** A Redis command as the bridge handles it: argument bytes, the name first. */
export type Command = Buffer[];

/** The upper-case command name ("GET"). */
export function commandName(command: Command): string {
  return (command[0] ?? Buffer.alloc(0)).toString("utf8").toUpperCase();
}

/** The upper-case second word, for commands with subcommands ("CLIENT LIST" → "LIST"). */
export function subcommandName(command: Command): string {
  return (command[1] ?? Buffer.alloc(0)).toString("utf8").toUpperCase();
}
