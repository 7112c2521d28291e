import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import forge from 'node-forge';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTlsChannelBinding, signatureHash } from '../../src/c2s/sasl/channel-binding.js';
import { ConfigError } from '../../src/config/config-error.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { HeraldConfig } from '../../src/config/types.js';
import { CertificateError, ensureCertificates, generateSelfSigned, type CertificatePair } from '../../src/net/certificates.js';
import { OID_DNS_SRV, OID_SUBJECT_ALT_NAME, OID_XMPP_ADDR } from '../../src/net/xmpp-san.js';

/** A certificate's extensions as node-forge decodes them (forge cannot parse a certificate with an EC key). */
function extensions(der: Buffer): Array<{ id: string; name?: string; critical: boolean; value: string; [flag: string]: unknown }> {
  const pki = forge.pki as unknown as { certificateExtensionFromAsn1(ext: forge.asn1.Asn1): ReturnType<typeof extensions>[number] };
  const tbs = (forge.asn1.fromDer(der.toString('binary')).value as forge.asn1.Asn1[])[0];
  const explicit3 = (tbs?.value as forge.asn1.Asn1[]).find((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
  const list = (explicit3?.value as forge.asn1.Asn1[])[0]?.value as forge.asn1.Asn1[];
  return list.map((e) => pki.certificateExtensionFromAsn1(e));
}

/** The DER of an OID, to look for in a certificate. */
function oidDer(oid: string): Buffer {
  const node = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OID, false, forge.asn1.oidToDer(oid).getBytes());
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';

/** A TLS server with `pair` on 127.0.0.1, and a client trusting only that certificate; resolves to what the server sent. */
async function handshake(pair: CertificatePair, servername: string, onServerSocket?: (socket: tls.TLSSocket) => void): Promise<string> {
  const server = tls.createServer({ cert: pair.certPem, key: pair.keyPem }, (socket) => {
    onServerSocket?.(socket);
    socket.end('hello');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    return await new Promise<string>((resolve, reject) => {
      // Default checkServerIdentity: the certificate must name `servername`.
      const socket = tls.connect({ host: '127.0.0.1', port, servername, ca: [pair.certPem] }, () => {
        if (!socket.authorized) reject(socket.authorizationError);
      });
      let data = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (data += chunk));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('generateSelfSigned', () => {
  let pair: CertificatePair;
  let cert: X509Certificate;
  beforeAll(() => {
    pair = generateSelfSigned(['example.org', 'chat.example.net']);
    cert = new X509Certificate(pair.certPem);
  });

  it('names every domain as a DNS name, with CN = the first', () => {
    expect(cert.subject).toBe('CN=example.org');
    expect(cert.issuer).toBe('CN=example.org');
    expect(cert.subjectAltName).toContain('DNS:example.org');
    expect(cert.subjectAltName).toContain('DNS:chat.example.net');
    expect(cert.checkHost('example.org')).toBe('example.org');
    expect(cert.checkHost('chat.example.net')).toBe('chat.example.net');
    expect(cert.checkHost('other.example')).toBeUndefined();
  });

  it('has an ECDSA P-256 key by default, PKCS#8, signed with ecdsa-with-SHA256', () => {
    const key = createPrivateKey(pair.keyPem);
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(pair.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(pair.certPem).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);
    // The algorithm appears twice (TBSCertificate and Certificate), each time without parameters.
    const algorithmId = Buffer.concat([Buffer.from([0x30, oidDer(ECDSA_WITH_SHA256).length]), oidDer(ECDSA_WITH_SHA256)]);
    const at = cert.raw.indexOf(algorithmId);
    expect(at).toBeGreaterThan(0);
    expect(cert.raw.indexOf(algorithmId, at + 1)).toBeGreaterThan(at);
    expect(cert.raw.includes(oidDer(SHA256_WITH_RSA))).toBe(false);
  });

  it('is an RSA 2048 certificate signed with sha256WithRSAEncryption when asked', () => {
    const rsa = generateSelfSigned(['example.org'], { keyType: 'rsa' });
    const parsed = new X509Certificate(rsa.certPem);
    const key = createPrivateKey(rsa.keyPem);
    expect(parsed.checkPrivateKey(key)).toBe(true);
    expect(parsed.verify(parsed.publicKey)).toBe(true);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(rsa.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    // forge reads RSA certificates, and agrees the signature is valid.
    const forged = forge.pki.certificateFromPem(rsa.certPem);
    expect(forged.siginfo.algorithmOid).toBe(SHA256_WITH_RSA);
    expect(forged.verify(forged)).toBe(true);
    expect(extensions(parsed.raw).find((e) => e.name === 'keyUsage')).toMatchObject({ critical: true, digitalSignature: true, keyEncipherment: true });
    expect(parsed.subjectAltName).toContain('othername:XmppAddr:example.org');
  });

  it('rejects an unknown key type', () => {
    expect(() => generateSelfSigned(['example.org'], { keyType: 'dsa' as 'ec' })).toThrow(RangeError);
  });

  it('is valid from an hour ago for 825 days by default, or the days asked', () => {
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    const now = Date.now();
    expect(now - from).toBeGreaterThan(3500_000);
    expect(now - from).toBeLessThan(3700_000);
    expect(Math.round((to - now) / 86400_000)).toBe(825);
    const short = new X509Certificate(generateSelfSigned(['example.org'], { days: 1 }).certPem);
    expect(Math.round((Date.parse(short.validTo) - now) / 86400_000)).toBe(1);
    // Past 2049 the time is a GeneralizedTime (RFC 5280 §4.1.2.5), which must still parse.
    const long = new X509Certificate(generateSelfSigned(['example.org'], { days: 40 * 366 }).certPem);
    expect(new Date(long.validTo).getUTCFullYear()).toBeGreaterThan(2050);
  });

  it('is a v3 end-entity certificate for server and client authentication, digitalSignature only', () => {
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
    expect(cert.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
    const exts = extensions(cert.raw);
    expect(exts.map((e) => e.name ?? e.id)).toEqual(['basicConstraints', 'keyUsage', 'extKeyUsage', 'subjectKeyIdentifier', 'subjectAltName']);
    expect(exts.find((e) => e.name === 'basicConstraints')).toMatchObject({ critical: true, cA: false });
    const ku = exts.find((e) => e.name === 'keyUsage');
    expect(ku).toMatchObject({ critical: true, digitalSignature: true, keyEncipherment: false, keyCertSign: false });
    // RFC 5280 §4.2.1.2 method 1: SHA-1 of the public key's bits, here the 65-byte uncompressed point.
    const point = cert.publicKey.export({ type: 'spki', format: 'der' }).subarray(-65);
    const ski = exts.find((e) => e.name === 'subjectKeyIdentifier');
    expect(ski?.['subjectKeyIdentifier']).toBe(createHash('sha1').update(point).digest('hex'));
  });

  it('carries XmppAddr and SRV-ID otherNames for every domain', () => {
    const der = cert.raw;
    expect(der.includes(oidDer(OID_XMPP_ADDR))).toBe(true);
    expect(der.includes(oidDer(OID_DNS_SRV))).toBe(true);
    expect(cert.subjectAltName).toContain('othername:XmppAddr:example.org');

    // Decode the SAN and list every otherName as [oid, string value].
    const ext = extensions(der).find((e) => e.id === OID_SUBJECT_ALT_NAME);
    const san = forge.asn1.fromDer(ext?.value ?? '');
    const others = (san.value as forge.asn1.Asn1[])
      .filter((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 0)
      .map((n) => {
        const [oid, wrapped] = n.value as forge.asn1.Asn1[];
        const inner = (wrapped?.value as forge.asn1.Asn1[])[0];
        return [forge.asn1.derToOid(oid?.value as string), inner?.type, inner?.value];
      });
    expect(others).toEqual([
      [OID_XMPP_ADDR, forge.asn1.Type.UTF8, 'example.org'],
      [OID_DNS_SRV, forge.asn1.Type.IA5STRING, '_xmpp-client.example.org'],
      [OID_DNS_SRV, forge.asn1.Type.IA5STRING, '_xmpp-server.example.org'],
      [OID_XMPP_ADDR, forge.asn1.Type.UTF8, 'chat.example.net'],
      [OID_DNS_SRV, forge.asn1.Type.IA5STRING, '_xmpp-client.chat.example.net'],
      [OID_DNS_SRV, forge.asn1.Type.IA5STRING, '_xmpp-server.chat.example.net'],
    ]);
  });

  it('serves TLS: a client trusting it connects and verifies the name', async () => {
    let cipher: tls.CipherNameAndProtocol | undefined;
    expect(await handshake(pair, 'chat.example.net', (socket) => (cipher = socket.getCipher()))).toBe('hello');
    expect(cipher?.version).toBe('TLSv1.3');
    // A name the certificate does not carry fails checkServerIdentity.
    await expect(handshake(pair, 'other.example')).rejects.toThrow(/Hostname\/IP does not match certificate's altnames/);
  });

  it('serves TLS 1.2 with an ECDHE-ECDSA suite', async () => {
    const server = tls.createServer({ cert: pair.certPem, key: pair.keyPem, maxVersion: 'TLSv1.2' }, (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'example.org', ca: [pair.certPem] });
      await once(socket, 'secureConnect');
      expect(socket.authorized).toBe(true);
      expect(socket.getCipher().name).toMatch(/^ECDHE-ECDSA-/);
      socket.destroy();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('serves TLS with an RSA certificate too', async () => {
    expect(await handshake(generateSelfSigned(['example.org'], { keyType: 'rsa' }), 'example.org')).toBe('hello');
  });

  it('gives tls-server-end-point = SHA-256 of the DER for ecdsa-with-SHA256 (RFC 5929 §4.1)', async () => {
    const sha256 = createHash('sha256').update(cert.raw).digest();
    expect(signatureHash(cert.raw)).toBe('sha256');
    let endPoint: Buffer | undefined;
    await handshake(pair, 'example.org', (socket) => (endPoint = createTlsChannelBinding(socket).data('tls-server-end-point')));
    expect(endPoint).toEqual(sha256);
    // ecdsa-with-SHA384 and -SHA512 differ only in the OID's last byte.
    const withHash = (last: number): Buffer => {
      const der = Buffer.from(cert.raw);
      const oid = oidDer(ECDSA_WITH_SHA256);
      der[der.lastIndexOf(oid) + oid.length - 1] = last;
      return der;
    };
    expect(signatureHash(withHash(3))).toBe('sha384');
    expect(signatureHash(withHash(4))).toBe('sha512');
  });

  it('rejects an empty domain list and names that are not normalised', () => {
    expect(() => generateSelfSigned([])).toThrow(RangeError);
    expect(() => generateSelfSigned(['Example.org'])).toThrow(RangeError);
  });
});

describe('ensureCertificates', () => {
  let dir: string;
  let config: HeraldConfig;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-certs-'));
    config = defaultConfig();
    config.certsDir = path.join(dir, 'certs');
    config.domains = [{ name: 'localhost', registration: { enabled: false } }, { name: 'example.org', registration: { enabled: false } }];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('generates missing pairs into certsDir, key mode 0600, then reuses them', () => {
    const first = ensureCertificates(config);
    expect([...first.keys()]).toEqual(['localhost', 'example.org']);
    const local = first.get('localhost');
    expect(local).toMatchObject({
      generated: true,
      certPath: path.join(dir, 'certs', 'localhost.crt'),
      keyPath: path.join(dir, 'certs', 'localhost.key'),
    });
    expect(fs.readFileSync(local?.certPath ?? '', 'utf8')).toBe(local?.certPem);
    if (process.platform !== 'win32') expect(fs.statSync(local?.keyPath ?? '').mode & 0o777).toBe(0o600);
    expect(new X509Certificate(first.get('example.org')?.certPem ?? '').checkHost('example.org')).toBe('example.org');

    const second = ensureCertificates(config);
    expect(second.get('localhost')).toEqual({ ...local, generated: false });
    expect(second.get('example.org')?.certPem).toBe(first.get('example.org')?.certPem);
  });

  it('uses configured tls files and checks that the key matches', () => {
    const a = generateSelfSigned(['example.org']);
    const b = generateSelfSigned(['example.org']);
    const cert = path.join(dir, 'a.crt');
    const key = path.join(dir, 'a.key');
    fs.writeFileSync(cert, a.certPem);
    fs.writeFileSync(key, a.keyPem);
    config.sourceFile = path.join(dir, 'herald.yaml');
    config.domains = [{ name: 'example.org', tls: { cert, key }, registration: { enabled: false } }];
    expect(ensureCertificates(config).get('example.org')).toEqual({ ...a, generated: false, certPath: cert, keyPath: key });
    expect(fs.existsSync(config.certsDir)).toBe(false);

    fs.writeFileSync(key, b.keyPem);
    expect(() => ensureCertificates(config)).toThrow(ConfigError);
    expect(() => ensureCertificates(config)).toThrow(/domains\[0\]\.tls\.key: expected the private key of the certificate/);

    fs.rmSync(cert);
    expect(() => ensureCertificates(config)).toThrow(/domains\[0\]\.tls\.cert: cannot read .*a\.crt \(ENOENT\)/);
  });

  it('refuses to overwrite half a pair in certsDir', () => {
    fs.mkdirSync(config.certsDir);
    fs.writeFileSync(path.join(config.certsDir, 'localhost.key'), 'keep me');
    expect(() => ensureCertificates(config)).toThrow(CertificateError);
    expect(fs.readFileSync(path.join(config.certsDir, 'localhost.key'), 'utf8')).toBe('keep me');
  });
});

