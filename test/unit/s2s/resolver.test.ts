// The s2s resolver: RFC 2782 ordering (pure), and lookups against the loopback DNS server
// (never a real one).
import { promises as nodeDns } from 'node:dns';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderSrv, type SrvRecord } from '../../../src/s2s/resolver-order.js';
import { createDnsResolver, createStaticResolver, formatTraceStep, parseNameserver, type DnsApi } from '../../../src/s2s/resolver.js';
import { startLoopbackDns, type LoopbackDns } from '../../interop/harness/loopback-dns.js';

const rec = (name: string, priority: number, weight: number, port = 5269): SrvRecord => ({ name, priority, weight, port });

/** A random source returning the given values in turn. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

describe('orderSrv (RFC 2782)', () => {
  it('orders by ascending priority', () => {
    const out = orderSrv([rec('c', 30, 1), rec('a', 10, 1), rec('b', 20, 1)], () => 0);
    expect(out.map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('picks by running weight sum within a priority', () => {
    // weights 1, 3 → total 4; draw floor(r * 5): 0..1 → first, 2..4 → second
    const records = [rec('light', 0, 1), rec('heavy', 0, 3)];
    expect(orderSrv(records, sequence(0.1)).map((r) => r.name)).toEqual(['light', 'heavy']);
    expect(orderSrv(records, sequence(0.5)).map((r) => r.name)).toEqual(['heavy', 'light']);
  });

  it('chooses in proportion to weight', () => {
    let state = 42;
    const lcg = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const records = [rec('w10', 0, 10), rec('w90', 0, 90)];
    let heavyFirst = 0;
    for (let i = 0; i < 2000; i++) if (orderSrv(records, lcg)[0]!.name === 'w90') heavyFirst++;
    expect(heavyFirst / 2000).toBeGreaterThan(0.85);
    expect(heavyFirst / 2000).toBeLessThan(0.95);
  });

  it('puts zero-weight records first in the list, so they are chosen only on a zero draw', () => {
    const records = [rec('heavy', 0, 5), rec('zero', 0, 0)];
    expect(orderSrv(records, () => 0).map((r) => r.name)).toEqual(['zero', 'heavy']);
    expect(orderSrv(records, () => 0.5).map((r) => r.name)).toEqual(['heavy', 'zero']);
  });

  it('keeps every record exactly once', () => {
    const records = [rec('a', 1, 0), rec('b', 1, 0), rec('c', 0, 7), rec('d', 0, 2), rec('e', 2, 1)];
    const out = orderSrv(records, Math.random);
    expect(out.map((r) => r.name).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(out.map((r) => r.priority)).toEqual([0, 0, 1, 1, 2]);
  });
});

describe('resolver with a substitute DNS', () => {
  const fake = (srv: Record<string, SrvRecord[]>, a: Record<string, string[]> = {}): DnsApi => {
    const missing = (name: string) => Object.assign(new Error(name), { code: 'ENOTFOUND' });
    return {
      resolveSrv: async (name) => srv[name] ?? Promise.reject(missing(name)),
      resolve4: async (name) => a[name] ?? Promise.reject(missing(name)),
      resolve6: async (name) => Promise.reject(Object.assign(new Error(name), { code: 'ENODATA' })),
    };
  };

  it('merges _xmpps-server and _xmpp-server by priority, direct TLS first on a tie, and resolves targets', async () => {
    const resolver = createDnsResolver({
      nameservers: ['127.0.0.1:1'],
      random: () => 0,
      dns: fake(
        {
          '_xmpps-server._tcp.example.org': [rec('tls.example.org', 10, 1, 5270)],
          '_xmpp-server._tcp.example.org': [rec('backup.example.org', 20, 1), rec('main.example.org', 10, 1)],
        },
        { 'tls.example.org': ['192.0.2.3'], 'main.example.org': ['192.0.2.1'], 'backup.example.org': ['192.0.2.2'] },
      ),
    });
    const result = await resolver.resolve('example.org');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.targets).toEqual([
      { host: '192.0.2.3', port: 5270, kind: 'direct-tls', name: 'tls.example.org', source: 'xmpps-srv' },
      { host: '192.0.2.1', port: 5269, kind: 'starttls', name: 'main.example.org', source: 'srv' },
      { host: '192.0.2.2', port: 5269, kind: 'starttls', name: 'backup.example.org', source: 'srv' },
    ]);
    expect(result.trace?.map(formatTraceStep)).toContain('SRV _xmpps-server._tcp.example.org: 10 1 5270 tls.example.org');
  });

  it('leaves direct TLS out when asked', async () => {
    const resolver = createDnsResolver({
      nameservers: ['127.0.0.1:1'],
      directTls: false,
      dns: fake({ '_xmpps-server._tcp.x.org': [rec('t.x.org', 0, 1, 5270)], '_xmpp-server._tcp.x.org': [rec('s.x.org', 0, 1)] }, { 't.x.org': ['192.0.2.9'], 's.x.org': ['192.0.2.8'] }),
    });
    const result = await resolver.resolve('x.org');
    expect(result.ok && result.targets.map((t) => t.host)).toEqual(['192.0.2.8']);
  });

  it('treats a single "." target as no service', async () => {
    const resolver = createDnsResolver({ nameservers: ['127.0.0.1:1'], dns: fake({ '_xmpp-server._tcp.none.org': [rec('', 0, 0, 0)] }, { 'none.org': ['192.0.2.1'] }) });
    const result = await resolver.resolve('none.org');
    expect(result).toMatchObject({ ok: false, reason: 'DNS: _xmpp-server._tcp.none.org SRV says no XMPP server-to-server service' });
  });

  it('puts static routes first', async () => {
    const resolver = createStaticResolver({ 'static.org': { host: '127.0.0.1', port: 7777 } }, createDnsResolver({ dns: fake({}) }));
    const result = await resolver.resolve('static.org');
    expect(result).toMatchObject({ ok: true, targets: [{ host: '127.0.0.1', port: 7777, kind: 'starttls', source: 'static' }] });
  });
});

describe('resolver against the loopback DNS server', () => {
  let dns: LoopbackDns;
  beforeAll(async () => {
    dns = await startLoopbackDns({
      'srv.test': { s2sPort: 15269 },
      'both.test': { s2sPort: 15269, directTlsPort: 15270 },
      'named.test': { s2sPort: 25269, srvTarget: 'host.named.test' },
      'host.named.test': { s2sPort: 1, host: '127.0.0.7' },
      'plain.test': { s2sPort: 1, host: '127.0.0.9', srvTarget: '.' },
    });
  });
  afterAll(() => dns.close());
  const resolver = () => createDnsResolver({ nameservers: [`127.0.0.1:${dns.port}`], timeoutMs: 2000 });

  it('finds the _xmpp-server SRV target', async () => {
    const result = await resolver().resolve('srv.test');
    expect(result).toMatchObject({ ok: true, targets: [{ host: '127.0.0.1', port: 15269, kind: 'starttls', source: 'srv' }] });
    expect(dns.queries.some((q) => q.name === '_xmpp-server._tcp.srv.test' && q.type === 'SRV')).toBe(true);
  });

  it('tries _xmpps-server (direct TLS) before _xmpp-server at equal priority', async () => {
    const result = await resolver().resolve('both.test');
    expect(result.ok && result.targets.map((t) => [t.port, t.kind])).toEqual([[15270, 'direct-tls'], [15269, 'starttls']]);
  });

  it('resolves an SRV target name with A/AAAA at the configured nameserver', async () => {
    const result = await resolver().resolve('named.test');
    expect(result).toMatchObject({ ok: true, targets: [{ host: '127.0.0.7', port: 25269, name: 'host.named.test' }] });
    expect(dns.queries.some((q) => q.name === 'host.named.test' && q.type === 'A')).toBe(true);
  });

  it('reports "." as no service', async () => {
    const result = await resolver().resolve('plain.test');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('says no XMPP server-to-server service');
  });

  it('falls back to A on 5269 without SRV, and explains NXDOMAIN', async () => {
    dns.set('bare.test', { s2sPort: 1, host: '127.0.0.5' });
    // The loopback server answers SRV for every known domain; make this one "A only" by name.
    const viaA = await createDnsResolver({
      nameservers: [`127.0.0.1:${dns.port}`],
      dns: { ...nodeLike(dns.port), resolveSrv: async () => Promise.reject(Object.assign(new Error('x'), { code: 'ENOTFOUND' })) },
    }).resolve('bare.test');
    expect(viaA).toMatchObject({ ok: true, targets: [{ host: '127.0.0.5', port: 5269, source: 'a' }] });
    const missing = await resolver().resolve('unknown.test');
    expect(missing.ok).toBe(false);
    if (!missing.ok) {
      expect(missing.reason).toBe('DNS: _xmpp-server._tcp.unknown.test: NXDOMAIN (no such name); no A/AAAA record for unknown.test');
      expect(missing.trace?.map(formatTraceStep)).toContain('A unknown.test: NXDOMAIN (no such name)');
    }
  });
});

describe('parseNameserver', () => {
  it('accepts addresses with and without port', () => {
    expect(parseNameserver('127.0.0.1')).toBe('127.0.0.1');
    expect(parseNameserver('127.0.0.1:5353')).toBe('127.0.0.1:5353');
    expect(parseNameserver('::1')).toBe('::1');
    expect(parseNameserver('[::1]:53')).toBe('[::1]:53');
  });
  it('refuses names and bad ports', () => {
    expect(() => parseNameserver('dns.example')).toThrow();
    expect(() => parseNameserver('127.0.0.1:70000')).toThrow();
  });
});

function nodeLike(port: number): DnsApi {
  const r = new nodeDns.Resolver({ timeout: 2000, tries: 1 });
  r.setServers([`127.0.0.1:${port}`]);
  return { resolveSrv: (n) => r.resolveSrv(n), resolve4: (n) => r.resolve4(n), resolve6: (n) => r.resolve6(n) };
}

describe('s2s.resolver configuration', () => {
  const load = (yaml: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-resolver-config-'));
    try {
      fs.writeFileSync(path.join(dir, 'herald.yaml'), yaml);
      return loadConfig({ path: path.join(dir, 'herald.yaml'), env: {}, cwd: dir });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  it('reads nameservers and leaves the key absent by default', () => {
    expect(load('').s2s.resolver).toBeUndefined();
    expect(load("s2s:\n  resolver:\n    nameservers: ['127.0.0.1:5353', '::1']\n").s2s.resolver).toEqual({ nameservers: ['127.0.0.1:5353', '::1'] });
  });
  it('rejects a host name as nameserver, with the line', () => {
    expect(() => load('s2s:\n  resolver:\n    nameservers: [dns.example]\n')).toThrow(/herald\.yaml:3: s2s\.resolver\.nameservers\[0\].*nameserver address/);
  });
});
