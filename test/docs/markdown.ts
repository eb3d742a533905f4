import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../scripts/lib/worker-bundle.ts";

/** A Markdown file of the documentation, by its path from the repository root. */
export interface DocFile {
  /** `README.md`, `docs/routes.md`. */
  readonly path: string;
  readonly text: string;
}

/** A fenced code block. */
export interface FencedBlock {
  readonly file: string;
  /** 1-based line of the opening fence, for test names. */
  readonly line: number;
  /** The info string's first word (`json`, `sh`), lower case; "" for a plain fence. */
  readonly lang: string;
  /** The words after it (`route`, `route-invalid`). */
  readonly tags: readonly string[];
  /** The body lines, with the fence's indentation removed. */
  readonly lines: readonly string[];
  /** Line number of each body line. */
  readonly lineNumbers: readonly number[];
}

/** docs/*.md, sorted. */
export function docsPages(): DocFile[] {
  const dir = join(ROOT, "docs");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => readDoc(`docs/${name}`));
}

/** README.md, CONTRIBUTING.md (when present) and every docs page. */
export function allDocs(): DocFile[] {
  const top = ["README.md", "CONTRIBUTING.md"].filter((path) => existsSync(join(ROOT, path)));
  return [...top.map(readDoc), ...docsPages()];
}

export function readDoc(path: string): DocFile {
  return { path, text: readFileSync(join(ROOT, path), "utf8") };
}

const FENCE = /^( *)(`{3,}|~{3,})\s*(.*)$/;

/**
 * Every fenced block (CommonMark: a run of three or more backticks or tildes,
 * closed by a run of the same character at least as long), including blocks
 * indented inside list items.
 */
export function fencedBlocks(doc: DocFile): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const lines = doc.text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? "");
    if (!open) continue;
    const [, indent = "", fence = "", info = ""] = open;
    const body: string[] = [];
    const numbers: number[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const text = lines[j] ?? "";
      const close = FENCE.exec(text);
      if (close && close[2]?.[0] === fence[0] && (close[2]?.length ?? 0) >= fence.length && close[3] === "") break;
      body.push(text.startsWith(indent) ? text.slice(indent.length) : text.trimStart());
      numbers.push(j + 1);
    }
    const [lang = "", ...tags] = info.trim().split(/\s+/).filter(Boolean);
    blocks.push({ file: doc.path, line: i + 1, lang: lang.toLowerCase(), tags, lines: body, lineNumbers: numbers });
    i = j;
  }
  return blocks;
}

/** The text outside fenced blocks and inline code spans: where links are. */
export function prose(doc: DocFile): string {
  const lines = doc.text.split("\n");
  const inBlock = new Set(
    fencedBlocks(doc).flatMap((block) => [block.line, ...block.lineNumbers, block.line + 1 + block.lines.length]),
  );
  return lines.map((line, i) => (inBlock.has(i + 1) ? "" : line.replace(/(`+)[^`]*?\1/g, ""))).join("\n");
}

/** Relative link targets `[text](target)` and `[text]: target`, as written (anchor included). */
export function relativeLinks(doc: DocFile): string[] {
  return linkTargets(doc).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith("#"));
}

/** Links within the page, `[text](#anchor)`: their anchors. */
export function pageAnchors(doc: DocFile): string[] {
  return linkTargets(doc)
    .filter((target) => target.startsWith("#"))
    .map((target) => target.slice(1));
}

function linkTargets(doc: DocFile): string[] {
  const text = prose(doc);
  const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? "");
  const references = [...text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1] ?? "");
  return [...inline, ...references];
}

/**
 * The anchors GitHub gives the page's headings: lower case, punctuation other
 * than `-` and `_` dropped, each space a hyphen; a repeated one gets `-1`, `-2`.
 */
export function headingAnchors(doc: DocFile): Set<string> {
  const anchors = new Set<string>();
  const inBlock = new Set(fencedBlocks(doc).flatMap((block) => [block.line, ...block.lineNumbers]));
  doc.text.split("\n").forEach((line, i) => {
    const heading = /^#{1,6}\s+(.*?)\s*$/.exec(line);
    if (!heading || inBlock.has(i + 1)) return;
    const slug = (heading[1] ?? "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    let anchor = slug;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${slug}-${n}`;
    anchors.add(anchor);
  });
  return anchors;
}

/** The rows of the first Markdown table in `text`, each as its trimmed cells (header first, no separator). */
export function firstTable(text: string): string[][] {
  const lines = text.split("\n");
  const start = lines.findIndex(
    (line, i) => line.trim().startsWith("|") && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1] ?? ""),
  );
  if (start === -1) return [];
  const rows: string[][] = [];
  for (let i = start; i < lines.length && (lines[i] ?? "").trim().startsWith("|"); i++) {
    if (i === start + 1) continue;
    const cells = (lines[i] ?? "")
      .trim()
      .replace(/^\||\|$/g, "")
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
    rows.push(cells);
  }
  return rows;
}
