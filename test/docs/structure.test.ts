import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/worker-bundle.ts";
import { allDocs, docsPages, headingAnchors, pageAnchors, readDoc, relativeLinks } from "./markdown.ts";

/**
 * The shape of the documentation: a short README that links every docs page,
 * pages that open with a title and a two-line summary, and no relative link
 * to a file that does not exist, nor to a heading that a page does not have
 * (anchors are optional; when there is one, it must match a heading). Source
 * files named in code spans exist too, and each unit test file is named after
 * the src/ file it tests, so a file moved in src/ cannot leave either behind.
 */
const readme = readDoc("README.md");

describe("README.md", () => {
  it("is at most 300 lines", () => {
    expect(readme.text.trimEnd().split("\n").length).toBeLessThanOrEqual(300);
  });

  it("links every docs/*.md page", () => {
    const linked = new Set(relativeLinks(readme).map((target) => normalize(target.split("#")[0] ?? "")));
    expect(
      docsPages()
        .map((page) => page.path)
        .filter((path) => !linked.has(path)),
    ).toEqual([]);
  });
});

describe.each(docsPages().map((page) => [page.path, page] as const))("%s", (_path, page) => {
  it("opens with a title and a two-line summary", () => {
    const [title = "", blank = "", first = "", second = "", after = ""] = page.text.split("\n");
    expect(title).toMatch(/^# \S/);
    expect(blank).toBe("");
    for (const line of [first, second]) expect(line).toMatch(/^(?![#|>`~]|[-*+] |\d+\. )\S/);
    expect(after.trim()).toBe("");
  });
});

describe.each(allDocs().map((doc) => [doc.path, doc] as const))("%s", (_path, doc) => {
  it("links only files that exist", () => {
    const broken = relativeLinks(doc).filter((target) => {
      const file = decodeURIComponent(target.split("#")[0] ?? "");
      return file !== "" && !existsSync(join(ROOT, dirname(doc.path), file));
    });
    expect(broken).toEqual([]);
  });

  it("links only headings that exist", () => {
    const targets = [
      ...pageAnchors(doc).map((anchor) => [doc.path, anchor] as const),
      ...relativeLinks(doc)
        .filter((target) => /\.md#/.test(target))
        .map((target) => {
          const [file = "", anchor = ""] = target.split("#");
          return [normalize(join(dirname(doc.path), decodeURIComponent(file))), anchor] as const;
        }),
    ];
    const missing = targets.filter(
      ([file, anchor]) => existsSync(join(ROOT, file)) && !headingAnchors(readDoc(file)).has(anchor),
    );
    expect(missing.map(([file, anchor]) => `${file}#${anchor}`)).toEqual([]);
  });

  it("names only source files that exist", () => {
    // `src/receive/host.ts`, or a path within a folder the page is describing (`receive/host.ts`, `pages/*.tsx`).
    const missing = [...doc.text.matchAll(/`((?:[\w.-]+\/)+[\w.*-]+\.(?:ts|tsx|sh))`/g)]
      .map(([, path = ""]) => path)
      .filter((path) =>
        /^(src|scripts|test|deploy)\//.test(path)
          ? !exists(path)
          : !SOURCE_ROOTS.some((root) => exists(`${root}/${path}`)),
      );
    expect(missing).toEqual([]);
  });
});

/** Where a path in a page may start when it does not name its top folder: src/, its folders, scripts/, test/. */
const SOURCE_ROOTS = [
  "src",
  ...readdirSync(join(ROOT, "src"))
    .filter((name) => statSync(join(ROOT, "src", name)).isDirectory())
    .map((name) => `src/${name}`),
  "scripts",
  "test",
];

/** Whether a file exists under the repository; a `*` in the file's name stands for any name. */
function exists(path: string): boolean {
  if (!path.includes("*")) return existsSync(join(ROOT, path));
  const dir = join(ROOT, dirname(path));
  const name = new RegExp(`^${basename(path).split("*").map(escapeRegExp).join("[^/]*")}$`);
  return existsSync(dir) && readdirSync(dir).some((entry) => name.test(entry));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("test/unit/", () => {
  it("names each file after the src/ file it tests (test/unit/receive/host.test.ts tests src/receive/host.ts)", () => {
    const unit = join(ROOT, "test", "unit");
    const orphans = filesUnder(unit)
      .map((file) => relative(unit, file))
      .filter((file) => {
        const source = join(ROOT, "src", file.replace(/\.test\.ts$/, ""));
        return !file.endsWith(".test.ts") || !(existsSync(`${source}.ts`) || existsSync(`${source}.tsx`));
      });
    expect(orphans).toEqual([]);
  });
});
