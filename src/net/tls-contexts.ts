// One TLS context per served domain, chosen by SNI; the first domain's is the fallback for
// clients that send no SNI. Contexts can be swapped at runtime (SIGHUP reloads certificates).
import { createSecureContext, type SecureContext } from 'node:tls';
import type { CertificatePair } from './certificates.js';

type DomainCertificate = CertificatePair;

export interface TlsContexts {
  forServerName(serverName: string | undefined): SecureContext;
  sniCallback(serverName: string, callback: (error: Error | null, context?: SecureContext) => void): void;
  certificateFor(domain: string): DomainCertificate | undefined;
  /** cert/key options of the default domain, for servers that need a fallback without SNI. */
  defaultCertificateOptions(): { cert: string; key: string };
  reload(certificates: ReadonlyMap<string, DomainCertificate>): void;
}

export function createTlsContexts(certificates: ReadonlyMap<string, DomainCertificate>, defaultDomain: string): TlsContexts {
  let contexts = new Map<string, SecureContext>();
  let certs = new Map(certificates);

  function build(source: ReadonlyMap<string, DomainCertificate>): Map<string, SecureContext> {
    const built = new Map<string, SecureContext>();
    for (const [domain, { certPem, keyPem }] of source) {
      built.set(domain, createSecureContext({ cert: certPem, key: keyPem, minVersion: 'TLSv1.2' }));
    }
    if (!built.has(defaultDomain)) throw new Error(`no TLS certificate for the default domain '${defaultDomain}'`);
    return built;
  }
  contexts = build(certificates);

  const self: TlsContexts = {
    forServerName(serverName) {
      const name = serverName?.toLowerCase().replace(/\.$/, '');
      return (name && contexts.get(name)) || contexts.get(defaultDomain)!;
    },
    sniCallback(serverName, callback) {
      callback(null, self.forServerName(serverName));
    },
    certificateFor: (domain) => certs.get(domain),
    defaultCertificateOptions() {
      const { certPem, keyPem } = certs.get(defaultDomain)!;
      return { cert: certPem, key: keyPem };
    },
    reload(next) {
      contexts = build(next);
      certs = new Map(next);
    },
  };
  return self;
}
