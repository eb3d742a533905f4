import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real redis-server, the REST bridge and the worker bundle are started once
    // here and handed to tests with provide/inject.
    globalSetup: ["test/setup/global.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: one file per core; each file runs its own workerd.
    maxWorkers: 2,
  },
});
