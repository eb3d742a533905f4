import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readWranglerToml, ROOT } from "../../scripts/lib/worker-bundle.ts";
import { firstTable, readDoc } from "./markdown.ts";

/**
 * docs/configuration.md's one table and the worker's real settings are the
 * same set, both ways: every wrangler.toml `[vars]` entry and every secret in
 * .dev.vars.example has a row whose default is the value wrangler.toml
 * ships, and every row names a real setting. A setting added without a row,
 * or a row left behind by a removed setting, fails here.
 */
const vars = readWranglerToml(join(ROOT, "wrangler.toml")).vars;
const secrets = [...readFileSync(join(ROOT, ".dev.vars.example"), "utf8").matchAll(/^\s*([A-Z][A-Z0-9_]*)\s*=/gm)].map(
  (match) => match[1] ?? "",
);
const [header = [], ...rows] = firstTable(readDoc("docs/configuration.md").text);
const documented = new Map(rows.map((cells) => [(cells[0] ?? "").replace(/`/g, ""), cells[1] ?? ""]));

describe("docs/configuration.md", () => {
  it("has one table: name, default, effect", () => {
    expect(header.map((cell) => cell.toLowerCase())).toEqual(["name", "default", "effect"]);
  });

  it("lists every [vars] setting of wrangler.toml and every secret of .dev.vars.example", () => {
    const missing = [...Object.keys(vars), ...secrets].filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });

  it("lists nothing else", () => {
    const known = new Set([...Object.keys(vars), ...secrets]);
    expect([...documented.keys()].filter((name) => !known.has(name))).toEqual([]);
  });

  it.each(Object.entries(vars))("%s: the default shown is the value wrangler.toml ships (%j)", (name, value) => {
    expect(documented.get(name)).toBe(`\`${value === "" || !/^[\d.]+$/.test(value) ? JSON.stringify(value) : value}\``);
  });

  it.each(secrets)("%s is shown as a secret", (name) => {
    expect(documented.get(name)).toMatch(/secret/);
  });
});

describe("wrangler.toml's [env.production.vars]", () => {
  // Wrangler does not inherit [vars] into an environment: a setting missing
  // there would silently take the code's default in production.
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const block = /^\[env\.production\.vars\]\s*$([\s\S]*?)(?=^\[|$(?![\s\S]))/m.exec(toml)?.[1] ?? "";
  const production = [...block.matchAll(/^([A-Z0-9_]+)\s*=/gm)].map((match) => match[1] ?? "");

  it("names the same settings as [vars], in the same order", () => {
    expect(production).toEqual(Object.keys(vars));
  });
});
