// Channel-binding negotiation vs failed logins (issue 16): a client that asks for a binding type
// we cannot provide, or says 'y' while we offered -PLUS, tested no password. Such a refusal
// (the downgrade is still refused) must leave it free to try its next mechanism on the same
// stream and count towards no limit; a wrong password still does both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { XmlClient } from '../harness/xml-client.js';
import { features, lastFailureText, mechanisms, plainAuth, scramAuth } from '../harness/login.js';
import { ScramClient } from '../harness/scram-client.js';

let server: ServerProcess;

beforeAll(async () => {
  server = await ServerProcess.start({ extraYaml: 'limits:\n  authFailuresPerMinute: 1\n  authFailuresPerAccount: 3' });
  for (const user of ['alice', 'bob', 'carol']) await server.addUser(`${user}@localhost`, 'pw');
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

/** A direct-TLS connection (TLS 1.3 unless capped), stream open, features read. */
async function connect(options: { localAddress?: string; maxVersion?: 'TLSv1.2' } = {}) {
  const client = await XmlClient.connect(server.ports.directTls, { tls: true, ...options });
  await client.open();
  return { client, features: await features(client) };
}

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await run();
  return { result, ms: performance.now() - started };
}

describe('channel-binding refusals are not failed logins', () => {
  it('RFC 5802 §6: unsupported binding types and a refused downgrade leave the stream open for the next mechanism and feed no throttle', async () => {
    const { client } = await connect({ localAddress: '127.0.0.2' });
    for (let round = 0; round < 2; round++) {
      for (const mechanism of ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-1-PLUS']) {
        // tls-unique is undefined on TLS 1.3 (RFC 8446 §C.5).
        const result = await scramAuth(client, mechanism, 'alice', 'pw', { type: 'tls-unique', data: Buffer.alloc(12) });
        expect(result).toEqual({ ok: false, condition: 'not-authorized' });
        expect(lastFailureText(client)).toMatch(/channel binding type/);
      }
      for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-1']) {
        // 'y' (client could bind, thinks we cannot) after we offered -PLUS: still refused.
        const scram = new ScramClient({ mechanism, username: 'alice', password: 'pw', cbFlag: 'y' });
        client.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='${mechanism}'>${scram.first().toString('base64')}</auth>`);
        const failure = await client.next('failure');
        expect(failure.getChild('not-authorized')).toBeDefined();
        expect(failure.getChildText('text')).toMatch(/downgrade/);
      }
    }
    // Eight refusals on one stream, and it is still open: the next mechanism works, at once.
    const login = await timed(() => plainAuth(client, 'alice', 'pw'));
    expect(login.result).toEqual({ ok: true });
    client.destroy();

    // None of them fed the per-address slowdown (1 failure a minute allowed here): a wrong
    // password from the same address is answered without delay.
    const { client: next } = await connect({ localAddress: '127.0.0.2' });
    const wrong = await timed(() => plainAuth(next, 'carol', 'wrong'));
    expect(wrong.result).toEqual({ ok: false, condition: 'not-authorized' });
    expect(wrong.ms).toBeLessThan(900);
    next.destroy();
  });

  it('RFC 6120 §6.4.5: a wrong password still counts: the stream closes after three, both throttles are fed', async () => {
    const { client } = await connect({ localAddress: '127.0.0.3' });
    const tries = [];
    for (let i = 0; i < 3; i++) tries.push(await timed(() => plainAuth(client, 'bob', `wrong-${i}`)));
    expect(tries.map((t) => t.result)).toEqual(Array(3).fill({ ok: false, condition: 'not-authorized' }));
    // Past the per-address allowance of 1: 1 s, then 2 s.
    expect(tries[1]!.ms).toBeGreaterThanOrEqual(950);
    expect(tries[2]!.ms).toBeGreaterThanOrEqual(1950);
    expect(await client.streamError()).toBe('not-authorized');
    await client.closed();
    // Three failures locked bob against this address, even with the right password.
    const { client: again } = await connect({ localAddress: '127.0.0.3' });
    expect(await plainAuth(again, 'bob', 'pw')).toEqual({ ok: false, condition: 'account-disabled' });
    again.destroy();
  });
});

describe('tls-unique (RFC 5929 §3) where it is defined', () => {
  it('RFC 5929 §3.1: on TLS 1.2, tls-unique is offered (XEP-0440) and SCRAM-SHA-256-PLUS binds to it', async () => {
    const { client, features: feats } = await connect({ maxVersion: 'TLSv1.2' });
    expect(client.tlsSocket!.getProtocol()).toBe('TLSv1.2');
    const types = feats.getChild('sasl-channel-binding', 'urn:xmpp:sasl-cb:0')?.getChildren('channel-binding').map((c) => c.attrs.type);
    expect(types).toContain('tls-unique');
    expect(types).not.toContain('tls-exporter');
    expect(mechanisms(feats)).toContain('SCRAM-SHA-256-PLUS');
    // A full handshake: the client's Finished message came first.
    const data = client.tlsSocket!.getFinished()!;
    expect(await scramAuth(client, 'SCRAM-SHA-256-PLUS', 'carol', 'pw', { type: 'tls-unique', data })).toEqual({ ok: true });
    client.destroy();
  });
});
