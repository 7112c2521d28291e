// fast-check settings shared by the fuzz tests: bounded in runs and time so CI stays fast, and
// replayable. A failure prints "seed: S, path: P"; replay exactly that case with
//   FUZZ_SEED=S FUZZ_PATH=P npx vitest run <the test file>
// FUZZ_RUNS=N raises (or lowers) every property's run count for a longer local hunt, e.g.
//   FUZZ_RUNS=20000 FUZZ_TIME_MS=600000 npx vitest run test/fuzz
import type { Parameters } from 'fast-check';

export function fuzzParams<T>(numRuns: number, timeLimitMs: number): Parameters<T> {
  const env = process.env;
  const seed = env.FUZZ_SEED === undefined ? undefined : Number(env.FUZZ_SEED);
  const runs = env.FUZZ_RUNS === undefined ? numRuns : Number(env.FUZZ_RUNS);
  const time = env.FUZZ_TIME_MS === undefined ? timeLimitMs : Number(env.FUZZ_TIME_MS);
  return {
    numRuns: runs,
    // Stops generating new cases after this long (not a failure): the bound that keeps CI fast.
    interruptAfterTimeLimit: time,
    ...(seed === undefined ? {} : { seed }),
    ...(env.FUZZ_PATH === undefined ? {} : { path: env.FUZZ_PATH }),
    verbose: 0,
  };
}
