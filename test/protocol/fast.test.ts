// XEP-0484 FAST against a real server: token issue at a password login, reconnect with the
// token alone, rotation, expiry, invalidation and revocation. The HT-SHA-256-* side is computed
// by the test harness, independently of the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { ServerProcess } from '../harness/server-process.js';
import { connectDirectTls } from '../harness/login.js';
import { clientChannelBinding, issuedToken, NS_BIND2, NS_FAST, sasl2Condition, sasl2Offer, sasl2Scram, sasl2Token } from '../harness/sasl2.js';

const LIFETIME_S = 6;
let server: ServerProcess;

beforeAll(async () => {
  // Many refusals here are the point of the tests: the per-address slowdown would only slow them.
  server = await ServerProcess.start({ extraYaml: `auth:\n  fastTokenLifetimeSeconds: ${LIFETIME_S}\n  minPasswordLength: 1\nlimits:\n  authFailuresPerMinute: 100` });
  for (const user of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) await server.addUser(`${user}@localhost`, 'pw');
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

const connect = (options: { maxVersion?: 'TLSv1.2'; localAddress?: string } = {}) => connectDirectTls(server.ports.directTls, options);

/** A password (SCRAM-SHA-256) login asking for a token for `mechanism`; resolves with the token. */
async function passwordLoginForToken(username: string, userAgentId: string, mechanism = 'HT-SHA-256-NONE'): Promise<{ token: string; expiry: string }> {
  const { client } = await connect();
  const result = await sasl2Scram(client, { mechanism: 'SCRAM-SHA-256', username, password: 'pw' }, { userAgentId, inline: `<request-token xmlns='${NS_FAST}' mechanism='${mechanism}'/>` });
  client.destroy();
  const token = issuedToken(result.outcome);
  if (!token) throw new Error(`no token: ${result.outcome}`);
  return token;
}

async function tokenLogin(username: string, token: string, userAgentId: string, mechanism = 'HT-SHA-256-NONE', extra: { fast?: string; inline?: string } = {}) {
  const { client } = await connect();
  const result = await sasl2Token(client, { mechanism, username, token, userAgentId, ...extra });
  client.destroy();
  return result;
}

/** Waits for a moment given by the server's clock in an XEP-0082 time (plus a margin). */
function until(isoTime: string, offsetMs: number): Promise<void> {
  const ms = Date.parse(isoTime) + offsetMs - Date.now();
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

describe('XEP-0484 FAST', () => {
  it('XEP-0484 §2: FAST is a SASL2 inline feature listing the HT mechanisms this connection can bind to', async () => {
    const { client, features: feats } = await connect();
    const fast = sasl2Offer(feats).authentication?.getChild('inline')?.getChild('fast', NS_FAST);
    expect(fast?.getChildren('mechanism').map((m) => m.getText())).toEqual(['HT-SHA-256-EXPR', 'HT-SHA-256-ENDP', 'HT-SHA-256-NONE']);
    expect(fast?.attrs['tls-0rtt']).toBeUndefined();
    // Token mechanisms are not password mechanisms: not in either SASL list.
    expect(sasl2Offer(feats).mechanisms.some((m) => m.startsWith('HT-'))).toBe(false);
    client.destroy();
  });

  it('XEP-0484 §4.2–4.4: Monal/Conversations order — SCRAM-SHA-256-PLUS (tls-exporter) with Bind 2 (carbons, SM) and a token request, then the token alone logs in', async () => {
    const { client, features: feats } = await connect();
    const first = await sasl2Scram(
      client,
      { mechanism: 'SCRAM-SHA-256-PLUS', username: 'alice', password: 'pw', channelBinding: clientChannelBinding(client, 'tls-exporter'), downgradeProtection: sasl2Offer(feats) },
      {
        userAgentId: 'alice-phone',
        inline: `<bind xmlns='${NS_BIND2}'><tag>Fast</tag><enable xmlns='urn:xmpp:carbons:2'/><enable xmlns='urn:xmpp:sm:3' resume='true'/></bind><request-token xmlns='${NS_FAST}' mechanism='HT-SHA-256-EXPR'/>`,
      },
    );
    expect(first.serverVerified).toBe(true);
    expect(first.outcome.getChild('bound', NS_BIND2)?.getChild('enabled', 'urn:xmpp:sm:3')?.attrs.resume).toBe('true');
    const token = issuedToken(first.outcome)!;
    expect(token.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(token.expiry) - Date.now()).toBeGreaterThan((LIFETIME_S - 2) * 1000);
    client.destroy();

    const { client: again } = await connect();
    const cb = clientChannelBinding(again, 'tls-exporter').data;
    const second = await sasl2Token(again, { mechanism: 'HT-SHA-256-EXPR', username: 'alice', token: token.token, channelBinding: cb, userAgentId: 'alice-phone', inline: `<bind xmlns='${NS_BIND2}'><tag>Fast</tag></bind>` });
    expect(second.outcome.name).toBe('success');
    expect(second.serverVerified).toBe(true);
    expect(second.outcome.getChildText('authorization-identifier')).toMatch(/^alice@localhost\/Fast\//);
    expect(issuedToken(second.outcome)).toBeUndefined(); // fresh: no rotation yet
    again.destroy();
  });

  it('XEP-0484 §4.4: a token works only with its mechanism, its client and its account; no token without a user agent', async () => {
    const { token } = await passwordLoginForToken('bob', 'bob-laptop', 'HT-SHA-256-ENDP');
    const { client } = await connect();
    const cert = client.tlsSocket!.getPeerCertificate(false).raw;
    const endPoint = createHash('sha256').update(cert).digest();
    client.destroy();
    expect((await tokenLogin('bob', token, 'bob-laptop', 'HT-SHA-256-NONE')).outcome.name).toBe('failure');
    expect((await tokenLogin('bob', token, 'someone-else', 'HT-SHA-256-NONE')).outcome.name).toBe('failure');
    expect((await tokenLogin('carol', token, 'bob-laptop', 'HT-SHA-256-NONE')).outcome.name).toBe('failure');
    const { client: right } = await connect();
    const ok = await sasl2Token(right, { mechanism: 'HT-SHA-256-ENDP', username: 'bob', token, channelBinding: endPoint, userAgentId: 'bob-laptop' });
    expect(ok.serverVerified).toBe(true);
    right.destroy();

    const { client: anonymousAgent } = await connect();
    const noAgent = await sasl2Scram(anonymousAgent, { mechanism: 'SCRAM-SHA-256', username: 'bob', password: 'pw' }, { inline: `<request-token xmlns='${NS_FAST}' mechanism='HT-SHA-256-NONE'/>` });
    expect(noAgent.outcome.name).toBe('success');
    expect(issuedToken(noAgent.outcome)).toBeUndefined();
    anonymousAgent.destroy();
  });

  it('XEP-0484 §4.5: past half its lifetime a token login brings a new token; the old one works until the new one is used', async () => {
    const old = await passwordLoginForToken('carol', 'carol-phone');
    await until(old.expiry, -LIFETIME_S * 500 + 1100);
    const rotated = await tokenLogin('carol', old.token, 'carol-phone');
    const fresh = issuedToken(rotated.outcome);
    expect(fresh).toBeDefined();
    expect(fresh!.token).not.toBe(old.token);
    // The client may have missed the new token: the old one still works, and brings another new
    // one, which replaces the unused first (§4.5: unused tokens are dropped when a new one is issued)…
    const missed = await tokenLogin('carol', old.token, 'carol-phone');
    expect(missed.outcome.name).toBe('success');
    const newest = issuedToken(missed.outcome)!;
    expect(sasl2Condition((await tokenLogin('carol', fresh!.token, 'carol-phone')).outcome)).toBe('not-authorized');
    // …and once the newest is used, the old one is retired.
    expect((await tokenLogin('carol', newest.token, 'carol-phone')).serverVerified).toBe(true);
    expect(sasl2Condition((await tokenLogin('carol', old.token, 'carol-phone')).outcome)).toBe('not-authorized');
  });

  it('XEP-0484 §5.2: an expired token fails with credentials-expired', async () => {
    const { token, expiry } = await passwordLoginForToken('dave', 'dave-phone');
    await until(expiry, 1100);
    const expired = await tokenLogin('dave', token, 'dave-phone');
    expect(sasl2Condition(expired.outcome)).toBe('credentials-expired');
  });

  it('XEP-0484 §4.4 with HT-SHA-256-UNIQ: on TLS 1.2 a token binds to tls-unique', async () => {
    const { client, features: feats } = await connect({ maxVersion: 'TLSv1.2' });
    const fast = sasl2Offer(feats).authentication?.getChild('inline')?.getChild('fast', NS_FAST);
    expect(fast?.getChildren('mechanism').map((m) => m.getText())).toEqual(['HT-SHA-256-UNIQ', 'HT-SHA-256-ENDP', 'HT-SHA-256-NONE']);
    const first = await sasl2Scram(client, { mechanism: 'SCRAM-SHA-256', username: 'erin', password: 'pw' }, { userAgentId: 'erin-old-tls', inline: `<request-token xmlns='${NS_FAST}' mechanism='HT-SHA-256-UNIQ'/>` });
    const { token } = issuedToken(first.outcome)!;
    client.destroy();
    const { client: again } = await connect({ maxVersion: 'TLSv1.2' });
    const result = await sasl2Token(again, { mechanism: 'HT-SHA-256-UNIQ', username: 'erin', token, channelBinding: clientChannelBinding(again, 'tls-unique').data, userAgentId: 'erin-old-tls' });
    expect(result.serverVerified).toBe(true);
    again.destroy();
  });

  it('XEP-0484 §4.6: invalidate=true logs in once more, then the token is gone', async () => {
    const { token } = await passwordLoginForToken('erin', 'erin-web');
    const last = await tokenLogin('erin', token, 'erin-web', 'HT-SHA-256-NONE', { fast: `<fast xmlns='${NS_FAST}' invalidate='true'/>` });
    expect(last.outcome.name).toBe('success');
    expect(issuedToken(last.outcome)).toBeUndefined();
    expect(sasl2Condition((await tokenLogin('erin', token, 'erin-web')).outcome)).toBe('not-authorized');
  });

  it('herald user tokens lists a token by client and mechanism; --revoke ends it; a password change ends the rest', async () => {
    const { token } = await passwordLoginForToken('frank', 'frank-phone');
    const listed = await server.cli(['user', 'tokens', 'frank@localhost']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/client \S+ +new +HT-SHA-256-NONE +issued /);
    expect(listed.stdout).not.toContain(token);
    const revoked = await server.cli(['user', 'tokens', 'frank@localhost', '--revoke']);
    expect(revoked.stdout).toContain('revoked 1 token of frank@localhost');
    expect(sasl2Condition((await tokenLogin('frank', token, 'frank-phone')).outcome)).toBe('not-authorized');

    const second = await passwordLoginForToken('frank', 'frank-phone');
    expect((await server.cli(['user', 'passwd', 'frank@localhost', '--password-stdin'], 'pw')).code).toBe(0);
    expect(sasl2Condition((await tokenLogin('frank', second.token, 'frank-phone')).outcome)).toBe('not-authorized');
  }, 30_000); // four CLI processes

  it('RFC 6120 §6.4.5 for tokens: wrong tokens count like wrong passwords; three close the stream', async () => {
    const { client } = await connect({ localAddress: '127.0.0.5' });
    for (let i = 0; i < 3; i++) {
      const result = await sasl2Token(client, { mechanism: 'HT-SHA-256-NONE', username: 'alice', token: `guess-${i}`, userAgentId: 'alice-phone' });
      expect(sasl2Condition(result.outcome)).toBe('not-authorized');
    }
    expect(await client.streamError()).toBe('not-authorized');
  });
});
