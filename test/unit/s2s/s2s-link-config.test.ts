// s2s.maxQueuedStanzas, s2s.retry and s2s.dialback: defaults, values read, and one-line errors naming file:line and key.
import { describe, expect, it } from 'vitest';
import { configFiles } from '../../harness/config-file.js';

const { load, errorOf } = configFiles('herald-s2s-link-config-');
const HELD = { messageDeadlineSeconds: 86400, maxMessagesPerAccount: 1000, maxBytesPerAccount: 10485760, maxMessagesPerPeer: 10000 };

describe('s2s link settings', () => {
  it('default to 10000 queued stanzas and a back-off from 5 s up to 300 s', () => {
    const { s2s } = load('');
    expect(s2s.maxQueuedStanzas).toBe(10000);
    expect(s2s.retry).toEqual({ initialBackoffSeconds: 5, maxBackoffSeconds: 300, ...HELD });
    expect(s2s.dialback).toEqual({ maxPendingPerStream: 10, requestsPerMinute: 60 });
  });

  it('reads them, keeping the default for a retry key left out', () => {
    expect(load('s2s:\n  maxQueuedStanzas: 50\n  retry:\n    initialBackoffSeconds: 1\n    maxBackoffSeconds: 60\n').s2s).toMatchObject({
      maxQueuedStanzas: 50,
      retry: { initialBackoffSeconds: 1, maxBackoffSeconds: 60 },
    });
    expect(load('s2s:\n  retry: { maxBackoffSeconds: 30 }\n').s2s.retry).toEqual({ initialBackoffSeconds: 5, maxBackoffSeconds: 30, ...HELD });
    expect(load('s2s:\n  retry:\n').s2s.retry).toEqual({ initialBackoffSeconds: 5, maxBackoffSeconds: 300, ...HELD });
    expect(load('s2s:\n  retry: { messageDeadlineSeconds: 0, maxMessagesPerAccount: 5, maxBytesPerAccount: 2048, maxMessagesPerPeer: 7 }\n').s2s.retry).toEqual({
      initialBackoffSeconds: 5, maxBackoffSeconds: 300, messageDeadlineSeconds: 0, maxMessagesPerAccount: 5, maxBytesPerAccount: 2048, maxMessagesPerPeer: 7,
    });
    expect(load('s2s:\n  dialback: { maxPendingPerStream: 3 }\n').s2s.dialback).toEqual({ maxPendingPerStream: 3, requestsPerMinute: 60 });
  });

  it('gives one-line errors naming file:line, the key and what was expected', () => {
    expect(errorOf('s2s:\n  maxQueuedStanzas: 0\n')).toBe('herald.yaml:2: s2s.maxQueuedStanzas: expected an integer ≥ 1, found 0');
    expect(errorOf('s2s:\n  maxQueuedStanzas: "many"\n')).toBe('herald.yaml:2: s2s.maxQueuedStanzas: expected an integer ≥ 1, found "many"');
    expect(errorOf('s2s:\n  retry:\n    initialBackoffSeconds: 0.5\n')).toBe('herald.yaml:3: s2s.retry.initialBackoffSeconds: expected an integer ≥ 1, found 0.5');
    expect(errorOf('s2s:\n  retry:\n    maxBackoffSeconds: 3\n')).toBe('herald.yaml:3: s2s.retry.maxBackoffSeconds: expected an integer ≥ initialBackoffSeconds (5), found 3');
    expect(errorOf('s2s:\n  retry:\n    initialBackoffSeconds: 600\n')).toBe('herald.yaml:3: s2s.retry.initialBackoffSeconds: expected an integer ≤ maxBackoffSeconds (300), found 600');
    expect(errorOf('s2s:\n  retry:\n    maxBackofSeconds: 30\n')).toMatch(/^herald\.yaml:3: s2s\.retry\.maxBackofSeconds: unknown key \(did you mean maxBackoffSeconds\?\)/);
    expect(errorOf('s2s:\n  retry: 30\n')).toBe(
      'herald.yaml:2: s2s.retry: expected a map with keys initialBackoffSeconds, maxBackoffSeconds, messageDeadlineSeconds, maxMessagesPerAccount, maxBytesPerAccount, maxMessagesPerPeer, found 30',
    );
    expect(errorOf('s2s:\n  retry:\n    messageDeadlineSeconds: -1\n')).toBe('herald.yaml:3: s2s.retry.messageDeadlineSeconds: expected an integer ≥ 0, found -1');
    expect(errorOf('s2s:\n  retry:\n    maxBytesPerAccount: 10\n')).toBe('herald.yaml:3: s2s.retry.maxBytesPerAccount: expected an integer ≥ 1024, found 10');
    expect(errorOf('s2s:\n  dialback:\n    maxPendingPerStream: 0\n')).toBe('herald.yaml:3: s2s.dialback.maxPendingPerStream: expected an integer ≥ 1, found 0');
    expect(errorOf('s2s:\n  dialback:\n    requestsPerMinut: 5\n')).toMatch(/^herald\.yaml:3: s2s\.dialback\.requestsPerMinut: unknown key \(did you mean requestsPerMinute\?\)/);
  });
});
