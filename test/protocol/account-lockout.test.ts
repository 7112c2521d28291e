// Password guessing over many parallel connections (issue 13, item 8): failures are counted per
// account across connections, and past limits.authFailuresPerAccount the account is locked —
// against the addresses that failed, never against its owner elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { connectSecured, lastFailureText, plainAuth, scramAuth } from '../harness/login.js';

let server: ServerProcess;

beforeAll(async () => {
  // The per-address slowdown is raised out of the way: this is about the per-account count.
  server = await ServerProcess.start({
    extraYaml: 'limits:\n  authFailuresPerMinute: 1000\n  authFailuresPerAccount: 3\n  authLockSeconds: 600\n  maxUnauthenticatedPerAddress: 100',
  });
  await server.addUser('alice@localhost', 'wonderland');
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

async function attempt(password: string, from?: string, mechanism: 'PLAIN' | 'SCRAM-SHA-256' = 'PLAIN') {
  const { client } = await connectSecured(server.ports.c2s, 'localhost', from);
  const result = mechanism === 'PLAIN' ? await plainAuth(client, 'alice', password) : await scramAuth(client, mechanism, 'alice', password);
  const text = lastFailureText(client);
  client.destroy();
  return { ...result, text };
}

describe('per-account lock (limits.authFailuresPerAccount, authLockSeconds)', () => {
  it('RFC 6120 §6.5.2: 20 parallel guesses get at most 3 real answers; then even the right password is refused from that address, not from another', async () => {
    const guesses = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(`guess-${i}`)));
    const real = guesses.filter((g) => !g.ok && g.condition === 'not-authorized');
    const locked = guesses.filter((g) => !g.ok && g.condition === 'account-disabled');
    expect(real.length).toBe(3);
    expect(locked.length).toBe(17);
    expect(locked[0]!.text).toMatch(/too many failed logins to this account from your address; try again in 10 minutes/);

    // The lock does not tell whether a guess was right: the password is refused the same way.
    for (const mechanism of ['PLAIN', 'SCRAM-SHA-256'] as const) {
      const right = await attempt('wonderland', undefined, mechanism);
      expect(right).toMatchObject({ ok: false, condition: 'account-disabled' });
    }

    // The owner, on an address that has not failed, logs in.
    expect(await attempt('wonderland', '127.0.0.2')).toEqual({ ok: true, text: undefined });
    // That address fails once while the account is locked: then it is locked there too.
    expect(await attempt('nope', '127.0.0.3')).toMatchObject({ ok: false, condition: 'not-authorized' });
    expect(await attempt('wonderland', '127.0.0.3')).toMatchObject({ ok: false, condition: 'account-disabled' });
  });
});
