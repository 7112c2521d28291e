// The archive writer: copies decided at once are written at once when nothing waits ahead of
// them, and otherwise queue behind what waits, so storage sees them in the order made.
import { describe, expect, it } from 'vitest';
import { createArchiveWriter } from '../../../src/modules/mam/archive-writer.js';
import { silentLogger, type Logger } from '../../../src/util/logger.js';

describe('archive writer', () => {
  it('writes at once, before returning, when nothing waits', () => {
    const writer = createArchiveWriter(silentLogger());
    const written: string[] = [];
    expect(writer.startNowIfIdle(() => (written.push('a'), undefined))).toBe(true);
    expect(written).toEqual(['a']);
  });

  it('keeps order: a copy decided at once waits behind one still deciding', async () => {
    const writer = createArchiveWriter(silentLogger());
    const written: string[] = [];
    let decide!: () => void;
    const decided = new Promise<void>((resolve) => (decide = resolve));
    writer.enqueue(async () => {
      await decided; // e.g. preferences read from storage
      written.push('first');
      return undefined;
    });
    const second = () => (written.push('second'), undefined);
    expect(writer.startNowIfIdle(second)).toBe(false);
    writer.enqueue(async () => second());
    decide();
    await writer.idle();
    expect(written).toEqual(['first', 'second']);
    // Once the queue has drained, writes go at once again.
    expect(writer.startNowIfIdle(() => (written.push('third'), undefined))).toBe(true);
    expect(written).toEqual(['first', 'second', 'third']);
  });

  it('idle() waits for the commit of a write started at once; failures are logged, not thrown', async () => {
    const warnings: unknown[] = [];
    const writer = createArchiveWriter({ warn: (fields: unknown) => void warnings.push(fields) } as unknown as Logger);
    let commit!: () => void;
    const committed = new Promise<void>((resolve) => (commit = resolve));
    writer.startNowIfIdle(() => ({ commit: committed }));
    let idle = false;
    const waiting = writer.idle().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    commit();
    await waiting;
    expect(idle).toBe(true);
    writer.startNowIfIdle(() => ({ commit: Promise.reject(new Error('disk full')) }));
    expect(
      writer.startNowIfIdle(() => {
        throw new Error('serialise failed');
      }),
    ).toBe(true);
    await writer.idle();
    expect(warnings).toHaveLength(2);
  });
});
