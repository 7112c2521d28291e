// The s2s section and listener: defaults, values read from a file, one-line errors naming the key.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFiles } from '../../harness/config-file.js';

const { load, errorOf, folder } = configFiles('herald-s2s-config-');

describe('s2s configuration', () => {
  it('defaults to federation off with no routes', () => {
    const config = load('');
    expect(config.listeners.s2s).toEqual({ enabled: false, host: '0.0.0.0', port: 5269 });
    expect(config.s2s).toEqual({
      routes: {},
      requireValidCertificates: false,
      connectTimeoutSeconds: 10,
      idleTimeoutSeconds: 300,
      ackTimeoutSeconds: 60,
      caFiles: [],
      maxQueuedStanzas: 10000,
      retry: { initialBackoffSeconds: 5, maxBackoffSeconds: 300, messageDeadlineSeconds: 86400, maxMessagesPerAccount: 1000, maxBytesPerAccount: 10485760, maxMessagesPerPeer: 10000 },
      dialback: { maxPendingPerStream: 10, requestsPerMinute: 60 },
    });
  });

  it('reads the listener, routes, secret and CA files', () => {
    const config = load(`
listeners:
  s2s: { enabled: true, port: 15269 }
s2s:
  secret: a-long-enough-secret
  routes:
    Example.ORG: 192.0.2.1:5269
    v6.example: "[::1]:5270"
  requireValidCertificates: true
  caFiles: [ca.pem]
`);
    expect(config.listeners.s2s.port).toBe(15269);
    expect(config.s2s.routes).toEqual({ 'example.org': { host: '192.0.2.1', port: 5269 }, 'v6.example': { host: '::1', port: 5270 } });
    expect(config.s2s.secret).toBe('a-long-enough-secret');
    expect(config.s2s.caFiles).toEqual([path.join(folder(), 'ca.pem')]);
  });

  it('gives one-line errors naming the key', () => {
    expect(errorOf('s2s:\n  routes:\n    example.org: nowhere\n')).toMatch(/herald\.yaml:3: s2s\.routes\.example\.org: expected host:port/);
    expect(errorOf('s2s:\n  secret: short\n')).toMatch(/s2s\.secret: expected a secret string of at least 16 characters/);
    expect(errorOf('s2s:\n  idleTimeoutSecond: 5\n')).toMatch(/s2s\.idleTimeoutSecond: unknown key \(did you mean idleTimeoutSeconds\?\)/);
    expect(errorOf('listeners:\n  s2s: { port: 70000 }\n')).toMatch(/listeners\.s2s\.port: expected a port number/);
  });
});
