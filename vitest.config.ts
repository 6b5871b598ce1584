import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 240_000,
    pool: 'forks',
    // PGlite instances are memory-hungry (~100 MB each) and this machine has 2 cores.
    maxWorkers: 2,
  },
});
