// XEP-0388 SASL2, XEP-0386 Bind 2 and XEP-0474 SSDP against a real server, in raw XML. The SCRAM
// side is the independent test client; the login order is the one Monal and Conversations
// publish (SASL2 + SCRAM-SHA-256-PLUS over tls-exporter, Bind 2 with carbons and SM, then an
// inline resume on reconnect).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { connectDirectTls, features, login, mechanisms } from '../harness/login.js';
import { clientChannelBinding, NS_BIND2, sasl2Condition, sasl2Offer, sasl2Plain, sasl2Scram } from '../harness/sasl2.js';
import { NS_SM, handledCount } from '../harness/stream-management.js';
import { nextMessage } from '../harness/im.js';

const NS_CARBONS = 'urn:xmpp:carbons:2';
let server: ServerProcess;

beforeAll(async () => {
  server = await ServerProcess.start();
  for (const user of ['alice', 'bob', 'carol', 'dave']) await server.addUser(`${user}@localhost`, 'pw');
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

const connect = (options: { maxVersion?: 'TLSv1.2'; localAddress?: string } = {}) => connectDirectTls(server.ports.directTls, options);

describe('XEP-0388 §2.1 discovering support', () => {
  it('XEP-0388 §2.1: <authentication/> lists the same mechanisms as SASL1, with Bind 2 and SM resume inline', async () => {
    const { client, features: feats } = await connect();
    const offer = sasl2Offer(feats);
    expect(offer.mechanisms).toEqual(mechanisms(feats));
    const inline = offer.authentication!.getChild('inline')!;
    expect(inline.getChild('sm', NS_SM)).toBeDefined();
    const bindVars = inline.getChild('bind', NS_BIND2)?.getChild('inline')?.getChildren('feature').map((f) => f.attrs.var);
    expect(bindVars).toEqual([NS_CARBONS, 'urn:xmpp:csi:0', NS_SM]);
    client.destroy();
  });
});

describe('XEP-0388 §2.6 completing authentication', () => {
  for (const mechanism of ['SCRAM-SHA-1', 'SCRAM-SHA-256']) {
    it(`XEP-0388 §2.6.1: ${mechanism} succeeds with the server signature in <additional-data/> and the bare JID, then features without a restart`, async () => {
      const { client, features: feats } = await connect();
      const offer = sasl2Offer(feats);
      const result = await sasl2Scram(client, { mechanism, username: 'alice', password: 'pw', downgradeProtection: offer });
      expect(result.outcome.name).toBe('success');
      expect(result.serverVerified).toBe(true);
      expect(result.outcome.getChildText('authorization-identifier')).toBe('alice@localhost');
      const after = await features(client);
      expect(after.getChild('bind', 'urn:ietf:params:xml:ns:xmpp-bind')).toBeDefined();
      client.destroy();
    });
  }

  for (const [mechanism, type, maxVersion] of [
    ['SCRAM-SHA-256-PLUS', 'tls-exporter', undefined],
    ['SCRAM-SHA-1-PLUS', 'tls-exporter', undefined],
    ['SCRAM-SHA-256-PLUS', 'tls-unique', 'TLSv1.2'],
  ] as const) {
    it(`XEP-0388 §2.6.1 / XEP-0440: ${mechanism} bound to ${type}${maxVersion ? ' (TLS 1.2)' : ''}`, async () => {
      const { client, features: feats } = await connect(maxVersion ? { maxVersion } : {});
      const offer = sasl2Offer(feats);
      expect(offer.channelBindingTypes).toContain(type);
      const result = await sasl2Scram(client, { mechanism, username: 'bob', password: 'pw', channelBinding: clientChannelBinding(client, type), downgradeProtection: offer });
      expect(result.outcome.name).toBe('success');
      expect(result.serverVerified).toBe(true);
      client.destroy();
    });
  }

  it('XEP-0388 §2.6.1: SCRAM-SHA-256-PLUS with tls-server-end-point', async () => {
    const { client, features: feats } = await connect();
    const cert = client.tlsSocket!.getPeerCertificate(false).raw;
    const { createHash } = await import('node:crypto');
    const data = createHash('sha256').update(cert).digest();
    const result = await sasl2Scram(client, { mechanism: 'SCRAM-SHA-256-PLUS', username: 'bob', password: 'pw', channelBinding: { type: 'tls-server-end-point', data }, downgradeProtection: sasl2Offer(feats) });
    expect(result.outcome.name).toBe('success');
    client.destroy();
  });

  it('XEP-0388 §2.6.1: PLAIN over SASL2', async () => {
    const { client } = await connect();
    const success = await sasl2Plain(client, 'carol', 'pw');
    expect(success.name).toBe('success');
    expect(success.getChildText('authorization-identifier')).toBe('carol@localhost');
    client.destroy();
  });

  it('XEP-0388 §2.6.2: a wrong password fails with an RFC 6120 condition; three close the stream as on SASL1', async () => {
    const { client } = await connect({ localAddress: '127.0.0.4' });
    for (let i = 0; i < 3; i++) {
      const failure = await sasl2Plain(client, 'dave', `wrong-${i}`);
      expect(failure.name).toBe('failure');
      expect(sasl2Condition(failure)).toBe('not-authorized');
      expect(failure.getChild('not-authorized')?.attrs.xmlns).toBe('urn:ietf:params:xml:ns:xmpp-sasl');
    }
    expect(await client.streamError()).toBe('not-authorized');
  });

  it('XEP-0388 §3.5: <abort/> ends the exchange with <aborted/>, and the stream stays usable', async () => {
    const { client } = await connect();
    client.send("<authenticate xmlns='urn:xmpp:sasl:2' mechanism='SCRAM-SHA-256'/>");
    const challenge = await client.next('challenge');
    expect(challenge.attrs.xmlns).toBe('urn:xmpp:sasl:2');
    client.send("<abort xmlns='urn:xmpp:sasl:2'/>");
    expect(sasl2Condition(await client.next('failure'))).toBe('aborted');
    expect((await sasl2Plain(client, 'carol', 'pw')).name).toBe('success');
    client.destroy();
  });
});

describe('XEP-0474 SCRAM downgrade protection', () => {
  it('XEP-0474 §4.1: server-first carries h= over the advertised mechanisms and binding types, on SASL1 and SASL2', async () => {
    const { client, features: feats } = await connect();
    const offer = sasl2Offer(feats);
    // Throws inside the client unless h= matches what the client saw.
    const result = await sasl2Scram(client, { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'pw', downgradeProtection: offer });
    expect(result.outcome.name).toBe('success');
    client.destroy();

    const sasl1 = await connect();
    const { ScramClient } = await import('../harness/scram-client.js');
    const scram = new ScramClient({ mechanism: 'SCRAM-SHA-1', username: 'alice', password: 'pw', downgradeProtection: { mechanisms: mechanisms(sasl1.features), channelBindingTypes: offer.channelBindingTypes } });
    sasl1.client.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>${scram.first().toString('base64')}</auth>`);
    const challenge = await sasl1.client.next('challenge');
    expect(() => scram.final(Buffer.from(challenge.getText(), 'base64'))).not.toThrow();
    sasl1.client.destroy();
  });

  it('XEP-0474 §4.2: a man in the middle who strips -PLUS from the list is caught by the client', async () => {
    const { client, features: feats } = await connect();
    const offer = sasl2Offer(feats);
    // What the client would see after tampering: no -PLUS mechanisms, no channel-binding list.
    const tampered = { mechanisms: offer.mechanisms.filter((m) => !m.endsWith('-PLUS')), channelBindingTypes: [] };
    await expect(sasl2Scram(client, { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'pw', downgradeProtection: tampered })).rejects.toThrow(/XEP-0474: downgrade detected/);
    client.destroy();
  });
});

describe('XEP-0386 Bind 2', () => {
  it('XEP-0386 §2.2: binds tag/random with carbons and SM enabled inline; <bound/> carries <enabled/>', async () => {
    const { client, features: feats } = await connect();
    const result = await sasl2Scram(
      client,
      { mechanism: 'SCRAM-SHA-256-PLUS', username: 'alice', password: 'pw', channelBinding: clientChannelBinding(client, 'tls-exporter'), downgradeProtection: sasl2Offer(feats) },
      { userAgentId: 'ua-alice-phone', inline: `<bind xmlns='${NS_BIND2}'><tag>HeraldTest</tag><enable xmlns='${NS_CARBONS}'/><enable xmlns='${NS_SM}' resume='true'/></bind>` },
    );
    const jid = result.outcome.getChildText('authorization-identifier')!;
    expect(jid).toMatch(/^alice@localhost\/HeraldTest\/.+/);
    const enabled = result.outcome.getChild('bound', NS_BIND2)?.getChild('enabled', NS_SM);
    expect(enabled?.attrs.resume).toBe('true');
    await features(client);

    // Carbons are on: a message to another resource of alice's is copied here.
    const other = await login(server.ports.c2s, 'alice', 'pw', 'desk');
    const { client: bob } = await login(server.ports.c2s, 'bob', 'pw', 'x');
    bob.send(`<message to='${other.jid}' type='chat' id='m1'><body>carbon me</body></message>`);
    const copy = await nextMessage(client, (el) => el.getChild('received', NS_CARBONS) !== undefined);
    expect(copy.toString()).toContain('carbon me');
    for (const c of [client, other.client, bob]) c.destroy();
  });

  it('XEP-0198 §5 via XEP-0388: an inline <resume/> replays unacknowledged stanzas; <resumed/> is in <success/>', async () => {
    const first = await connect();
    const bindInline = `<bind xmlns='${NS_BIND2}'><tag>Resumer</tag><enable xmlns='${NS_SM}' resume='true'/></bind>`;
    const result = await sasl2Scram(first.client, { mechanism: 'SCRAM-SHA-256', username: 'carol', password: 'pw' }, { userAgentId: 'ua-carol', inline: bindInline });
    const jid = result.outcome.getChildText('authorization-identifier')!;
    const previd = result.outcome.getChild('bound', NS_BIND2)!.getChild('enabled', NS_SM)!.attrs.id as string;
    await features(first.client);

    // Two messages arrive and are never acknowledged; then the connection drops.
    const { client: bob } = await login(server.ports.c2s, 'bob', 'pw', 'y');
    for (const n of [1, 2]) bob.send(`<message to='${jid}' type='chat' id='r${n}'><body>replay ${n}</body></message>`);
    await nextMessage(first.client, (el) => el.attrs.id === 'r2');
    first.client.destroy();
    await server.waitForLog((l) => l.msg === 'connection lost; session kept for resumption' && l.jid === jid);

    const second = await connect();
    const resumed = await sasl2Scram(second.client, { mechanism: 'SCRAM-SHA-256', username: 'carol', password: 'pw' }, { userAgentId: 'ua-carol', inline: `<resume xmlns='${NS_SM}' previd='${previd}' h='0'/>${bindInline}` });
    expect(resumed.outcome.name).toBe('success');
    expect(resumed.outcome.getChild('resumed', NS_SM)?.attrs.previd).toBe(previd);
    expect(resumed.outcome.getChild('bound', NS_BIND2)).toBeUndefined(); // XEP-0386: bind ignored after a resume
    expect(resumed.outcome.getChildText('authorization-identifier')).toBe(jid);
    await features(second.client);
    const replayed = [await nextMessage(second.client), await nextMessage(second.client)];
    expect(replayed.map((m) => m.attrs.id)).toEqual(['r1', 'r2']);
    expect(handledCount(second.client)).toBe(2);
    second.client.destroy();
    bob.destroy();
  });

  it('XEP-0198 §5 via XEP-0388: a failed inline resume reports <failed/> and goes on to bind', async () => {
    const { client } = await connect();
    const result = await sasl2Scram(client, { mechanism: 'SCRAM-SHA-256', username: 'dave', password: 'pw' }, { inline: `<resume xmlns='${NS_SM}' previd='nope' h='0'/><bind xmlns='${NS_BIND2}'/>` });
    expect(result.outcome.getChild('failed', NS_SM)?.getChild('item-not-found')).toBeDefined();
    expect(result.outcome.getChild('bound', NS_BIND2)).toBeDefined();
    client.destroy();
  });
});
