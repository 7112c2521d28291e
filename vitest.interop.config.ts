import { defineConfig } from 'vitest/config';

// Interop tests against real Prosody/ejabberd peers on loopback (see docs/federation.md).
export default defineConfig({
  test: {
    include: ['test/interop/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    pool: 'forks',
    // Peers use fixed-at-start ports and real processes; keep files sequential.
    fileParallelism: false,
  },
});
