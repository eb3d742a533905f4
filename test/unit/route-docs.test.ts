import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/worker-bundle.ts";
import { parseHostPattern } from "../../src/route/patterns.ts";
import { parseHipacheList, parseRouteValue } from "../../src/route/value.ts";

/** The README's Routes section: its examples are routes the worker accepts, typed as it says. */
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const docs = readme.slice(readme.indexOf("\n## Routes\n"), readme.indexOf("\n## How requests are forwarded\n"));
const blocks = [...docs.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map(([, lang, body]) => ({ lang, body: body ?? "" }));
const commands = blocks.filter((block) => block.lang === "").flatMap((block) => block.body.split("\n"));

describe("README Routes examples", () => {
  const sets = commands.flatMap((line) => {
    const match = /^SET (\S+) (?:'([^']*)'|(\S+))(?: EX \d+)?$/.exec(line);
    return match ? [[match[1] ?? "", match[2] ?? match[3] ?? ""] as const] : [];
  });
  it("has SET examples", () => expect(sets.length).toBeGreaterThanOrEqual(8));
  it.each(sets)("SET %s %s", (host, value) => {
    expect(parseHostPattern(host)).toBe(host);
    expect(() => parseRouteValue(value)).not.toThrow();
  });

  it.each(commands.filter((line) => line.startsWith("RPUSH ")))("%s", (line) => {
    const [, key, ...items] = line.split(" ");
    expect(key).toMatch(/^frontend:/);
    expect(() => parseHipacheList(items)).not.toThrow();
  });

  it.each(blocks.filter((block) => block.lang === "json").map((block) => block.body))("the JSON example", (json) => {
    expect(parseRouteValue(json).paths.map((rule) => rule.prefix)).toEqual(["/old-blog", "/static", "/api"]);
  });
});
