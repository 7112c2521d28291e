// RFC 6120 stream-level behaviour over real sockets against a real server process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { XmlClient } from '../harness/xml-client.js';
import { connectSecured, features, login } from '../harness/login.js';

const HEADER_START = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'";

let server: ServerProcess;

beforeAll(async () => {
  server = await ServerProcess.start({ extraYaml: 'limits:\n  maxStanzaBytes: 10000\n  maxDepth: 8' });
  await server.addUser('alice@localhost', 'wonderland');
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

async function openRaw(header: string): Promise<XmlClient> {
  const client = await XmlClient.connect(server.ports.c2s);
  client.send(header);
  return client;
}

describe('stream header (RFC 6120 §4.7, §4.9.3)', () => {
  it('RFC 6120 §4.3.2: a valid header gets a header back with an id, from and version 1.0, then features with STARTTLS required', async () => {
    const client = await XmlClient.connect(server.ports.c2s);
    const attrs = await client.open('localhost', " from='alice@localhost'");
    expect(attrs.from).toBe('localhost');
    expect(attrs.to).toBe('alice@localhost');
    expect(attrs.version).toBe('1.0');
    expect(attrs.id).toMatch(/.{8,}/);
    const feats = await features(client);
    const starttls = feats.getChild('starttls', 'urn:ietf:params:xml:ns:xmpp-tls');
    expect(starttls?.getChild('required')).toBeDefined();
    expect(feats.getChild('mechanisms', 'urn:ietf:params:xml:ns:xmpp-sasl')).toBeUndefined();
    client.destroy();
  });

  it('RFC 6120 §4.9.3.6: an unserved domain gets host-unknown', async () => {
    const client = await openRaw(`${HEADER_START} to='elsewhere.example' version='1.0'>`);
    expect(await client.streamError()).toBe('host-unknown');
    await client.closed();
  });

  it('RFC 6120 §4.9.1.2: the server opens its own stream before sending the error', async () => {
    const client = await openRaw(`${HEADER_START} to='elsewhere.example' version='1.0'>`);
    await client.streamError();
    expect(client.streamAttrs?.['xmlns:stream']).toBe('http://etherx.jabber.org/streams');
    client.destroy();
  });

  it('RFC 6120 §4.9.3.10: a content namespace other than jabber:client gets invalid-namespace', async () => {
    const client = await openRaw("<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0'>");
    expect(await client.streamError()).toBe('invalid-namespace');
  });

  it('RFC 6120 §4.9.3.10: a stream element in the wrong namespace gets invalid-namespace', async () => {
    const client = await openRaw("<stream:stream xmlns='jabber:client' xmlns:stream='http://example.org/not-streams' to='localhost' version='1.0'>");
    expect(await client.streamError()).toBe('invalid-namespace');
  });

  it('RFC 6120 §4.9.3.25: version 2.0 gets unsupported-version', async () => {
    const client = await openRaw(`${HEADER_START} to='localhost' version='2.0'>`);
    expect(await client.streamError()).toBe('unsupported-version');
  });

  it('RFC 6120 §4.7.5: a header without version gets unsupported-version', async () => {
    const client = await openRaw(`${HEADER_START} to='localhost'>`);
    expect(await client.streamError()).toBe('unsupported-version');
  });
});

describe('XML restrictions and limits (RFC 6120 §11)', () => {
  it('RFC 6120 §11.1: a DOCTYPE gets restricted-xml', async () => {
    const client = await openRaw("<?xml version='1.0'?><!DOCTYPE foo [<!ENTITY x 'y'>]><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0'>");
    expect(await client.streamError()).toBe('restricted-xml');
  });

  it('RFC 6120 §11.1: a comment gets restricted-xml', async () => {
    const client = await XmlClient.connect(server.ports.c2s);
    await client.open();
    await features(client);
    client.send('<!-- hello -->');
    expect(await client.streamError()).toBe('restricted-xml');
  });

  it('RFC 6120 §11.1: a processing instruction gets restricted-xml', async () => {
    const client = await XmlClient.connect(server.ports.c2s);
    await client.open();
    await features(client);
    client.send("<?evil data?>");
    expect(await client.streamError()).toBe('restricted-xml');
  });

  it('RFC 6120 §4.9.3.13: malformed XML gets not-well-formed', async () => {
    const client = await XmlClient.connect(server.ports.c2s);
    await client.open();
    await features(client);
    client.send('<message><body>unclosed</message>');
    expect(await client.streamError()).toBe('not-well-formed');
    await client.closed();
  });

  it('RFC 6120 §4.9.3.14: a stanza over the configured size gets policy-violation', async () => {
    const { client } = await login(server.ports.c2s, 'alice', 'wonderland');
    client.send(`<message to='localhost'><body>${'x'.repeat(12_000)}</body></message>`);
    expect(await client.streamError()).toBe('policy-violation');
    await client.closed();
  });

  it('RFC 6120 §4.9.3.14: nesting deeper than the limit gets policy-violation', async () => {
    const { client } = await login(server.ports.c2s, 'alice', 'wonderland');
    client.send(`<message to='localhost'>${'<a>'.repeat(20)}${'</a>'.repeat(20)}</message>`);
    expect(await client.streamError()).toBe('policy-violation');
  });

  it('RFC 6120 §11.6: a stanza whose UTF-8 is split across TCP writes arrives intact', async () => {
    const { client, jid } = await login(server.ports.c2s, 'alice', 'wonderland');
    const bytes = Buffer.from(`<iq type='get' id='utf8-split' to='${jid}'><ping xmlns='urn:xmpp:ping'/></iq><message to='${jid}' id='m1'><body>é中😀</body></message>`);
    for (let i = 0; i < bytes.length; i += 3) client.sendBytes(bytes.subarray(i, i + 3));
    const message = await client.next((el) => el.name === 'message' && el.attrs.id === 'm1');
    expect(message.getChildText('body')).toBe('é中😀');
    client.destroy();
  });
});

describe('stream lifecycle', () => {
  it('RFC 6120 §4.6.1: whitespace keepalives are accepted', async () => {
    const { client } = await login(server.ports.c2s, 'alice', 'wonderland');
    client.send('   \n  ');
    client.send("<iq type='get' id='after-ws'><ping xmlns='urn:xmpp:ping'/></iq>");
    const reply = await client.next((el) => el.attrs.id === 'after-ws');
    expect(reply.attrs.type).toBe('result');
    client.destroy();
  });

  it('RFC 6120 §4.4: the server answers </stream:stream> with its own and closes the connection', async () => {
    const { client } = await connectSecured(server.ports.c2s);
    client.end();
    await client.closed();
    expect(client.streamEnded).toBe(true);
  });

  it('RFC 6120 §4.9.3.18: a stanza before authentication gets not-authorized', async () => {
    const { client } = await connectSecured(server.ports.c2s);
    client.send("<message to='alice@localhost'><body>hi</body></message>");
    expect(await client.streamError()).toBe('not-authorized');
  });

  it('RFC 6120 §4.9.3.24: an unknown first-level element after binding gets unsupported-stanza-type', async () => {
    const { client } = await login(server.ports.c2s, 'alice', 'wonderland');
    client.send('<foo/>');
    expect(await client.streamError()).toBe('unsupported-stanza-type');
  });
});

describe('idle timeout', () => {
  it('RFC 6120 §4.9.3.4: a silent connection gets connection-timeout', async () => {
    const idle = await ServerProcess.start({ extraYaml: 'limits:\n  idleTimeoutSeconds: 1' });
    try {
      const client = await XmlClient.connect(idle.ports.c2s);
      await client.open();
      await features(client);
      expect(await client.streamError(5_000)).toBe('connection-timeout');
      await client.closed();
    } finally {
      await idle.stop();
      idle.cleanup();
    }
  });
});

describe('stream restarts discard what was pipelined before them', () => {
  it('RFC 6120 §5.3.3: plaintext sent after <starttls/> in the same packet is not processed after TLS', async () => {
    const client = await XmlClient.connect(server.ports.c2s);
    await client.open();
    await features(client);
    const injected = `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from('\0alice\0wonderland').toString('base64')}</auth>`;
    // The leading <auth/> (refused: no TLS yet) keeps the server busy while the rest is parsed,
    // so the injected <auth/> is queued behind <starttls/> rather than cut off with the old parser.
    client.send(`${injected}<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>${injected}`);
    expect((await client.next('failure')).getChild('encryption-required')).toBeDefined();
    await client.next('proceed');
    await client.upgradeTls();
    await client.open();
    const secured = await features(client);
    expect(secured.getChild('mechanisms', 'urn:ietf:params:xml:ns:xmpp-sasl')).toBeDefined();
    expect(client.received.map((el) => el.name)).not.toContain('success');
    client.destroy();
  });

  it('RFC 6120 §6.4.6: a stanza pipelined after <auth/> is not processed on the restarted stream', async () => {
    const { client } = await connectSecured(server.ports.c2s);
    const auth = `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from('\0alice\0wonderland').toString('base64')}</auth>`;
    client.send(`${auth}<iq type='set' id='early-bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>`);
    await client.next('success');
    await client.open();
    const feats = await features(client);
    expect(feats.getChild('bind', 'urn:ietf:params:xml:ns:xmpp-bind')).toBeDefined();
    client.send("<iq type='set' id='real-bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
    await client.next((el) => el.attrs.id === 'real-bind');
    expect(client.received.some((el) => el.attrs.id === 'early-bind')).toBe(false);
    client.destroy();
  });
});

describe('dead connection detection', () => {
  it('XEP-0199: a quiet bound client is pinged at half the idle timeout, kept while it answers, dropped when it stops', async () => {
    const idle = await ServerProcess.start({ extraYaml: 'limits:\n  idleTimeoutSeconds: 2' });
    try {
      await idle.addUser('alice@localhost', 'wonderland');
      const { client, jid } = await login(idle.ports.c2s, 'alice', 'wonderland');
      const isPing = (el: { name: string; attrs: Record<string, string>; getChild(n: string, ns: string): unknown }) =>
        el.name === 'iq' && el.attrs.type === 'get' && el.getChild('ping', 'urn:xmpp:ping') !== undefined;
      for (let round = 0; round < 3; round++) {
        const ping = await client.next(isPing, 5_000);
        expect(ping.attrs.to).toBe(jid);
        client.send(`<iq type='result' id='${ping.attrs.id}' to='localhost'/>`);
      }
      // Three answered pings span more than the 2 s idle timeout: the connection is alive.
      expect(client.isClosed).toBe(false);
      await client.next(isPing, 5_000);
      expect(await client.streamError(5_000)).toBe('connection-timeout');
    } finally {
      await idle.stop();
      idle.cleanup();
    }
  });
});
