import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The end-to-end suites start real Prometheus and Alertmanager servers; two
    // cores are shared with them, so test files run one process at a time per core.
    maxWorkers: 2,
  },
});
