// Choosing our certificate by SNI: exact domain, case and trailing dot ignored, an
// internationalised domain named by its A-label, and the default domain for anything else.
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSelfSigned } from '../../src/net/certificates.js';
import { createTlsContexts } from '../../src/net/tls-contexts.js';

const pairs = new Map([
  ['a.test', generateSelfSigned(['a.test'])],
  ['bücher.test', generateSelfSigned(['bücher.test'])],
]);
const contexts = createTlsContexts(pairs, 'a.test');
const derOf = (domain: string) => new X509Certificate(pairs.get(domain)!.certPem).raw;

describe('TLS contexts by server name', () => {
  it('picks the certificate of the named domain, ignoring case and a trailing dot', () => {
    expect(contexts.certificateDer('A.TEST.')).toEqual(derOf('a.test'));
    expect(contexts.forServerName('a.test')).toBe(contexts.forServerName('A.test.'));
  });

  it('RFC 6066 §3: an internationalised domain arrives as its A-label and still finds its certificate', () => {
    expect(contexts.certificateDer('xn--bcher-kva.test')).toEqual(derOf('bücher.test'));
    expect(contexts.forServerName('xn--bcher-kva.test')).not.toBe(contexts.forServerName('a.test'));
  });

  it('falls back to the default domain for an unknown or missing name', () => {
    expect(contexts.certificateDer('other.test')).toEqual(derOf('a.test'));
    expect(contexts.certificateDer(undefined)).toEqual(derOf('a.test'));
  });
});
