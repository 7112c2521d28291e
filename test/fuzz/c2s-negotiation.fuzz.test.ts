// Property-based fuzzing of the client stream state machine against a real server process (RFC 6120 §4–§7):
// random sequences of negotiation elements, valid and invalid, in random order, each checked against the model in
// c2s-model.ts. Every run must end in a bound session (proved by a ping) or in the stream error the model
// expects, within bounded time, with no internal-server-error; meanwhile a bystander session keeps being served.
//
// Bounded: a fixed number of sequences and a time limit (fuzz-params.ts). Replay a failure: fast-check prints
// "seed: S, path: P" and the shrunk sequence; run
//   FUZZ_SEED=S FUZZ_PATH=P npx vitest run test/fuzz/c2s-negotiation.fuzz.test.ts
// (after `npx tsc -p tsconfig.json`: the server under test is dist/cli/main.js).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XmlClient } from '../harness/xml-client.js';
import { ACTIONS, PASSWORD, expected, wire, type Action, type State } from './c2s-model.js';
import { fuzzParams } from './fuzz-params.js';
import { pathWithNoise } from './sequences.js';
import { splitAt } from './parser-run.js';
import { xmlSoup } from './xml-arbitraries.js';
import { conditionOf, expectStillServing, isStreamError, startFuzzServer, stopFuzzServer, type FuzzServer } from './fuzz-server.js';

const MAX_SASL_FAILURES = 3; // src/c2s/client-connection.ts
const STEP_TIMEOUT_MS = 5_000;
const USER = 'fuzzer';

let fuzz: FuzzServer;

beforeAll(async () => {
  fuzz = await startFuzzServer({
    // Failed logins are part of every run: no slowdown or lock, or the runs would measure the throttle.
    extraYaml: ['limits:', '  authFailuresPerMinute: 1000000', '  authFailuresPerAccount: 1000000', '  maxUnauthenticatedPerAddress: 1000', '  maxConnectionsPerAddress: 1000'].join('\n'),
  });
  await fuzz.server.addUser(`${USER}@localhost`, PASSWORD);
}, 60_000);

afterAll(() => stopFuzzServer(fuzz));

/** Plays the actions against the server, checking each answer; returns the final state or the stream error seen. */
async function play(actions: readonly Action[], resource: string): Promise<{ state: State; error?: string; trace: string[] }> {
  const client = await XmlClient.connect(fuzz.server.ports.c2s);
  const trace: string[] = [];
  let state: State = 'plain-noheader';
  let failures = 0;
  const awaitError = async (condition: string) => {
    const error = await client.next((el) => isStreamError(el), STEP_TIMEOUT_MS);
    expect(conditionOf(error), `trace: ${trace.join(' → ')}`).toBe(condition);
    // RFC 6120 §4.9.1.1: the stream error is followed by the close of the stream and the connection.
    await client.closed(STEP_TIMEOUT_MS);
    return { state, error: condition, trace };
  };
  try {
    for (const action of [...actions, 'final-check' as const]) {
      // The final check: a ping that a bound session answers and any other state refuses.
      const step = action === 'final-check' ? (state.endsWith('noheader') ? 'header' : 'ping') : action;
      const before = state;
      const expect_ = expected(state, step);
      if (expect_ === undefined) continue;
      trace.push(`${state}:${step}`);
      // A restarted stream: the server answers with a new header, so the client's parser starts afresh.
      if (state.endsWith('noheader')) client.resetParser();
      client.send(wire(step, USER, resource));
      switch (expect_.kind) {
        case 'stream-error':
          return await awaitError(expect_.condition);
        case 'features':
          await client.header(STEP_TIMEOUT_MS);
          await client.next((el) => el.name === 'stream:features', STEP_TIMEOUT_MS);
          state = expect_.next;
          if (action === 'final-check') {
            trace.push(`${state}:ping`);
            const final = expected(state, 'ping')!;
            client.send(wire('ping', USER, resource));
            if (final.kind === 'stream-error') return await awaitError(final.condition);
            await client.next((el) => el.name === 'iq' && el.attrs.id === 'ping', STEP_TIMEOUT_MS);
          }
          break;
        case 'proceed':
          await client.next((el) => el.name === 'proceed', STEP_TIMEOUT_MS);
          await client.upgradeTls();
          state = 'tls-noheader';
          break;
        case 'element': {
          const names = expect_.name.split('|');
          const got = await client.next((el) => names.includes(el.name) || isStreamError(el), STEP_TIMEOUT_MS);
          expect(got.name, `trace: ${trace.join(' → ')}; got ${got.toString()}`).not.toBe('stream:error');
          state = expect_.next;
          if (expect_.saslFailure && ++failures >= MAX_SASL_FAILURES) return await awaitError('not-authorized');
          if (step === 'ping' || step === 'bind') {
            // The reply to this very request: a result when bound by it or pinging bound, else an error.
            expect(got.attrs.type, `trace: ${trace.join(' → ')}`).toBe(step === 'bind' && before === 'bound' ? 'error' : 'result');
          }
          break;
        }
        case 'nothing':
          state = expect_.next;
          break;
      }
    }
    return { state, trace };
  } finally {
    const unexpectedErrors = client.received.filter(isStreamError).map(conditionOf);
    client.destroy();
    expect(unexpectedErrors.filter((c) => c === 'internal-server-error'), `trace: ${trace.join(' → ')}`).toEqual([]);
  }
}

