import { configDefaults, defineConfig } from "vitest/config";

/** AWS contract tests that read the run's synthesized templates and bundles (the infra project's synth). */
const READ_THE_ASSEMBLY = ["test/aws-contracts/iam.test.ts", "test/aws-contracts/event-shapes.test.ts"];

export default defineConfig({
  test: {
    // Timeouts catch a hung test, not a slow machine: a shared 2-core machine under load runs the
    // suite 2-3 times slower, and no test may fail for that.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: "forks",
    // One worker per core (vitest's default leaves one core free: half the machine here, with 2).
    maxWorkers: "100%",
    // Handlers log on stdout as in Lambda; tests keep the output readable (metrics stay on: some tests read their EMF).
    env: { POWERTOOLS_LOG_LEVEL: "ERROR" },
    // A passing test prints nothing: console.* here, direct writes to stdout/stderr in quiet-output.ts.
    silent: "passed-only",
    setupFiles: ["test/support/quiet-output.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "infra",
          include: ["test/infra/**/*.test.ts", ...READ_THE_ASSEMBLY],
          // Constructs keep no state between apps: the files share a worker's loaded aws-cdk-lib,
          // cdk-nag and CloudFormation validator (a WebAssembly module compiled once per process).
          isolate: false,
          // One `npx cdk synth` per run, started before the first test; the infra tests read its templates.
          globalSetup: ["test/support/cdk-synth-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "app",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/infra/**", ...READ_THE_ASSEMBLY],
        },
      },
    ],
  },
});
