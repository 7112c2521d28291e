// Runs the socket-level benches in test/bench (not part of `npm test`).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['test/bench/pep-fanout.ts', 'test/bench/storage-backends.ts'], pool: 'forks', testTimeout: 600_000, hookTimeout: 60_000 },
});