// The successful path, with steps dropped and random actions slipped in: uniform random sequences almost never
// get past SASL, and the states after it need fuzzing too.
const LOGIN_PATH: Action[] = ['header', 'starttls', 'header', 'auth-plain-good', 'header', 'bind', 'ping', 'sm-enable'];
const aroundLogin = pathWithNoise(LOGIN_PATH, ACTIONS);
const randomActions = fc.array(fc.constantFrom(...ACTIONS), { maxLength: 14 });
const sequences = fc.oneof(
  { weight: 1, arbitrary: randomActions },
  { weight: 1, arbitrary: randomActions.map((actions): Action[] => ['header', ...actions]) },
  { weight: 3, arbitrary: aroundLogin },
);

describe('c2s negotiation fuzzing against a real server (RFC 6120 §4–§7)', () => {
  it('random negotiation sequences end in a bound session or the right stream error, and the server keeps serving', async () => {
    let runs = 0;
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(sequences, async (actions) => {
        runs++;
        const outcome = await play(actions, `r${runs}`);
        const key = outcome.error ?? outcome.state;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        // Every run ends in one of the two: bound, or a stream error.
        expect(outcome.error !== undefined || outcome.state === 'bound').toBe(true);
      }),
      fuzzParams(400, 25_000),
    );
    // Sequences that log in and bind must be among those tried, or the fuzzing missed the deep states.
    expect(outcomes.get('bound') ?? 0).toBeGreaterThan(0);
    // The bystander, logged in before all this, is still served.
    await expectStillServing(fuzz);
    console.log(`c2s fuzz: ${runs} sequences;`, Object.fromEntries(outcomes));
  }, 90_000);

  it('arbitrary XML-like bytes after the stream header, in random writes, end in at most one stream error with an input condition, and a close', async () => {
    const header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0'>";
    const conditions = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(xmlSoup, fc.array(fc.nat({ max: 10_000 }), { maxLength: 6 }), async (soup, cuts) => {
        const client = await XmlClient.connect(fuzz.server.ports.c2s);
        try {
          client.send(header);
          for (const chunk of splitAt(Buffer.from(soup), cuts)) if (chunk.length > 0) client.sendBytes(chunk);
          // Whatever the soup left open, this ends it: '<' cannot follow '<' in any state but CDATA and
          // comments, and those already ended the stream (restricted-xml) or are closed first.
          client.sendBytes(Buffer.from(']]><a<'));
          await client.closed(STEP_TIMEOUT_MS);
          const errors = client.received.filter(isStreamError);
          expect(errors.length).toBeLessThanOrEqual(1);
          // No error only when the soup itself held a well-formed </stream:stream>: a clean close (RFC 6120 §4.4).
          const condition = errors[0] === undefined ? 'closed by the client' : conditionOf(errors[0]);
          if (errors[0] === undefined) expect(client.streamEnded).toBe(true);
          conditions.set(condition, (conditions.get(condition) ?? 0) + 1);
          expect(['closed by the client', 'not-well-formed', 'restricted-xml', 'policy-violation', 'bad-format', 'bad-namespace-prefix', 'not-authorized', 'invalid-namespace', 'unsupported-stanza-type']).toContain(condition);
        } finally {
          client.destroy();
        }
      }),
      fuzzParams(150, 15_000),
    );
    await expectStillServing(fuzz);
    console.log('c2s soup fuzz:', Object.fromEntries(conditions));
  }, 60_000);

  it('the deep path is reachable: header, STARTTLS, header, PLAIN, header, bind, ping', async () => {
    const outcome = await play(['header', 'starttls', 'header', 'auth-plain-good', 'header', 'bind', 'ping'], 'deep');
    expect(outcome).toMatchObject({ state: 'bound' });
  });
});
