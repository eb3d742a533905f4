/**
 * `npm test`: static checks, then the vitest suite, then one closing line
 * `N passed, N failed` (each static check counts as one test).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = (name: string) => join("node_modules", ".bin", name);

const checks: Array<[string, string, string[]]> = [
  [
    "env types are current",
    bin("wrangler"),
    ["types", "--check", "--strict-vars=false", "--env-file", ".dev.vars.example"],
  ],
  ["tsc (worker)", bin("tsc"), ["-p", "tsconfig.json"]],
  ["tsc (unit tests, against the worker's types)", bin("tsc"), ["-p", "tsconfig.unit.json"]],
  ["tsc (scripts, tests)", bin("tsc"), ["-p", "tsconfig.node.json"]],
  ["tsc (unit tests of Workers-only code)", bin("tsc"), ["-p", "tsconfig.unit.json"]],
  ["eslint", bin("eslint"), ["."]],
  ["no import cycles, src/ imports downwards", process.execPath, ["scripts/check/cycles.ts"]],
  ["prettier", bin("prettier"), ["--check", "."]],
];

let passed = 0;
let failed = 0;
for (const [name, command, args] of checks) {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.status === 0) {
    passed++;
    console.log(`✓ ${name}`);
  } else {
    failed++;
    console.log(`✗ ${name}\n${result.stdout}${result.stderr}`);
  }
}

const reportDir = mkdtempSync(join(tmpdir(), "router-test-"));
const report = join(reportDir, "vitest.json");
const extra = process.argv.slice(2);
const vitest = spawnSync(
  bin("vitest"),
  ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...extra],
  { stdio: "inherit" },
);
try {
  const results = JSON.parse(readFileSync(report, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    success: boolean;
  };
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  if (!results.success && results.numFailedTests === 0) failed++; // a suite that failed to load
} catch {
  console.log(`✗ vitest wrote no report (exit ${vitest.status})`);
  failed++;
}
rmSync(reportDir, { recursive: true, force: true });
if (vitest.status !== 0 && failed === 0) failed++;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
