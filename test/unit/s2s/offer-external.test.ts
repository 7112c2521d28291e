// XEP-0178: SASL EXTERNAL is worth offering only with a certificate a peer can trust; and what
// an outgoing link asks for in its TLS handshake.
import { describe, expect, it } from 'vitest';
import { createS2sTls } from '../../../src/s2s/s2s-tls.js';
import { createTlsContexts } from '../../../src/net/tls-contexts.js';
import { generateSelfSigned } from '../../../src/net/certificates.js';
import { createTestCa, issueCert } from '../../interop/harness/certs.js';

function tlsFor(certPem: string, keyPem: string) {
  return createS2sTls(createTlsContexts(new Map([['a.test', { certPem, keyPem }]]), 'a.test'), []);
}

describe('offering SASL EXTERNAL on outgoing links', () => {
  it('XEP-0178: not with a self-signed certificate (dialback instead)', () => {
    const pair = generateSelfSigned(['a.test']);
    expect(tlsFor(pair.certPem, pair.keyPem).mayOfferExternal('a.test')).toBe(false);
  });

  it('XEP-0178: yes with a CA-issued certificate', () => {
    const pair = issueCert(createTestCa(), 'a.test');
    expect(tlsFor(pair.cert, pair.key).mayOfferExternal('a.test')).toBe(true);
  });
});

describe('a self-signed certificate listed in s2s.caFiles (private federation)', () => {
  it('XEP-0178: is offered, since peers configured the same way trust it', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const pair = generateSelfSigned(['a.test']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-ca-'));
    const file = path.join(dir, 'a.crt');
    fs.writeFileSync(file, pair.certPem);
    const tls = createS2sTls(createTlsContexts(new Map([['a.test', pair]]), 'a.test'), [file]);
    expect(tls.mayOfferExternal('a.test')).toBe(true);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('SNI on outgoing links', () => {
  it('RFC 6066 §3: names an internationalised peer by its A-label', () => {
    const pair = generateSelfSigned(['a.test']);
    expect(tlsFor(pair.certPem, pair.keyPem).clientOptions('a.test', 'bücher.test').servername).toBe('xn--bcher-kva.test');
    expect(tlsFor(pair.certPem, pair.keyPem).clientOptions('a.test', 'b.test').servername).toBe('b.test');
  });
});
