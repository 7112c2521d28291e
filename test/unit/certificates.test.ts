import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import forge from 'node-forge';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { HeraldConfig } from '../../src/config/types.js';
import { CertificateError, ensureCertificates, generateSelfSigned, type CertificatePair } from '../../src/net/certificates.js';
import { OID_DNS_SRV, OID_SUBJECT_ALT_NAME, OID_XMPP_ADDR } from '../../src/net/xmpp-san.js';

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

  it('pairs with its key, an RSA 2048 PKCS#8 key', () => {
    const key = createPrivateKey(pair.keyPem);
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(forge.pki.certificateFromPem(pair.certPem).verify(forge.pki.certificateFromPem(pair.certPem))).toBe(true);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(pair.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
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
  });

  it('is a SHA-256 end-entity certificate for server and client authentication', () => {
    const parsed = forge.pki.certificateFromPem(pair.certPem);
    expect(parsed.siginfo.algorithmOid).toBe(forge.pki.oids['sha256WithRSAEncryption']);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
    const ku = parsed.getExtension('keyUsage') as { digitalSignature?: boolean; keyEncipherment?: boolean } | null;
    expect(ku).toMatchObject({ digitalSignature: true, keyEncipherment: true });
  });

  it('carries XmppAddr and SRV-ID otherNames for every domain', () => {
    const der = cert.raw;
    const oidDer = (oid: string) => Buffer.from(forge.asn1.toDer(forge.asn1.create(
      forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OID, false, forge.asn1.oidToDer(oid).getBytes())).getBytes(), 'binary');
    expect(der.includes(oidDer(OID_XMPP_ADDR))).toBe(true);
    expect(der.includes(oidDer(OID_DNS_SRV))).toBe(true);
    expect(cert.subjectAltName).toContain('othername:XmppAddr:example.org');

    // Decode the SAN and list every otherName as [oid, string value].
    const parsed = forge.pki.certificateFromPem(pair.certPem);
    const ext = parsed.extensions.find((e: { id: string }) => e.id === OID_SUBJECT_ALT_NAME) as { value: string };
    const san = forge.asn1.fromDer(ext.value);
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
    const server = tls.createServer({ cert: pair.certPem, key: pair.keyPem }, (socket) => socket.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const received = await new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, servername: 'chat.example.net', ca: pair.certPem }, () => {
          expect(socket.authorized).toBe(true);
        });
        let data = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (data += chunk));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
      expect(received).toBe('hello');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
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

