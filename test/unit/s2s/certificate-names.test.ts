import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSelfSigned } from '../../../src/net/certificates.js';
import { certificateNames, describeNames, namesMatchDomain, type CertificateNames } from '../../../src/s2s/certificate-names.js';

const names = (partial: Partial<CertificateNames>): CertificateNames => ({ dns: [], xmppAddr: [], srv: [], commonName: undefined, ...partial });

describe('certificate name matching (RFC 6125)', () => {
  it('reads DNS, xmppAddr and SRV names from a generated certificate', () => {
    const cert = new X509Certificate(generateSelfSigned(['a.test', 'münchen.test']).certPem);
    const found = certificateNames(cert);
    expect(found.dns).toEqual(['a.test', 'xn--mnchen-3ya.test']);
    expect(found.xmppAddr).toContain('a.test');
    expect(found.srv).toContain('_xmpp-server.a.test');
    expect(namesMatchDomain(found, 'a.test')).toBe(true);
    expect(namesMatchDomain(found, 'münchen.test')).toBe(true);
    expect(namesMatchDomain(found, 'b.test')).toBe(false);
  });

  it('matches each kind of identifier on its own', () => {
    expect(namesMatchDomain(names({ srv: ['_xmpp-server.x.test'] }), 'x.test')).toBe(true);
    expect(namesMatchDomain(names({ srv: ['_xmpp-client.x.test'] }), 'x.test')).toBe(false);
    expect(namesMatchDomain(names({ xmppAddr: ['X.test'] }), 'x.test')).toBe(true);
    expect(namesMatchDomain(names({ dns: ['x.test'] }), 'x.test')).toBe(true);
  });

  it('lets a wildcard stand for one leftmost label only', () => {
    const wild = names({ dns: ['*.example.org'] });
    expect(namesMatchDomain(wild, 'chat.example.org')).toBe(true);
    expect(namesMatchDomain(wild, 'example.org')).toBe(false);
    expect(namesMatchDomain(wild, 'a.b.example.org')).toBe(false);
    expect(namesMatchDomain(names({ dns: ['*.org'] }), 'example.org')).toBe(false);
  });

  it('uses the CN only when there are no subjectAltNames', () => {
    expect(namesMatchDomain(names({ commonName: 'x.test' }), 'x.test')).toBe(true);
    expect(namesMatchDomain(names({ commonName: 'x.test', dns: ['y.test'] }), 'x.test')).toBe(false);
    expect(describeNames(names({ dns: ['y.test'], srv: ['_xmpp-server.y.test'] }))).toBe('y.test');
  });
});
