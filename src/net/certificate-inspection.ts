// What the certificate files for each domain hold, read without changing anything (no generation):
// for `herald config check`, `herald cert show` and the start-up banner.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { HeraldConfig } from '../config/types.js';
import { certificateNames, describeNames, namesMatchDomain } from '../s2s/certificate-names.js';
import { pairProblem } from './certificates.js';

export interface CertificateInfo {
  /** Names a client can match: DNS, XmppAddr and SRV names (or the CN when there are none). */
  names: string[];
  namesDomain: boolean;
  subject: string;
  issuer: string;
  selfSigned: boolean;
  validFrom: Date;
  validTo: Date;
  /** Colon-separated upper-case hex, as clients show them when asking the user to trust a certificate. */
  sha256: string;
  sha1: string;
}

export interface InspectedCertificate {
  domain: string;
  /** Index in config.domains. */
  index: number;
  /** From the domain's `tls:` keys (true) or certsDir (false). */
  configured: boolean;
  certPath: string;
  keyPath: string;
  /** What stops start from using the pair; `problemPart` says which file. */
  problem?: string;
  problemPart?: 'cert' | 'key';
  /** Undefined when there is a problem, or when certsDir has no pair yet (start generates one). */
  info?: CertificateInfo;
  keyReadableByOthers: boolean;
}

export function inspectCertificates(config: HeraldConfig): InspectedCertificate[] {
  return config.domains.map((domain, index) => {
    const configured = domain.tls !== undefined;
    const certPath = domain.tls?.cert ?? path.join(config.certsDir, `${domain.name}.crt`);
    const keyPath = domain.tls?.key ?? path.join(config.certsDir, `${domain.name}.key`);
    const base = { domain: domain.name, index, configured, certPath, keyPath, keyReadableByOthers: false };
    const certPem = readOrCode(certPath);
    const keyPem = readOrCode(keyPath);
    if (!configured && certPem.code === 'ENOENT' && keyPem.code === 'ENOENT') return base;
    if (!configured && (certPem.code === 'ENOENT') !== (keyPem.code === 'ENOENT')) {
      // Start never overwrites half a pair: the lone file may be a key someone means to keep.
      const [present, missing] = certPem.code === 'ENOENT' ? [keyPath, certPath] : [certPath, keyPath];
      return { ...base, problem: `${present} exists but ${missing} does not; provide both or remove ${present} to generate a new pair` };
    }
    if (certPem.text === undefined) return { ...base, problem: `cannot read ${certPath} (${certPem.code})`, problemPart: 'cert' as const };
    if (keyPem.text === undefined) return { ...base, problem: `cannot read ${keyPath} (${keyPem.code})`, problemPart: 'key' as const };
    const pair = pairProblem(certPem.text, keyPem.text);
    if (pair !== undefined) {
      // A configured file is named by its key path (domains[i].tls.key); a certsDir file by its path.
      const problem = configured ? pair.text : `${pair.part === 'cert' ? certPath : keyPath}: ${pair.text}`;
      return { ...base, problem, problemPart: pair.part };
    }
    return { ...base, info: describeCertificate(certPem.text, domain.name), keyReadableByOthers: keyReadable(keyPath) };
  });
}

export function describeCertificate(pem: string, domain: string): CertificateInfo {
  const cert = new X509Certificate(pem);
  const names = certificateNames(cert);
  return {
    names: describeNames(names) === 'no names' ? [] : describeNames(names).split(', '),
    namesDomain: namesMatchDomain(names, domain),
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    selfSigned: cert.issuer === cert.subject && cert.verify(cert.publicKey),
    validFrom: new Date(cert.validFrom),
    validTo: new Date(cert.validTo),
    sha256: cert.fingerprint256,
    sha1: cert.fingerprint,
  };
}

function readOrCode(file: string): { text?: string; code?: string } {
  try {
    return { text: fs.readFileSync(file, 'utf8') };
  } catch (e) {
    return { code: (e as NodeJS.ErrnoException).code ?? 'error' };
  }
}

function keyReadable(keyPath: string): boolean {
  return process.platform !== 'win32' && (fs.statSync(keyPath).mode & 0o077) !== 0;
}
