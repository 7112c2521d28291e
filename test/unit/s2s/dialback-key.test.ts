import { describe, expect, it } from 'vitest';
import { dialbackKey, dialbackKeyMatches } from '../../../src/s2s/dialback-key.js';

describe('dialback key (XEP-0185)', () => {
  it('matches the XEP-0185 example (receiving xmpp.example.com, originating example.org)', () => {
    expect(dialbackKey('s3cr3tf0rd14lb4ck', 'xmpp.example.com', 'example.org', 'D60000229F')).toBe(
      '37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643',
    );
  });

  it('depends on every input and verifies only the right key', () => {
    const key = dialbackKey('secret-secret-secret', 'b.test', 'a.test', 'id1');
    expect(dialbackKey('secret-secret-secret', 'b.test', 'a.test', 'id2')).not.toBe(key);
    expect(dialbackKey('secret-secret-secret', 'a.test', 'b.test', 'id1')).not.toBe(key);
    expect(dialbackKey('other-secret-secret', 'b.test', 'a.test', 'id1')).not.toBe(key);
    expect(dialbackKeyMatches('secret-secret-secret', 'b.test', 'a.test', 'id1', key)).toBe(true);
    expect(dialbackKeyMatches('secret-secret-secret', 'b.test', 'a.test', 'id1', key.slice(1))).toBe(false);
  });
});
