// Test certificates for interop peers: a self-signed certificate per domain, or a throwaway CA
// that issues per-domain certificates (so peers that trust the CA can authenticate each other by
// certificate instead of dialback). Keys come from node:crypto (fast, native) and are turned into
// X.509 with node-forge.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

export interface CertPair {
  /** PEM certificate (leaf only). */
  cert: string;
  /** PEM private key (PKCS#8). */
  key: string;
}

export interface TestCa extends CertPair {
  forgeCert: forge.pki.Certificate;
  forgeKey: forge.pki.rsa.PrivateKey;
}

function newKey(): { pem: string; forgeKey: forge.pki.rsa.PrivateKey; forgePub: forge.pki.rsa.PublicKey } {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  const forgePub = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  return { pem, forgeKey, forgePub };
}

function serial(): string {
  // Positive, 16 bytes.
  return '01' + crypto.randomBytes(15).toString('hex');
}

function validity(cert: forge.pki.Certificate): void {
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 7 * 24 * 60 * 60 * 1000);
}

/**
 * Leaf extensions for an XMPP domain certificate. Only a SAN dNSName (plus CN) is set: that is what
 * Prosody, ejabberd and RFC 6125 checks use for s2s; id-on-xmppAddr is optional and omitted.
 */
function domainExtensions(domain: string): object[] {
  return [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: domain }] },
  ];
}

/** A self-signed certificate for `domain` (CN and SAN dNSName = domain). */
export function selfSignedCert(domain: string): CertPair {
  const key = newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.forgePub;
  cert.serialNumber = serial();
  validity(cert);
  const attrs = [{ name: 'commonName', value: domain }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions(domainExtensions(domain));
  cert.sign(key.forgeKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: key.pem };
}

/** A throwaway certificate authority for one test run. */
export function createTestCa(name = 'Herald interop test CA'): TestCa {
  const key = newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.forgePub;
  cert.serialNumber = serial();
  validity(cert);
  const attrs = [{ name: 'commonName', value: name }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key.forgeKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: key.pem, forgeCert: cert, forgeKey: key.forgeKey };
}

/** A certificate for `domain` issued by `ca`. */
export function issueCert(ca: TestCa, domain: string): CertPair {
  const key = newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.forgePub;
  cert.serialNumber = serial();
  validity(cert);
  cert.setSubject([{ name: 'commonName', value: domain }]);
  cert.setIssuer(ca.forgeCert.subject.attributes);
  cert.setExtensions([...domainExtensions(domain), { name: 'authorityKeyIdentifier', keyIdentifier: ca.forgeCert.generateSubjectKeyIdentifier().getBytes() }]);
  cert.sign(ca.forgeKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: key.pem };
}

/** Writes `<base>.crt` and `<base>.key` (0600) into `dir`; returns their paths. */
export function writeCertPair(dir: string, base: string, pair: CertPair): { certFile: string; keyFile: string } {
  const certFile = path.join(dir, `${base}.crt`);
  const keyFile = path.join(dir, `${base}.key`);
  fs.writeFileSync(certFile, pair.cert);
  fs.writeFileSync(keyFile, pair.key, { mode: 0o600 });
  return { certFile, keyFile };
}

/** An intermediate CA issued by `ca` (as Let's Encrypt's R10 is by ISRG Root X1). */
export function issueIntermediate(ca: TestCa, name = 'Herald interop test intermediate'): TestCa {
  const key = newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.forgePub;
  cert.serialNumber = serial();
  validity(cert);
  cert.setSubject([{ name: 'commonName', value: name }]);
  cert.setIssuer(ca.forgeCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.forgeCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.forgeKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: key.pem, forgeCert: cert, forgeKey: key.forgeKey };
}
