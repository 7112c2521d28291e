// The admin console's log tail: a bounded ring of the newest log lines, oldest first.
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { LogRing, teeToRing } from '../../src/util/log-ring.js';

describe('LogRing', () => {
  it('keeps the newest lines up to its capacity, oldest first, without their newlines', () => {
    const ring = new LogRing(3);
    for (const n of [1, 2, 3, 4, 5]) ring.push(`line ${n}\n`);
    expect(ring.recent()).toEqual(['line 3', 'line 4', 'line 5']);
    expect(ring.recent(2)).toEqual(['line 4', 'line 5']);
  });

  it('tees: every line still reaches the real destination', () => {
    const written: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (written.push(chunk.toString()), done()) });
    const ring = new LogRing(10);
    const tee = teeToRing(sink, ring);
    tee.write('{"msg":"a"}\n');
    tee.write('{"msg":"b"}\n');
    expect(written).toEqual(['{"msg":"a"}\n', '{"msg":"b"}\n']);
    expect(ring.recent()).toEqual(['{"msg":"a"}', '{"msg":"b"}']);
  });
});
