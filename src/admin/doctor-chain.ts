// `herald doctor`, certificate chain: does the certificate file carry what a client or peer
// needs to trust it? The common mistake is Let's Encrypt's cert.pem (the leaf alone) where
// fullchain.pem belongs: browsers fill the gap from caches, XMPP clients and servers do not.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import tls from 'node:tls';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

const issued = (child: X509Certificate, parent: X509Certificate): boolean => child.checkIssued(parent) && child.verify(parent.publicKey);

function certificatesIn(pem: string): X509Certificate[] {
  return (pem.match(PEM_BLOCK) ?? []).map((block) => new X509Certificate(block));
}

/**
 * The chain problem of a certificate file, or undefined when each certificate is issued by the
 * next and the last is a root this machine trusts (or is issued by one). Self-signed leaves are
 * reported elsewhere. `extraCaFiles`: s2s.caFiles, trusted on top of the system's roots.
 */
export function chainProblem(certFile: string, extraCaFiles: readonly string[] = []): string | undefined {
  const chain = certificatesIn(fs.readFileSync(certFile, 'utf8'));
  const leaf = chain[0];
  if (!leaf || (leaf.issuer === leaf.subject && leaf.verify(leaf.publicKey))) return undefined;
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!issued(chain[i]!, chain[i + 1]!)) {
      return `certificate ${i + 2} in ${certFile} (${chain[i + 1]!.subject.replace(/\n/g, ', ')}) did not issue certificate ${i + 1}: the file holds an unrelated certificate or the wrong order (leaf first, then its issuers)`;
    }
  }
  const last = chain[chain.length - 1]!;
  const roots = [...tls.rootCertificates, ...extraCaFiles.flatMap((f) => fs.readFileSync(f, 'utf8').match(PEM_BLOCK) ?? [])].map((pem) => new X509Certificate(pem));
  if (roots.some((root) => root.fingerprint256 === last.fingerprint256 || issued(last, root))) return undefined;
  return `${certFile} ends with a certificate issued by "${last.issuer.replace(/\n/g, ', ')}", which this machine does not trust: the intermediate certificate is missing (with Let's Encrypt use fullchain.pem, not cert.pem)`;
}
