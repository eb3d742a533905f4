import { readFileSync } from "node:fs";

/**
 * Reads KEY=VALUE lines (the .dev.vars / systemd EnvironmentFile format):
 * blank lines and # comments skipped, an optional `export `, values optionally
 * in single or double quotes. Throws with the line number on anything else.
 */
export function readEnvFile(path: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = readFileSync(path, "utf8").split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(trimmed);
    if (!match) throw new Error(`${path}:${index + 1}: expected KEY=VALUE`);
    const raw = match[2] ?? "";
    const quoted = /^(["'])(.*)\1$/.exec(raw);
    values[match[1] ?? ""] = quoted ? (quoted[2] ?? "") : raw;
  }
  return values;
}
