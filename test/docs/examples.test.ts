import { describe, expect, it } from "vitest";
import { parseHostPattern } from "../../src/lookup/patterns.ts";
import { parseHipacheList, parseRouteValue } from "../../src/route-value/value.ts";
import { allDocs, fencedBlocks, readDoc, type FencedBlock } from "./markdown.ts";
import { redisCommand } from "./shell-words.ts";

/**
 * The fenced examples of README.md, CONTRIBUTING.md and docs/*.md, checked by
 * their info string (CONTRIBUTING.md, "Documentation"):
 * - ```json route: a route value the worker's parser accepts;
 * - ```json route-invalid: one it refuses;
 * - ```sh: `redis-cli SET host 'value'` and `SET host value` lines name a
 *   host pattern and a value that parse, `RPUSH frontend:host id backend…`
 *   a Hipache list that parses. (`npm run routes -- …` lines are run by
 *   routes-cli-examples.test.ts.)
 */
const blocks = allDocs().flatMap(fencedBlocks);
const named = (block: FencedBlock) => `${block.file}:${block.line}`;
const body = (block: FencedBlock) => block.lines.join("\n");

/** Every `sh` line that is a Redis command, with where it is. */
const redisLines = blocks
  .filter((block) => block.lang === "sh")
  .flatMap((block) =>
    block.lines.flatMap((line, i) => {
      const words = redisCommand(line);
      return words ? [{ where: `${block.file}:${block.lineNumbers[i]}`, line, words }] : [];
    }),
  );

/** Whether `options` are SET options Redis accepts after the value (`SET k v EX 3600`). */
function setOptionsValid(options: readonly string[]): boolean {
  for (let i = 0; i < options.length; i++) {
    const option = (options[i] ?? "").toUpperCase();
    if (["EX", "PX", "EXAT", "PXAT"].includes(option) && /^\d+$/.test(options[i + 1] ?? "")) i++;
    else if (!["NX", "XX", "KEEPTTL", "GET"].includes(option)) return false;
  }
  return true;
}

describe("```json route and route-invalid blocks", () => {
  const routes = blocks.filter((block) => block.lang === "json" && block.tags[0] === "route");
  const invalid = blocks.filter((block) => block.lang === "json" && block.tags[0] === "route-invalid");

  it("there are examples of both", () => {
    expect(routes.length).toBeGreaterThanOrEqual(3);
    expect(invalid.length).toBeGreaterThanOrEqual(1);
  });
  it.each(routes.map((block) => [named(block), body(block)]))("%s is a route the worker accepts", (_where, json) => {
    expect(() => parseRouteValue(json)).not.toThrow();
  });
  it.each(invalid.map((block) => [named(block), body(block)]))("%s is a value the worker refuses", (_where, json) => {
    expect(() => parseRouteValue(json)).toThrow();
  });
  it("no json block carries a tag other than route or route-invalid (a typo would skip the check)", () => {
    const odd = blocks.filter(
      (block) =>
        block.lang === "json" && block.tags.length > 0 && !["route", "route-invalid"].includes(block.tags.join(" ")),
    );
    expect(odd.map((block) => `${named(block)}: json ${block.tags.join(" ")}`)).toEqual([]);
  });
});

describe("```sh Redis commands", () => {
  const sets = redisLines.filter(({ words }) => words[0]?.toUpperCase() === "SET");
  const lists = redisLines.filter(({ words }) => words[0]?.toUpperCase() === "RPUSH");

  it.each(sets.map(({ where, line, words }) => [where, line, words] as const))("%s %s", (_where, _line, words) => {
    const [, host = "", value = "", ...options] = words;
    expect(parseHostPattern(host)).toBe(host);
    expect(() => parseRouteValue(value)).not.toThrow();
    expect(setOptionsValid(options), `options after the value: ${options.join(" ")}`).toBe(true);
  });

  it.each(lists.map(({ where, line, words }) => [where, line, words] as const))("%s %s", (_where, _line, words) => {
    const [, key = "", ...items] = words;
    expect(key).toMatch(/^frontend:/);
    const host = key.slice("frontend:".length);
    expect(parseHostPattern(host)).toBe(host);
    expect(() => parseHipacheList(items)).not.toThrow();
  });

  it("docs/routes.md shows every route format as a command: SET examples and a Hipache list", () => {
    const here = (entry: { where: string }) => entry.where.startsWith("docs/routes.md:");
    expect(sets.filter(here).length).toBeGreaterThanOrEqual(8);
    expect(lists.filter(here).length).toBeGreaterThanOrEqual(1);
  });
});

describe("docs/routes.md's JSON reference example", () => {
  it("holds every field, and its path rules sort longest prefix first", () => {
    const example = fencedBlocks(readDoc("docs/routes.md")).find(
      (block) => block.lang === "json" && block.tags[0] === "route",
    );
    expect(example).toBeDefined();
    const spec = parseRouteValue(body(example as FencedBlock));
    expect(spec.paths.map((rule) => rule.prefix)).toEqual(["/old-blog", "/static", "/api"]);
    for (const field of [
      "backends",
      "strategy",
      "timeout",
      "requestHeaders",
      "responseHeaders",
      "redirect",
      "status",
    ]) {
      expect(body(example as FencedBlock)).toContain(`"${field}"`);
    }
  });
});
