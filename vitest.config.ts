import { configDefaults, defineConfig } from "vitest/config";

/** Started once per project that runs: a real redis-server, the REST bridge and the worker bundle. */
const GLOBAL_SETUP = ["test/setup/global.ts"];

/**
 * Three projects (https://vitest.dev/guide/projects). Inline projects inherit
 * this root config, except `globalSetup`, which vitest runs for the root
 * whatever project is chosen; so the root has none, and only the projects
 * that start the worker name it.
 *   unit         test/unit/: the functions of src/ in Node, no Redis, no
 *                bridge, no workerd, no bundle (`npm run test:unit`).
 *   integration  everything else but the browser: real components.
 *   browser      test/browser/: the dashboard in Chromium.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: one file per core; each integration file runs its own workerd.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          // Pure functions with no I/O: one module graph per worker instead of
          // one per file makes the loop about four times faster on a loaded
          // machine; each test builds its own state through the factories.
          isolate: false,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/unit/**", "test/browser/**"],
          // Real redis-server, the REST bridge and the worker bundle are started
          // once here and handed to tests with provide/inject.
          globalSetup: GLOBAL_SETUP,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: GLOBAL_SETUP,
        },
      },
    ],
  },
});
