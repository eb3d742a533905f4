import { describe, expect, it } from "vitest";
import { fencedBlocks, firstTable, headingAnchors, relativeLinks } from "./markdown.ts";
import { redisCommand, shellWords } from "./shell-words.ts";
import { transcriptMismatch } from "./transcript.ts";

/** The docs checks are only as good as their readers of Markdown and shell lines. */
describe("shell words", () => {
  it("keeps single-quoted JSON as one word and drops a comment", () => {
    expect(shellWords(`SET a.example.com '{"backends": ["10.0.0.1:80"]}'  # a JSON route`)).toEqual([
      "SET",
      "a.example.com",
      '{"backends": ["10.0.0.1:80"]}',
    ]);
  });
  it("reads double quotes with escapes, and a backslash outside quotes", () => {
    expect(shellWords(`echo "a \\"b\\" c" d\\ e`)).toEqual(["echo", 'a "b" c', "d e"]);
  });
  it("reads redis-cli lines past their options, bare commands in capitals, and nothing else", () => {
    expect(redisCommand(`redis-cli -p 6380 SET '*.example.com' 10.0.0.9:8080`)).toEqual([
      "SET",
      "*.example.com",
      "10.0.0.9:8080",
    ]);
    expect(redisCommand("$ SET * 10.0.0.99:8080")).toEqual(["SET", "*", "10.0.0.99:8080"]);
    expect(redisCommand("curl -H 'Host: a' http://127.0.0.1:8787/")).toBeNull();
    expect(redisCommand("npm start")).toBeNull();
  });
});

describe("transcripts", () => {
  const output = "HOST  KIND\napp.example.com  upstream\nexample.com  redirect\n";
  it("matches whole lines in order, … standing for any text", () => {
    expect(transcriptMismatch(["HOST  KIND", "example.com  …"], output)).toBeNull();
  });
  it("reports the first line that is missing or out of order", () => {
    expect(transcriptMismatch(["example.com  redirect", "app.example.com  upstream"], output)).toBe(
      "app.example.com  upstream",
    );
    expect(transcriptMismatch(["app.example.com"], output)).toBe("app.example.com");
  });
});

describe("markdown", () => {
  const doc = {
    path: "docs/x.md",
    text: [
      "# X",
      "",
      "See [routes](routes.md#formats), [the web](https://example.com) and [here](#x).",
      "- item:",
      "  ```json route",
      '  {"backends": "10.0.0.1:80"}',
      "  ```",
      "```sh",
      "[not a link](nowhere.md)",
      "```",
      "",
      "| name | default |",
      "| ---- | ------- |",
      "| `A`  | `1`     |",
    ].join("\n"),
  };
  it("finds fenced blocks, indented ones included, with their info string", () => {
    expect(fencedBlocks(doc).map((block) => [block.line, block.lang, block.tags, block.lines])).toEqual([
      [5, "json", ["route"], ['{"backends": "10.0.0.1:80"}']],
      [8, "sh", [], ["[not a link](nowhere.md)"]],
    ]);
  });
  it("finds relative links outside code only", () => {
    expect(relativeLinks(doc)).toEqual(["routes.md#formats"]);
  });
  it("reads the first table", () => {
    expect(firstTable(doc.text)).toEqual([
      ["name", "default"],
      ["`A`", "`1`"],
    ]);
  });
  it("names headings as GitHub does", () => {
    const page = {
      path: "p.md",
      text: "# Guarantees\n## Soak (`npm run soak`)\n## Several backends: balancing and failover\n## Soak (`npm run soak`)\n",
    };
    expect([...headingAnchors(page)]).toEqual([
      "guarantees",
      "soak-npm-run-soak",
      "several-backends-balancing-and-failover",
      "soak-npm-run-soak-1",
    ]);
  });
});
