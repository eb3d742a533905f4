import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBridge, type RunningBridge } from "../../scripts/bridge/server.ts";
import { startRedisServer, type RunningRedisServer } from "../../scripts/lib/redis-server.ts";
import { ROOT } from "../../scripts/lib/worker-bundle.ts";
import { allDocs, fencedBlocks, type DocFile } from "./markdown.ts";
import { transcriptMismatch } from "./transcript.ts";

/**
 * Every `npm run routes -- …` line in a ```sh block of the docs is run, in
 * document order, against a real redis-server behind the REST bridge. Each
 * page starts from an empty store, so a page's examples must be
 * self-contained (set before get or test). A command must exit 0 unless its
 * line ends in `# exit N`. In a transcript block (lines starting with `$ `),
 * the lines after a command are its expected output: each must match an
 * output line, in order (`…` stands for any text; other lines may come
 * between).
 *
 * The store is private to this file (not the suite's shared one) so that it
 * can be emptied between pages and `ls` shows exactly the page's routes.
 */
interface CliExample {
  readonly where: string;
  readonly command: string;
  readonly exit: number;
  readonly expected: readonly string[];
}

const CLI = /^npm run routes --(?=\s|$)/;

function cliExamples(doc: DocFile): CliExample[] {
  return fencedBlocks(doc)
    .filter((block) => block.lang === "sh")
    .flatMap((block) => {
      const transcript = block.lines.some((line) => line.startsWith("$ "));
      const examples: CliExample[] = [];
      let current: { where: string; command: string; exit: number; expected: string[] } | null = null;
      block.lines.forEach((raw, i) => {
        const isCommand = !transcript || raw.startsWith("$ ");
        const line = transcript && isCommand ? raw.slice(2) : raw;
        if (!isCommand) {
          current?.expected.push(line);
          return;
        }
        current = null;
        if (!CLI.test(line.trim())) return;
        const exit = Number(/#\s*exit\s+(\d+)\s*$/.exec(line)?.[1] ?? 0);
        current = { where: `${doc.path}:${block.lineNumbers[i]}`, command: line.trim(), exit, expected: [] };
        examples.push(current);
      });
      return examples;
    });
}

const pages = allDocs()
  .map((doc) => ({ doc, examples: cliExamples(doc) }))
  .filter((page) => page.examples.length > 0);

const TOKEN = "docs-examples";
let redis: RunningRedisServer;
let bridge: RunningBridge;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "docs-examples-"));
  redis = await startRedisServer();
  bridge = await startBridge({ redisPort: redis.port, token: TOKEN });
});
afterAll(async () => {
  await bridge?.close();
  await redis?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/** The line as a user runs it (shell quoting, redirections), with `npm run routes --` as Node on scripts/routes.ts. */
function run(command: string, cwd: string): Promise<Run> {
  const script = command.replace(CLI, '"$ROUTES_NODE" "$ROUTES_CLI"');
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script], {
      cwd,
      env: {
        PATH: process.env["PATH"] ?? "",
        ROUTES_NODE: process.execPath,
        ROUTES_CLI: join(ROOT, "scripts", "routes.ts"),
        UPSTASH_REDIS_REST_URL: bridge.url,
        UPSTASH_REDIS_REST_TOKEN: TOKEN,
        NODE_COMPILE_CACHE: join(workDir, "compile-cache"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

async function flush(): Promise<void> {
  const response = await fetch(bridge.url, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(["FLUSHALL"]),
  });
  expect(response.status).toBe(200);
}

it("the docs show the routes CLI at work", () => {
  expect(pages.map((page) => page.doc.path)).toEqual(expect.arrayContaining(["README.md", "docs/routes.md"]));
});

describe.each(pages.map((page) => [page.doc.path, page] as const))("%s", (_path, page) => {
  let cwd: string;
  beforeAll(async () => {
    await flush();
    cwd = mkdtempSync(join(workDir, "page-"));
  });

  it.each(page.examples.map((example) => [example.where, example.command, example] as const))(
    "%s $ %s",
    async (_where, _command, example) => {
      const result = await run(example.command, cwd);
      expect(result.code, result.output).toBe(example.exit);
      expect(transcriptMismatch(example.expected, result.output), result.output).toBeNull();
    },
  );
});
