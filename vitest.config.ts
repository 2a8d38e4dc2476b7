import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Handlers log on stdout as in Lambda; tests keep the output readable (metrics stay on: some tests read their EMF).
    env: { POWERTOOLS_LOG_LEVEL: "ERROR" },
  },
});
