// STARTTLS, SASL and resource binding over real sockets (RFC 6120 §5–§7, RFC 5802, RFC 7677,
// RFC 9266, XEP-0440), plus XEP-0077 registration.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { XmlClient } from '../harness/xml-client.js';
import { bind, connectSecured, features, login, mechanisms, NS_SASL, plainAuth, scramAuth } from '../harness/login.js';

let server: ServerProcess;

beforeAll(async () => {
  // Many deliberate failures below: the failed-login slowdown has its own test.
  server = await ServerProcess.start({
    domains: [{ name: 'localhost' }, { name: 'open.test', registration: true }],
    extraYaml: 'limits:\n  authFailuresPerMinute: 1000',
  });
  await server.addUser('alice@localhost', 'wonderland');
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

describe('STARTTLS and mechanisms', () => {
  it('RFC 6120 §5.3.1: after TLS the features offer SCRAM (incl. -PLUS), PLAIN and channel-binding types', async () => {
    const { client, features: feats } = await connectSecured(server.ports.c2s);
    const offered = mechanisms(feats);
    expect(offered).toEqual(expect.arrayContaining(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-1-PLUS', 'SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN']));
    expect(feats.getChild('starttls', 'urn:ietf:params:xml:ns:xmpp-tls')).toBeUndefined();
    const types = feats.getChild('sasl-channel-binding', 'urn:xmpp:sasl-cb:0')?.getChildren('channel-binding').map((c) => c.attrs.type);
    expect(types).toEqual(expect.arrayContaining(['tls-exporter', 'tls-server-end-point']));
    client.destroy();
  });

  it('RFC 6120 §6.5.3: authentication before TLS is refused with encryption-required', async () => {
    const client = await XmlClient.connect(server.ports.c2s);
    await client.open();
    await features(client);
    client.send(`<auth xmlns='${NS_SASL}' mechanism='PLAIN'>${Buffer.from('\0alice\0wonderland').toString('base64')}</auth>`);
    const failure = await client.next('failure');
    expect(failure.getChild('encryption-required')).toBeDefined();
    client.destroy();
  });
});

describe('SASL', () => {
  for (const mechanism of ['SCRAM-SHA-1', 'SCRAM-SHA-256']) {
    it(`RFC 5802: ${mechanism} logs in and the server signature verifies`, async () => {
      const { client } = await connectSecured(server.ports.c2s);
      expect(await scramAuth(client, mechanism, 'alice', 'wonderland')).toEqual({ ok: true });
      expect(await bind(client, 'localhost', 'laptop')).toBe('alice@localhost/laptop');
      client.destroy();
    });
  }

  it('RFC 9266: SCRAM-SHA-256-PLUS with tls-exporter', async () => {
    const { client } = await connectSecured(server.ports.c2s);
    const data = client.tlsSocket!.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
    expect(await scramAuth(client, 'SCRAM-SHA-256-PLUS', 'alice', 'wonderland', { type: 'tls-exporter', data })).toEqual({ ok: true });
    client.destroy();
  });

  it('RFC 5929: SCRAM-SHA-256-PLUS with tls-server-end-point', async () => {
    const { client } = await connectSecured(server.ports.c2s);
    const data = createHash('sha256').update(client.tlsSocket!.getPeerCertificate().raw).digest();
    expect(await scramAuth(client, 'SCRAM-SHA-256-PLUS', 'alice', 'wonderland', { type: 'tls-server-end-point', data })).toEqual({ ok: true });
    client.destroy();
  });

  it('RFC 5802 §6: -PLUS with the wrong channel-binding data fails', async () => {
    const { client } = await connectSecured(server.ports.c2s);
    const result = await scramAuth(client, 'SCRAM-SHA-256-PLUS', 'alice', 'wonderland', { type: 'tls-exporter', data: Buffer.alloc(32, 7) });
    expect(result).toEqual({ ok: false, condition: 'not-authorized' });
    client.destroy();
  });

  it('RFC 4616: PLAIN over TLS', async () => {
    const { client } = await connectSecured(server.ports.c2s);
    expect(await plainAuth(client, 'alice', 'wonderland')).toEqual({ ok: true });
    client.destroy();
  });

  it('RFC 6120 §6.5.10: a wrong password and an unknown user both get not-authorized', async () => {
    const wrong = await connectSecured(server.ports.c2s);
    const unknown = await connectSecured(server.ports.c2s);
    expect(await scramAuth(wrong.client, 'SCRAM-SHA-256', 'alice', 'not-the-password')).toEqual({ ok: false, condition: 'not-authorized' });
    expect(await scramAuth(unknown.client, 'SCRAM-SHA-256', 'nobody', 'whatever')).toEqual({ ok: false, condition: 'not-authorized' });
    expect(await plainAuth(wrong.client, 'alice', 'nope')).toEqual({ ok: false, condition: 'not-authorized' });
    wrong.client.destroy();
    unknown.client.destroy();
  });

  it('RFC 6120 §6.4.5: an unknown mechanism gets invalid-mechanism', async () => {
    const { client } = await connectSecured(server.ports.c2s);
    client.send(`<auth xmlns='${NS_SASL}' mechanism='DIGEST-MD5'/>`);
    expect((await client.next('failure')).getChild('invalid-mechanism')).toBeDefined();
    client.destroy();
  });

  it('RFC 6120 §6.4.2: bad base64 gets incorrect-encoding', async () => {
    const { client } = await connectSecured(server.ports.c2s);
    client.send(`<auth xmlns='${NS_SASL}' mechanism='PLAIN'>!!!not base64!!!</auth>`);
    expect((await client.next('failure')).getChild('incorrect-encoding')).toBeDefined();
    client.destroy();
  });

  it('the localpart is case-insensitive at login (RFC 7622 §3.3 case mapping)', async () => {
    const { client } = await connectSecured(server.ports.c2s);
    expect(await scramAuth(client, 'SCRAM-SHA-256', 'ALICE', 'wonderland')).toEqual({ ok: true });
    expect(await bind(client, 'localhost', 'x')).toBe('alice@localhost/x');
    client.destroy();
  });
});

describe('direct TLS (XEP-0368)', () => {
  it('logs in on the direct TLS port with no STARTTLS step', async () => {
    const client = await XmlClient.connect(server.ports.directTls, { tls: true });
    expect(client.tlsSocket!.alpnProtocol).toBe('xmpp-client');
    await client.open();
    const feats = await features(client);
    expect(feats.getChild('starttls', 'urn:ietf:params:xml:ns:xmpp-tls')).toBeUndefined();
    expect(mechanisms(feats)).toContain('SCRAM-SHA-256');
    expect(await scramAuth(client, 'SCRAM-SHA-256', 'alice', 'wonderland')).toEqual({ ok: true });
    expect(await bind(client, 'localhost', 'direct')).toBe('alice@localhost/direct');
    client.destroy();
  });
});

describe('resource binding (RFC 6120 §7)', () => {
  it('RFC 6120 §7.6.2.1: the server generates a resource when none is requested', async () => {
    const { client, jid } = await login(server.ports.c2s, 'alice', 'wonderland');
    expect(jid).toMatch(/^alice@localhost\/.{8,}$/);
    client.destroy();
  });

  it('RFC 6120 §7.7.2.2: binding a resource in use closes the old session with conflict', async () => {
    const first = await login(server.ports.c2s, 'alice', 'wonderland', 'phone');
    const second = await login(server.ports.c2s, 'alice', 'wonderland', 'phone');
    expect(second.jid).toBe('alice@localhost/phone');
    expect(await first.client.streamError()).toBe('conflict');
    await first.client.closed();
    second.client.send("<iq type='get' id='still-there'><ping xmlns='urn:xmpp:ping'/></iq>");
    expect((await second.client.next((el) => el.attrs.id === 'still-there')).attrs.type).toBe('result');
    second.client.destroy();
  });

  it('RFC 3921 §3 (legacy session establishment) is advertised as optional and answered', async () => {
    const { client } = await connectSecured(server.ports.c2s);
    await scramAuth(client, 'SCRAM-SHA-256', 'alice', 'wonderland');
    await client.open();
    const feats = await features(client);
    expect(feats.getChild('session', 'urn:ietf:params:xml:ns:xmpp-session')?.getChild('optional')).toBeDefined();
    client.send("<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
    await client.next((el) => el.attrs.id === 'b');
    client.send("<iq type='set' id='s'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>");
    expect((await client.next((el) => el.attrs.id === 's')).attrs.type).toBe('result');
    client.destroy();
  });
});

describe('in-band registration (XEP-0077)', () => {
  it('XEP-0077 §3.1: registers on a domain where it is enabled, then logs in', async () => {
    const { client, features: feats } = await connectSecured(server.ports.c2s, 'open.test');
    expect(feats.getChild('register', 'http://jabber.org/features/iq-register')).toBeDefined();
    client.send("<iq type='get' id='r1'><query xmlns='jabber:iq:register'/></iq>");
    const form = await client.next((el) => el.attrs.id === 'r1');
    expect(form.getChild('query', 'jabber:iq:register')?.getChild('password')).toBeDefined();
    client.send("<iq type='set' id='r2'><query xmlns='jabber:iq:register'><username>carol</username><password>s3cret</password></query></iq>");
    expect((await client.next((el) => el.attrs.id === 'r2')).attrs.type).toBe('result');
    client.send("<iq type='set' id='r3'><query xmlns='jabber:iq:register'><username>carol</username><password>other</password></query></iq>");
    const again = await client.next((el) => el.attrs.id === 'r3');
    expect(again.attrs.type).toBe('error');
    expect(again.getChild('error')?.getChild('conflict')).toBeDefined();
    client.destroy();
    const carol = await login(server.ports.c2s, 'carol', 's3cret', 'r', 'open.test');
    expect(carol.jid).toBe('carol@open.test/r');
    carol.client.destroy();
  });

  it('XEP-0077: refused where registration is disabled, and not advertised', async () => {
    const { client, features: feats } = await connectSecured(server.ports.c2s, 'localhost');
    expect(feats.getChild('register', 'http://jabber.org/features/iq-register')).toBeUndefined();
    client.send("<iq type='set' id='r1'><query xmlns='jabber:iq:register'><username>mallory</username><password>x</password></query></iq>");
    const answer = await Promise.race([client.next((el) => el.attrs.id === 'r1'), client.streamError().then((c) => ({ streamError: c }))]);
    if ('streamError' in answer) expect(answer.streamError).toBe('not-authorized');
    else expect((answer as { attrs: Record<string, string> }).attrs.type).toBe('error');
    client.destroy();
    const { client: again } = await connectSecured(server.ports.c2s);
    expect(await scramAuth(again, 'SCRAM-SHA-256', 'mallory', 'x')).toEqual({ ok: false, condition: 'not-authorized' });
    again.destroy();
  });
});

describe('failed-login slowdown', () => {
  it('answers repeated failures from one address ever more slowly, even after a success in between', async () => {
    const strict = await ServerProcess.start({ extraYaml: 'limits:\n  authFailuresPerMinute: 1' });
    try {
      await strict.addUser('alice@localhost', 'wonderland');
      const attempt = async (password: string) => {
        const { client } = await connectSecured(strict.ports.c2s);
        const started = performance.now();
        const result = await scramAuth(client, 'SCRAM-SHA-256', 'alice', password);
        client.destroy();
        return { result, ms: performance.now() - started };
      };
      const first = await attempt('wrong-1');
      expect(first.result).toEqual({ ok: false, condition: 'not-authorized' });
      expect((await attempt('wonderland')).result).toEqual({ ok: true });
      const second = await attempt('wrong-2');
      const third = await attempt('wrong-3');
      expect(third.result).toEqual({ ok: false, condition: 'not-authorized' });
      // Past the allowance of 1 per minute the delays are 1 s, then 2 s.
      expect(second.ms).toBeGreaterThanOrEqual(950);
      expect(third.ms).toBeGreaterThanOrEqual(1950);
    } finally {
      await strict.stop();
      strict.cleanup();
    }
  });
});
