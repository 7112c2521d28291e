// Who a request is from and which domain it is for: X-Forwarded-* only from trusted proxies.
import { Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { requestOrigin, type OriginPolicy } from '../../../src/http/request-origin.js';

const policy: OriginPolicy = { trustedProxies: new Set(['127.0.0.1', '10.0.0.2']), isHosted: (n) => n === 'example.org' || n === 'other.example', firstDomain: 'example.org' };

function request(remoteAddress: string, headers: Record<string, string>): IncomingMessage {
  const socket = new Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: remoteAddress });
  return { socket, headers } as unknown as IncomingMessage;
}

describe('request origin', () => {
  it('ignores X-Forwarded-* from an address that is not a trusted proxy', () => {
    const origin = requestOrigin(request('192.0.2.7', { host: 'other.example:5280', 'x-forwarded-for': '198.51.100.1', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'example.org' }), policy);
    expect(origin).toEqual({ address: '192.0.2.7', secure: false, host: 'other.example:5280', domain: 'other.example' });
  });

  it('believes a trusted proxy, taking the nearest address that is not one of our proxies', () => {
    const origin = requestOrigin(request('::ffff:127.0.0.1', { host: 'internal:5280', 'x-forwarded-for': '203.0.113.9, 198.51.100.1, 10.0.0.2', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'other.example' }), policy);
    expect(origin).toEqual({ address: '198.51.100.1', secure: true, host: 'other.example', domain: 'other.example' });
  });

  it('serves an IP address or unknown Host for the first configured domain', () => {
    expect(requestOrigin(request('192.0.2.7', { host: '127.0.0.1:5443' }), policy).domain).toBe('example.org');
    expect(requestOrigin(request('192.0.2.7', { host: '[::1]:5443' }), policy).domain).toBe('example.org');
    expect(requestOrigin(request('192.0.2.7', { host: 'unknown.example' }), policy).domain).toBe('example.org');
    expect(requestOrigin(request('192.0.2.7', {}), policy).host).toBe('example.org');
  });
});
