// One TLS context per served domain, chosen by SNI; the first domain's is the fallback for
// clients that send no SNI. Contexts can be swapped at runtime (SIGHUP reloads certificates).
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import { domainToUnicode } from 'node:url';
import type { CertificatePair } from './certificates.js';

type DomainCertificate = CertificatePair;

export interface TlsContexts {
  forServerName(serverName: string | undefined): SecureContext;
  /**
   * DER of the leaf certificate forServerName picks: what a server socket presented, without
   * TLSSocket.getCertificate(), which costs ~0.1–0.3 ms per call (it decodes every field).
   */
  certificateDer(serverName: string | undefined): Buffer | undefined;
  sniCallback(serverName: string, callback: (error: Error | null, context?: SecureContext) => void): void;
  certificateFor(domain: string): DomainCertificate | undefined;
  /** cert/key options of the default domain, for servers that need a fallback without SNI. */
  defaultCertificateOptions(): { cert: string; key: string };
  reload(certificates: ReadonlyMap<string, DomainCertificate>): void;
}

export function createTlsContexts(certificates: ReadonlyMap<string, DomainCertificate>, defaultDomain: string): TlsContexts {
  let contexts = new Map<string, SecureContext>();
  let certs = new Map(certificates);
  let ders = new Map<string, Buffer>();
  const derOf = (source: ReadonlyMap<string, DomainCertificate>) => new Map([...source].map(([domain, c]) => [domain, new X509Certificate(c.certPem).raw]));

  function build(source: ReadonlyMap<string, DomainCertificate>): Map<string, SecureContext> {
    const built = new Map<string, SecureContext>();
    for (const [domain, { certPem, keyPem }] of source) {
      built.set(domain, createSecureContext({ cert: certPem, key: keyPem, minVersion: 'TLSv1.2' }));
    }
    if (!built.has(defaultDomain)) throw new Error(`no TLS certificate for the default domain '${defaultDomain}'`);
    return built;
  }
  contexts = build(certificates);
  ders = derOf(certificates);
  const pick = (serverName: string | undefined): string => {
    // SNI carries the A-label (xn--) form; domains are kept in U-label form.
    const ascii = serverName?.toLowerCase().replace(/\.$/, '');
    const name = ascii && (domainToUnicode(ascii) || ascii);
    return name && contexts.has(name) ? name : defaultDomain;
  };

  const self: TlsContexts = {
    forServerName: (serverName) => contexts.get(pick(serverName))!,
    certificateDer: (serverName) => ders.get(pick(serverName)),
    sniCallback(serverName, callback) {
      callback(null, self.forServerName(serverName));
    },
    certificateFor: (domain) => certs.get(domain),
    defaultCertificateOptions() {
      const { certPem, keyPem } = certs.get(defaultDomain)!;
      return { cert: certPem, key: keyPem };
    },
    reload(next) {
      const built = build(next);
      ders = derOf(next);
      contexts = built;
      certs = new Map(next);
    },
  };
  return self;
}
