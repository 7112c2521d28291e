// TLS for server-to-server links: trust anchors (system store + s2s.caFiles), our certificate
// presented on both sides, and a verdict on the peer's certificate for the domain it claims.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { createSecureContext, rootCertificates, type ConnectionOptions, type SecureContext, type TLSSocket, type TlsOptions } from 'node:tls';
import { domainToASCII, domainToUnicode } from 'node:url';
import type { TlsContexts } from '../net/tls-contexts.js';
import { certificateNames, describeNames, namesMatchDomain } from './certificate-names.js';

export interface S2sTls {
  /** Server side of STARTTLS on an inbound stream to `localDomain`: asks for a client certificate. */
  serverContext(localDomain: string): SecureContext;
  /**
   * The server options of the direct-TLS listener (XEP-0368): SNI picks our certificate (the
   * same contexts as STARTTLS), the peer's certificate is asked for and judged by peerProblem.
   */
  directTlsServerOptions(): Pick<TlsOptions, 'SNICallback' | 'requestCert' | 'rejectUnauthorized' | 'ca'>;
  /** Initiating side: our certificate for `localDomain`, SNI for the peer, verification left to us. */
  clientOptions(localDomain: string, remoteDomain: string): Omit<ConnectionOptions, 'socket'>;
  /** Undefined when the peer's certificate is trusted and names `domain`; else what is wrong. */
  peerProblem(socket: TLSSocket, domain: string): string | undefined;
  /**
   * Whether our certificate for `localDomain` could pass a peer's SASL EXTERNAL check: not
   * self-signed. Offering a self-signed one only earns a refusal (and a warning in the peer's
   * log) before dialback, so it is not tried.
   */
  mayOfferExternal(localDomain: string): boolean;
}

export function createS2sTls(contexts: TlsContexts, caFiles: readonly string[]): S2sTls {
  const ca = [...rootCertificates, ...caFiles.map((file) => fs.readFileSync(file, 'utf8'))];
  let parsedAnchors: X509Certificate[] | undefined;
  /** Our configured trust anchors (caFiles), parsed once; system roots are not needed here. */
  const anchors = (): X509Certificate[] =>
    (parsedAnchors ??= caFiles.flatMap((file) => splitPem(fs.readFileSync(file, 'utf8')).map((pem) => new X509Certificate(pem))));
  // Keyed by certificate text, so a SIGHUP reload of TlsContexts is picked up.
  const cache = new Map<string, SecureContext>();

  function ours(domain: string): { cert: string; key: string } {
    const pair = contexts.certificateFor(domain);
    if (!pair) return contexts.defaultCertificateOptions();
    return { cert: pair.certPem, key: pair.keyPem };
  }

  function serverContext(localDomain: string): SecureContext {
    const { cert, key } = ours(localDomain);
    let context = cache.get(cert);
    if (!context) {
      context = createSecureContext({ cert, key, ca, minVersion: 'TLSv1.2' });
      cache.set(cert, context);
    }
    return context;
  }

  return {
    serverContext,
    directTlsServerOptions() {
      return {
        SNICallback: (serverName, callback) => callback(null, serverContext(domainToUnicode(serverName.toLowerCase().replace(/\.$/, '')) || serverName)),
        // Not rejected here: an untrusted peer may still authenticate by dialback.
        requestCert: true,
        rejectUnauthorized: false,
        ca,
      };
    },
    clientOptions(localDomain, remoteDomain) {
      // rejectUnauthorized false: an untrusted peer may still be authenticated by dialback.
      // SNI carries the A-label form (RFC 6066 §3); domains are kept in U-label form here.
      return { ...ours(localDomain), ca, servername: domainToASCII(remoteDomain) || remoteDomain, rejectUnauthorized: false, minVersion: 'TLSv1.2' };
    },
    mayOfferExternal(localDomain) {
      const certificate = new X509Certificate(ours(localDomain).cert);
      const selfSigned = certificate.subject === certificate.issuer && certificate.verify(certificate.publicKey);
      // A self-signed certificate can still be trusted in a private federation where every
      // server lists it in s2s.caFiles (as we do ourselves); otherwise peers will refuse it.
      return !selfSigned || anchors().some((anchor) => anchor.fingerprint256 === certificate.fingerprint256);
    },
    peerProblem(socket, domain) {
      const raw = socket.getPeerX509Certificate();
      if (!raw) return `certificate: no certificate presented for ${domain}`;
      const untrusted = socket.authorized ? undefined : (socket.authorizationError ?? verifyErrorOf(socket));
      if (untrusted !== undefined) return `certificate: not trusted for ${domain} (${String(untrusted)})`;
      const names = certificateNames(new X509Certificate(raw.raw));
      if (!namesMatchDomain(names, domain)) return `certificate: does not name ${domain} (it names ${describeNames(names)})`;
      return undefined;
    },
  };
}

/**
 * Node computes `authorized` only for sockets accepted by a tls.Server; an inbound STARTTLS
 * socket is wrapped by hand, so ask OpenSSL's verdict the way tls.Server itself does.
 * Undefined means verified; a code names the failure.
 */
function verifyErrorOf(socket: TLSSocket): string | undefined {
  const handle = (socket as unknown as { _handle?: { verifyError?: () => (Error & { code?: string }) | null } })._handle;
  if (typeof handle?.verifyError !== 'function') return 'cannot check the certificate chain';
  const error = handle.verifyError();
  return error ? (error.code ?? error.message) : undefined;
}

function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
