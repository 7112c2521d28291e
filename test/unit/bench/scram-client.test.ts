import { describe, expect, it } from 'vitest';
import { ScramSha1Client } from '../../../src/bench/scram-client.js';

// RFC 5802 §5: user "user", password "pencil".
describe('bench SCRAM-SHA-1 client', () => {
  it('reproduces the RFC 5802 exchange', () => {
    const client = new ScramSha1Client('user', 'pencil', 'fyko+d2lbbFgONRv9qkxdawL');
    expect(client.first()).toBe('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL');
    const final = client.final('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096');
    expect(final).toBe('c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=');
    expect(client.verify('v=rmF9pqV8S7suAoZWja4dJRkFsKQ=')).toBe(true);
    expect(client.verify('v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=')).toBe(false);
  });

  it('rejects a server nonce that does not extend its own', () => {
    const client = new ScramSha1Client('user', 'pencil', 'abc');
    expect(() => client.final('r=xyz,s=QSXCR+Q6sek8bf92,i=4096')).toThrow(/nonce/);
  });

  it('escapes = and , in the username', () => {
    expect(new ScramSha1Client('a=b,c', 'p', 'n').first()).toBe('n,,n=a=3Db=2Cc,r=n');
  });
});
