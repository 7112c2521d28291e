import { describe, it, expect } from 'vitest';
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import forge from 'node-forge';
import {
  deriveAllCredentials,
  deriveScramCredential,
  verifyPassword,
} from '../../src/auth/scram-credentials.js';
import { createTlsChannelBinding, signatureHash } from '../../src/c2s/sasl/channel-binding.js';
import { defaultMechanisms } from '../../src/c2s/sasl/index.js';
import type { ChannelBindingProvider, SaslContext, SaslMechanismFactory, SaslStep } from '../../src/c2s/sasl/mechanism.js';
import { plain } from '../../src/c2s/sasl/plain.js';
import { scramSha1, scramSha1Plus, scramSha256, scramSha256Plus } from '../../src/c2s/sasl/scram.js';
import type { ScramCredential, ScramMechanism } from '../../src/storage/types.js';
import { ScramClient } from '../harness/scram-client.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const noBinding: ChannelBindingProvider = { types: () => [], data: () => undefined };
const exporterBinding = (data: Buffer): ChannelBindingProvider => ({
  types: () => ['tls-exporter'],
  data: (t) => (t === 'tls-exporter' ? data : undefined),
});

/** Accounts keyed by username; records every lookup. */
function context(accounts: Record<string, ScramCredential[]>, extra: Partial<SaslContext> = {}) {
  const lookups: string[] = [];
  const ctx: SaslContext = {
    domain: 'example.com',
    secure: true,
    channelBinding: noBinding,
    offered: ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN'],
    serverSecret: b('server secret'),
    fakeIterations: 4096,
    async lookupCredential(username: string, mechanism: ScramMechanism) {
      lookups.push(username);
      return accounts[username]?.find((c) => c.mechanism === mechanism);
    },
    ...extra,
  };
  return { ctx, lookups };
}

async function login(factory: SaslMechanismFactory, ctx: SaslContext, client: ScramClient): Promise<SaslStep> {
  const mech = factory.create(ctx);
  const first = await mech.start(client.first());
  if (first.kind !== 'challenge') return first;
  return mech.step(client.final(first.data));
}

const userPencil = async () => ({ user: await deriveAllCredentials('pencil', 4096) });

