/**
 * Checks a command's output against the lines a doc shows for it. Each
 * non-blank expected line must match a whole output line (trailing spaces
 * ignored), in order; `…` in an expected line stands for any text, and
 * output lines the doc leaves out may come between. Returns the first
 * expected line that matches nothing, or null when all do.
 */
export function transcriptMismatch(expected: readonly string[], output: string): string | null {
  const actual = output.split("\n").map((line) => line.trimEnd());
  let next = 0;
  for (const line of expected.map((text) => text.trimEnd()).filter((text) => text.trim() !== "")) {
    const pattern = new RegExp(`^${line.split("…").map(escapeRegExp).join(".*")}$`);
    const found = actual.findIndex((text, i) => i >= next && pattern.test(text));
    if (found === -1) return line;
    next = found + 1;
  }
  return null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
