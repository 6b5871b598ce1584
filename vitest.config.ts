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
    // PGlite instances are memory-hungry (~100 MB each) and this machine has 2 cores.
    maxWorkers: 2,
  },
});
