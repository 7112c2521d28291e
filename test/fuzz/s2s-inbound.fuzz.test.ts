// Property-based fuzzing of the incoming server-to-server stream against a real server process (RFC 6120
// §4–§5, XEP-0220 dialback, XEP-0178 SASL EXTERNAL, XEP-0198): random sequences of elements from an
// unauthenticated peer, each answer checked against s2s-model.ts. Every run ends in the stream error the model
// expects (the final check sends a stanza, which an unauthenticated stream must refuse), within bounded time,
// never internal-server-error; a local client session is served throughout.
//
// Bounded by a run count and a time limit (fuzz-params.ts). Replay a failure: fast-check prints
// "seed: S, path: P"; run FUZZ_SEED=S FUZZ_PATH=P npx vitest run test/fuzz/s2s-inbound.fuzz.test.ts
// (after `npx tsc -p tsconfig.json`: the server under test is dist/cli/main.js).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, s2sYaml } from '../harness/federation.js';
import { XmlClient } from '../harness/xml-client.js';
import { fuzzParams } from './fuzz-params.js';
import { pathWithNoise } from './sequences.js';
import { conditionOf, expectStillServing, isStreamError, startFuzzServer, stopFuzzServer, type FuzzServer } from './fuzz-server.js';
import { PEER, S2S_ACTIONS, expectedS2s, s2sWire, type S2sAction, type S2sState } from './s2s-model.js';

const STEP_TIMEOUT_MS = 10_000;

let fuzz: FuzzServer;
let s2sPort: number;

beforeAll(async () => {
  s2sPort = await freePort();
  const nobodyListens = await freePort(); // dialback verification of the fuzzing peer is refused at once
  fuzz = await startFuzzServer({ s2sPort, extraYaml: s2sYaml({ [PEER]: nobodyListens }) });
}, 60_000);

afterAll(() => stopFuzzServer(fuzz));

async function play(actions: readonly S2sAction[]): Promise<{ error: string; trace: string[] }> {
  const client = await XmlClient.connect(s2sPort);
  const trace: string[] = [];
  let state: S2sState = 'plain-noheader';
  try {
    for (const action of [...actions, 'final' as const]) {
      const step: S2sAction = action === 'final' ? (state.endsWith('noheader') ? 'header' : 'message') : action;
      const expect_ = expectedS2s(state, step);
      if (expect_ === undefined) continue;
      trace.push(`${state}:${step}`);
      const where = `trace: ${trace.join(' → ')}`;
      if (state.endsWith('noheader')) client.resetParser();
      client.send(s2sWire(step));
      if (expect_.kind === 'stream-error') {
        const error = await client.next(isStreamError, STEP_TIMEOUT_MS);
        expect(conditionOf(error), where).toBe(expect_.condition);
        await client.closed(STEP_TIMEOUT_MS);
        return { error: expect_.condition, trace };
      }
      if (expect_.kind === 'features') {
        await client.header(STEP_TIMEOUT_MS);
        await client.next((el) => el.name === 'stream:features', STEP_TIMEOUT_MS);
        state = expect_.next;
        if (action === 'final') {
          // After the header: a stanza, which an unauthenticated stream refuses.
          const final = expectedS2s(state, 'message')!;
          trace.push(`${state}:message`);
          client.send(s2sWire('message'));
          const error = await client.next(isStreamError, STEP_TIMEOUT_MS);
          expect(final.kind === 'stream-error' && conditionOf(error) === final.condition, `${where}; got ${error.toString()}`).toBe(true);
          await client.closed(STEP_TIMEOUT_MS);
          return { error: conditionOf(error), trace };
        }
      } else if (expect_.kind === 'proceed') {
        await client.next((el) => el.name === 'proceed', STEP_TIMEOUT_MS);
        await client.upgradeTls();
        state = 'tls-noheader';
      } else {
        const got = await client.next((el) => el.name === expect_.name || isStreamError(el), STEP_TIMEOUT_MS);
        expect(got.name, `${where}; got ${got.toString()}`).toBe(expect_.name);
        if (expect_.type) expect(got.attrs.type, where).toBe(expect_.type);
        // A dialback result for an unverifiable key never says valid.
        if (expect_.name === 'db:result') expect(['error', 'invalid'], where).toContain(got.attrs.type);
      }
    }
    throw new Error('unreachable: the final check always ends the stream');
  } finally {
    const errors = client.received.filter(isStreamError).map(conditionOf);
    client.destroy();
    expect(errors.filter((c) => c === 'internal-server-error'), `trace: ${trace.join(' → ')}`).toEqual([]);
  }
}

const PATH: S2sAction[] = ['header', 'starttls', 'header', 'db-result', 'db-verify', 'sm-enable'];
const aroundPath = pathWithNoise(PATH, S2S_ACTIONS);
const sequences = fc.oneof({ weight: 1, arbitrary: fc.array(fc.constantFrom(...S2S_ACTIONS), { maxLength: 10 }) }, { weight: 3, arbitrary: aroundPath });

describe('incoming s2s stream fuzzing against a real server (RFC 6120 §4–§5, XEP-0220)', () => {
  it('random sequences from an unauthenticated peer end in the right stream error, and local clients keep being served', async () => {
    let runs = 0;
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(sequences, async (actions) => {
        runs++;
        const { error } = await play(actions);
        outcomes.set(error, (outcomes.get(error) ?? 0) + 1);
      }),
      fuzzParams(200, 20_000),
    );
    expect(runs).toBeGreaterThan(10);
    await expectStillServing(fuzz);
    console.log(`s2s fuzz: ${runs} sequences;`, Object.fromEntries(outcomes));
  }, 90_000);
});
