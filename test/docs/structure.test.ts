import { existsSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/worker-bundle.ts";
import { allDocs, docsPages, headingAnchors, pageAnchors, readDoc, relativeLinks } from "./markdown.ts";

/**
 * The shape of the documentation: a short README that links every docs page,
 * pages that open with a title and a two-line summary, and no relative link
 * to a file that does not exist, nor to a heading that a page does not have
 * (anchors are optional; when there is one, it must match a heading).
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
});
