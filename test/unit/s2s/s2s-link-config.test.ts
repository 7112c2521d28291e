// s2s.maxQueuedStanzas and s2s.retry: defaults, values read, and one-line errors naming file:line and key.
import { describe, expect, it } from 'vitest';
import { configFiles } from '../../harness/config-file.js';

const { load, errorOf } = configFiles('herald-s2s-link-config-');

describe('s2s link settings', () => {
  it('default to 10000 queued stanzas and a back-off from 5 s up to 300 s', () => {
    const { s2s } = load('');
    expect(s2s.maxQueuedStanzas).toBe(10000);
    expect(s2s.retry).toEqual({ initialBackoffSeconds: 5, maxBackoffSeconds: 300 });
  });

  it('reads them, keeping the default for a retry key left out', () => {
    expect(load('s2s:\n  maxQueuedStanzas: 50\n  retry:\n    initialBackoffSeconds: 1\n    maxBackoffSeconds: 60\n').s2s).toMatchObject({
      maxQueuedStanzas: 50,
      retry: { initialBackoffSeconds: 1, maxBackoffSeconds: 60 },
    });
    expect(load('s2s:\n  retry: { maxBackoffSeconds: 30 }\n').s2s.retry).toEqual({ initialBackoffSeconds: 5, maxBackoffSeconds: 30 });
    expect(load('s2s:\n  retry:\n').s2s.retry).toEqual({ initialBackoffSeconds: 5, maxBackoffSeconds: 300 });
  });

  it('gives one-line errors naming file:line, the key and what was expected', () => {
    expect(errorOf('s2s:\n  maxQueuedStanzas: 0\n')).toBe('herald.yaml:2: s2s.maxQueuedStanzas: expected an integer ≥ 1, found 0');
    expect(errorOf('s2s:\n  maxQueuedStanzas: "many"\n')).toBe('herald.yaml:2: s2s.maxQueuedStanzas: expected an integer ≥ 1, found "many"');
    expect(errorOf('s2s:\n  retry:\n    initialBackoffSeconds: 0.5\n')).toBe('herald.yaml:3: s2s.retry.initialBackoffSeconds: expected an integer ≥ 1, found 0.5');
    expect(errorOf('s2s:\n  retry:\n    maxBackoffSeconds: 3\n')).toBe('herald.yaml:3: s2s.retry.maxBackoffSeconds: expected an integer ≥ initialBackoffSeconds (5), found 3');
    expect(errorOf('s2s:\n  retry:\n    initialBackoffSeconds: 600\n')).toBe('herald.yaml:3: s2s.retry.initialBackoffSeconds: expected an integer ≤ maxBackoffSeconds (300), found 600');
    expect(errorOf('s2s:\n  retry:\n    maxBackofSeconds: 30\n')).toMatch(/^herald\.yaml:3: s2s\.retry\.maxBackofSeconds: unknown key \(did you mean maxBackoffSeconds\?\)/);
    expect(errorOf('s2s:\n  retry: 30\n')).toBe('herald.yaml:2: s2s.retry: expected a map with keys initialBackoffSeconds, maxBackoffSeconds, found 30');
  });
});
