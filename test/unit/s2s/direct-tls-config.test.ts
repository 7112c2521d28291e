// Configuration for XEP-0368 server-to-server: `tls://host:port` static routes and the
// listeners.s2sTls listener, with one-line errors naming file:line, key and expectation.
import { describe, expect, it } from 'vitest';
import { configFiles } from '../../harness/config-file.js';
import { createStaticResolver } from '../../../src/s2s/resolver.js';

const { load, errorOf } = configFiles('herald-s2s-tls-config-');

const EXPECTATION = 'expected host:port (STARTTLS) or tls://host:port (direct TLS) such as 192.0.2.1:5269, [::1]:5269 or tls://192.0.2.1:5270';

describe('s2s.routes with direct TLS', () => {
  it('reads tls://host:port as a direct-TLS route and host:port as STARTTLS', () => {
    const config = load(`
s2s:
  routes:
    plain.example: 192.0.2.1:5269
    direct.example: tls://192.0.2.2:5270
    v6.example: "tls://[::1]:5270"
    upper.example: TLS://host.example:5270
`);
    expect(config.s2s.routes).toStrictEqual({
      'plain.example': { host: '192.0.2.1', port: 5269 },
      'direct.example': { host: '192.0.2.2', port: 5270, kind: 'direct-tls' },
      'v6.example': { host: '::1', port: 5270, kind: 'direct-tls' },
      'upper.example': { host: 'host.example', port: 5270, kind: 'direct-tls' },
    });
  });

  it('gives the resolver a direct-TLS target for such a route', async () => {
    const config = load('s2s:\n  routes:\n    direct.example: tls://127.0.0.1:5270\n    plain.example: 127.0.0.1:5269\n');
    const resolver = createStaticResolver(config.s2s.routes);
    expect(await resolver.resolve('direct.example')).toMatchObject({ ok: true, targets: [{ host: '127.0.0.1', port: 5270, kind: 'direct-tls', source: 'static' }] });
    expect(await resolver.resolve('plain.example')).toMatchObject({ ok: true, targets: [{ host: '127.0.0.1', port: 5269, kind: 'starttls', source: 'static' }] });
  });

  it('rejects other schemes and malformed values with the line, the key and what is expected', () => {
    expect(errorOf('s2s:\n  routes:\n    a.example: xmpps://127.0.0.1:5270\n')).toBe(`herald.yaml:3: s2s.routes.a.example: ${EXPECTATION}, found "xmpps://127.0.0.1:5270"`);
    expect(errorOf('s2s:\n  routes:\n    a.example: tls://127.0.0.1\n')).toBe(`herald.yaml:3: s2s.routes.a.example: ${EXPECTATION}, found "tls://127.0.0.1"`);
    expect(errorOf('s2s:\n  routes:\n    a.example: tls://127.0.0.1:0\n')).toContain('s2s.routes.a.example: expected host:port (STARTTLS) or tls://host:port');
    expect(errorOf('s2s:\n  routes:\n    a.example: "tls://::1:5270"\n')).toContain('found "tls://::1:5270"');
    expect(errorOf('s2s:\n  routes:\n    a.example: { host: 127.0.0.1, port: 5270 }\n')).toBe(`herald.yaml:3: s2s.routes.a.example: ${EXPECTATION}, found a map`);
    expect(errorOf('s2s:\n  routes: [tls://127.0.0.1:5270]\n')).toMatch(/^herald\.yaml:2: s2s\.routes: expected a map of domain: host:port or tls:\/\/host:port, found a list$/);
  });
});

describe('listeners.s2sTls', () => {
  it('is off by default, on 0.0.0.0:5270', () => {
    expect(load('').listeners.s2sTls).toEqual({ enabled: false, host: '0.0.0.0', port: 5270 });
  });

  it('takes the same keys as the other listeners', () => {
    const config = load('listeners:\n  s2s: { enabled: true, port: 15269 }\n  s2sTls: { enabled: true, host: 127.0.0.1, port: 15270 }\n');
    expect(config.listeners.s2sTls).toEqual({ enabled: true, host: '127.0.0.1', port: 15270 });
    expect(errorOf('listeners:\n  s2sTls:\n    port: 70000\n')).toBe('herald.yaml:3: listeners.s2sTls.port: expected a port number 0-65535, found 70000');
    expect(errorOf('listeners:\n  s2sTLS: { port: 5270 }\n')).toMatch(/^herald\.yaml:2: listeners\.s2sTLS: unknown key \(did you mean s2sTls\?\)/);
  });

  it('needs listeners.s2s on (the federation switch), and says so at the line of enabled', () => {
    expect(errorOf('listeners:\n  s2sTls:\n    enabled: true\n')).toBe(
      'herald.yaml:3: listeners.s2sTls.enabled: expected false while listeners.s2s.enabled is false (direct-TLS federation needs listeners.s2s enabled too)',
    );
  });
});
