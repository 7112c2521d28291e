import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/interop/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most files wait on real server processes and sockets, not on the CPU: three at once keep
    // a 2-core machine busy (two leave a third of it idle) and keep CI under 30 minutes.
    maxWorkers: 3,
  },
});
