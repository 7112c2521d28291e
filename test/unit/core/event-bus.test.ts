// The hook chain every stanza passes: handlers run by descending priority, one at a time, and the
// first to answer `true` claims the event. fire() runs synchronous handlers without a microtask
// (most message-path handlers are filters that let the stanza pass); these pin what it keeps.
import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../../src/core/event-bus.js';
import type { StanzaEvent } from '../../../src/core/events.js';

const payload = {} as StanzaEvent;

describe('EventBus.fire', () => {
  it('runs handlers by descending priority, synchronous and async alike, until one claims', async () => {
    const bus = createEventBus();
    const ran: string[] = [];
    bus.on('message/bare', () => void ran.push('low'), -10);
    bus.on('message/bare', async () => void ran.push('async, middle'), 0);
    bus.on('message/bare', () => (ran.push('high'), false), 10);
    bus.on('message/bare', async () => (ran.push('claims'), true), -5);
    bus.on('message/bare', () => void ran.push('after the claim'), -20);
    expect(await bus.fire('message/bare', payload)).toBe(true);
    expect(ran).toEqual(['high', 'async, middle', 'claims']);
  });

  it('a synchronous claim stops the chain and resolves true; nobody claiming resolves false', async () => {
    const bus = createEventBus();
    const ran: string[] = [];
    bus.on('message/full', () => (ran.push('first'), true), 1);
    bus.on('message/full', () => void ran.push('second'), 0);
    expect(await bus.fire('message/full', payload)).toBe(true);
    expect(ran).toEqual(['first']);
    expect(await bus.fire('message/bare', payload)).toBe(false);
    bus.on('message/bare', () => false);
    expect(await bus.fire('message/bare', payload)).toBe(false);
  });

  it('a handler that throws rejects the returned promise instead of throwing at the caller', async () => {
    const bus = createEventBus();
    bus.on('message/bare', () => {
      throw new Error('sync failure');
    });
    let result: Promise<boolean> | undefined;
    expect(() => (result = bus.fire('message/bare', payload))).not.toThrow();
    await expect(result).rejects.toThrow('sync failure');
    const later = createEventBus();
    later.on('message/bare', async () => false);
    later.on('message/bare', () => {
      throw new Error('after an async one');
    }, -1);
    await expect(later.fire('message/bare', payload)).rejects.toThrow('after an async one');
  });

  it('a handler removed while the chain runs still runs this time, not the next', async () => {
    const bus = createEventBus();
    const ran: string[] = [];
    let removeSecond = (): void => undefined;
    bus.on('message/bare', () => (removeSecond(), ran.push('first'), false), 1);
    removeSecond = bus.on('message/bare', () => void ran.push('second'), 0);
    await bus.fire('message/bare', payload);
    await bus.fire('message/bare', payload);
    expect(ran).toEqual(['first', 'second', 'first']);
  });
});

describe('EventBus.fireNow', () => {
  it('answers true/false without a promise while every handler answers at once', () => {
    const bus = createEventBus();
    expect(bus.fireNow('message/bare', payload)).toBe(false);
    const ran: string[] = [];
    bus.on('message/bare', () => void ran.push('passes'), 1);
    expect(bus.fireNow('message/bare', payload)).toBe(false);
    bus.on('message/bare', () => (ran.push('claims'), true), 0);
    bus.on('message/bare', () => void ran.push('after the claim'), -1);
    expect(bus.fireNow('message/bare', payload)).toBe(true);
    expect(ran).toEqual(['passes', 'passes', 'claims']);
  });

  it('goes async from the first handler that returns a promise, and runs the rest after it', async () => {
    const bus = createEventBus();
    const ran: string[] = [];
    let release = (): void => undefined;
    bus.on('message/bare', () => new Promise<void>((resolve) => (release = resolve)).then(() => void ran.push('async')), 1);
    bus.on('message/bare', () => (ran.push('claims'), true), 0);
    const result = bus.fireNow('message/bare', payload);
    expect(result).toBeInstanceOf(Promise);
    expect(ran).toEqual([]);
    release();
    expect(await result).toBe(true);
    expect(ran).toEqual(['async', 'claims']);
  });

  it('a synchronous handler that throws throws at the caller (fire turns it into a rejection)', () => {
    const bus = createEventBus();
    bus.on('message/bare', () => {
      throw new Error('sync failure');
    });
    expect(() => bus.fireNow('message/bare', payload)).toThrow('sync failure');
  });
});
