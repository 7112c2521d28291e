import { describe, expect, it } from 'vitest';
import { downgradeProtectionHash } from '../../src/c2s/sasl/ssdp.js';
import { ssdpHash } from '../harness/scram-client.js';

describe('XEP-0474 downgrade protection hash', () => {
  it("XEP-0474 §6 example: SHA-1 of 'SCRAM-SHA-1\\x1eSCRAM-SHA-1-PLUS\\x1ftls-exporter\\x1etls-server-end-point'", () => {
    // The XEP's own example value; lists given out of order, since they are sorted first.
    expect(downgradeProtectionHash('sha1', ['SCRAM-SHA-1-PLUS', 'SCRAM-SHA-1'], ['tls-server-end-point', 'tls-exporter'])).toBe('G6k/rBLDqgOhRRaCuuatSDFkJ08=');
    expect(ssdpHash('sha1', ['SCRAM-SHA-1', 'SCRAM-SHA-1-PLUS'], ['tls-exporter', 'tls-server-end-point'])).toBe('G6k/rBLDqgOhRRaCuuatSDFkJ08=');
  });

  it('XEP-0474 §4.1: without XEP-0440 no separator is added', () => {
    const withList = downgradeProtectionHash('sha256', ['SCRAM-SHA-256', 'PLAIN'], ['tls-exporter']);
    const without = downgradeProtectionHash('sha256', ['SCRAM-SHA-256', 'PLAIN'], []);
    expect(without).not.toBe(withList);
    expect(without).toBe(ssdpHash('sha256', ['PLAIN', 'SCRAM-SHA-256'], []));
  });
});
