import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/worker-bundle.ts";
import { readDoc } from "./markdown.ts";

/**
 * docs/guarantees.md names, for each case, the test that proves it as
 * `file › block › title`. Each cited file must exist and each cited block or
 * title must be one of that file's test names, so a renamed or removed test
 * cannot leave a guarantee pointing at nothing. Titles built from a
 * parameter (`%s`, `$what`, `${RUNS}`) match any text there; `…` in the page
 * stands for a part left out. A span that starts with `›` continues the file
 * named before it in the same row.
 */
interface Citation {
  readonly file: string;
  readonly names: readonly string[];
}

function citations(): Citation[] {
  const found: Citation[] = [];
  for (const row of readDoc("docs/guarantees.md")
    .text.split("\n")
    .filter((line) => line.startsWith("|"))) {
    let file: string | null = null;
    for (const [, span = ""] of row.matchAll(/`([^`]+)`/g)) {
      const parts = span.split("›").map((part) => part.trim());
      if (/^test\/\S+\.test\.ts$/.test(parts[0] ?? "")) file = parts.shift() ?? null;
      else if (span.trimStart().startsWith("›") && file) parts.shift();
      else continue;
      if (file) found.push({ file, names: parts.filter((name) => name !== "") });
    }
  }
  return found;
}

/** Every string literal of a test file as a pattern: parameters and `${…}` match anything. */
function titlePatterns(source: string): RegExp[] {
  return [...source.matchAll(/(["'`])((?:\\.|(?!\1)[^\\\n])*)\1/g)].map(([, , text = ""]) => {
    const parts = text.split(/%[sdifjo]|\$\{[^}]*\}|\$[a-zA-Z_]\w*/);
    return new RegExp(`^${parts.map((part) => escapeRegExp(part.replace(/\\(.)/g, "$1"))).join(".*")}$`);
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const cited = citations();

describe("docs/guarantees.md", () => {
  it("cites the tests that prove its cases", () => {
    expect(cited.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cited.map((citation) => [`${citation.file} › ${citation.names.join(" › ")}`, citation] as const))(
    "%s is a real test",
    (_name, citation) => {
      const path = join(ROOT, citation.file);
      expect(existsSync(path), citation.file).toBe(true);
      const patterns = titlePatterns(readFileSync(path, "utf8"));
      for (const name of citation.names) {
        // `…` in the page leaves out part of a title: the pieces around it must each be part of the same title.
        const pieces = name.split("…").map((piece) => piece.trim());
        const matches = patterns.some((pattern) => {
          const source = pattern.source.slice(1, -1);
          const title = new RegExp(`^${pieces.map(escapeRegExp).join(".*")}`);
          return pattern.test(name) || title.test(source.replace(/\\(.)/g, "$1"));
        });
        expect(matches, `${citation.file}: no test named "${name}"`).toBe(true);
      }
    },
  );
});
