import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Fixes the run's template key: the migrated and demo databases are built once per run and
    // copied for each test file (test/support/test-template.ts).
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 240_000,
    pool: 'forks',
    // Test files share their worker's module graph (each still gets its own kefu, database and
    // server): importing kefu's sources afresh for every file cost about a third of the suite's
    // CPU (bench/results/ci-isolation.md). So a test must not leave global state behind it: an
    // environment change goes through vi.stubEnv and is undone (vi.unstubAllEnvs) when it ends.
    isolate: false,
    // PGlite instances are memory-hungry (~100 MB each) and this machine has 2 cores.
    maxWorkers: 2,
  },
});
