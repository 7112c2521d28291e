// The HTTP listeners and the `http:` block: defaults, values read from a file, errors naming the key.
import { describe, expect, it } from 'vitest';
import { configFiles } from '../../harness/config-file.js';

const { load, errorOf } = configFiles('herald-http-config-');

describe('http configuration', () => {
  it('defaults to HTTPS on 5443 everywhere and plain HTTP on loopback 5280', () => {
    const config = load('');
    expect(config.listeners.https).toEqual({ enabled: true, host: '0.0.0.0', port: 5443 });
    expect(config.listeners.http).toEqual({ enabled: true, host: '127.0.0.1', port: 5280 });
    expect(config.http).toEqual({ trustedProxies: [], maxConnectionsPerAddress: 100, headersTimeoutSeconds: 30, idleTimeoutSeconds: 60 });
  });

  it('reads listeners and the http block', () => {
    const config = load('listeners:\n  https: { port: 8443 }\n  http: { enabled: false }\nhttp:\n  trustedProxies: [127.0.0.1, "::1"]\n  idleTimeoutSeconds: 120\n');
    expect(config.listeners.https.port).toBe(8443);
    expect(config.listeners.http.enabled).toBe(false);
    expect(config.http.trustedProxies).toEqual(['127.0.0.1', '::1']);
    expect(config.http.idleTimeoutSeconds).toBe(120);
  });

  it('names the key and what was expected', () => {
    expect(errorOf('http:\n  trustedProxies: [proxy.example]\n')).toBe('herald.yaml:2: http.trustedProxies[0]: expected an IP address such as 127.0.0.1 or ::1, found "proxy.example"');
    expect(errorOf('http:\n  trustedProxy: []\n')).toMatch(/^herald\.yaml:2: http\.trustedProxy: unknown key; expected one of trustedProxies,/);
    expect(errorOf('listeners:\n  https: { port: 70000 }\n')).toMatch(/listeners\.https\.port: expected a port number/);
  });

  it('http.publicUrl: an https:// origin, kept without its trailing slash; anything else names the key', () => {
    expect(load('http:\n  publicUrl: https://chat.example.org/\n').http.publicUrl).toBe('https://chat.example.org');
    expect(load('http:\n  publicUrl: https://chat.example.org:8443\n').http.publicUrl).toBe('https://chat.example.org:8443');
    expect(errorOf('http:\n  publicUrl: http://chat.example.org\n')).toBe('herald.yaml:2: http.publicUrl: expected an https:// address without a path, such as https://chat.example.org, found "http://chat.example.org"');
    expect(errorOf('http:\n  publicUrl: https://chat.example.org/xmpp\n')).toMatch(/http\.publicUrl: expected an https:\/\/ address without a path/);
  });
});
