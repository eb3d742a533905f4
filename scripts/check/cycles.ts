/**
 * `npm run check:cycles`: fails when any file under src/ or scripts/ can reach
 * itself through relative imports, type-only imports included (a type cycle
 * still ties two files' meanings together). Also fails when a src/ folder
 * imports a folder that the layer table below puts above it, so the request's
 * phases import in one direction (docs/architecture.md), and when a file
 * reaches into another phase's folder other than through its index.ts.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..", "..");

/**
 * src/'s folders and top-level files, lowest first, in the order a request
 * needs them: a file may import its own rank and any rank listed before it.
 */
export const LAYERS: readonly string[] = [
  "lib",
  "errors.ts",
  "receive",
  "route-value",
  "config.ts",
  "lookup",
  "cache",
  "request-state.ts",
  "policy",
  "proxy",
  "dispatch",
  "metrics",
  "admin",
  "app.ts",
];
/** Top-level files that rank with another: the error formats with errors.ts, the entry point, the context's types and the isolate's state with app.ts. */
const SAME_RANK: Readonly<Record<string, string>> = {
  "error-format.ts": "errors.ts",
  "error-response.ts": "errors.ts",
  "index.ts": "app.ts",
  "env.ts": "app.ts",
  "isolate.ts": "app.ts",
};

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*"(\.{1,2}\/[^"]+)"|import\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** Each file's relative imports, resolved to absolute paths. */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const targets: string[] = [];
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2];
      if (spec !== undefined) targets.push(resolve(dirname(file), spec));
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Strongly connected components of more than one file, or a file importing itself (Tarjan). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const lowlinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    lowlinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indices.has(next)) {
        visit(next);
        lowlinks.set(node, Math.min(lowlinks.get(node) ?? 0, lowlinks.get(next) ?? 0));
      } else if (onStack.has(next)) {
        lowlinks.set(node, Math.min(lowlinks.get(node) ?? 0, indices.get(next) ?? 0));
      }
    }
    if (lowlinks.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}

/** The layer of a file under src/, by its folder (or, at the top level, its name). */
export function layerOf(srcRelative: string): number {
  const [first, second] = srcRelative.split("/");
  if (second === undefined) return LAYERS.indexOf(SAME_RANK[first ?? ""] ?? first ?? "");
  return LAYERS.indexOf(first ?? "");
}

/** Folders whose other files are private: imports from outside go through their index.ts. */
const DOORS = new Set(["receive", "route-value", "lookup", "cache", "policy", "proxy", "dispatch", "metrics", "admin"]);

/** Imports into a door folder's files that pass by its index.ts (lib/ is a shelf of helpers, not a door). */
export function sideDoorImports(graph: ReadonlyMap<string, readonly string[]>, src: string): string[] {
  const found: string[] = [];
  for (const [file, targets] of graph) {
    if (!file.startsWith(src + "/")) continue;
    const from = relative(src, file).split("/");
    for (const target of targets) {
      const to = relative(src, target).split("/");
      if (to.length < 2 || to[0] === from[0] || !DOORS.has(to[0] ?? "") || to[1] === "index.ts") continue;
      found.push(`${relative(ROOT, file)} imports ${relative(ROOT, target)}, not ${to[0] ?? ""}/index.ts`);
    }
  }
  return found;
}

/** Imports from a src/ folder to one above it. */
export function upwardImports(graph: ReadonlyMap<string, readonly string[]>, src: string): string[] {
  const found: string[] = [];
  for (const [file, targets] of graph) {
    if (!file.startsWith(src + "/")) continue;
    const from = layerOf(relative(src, file));
    for (const target of targets) {
      if (!target.startsWith(src + "/")) continue;
      const to = layerOf(relative(src, target));
      if (from === -1 || to === -1 || to > from) {
        found.push(`${relative(ROOT, file)} imports ${relative(ROOT, target)}`);
      }
    }
  }
  return found;
}

if (import.meta.main) {
  const src = join(ROOT, "src");
  const graph = importGraph([...sourceFiles(src), ...sourceFiles(join(ROOT, "scripts"))]);
  const loops = cycles(graph);
  const upward = upwardImports(graph, src);
  const sideDoors = sideDoorImports(graph, src);
  for (const loop of loops) console.log(`cycle: ${loop.map((file) => relative(ROOT, file)).join(" <-> ")}`);
  for (const line of upward) console.log(`upward: ${line} (src/ folders import downwards only: ${LAYERS.join(" < ")})`);
  for (const line of sideDoors) console.log(`side door: ${line}`);
  if (loops.length > 0 || upward.length > 0 || sideDoors.length > 0) process.exit(1);
  console.log(`no import cycles in ${graph.size} files; src/ imports downwards only, through each folder's index.ts`);
}