describe('SCRAM: RFC test vectors through the server', () => {
  it('RFC 5802 §5 (SCRAM-SHA-1)', async () => {
    const cred = await deriveScramCredential('pencil', 'SCRAM-SHA-1', 4096, Buffer.from('QSXCR+Q6sek8bf92', 'base64'));
    const { ctx } = context({ user: [cred] }, { nonce: () => '3rfcNHYJY1ZVvWVs7j', downgradeProtection: false });
    const mech = scramSha1.create(ctx);
    const first = await mech.start(b('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL'));
    expect(first).toEqual({ kind: 'challenge', data: b('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096') });
    const final = await mech.step(b('c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts='));
    expect(final).toEqual({ kind: 'success', username: 'user', data: b('v=rmF9pqV8S7suAoZWja4dJRkFsKQ=') });
  });

  it('RFC 7677 §3 (SCRAM-SHA-256)', async () => {
    const cred = await deriveScramCredential('pencil', 'SCRAM-SHA-256', 4096, Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
    const { ctx } = context({ user: [cred] }, { nonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0', downgradeProtection: false });
    const mech = scramSha256.create(ctx);
    const first = await mech.start(b('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
    expect(first).toEqual({ kind: 'challenge', data: b('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096') });
    const final = await mech.step(b('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='));
    expect(final).toEqual({ kind: 'success', username: 'user', data: b('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=') });
  });

  it('the test client reproduces the RFC 7677 client proof', () => {
    const client = new ScramClient({ mechanism: 'SCRAM-SHA-256', username: 'user', password: 'pencil', nonce: 'rOprNGfwEbeRWgbNEkqO' });
    expect(client.first().toString()).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const final = client.final('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    expect(final.toString()).toBe('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    expect(client.verifyServerFinal('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')).toBe(true);
  });
});

describe('SCRAM: server', () => {
  it('logs in with either hash, without an initial response too', async () => {
    const { ctx } = context(await userPencil());
    for (const [factory, mechanism] of [[scramSha1, 'SCRAM-SHA-1'], [scramSha256, 'SCRAM-SHA-256']] as const) {
      const client = new ScramClient({ mechanism, username: 'user', password: 'pencil' });
      const mech = factory.create(ctx);
      expect(await mech.start(undefined)).toEqual({ kind: 'challenge', data: Buffer.alloc(0) });
      const first = await mech.step(client.first());
      if (first.kind !== 'challenge') throw new Error('expected challenge');
      const final = await mech.step(client.final(first.data));
      expect(final.kind).toBe('success');
      if (final.kind === 'success') expect(client.verifyServerFinal(final.data ?? Buffer.alloc(0))).toBe(true);
      expect(await mech.step(b('again'))).toMatchObject({ kind: 'failure', condition: 'malformed-request' });
    }
  });

  it('wrong password → not-authorized', async () => {
    const { ctx } = context(await userPencil());
    const step = await login(scramSha256, ctx, new ScramClient({ mechanism: 'SCRAM-SHA-256', username: 'user', password: 'pen' }));
    // The username travels with a wrong-credentials failure: per-account limits count it.
    expect(step).toEqual({ kind: 'failure', condition: 'not-authorized', username: 'user' });
  });

  it('unknown user goes through to the final step, then fails like a wrong password', async () => {
    const { ctx } = context({});
    const client = new ScramClient({ mechanism: 'SCRAM-SHA-256', username: 'ghost', password: 'x' });
    const mech = scramSha256.create(ctx);
    const first = await mech.start(client.first());
    expect(first.kind).toBe('challenge');
    if (first.kind !== 'challenge') return;
    expect(first.data.toString()).toMatch(/^r=[^,]+,s=[A-Za-z0-9+/]{22}==,i=4096,h=[A-Za-z0-9+/]{43}=$/);
    expect(await mech.step(client.final(first.data))).toEqual({ kind: 'failure', condition: 'not-authorized', username: 'ghost' });

    // The fake salt is stable per user, as a real one is.
    const salt = (s: SaslStep) => (s.kind === 'challenge' ? s.data.toString().split(',')[1] : '');
    const again = await scramSha256.create(ctx).start(client.first());
    expect(salt(again)).toBe(salt(first));
    const other = await scramSha256.create(ctx).start(new ScramClient({ mechanism: 'SCRAM-SHA-256', username: 'ghost2', password: 'x' }).first());
    expect(salt(other)).not.toBe(salt(first));
  });

  it('rejects a final message with another nonce or a tampered header', async () => {
    const { ctx } = context(await userPencil());
    const mech = scramSha256.create(ctx);
    const client = new ScramClient({ mechanism: 'SCRAM-SHA-256', username: 'user', password: 'pencil' });
    const first = await mech.start(client.first());
    if (first.kind !== 'challenge') throw new Error('expected challenge');
    const final = client.final(first.data).toString().replace(/,r=[^,]+/, ',r=other');
    expect(await mech.step(b(final))).toMatchObject({ kind: 'failure', condition: 'not-authorized' });

    const mech2 = scramSha256.create(ctx);
    const first2 = await mech2.start(client.first());
    if (first2.kind !== 'challenge') throw new Error('expected challenge');
    // c= must repeat the header sent first ('n,,' = biws); 'y,,' (eSws) was not it.
    const tampered = client.final(first2.data).toString().replace('c=biws', 'c=eSws');
    expect(await mech2.step(b(tampered))).toMatchObject({ kind: 'failure', condition: 'not-authorized' });
  });

  it('malformed messages → malformed-request', async () => {
    const { ctx } = context(await userPencil());
    const bad = ['', 'n', 'x,,n=user,r=abc', 'n,,r=abc,n=user', 'n,,m=ext,n=user,r=abc', 'n,,n=user,r=a b', 'n,,n=,r=abc', 'n,x,n=user,r=abc'];
    for (const msg of bad) {
      expect(await scramSha256.create(ctx).start(b(msg)), msg).toMatchObject({ kind: 'failure', condition: 'malformed-request' });
    }
    expect(await scramSha256.create(ctx).start(Buffer.from([0x6e, 0x2c, 0x2c, 0xff]))).toMatchObject({ condition: 'malformed-request' });

    const mech = scramSha256.create(ctx);
    const first = await mech.start(b('n,,n=user,r=abc'));
    if (first.kind !== 'challenge') throw new Error('expected challenge');
    const nonce = first.data.toString().split(',')[0];
    expect(await mech.step(b(`c=biws,${nonce},p=not base64!`))).toMatchObject({ condition: 'malformed-request' });
  });

  it('decodes saslname escapes and rejects stray "="', async () => {
    const { ctx, lookups } = context({ 'a,b=c': await deriveAllCredentials('pw', 4096) });
    const step = await login(scramSha1, ctx, new ScramClient({ mechanism: 'SCRAM-SHA-1', username: 'a,b=c', password: 'pw' }));
    expect(step).toMatchObject({ kind: 'success', username: 'a,b=c' });
    expect(lookups).toEqual(['a,b=c']);
    expect(await scramSha1.create(ctx).start(b('n,,n=a=2Xb,r=abc'))).toMatchObject({ condition: 'malformed-request' });
  });

  it('saslpreps the username before the lookup', async () => {
    const { ctx, lookups } = context({});
    await scramSha256.create(ctx).start(b('n,,n=I\u00ADX,r=abc'));
    expect(lookups).toEqual(['IX']);
  });

  it('authzid must be absent or the user\'s own JID', async () => {
    const { ctx } = context(await userPencil());
    const with_ = (authzid: string) => login(scramSha256, ctx, new ScramClient({ mechanism: 'SCRAM-SHA-256', username: 'user', password: 'pencil', authzid }));
    expect(await with_('user@example.com')).toMatchObject({ kind: 'success', username: 'user' });
    expect(await with_('user@EXAMPLE.com')).toMatchObject({ kind: 'success' });
    expect(await with_('admin@example.com')).toEqual({ kind: 'failure', condition: 'invalid-authzid' });
    expect(await with_('user@example.org')).toEqual({ kind: 'failure', condition: 'invalid-authzid' });
    expect(await with_('user')).toEqual({ kind: 'failure', condition: 'invalid-authzid' });
  });
});

describe('SCRAM: channel binding', () => {
  const cb = b('0123456789abcdef0123456789abcdef');

  it('-PLUS succeeds with the connection\'s binding data', async () => {
    const { ctx } = context(await userPencil(), { channelBinding: exporterBinding(cb) });
    const client = new ScramClient({ mechanism: 'SCRAM-SHA-256-PLUS', username: 'user', password: 'pencil', channelBinding: { type: 'tls-exporter', data: cb } });
    expect(await login(scramSha256Plus, ctx, client)).toMatchObject({ kind: 'success', username: 'user' });
    const client1 = new ScramClient({ mechanism: 'SCRAM-SHA-1-PLUS', username: 'user', password: 'pencil', channelBinding: { type: 'tls-exporter', data: cb } });
    expect(await login(scramSha1Plus, ctx, client1)).toMatchObject({ kind: 'success' });
  });

  it('-PLUS fails when the client saw other binding data (man in the middle)', async () => {
    const { ctx } = context(await userPencil(), { channelBinding: exporterBinding(cb) });
    const client = new ScramClient({ mechanism: 'SCRAM-SHA-256-PLUS', username: 'user', password: 'pencil', channelBinding: { type: 'tls-exporter', data: b('something else') } });
    expect(await login(scramSha256Plus, ctx, client)).toMatchObject({ kind: 'failure', condition: 'not-authorized' });
  });

  it('-PLUS refuses an unsupported type and a missing binding', async () => {
    const { ctx } = context(await userPencil(), { channelBinding: exporterBinding(cb) });
    expect(await scramSha256Plus.create(ctx).start(b('p=tls-server-end-point,,n=user,r=abc'))).toMatchObject({ kind: 'failure', condition: 'not-authorized' });
    expect(await scramSha256Plus.create(ctx).start(b('p=tls-unique,,n=user,r=abc'))).toMatchObject({ kind: 'failure', condition: 'not-authorized' });
    expect(await scramSha256Plus.create(ctx).start(b('n,,n=user,r=abc'))).toMatchObject({ kind: 'failure', condition: 'malformed-request' });
  });

  it('p= on a non-PLUS mechanism fails', async () => {
    const { ctx } = context(await userPencil(), { channelBinding: exporterBinding(cb) });
    expect(await scramSha256.create(ctx).start(b('p=tls-exporter,,n=user,r=abc'))).toMatchObject({ kind: 'failure', condition: 'malformed-request' });
  });

  it('"y" is a downgrade when -PLUS was offered, fine otherwise', async () => {
    const y = () => new ScramClient({ mechanism: 'SCRAM-SHA-256', username: 'user', password: 'pencil', cbFlag: 'y' });
    const offeredPlus = context(await userPencil(), { offered: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] });
    expect(await login(scramSha256, offeredPlus.ctx, y())).toMatchObject({ kind: 'failure', condition: 'not-authorized' });
    const noPlus = context(await userPencil(), { offered: ['SCRAM-SHA-256'] });
    expect(await login(scramSha256, noPlus.ctx, y())).toMatchObject({ kind: 'success' });
  });

  it('offers -PLUS only on a secure stream with a binding type', () => {
    expect(scramSha256Plus.available({ secure: true, channelBindingTypes: ['tls-exporter'] })).toBe(true);
    expect(scramSha256Plus.available({ secure: true, channelBindingTypes: [] })).toBe(false);
    expect(scramSha256Plus.available({ secure: false, channelBindingTypes: ['tls-exporter'] })).toBe(false);
    expect(scramSha256.available({ secure: false, channelBindingTypes: [] })).toBe(true);
    expect(defaultMechanisms().map((m) => m.name)).toEqual(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-1-PLUS', 'SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN']);
  });
});

describe('credentials', () => {
  it('derives one credential per mechanism with fresh salts', async () => {
    const creds = await deriveAllCredentials('pencil', 4096);
    expect(creds.map((c) => c.mechanism)).toEqual(['SCRAM-SHA-1', 'SCRAM-SHA-256']);
    expect(creds.map((c) => c.salt.length)).toEqual([16, 16]);
    expect(creds[0]?.salt.equals(creds[1]?.salt ?? Buffer.alloc(0))).toBe(false);
    expect(creds.map((c) => c.storedKey.length)).toEqual([20, 32]);
  });

  it('rejects fewer than 4096 iterations', async () => {
    await expect(deriveScramCredential('pencil', 'SCRAM-SHA-256', 4095)).rejects.toThrow(RangeError);
    await expect(deriveAllCredentials('pencil', 1)).rejects.toThrow(RangeError);
  });

  it('verifies passwords, after saslprep', async () => {
    const cred = await deriveScramCredential('I\u00ADX', 'SCRAM-SHA-256', 4096);
    expect(await verifyPassword('IX', cred)).toBe(true);
    expect(await verifyPassword('\u2168', cred)).toBe(true);
    expect(await verifyPassword('ix', cred)).toBe(false);
    expect(await verifyPassword('\u0007', cred)).toBe(false);
  });
});

describe('PLAIN', () => {
  const msg = (authzid: string, user: string, pass: string) => b(`${authzid}\0${user}\0${pass}`);

  it('is offered and works only over TLS', async () => {
    expect(plain.available({ secure: false, channelBindingTypes: [] })).toBe(false);
    expect(plain.available({ secure: true, channelBindingTypes: [] })).toBe(true);
    const { ctx } = context(await userPencil(), { secure: false });
    expect(await plain.create(ctx).start(msg('', 'user', 'pencil'))).toMatchObject({ kind: 'failure', condition: 'encryption-required' });
  });

  it('accepts the right password, with or without a matching authzid', async () => {
    const { ctx } = context(await userPencil());
    expect(await plain.create(ctx).start(msg('', 'user', 'pencil'))).toEqual({ kind: 'success', username: 'user' });
    expect(await plain.create(ctx).start(msg('user@example.com', 'user', 'pencil'))).toEqual({ kind: 'success', username: 'user' });
    const mech = plain.create(ctx);
    expect(await mech.start(undefined)).toEqual({ kind: 'challenge', data: Buffer.alloc(0) });
    expect(await mech.step(msg('', 'user', 'pencil'))).toEqual({ kind: 'success', username: 'user' });
  });

  it('refuses wrong passwords, unknown users, foreign authzids and malformed input', async () => {
    const { ctx } = context(await userPencil());
    expect(await plain.create(ctx).start(msg('', 'user', 'wrong'))).toEqual({ kind: 'failure', condition: 'not-authorized', username: 'user' });
    expect(await plain.create(ctx).start(msg('', 'ghost', 'pencil'))).toEqual({ kind: 'failure', condition: 'not-authorized', username: 'ghost' });
    expect(await plain.create(ctx).start(msg('admin@example.com', 'user', 'pencil'))).toEqual({ kind: 'failure', condition: 'invalid-authzid' });
    expect(await plain.create(ctx).start(b('user\0pencil'))).toMatchObject({ condition: 'malformed-request' });
    expect(await plain.create(ctx).start(msg('', '', 'pencil'))).toMatchObject({ condition: 'malformed-request' });
    expect(await plain.create(ctx).start(msg('', 'user', ''))).toMatchObject({ condition: 'malformed-request' });
  });
});

describe('TLS channel binding provider', () => {
  function selfSigned(md: 'sha1' | 'sha256' | 'sha384'): { key: string; cert: string } {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date(Date.now() - 60_000);
    cert.validity.notAfter = new Date(Date.now() + 3_600_000);
    const name = [{ name: 'commonName', value: 'example.com' }];
    cert.setSubject(name);
    cert.setIssuer(name);
    cert.sign(forge.pki.privateKeyFromPem(key), forge.md[md].create());
    return { key, cert: forge.pki.certificateToPem(cert) };
  }

  async function connect(creds: { key: string; cert: string }, maxVersion: tls.SecureVersion) {
    const server = tls.createServer({ ...creds, maxVersion });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'secureConnection') as Promise<[tls.TLSSocket]>;
    const client = tls.connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', rejectUnauthorized: false });
    await once(client, 'secureConnect');
    const [socket] = await accepted;
    const close = async () => {
      client.destroy();
      socket.destroy();
      server.close();
      await once(server, 'close');
    };
    return { client, socket, close };
  }

  it('offers nothing without TLS', () => {
    const p = createTlsChannelBinding(undefined);
    expect(p.types()).toEqual([]);
    expect(p.data('tls-exporter')).toBeUndefined();
  });

  it('TLS 1.3: tls-exporter matches the client side; end-point is SHA-256 of our certificate', async () => {
    const creds = selfSigned('sha256');
    const { client, socket, close } = await connect(creds, 'TLSv1.3');
    try {
      const p = createTlsChannelBinding(socket);
      expect(p.types()).toEqual(['tls-exporter', 'tls-server-end-point']);
      expect(p.data('tls-unique')).toBeUndefined();
      expect(p.data('tls-exporter')).toEqual(client.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0)));
      const der = new X509Certificate(creds.cert).raw;
      expect(p.data('tls-server-end-point')).toEqual(createHash('sha256').update(der).digest());

      // And a full SCRAM-SHA-256-PLUS login bound to this connection.
      const { ctx } = context(await userPencil(), { channelBinding: p });
      const data = client.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
      const scram = new ScramClient({ mechanism: 'SCRAM-SHA-256-PLUS', username: 'user', password: 'pencil', channelBinding: { type: 'tls-exporter', data } });
      expect(await login(scramSha256Plus, ctx, scram)).toMatchObject({ kind: 'success', username: 'user' });
    } finally {
      await close();
    }
  });

  it('TLS 1.2: tls-unique (the client\'s Finished, RFC 5929 §3.1) instead of tls-exporter', async () => {
    const { client, socket, close } = await connect(selfSigned('sha256'), 'TLSv1.2');
    try {
      const p = createTlsChannelBinding(socket);
      expect(p.types()).toEqual(['tls-unique', 'tls-server-end-point']);
      expect(p.data('tls-exporter')).toBeUndefined();
      expect(p.data('tls-unique')).toEqual(client.getFinished());
    } finally {
      await close();
    }
  });

  it('picks the end-point hash from the signature algorithm (SHA-1 → SHA-256)', () => {
    expect(signatureHash(new X509Certificate(selfSigned('sha1').cert).raw)).toBe('sha256');
    expect(signatureHash(new X509Certificate(selfSigned('sha384').cert).raw)).toBe('sha384');
    expect(signatureHash(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]))).toBeUndefined();
  });
});
