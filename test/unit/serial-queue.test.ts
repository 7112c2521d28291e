import { describe, expect, it } from 'vitest';
import { SerialQueue, type SerialQueueOwner } from '../../src/util/serial-queue.js';

function owner(): SerialQueueOwner & { events: string[]; errors: unknown[] } {
  const events: string[] = [];
  const errors: unknown[] = [];
  return {
    events,
    errors,
    pauseInput: () => events.push('pause'),
    resumeInput: () => events.push('resume'),
    taskFailed: (error) => errors.push(error),
  };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SerialQueue', () => {
  it('runs synchronous and asynchronous tasks one at a time, in the order pushed', async () => {
    const queue = new SerialQueue(owner(), 100);
    const ran: string[] = [];
    let inside = 0;
    const task = (name: string, async: boolean) => () => {
      expect(inside).toBe(0);
      if (!async) {
        ran.push(name);
        return;
      }
      inside += 1;
      return tick().then(() => {
        inside -= 1;
        ran.push(name);
      });
    };
    queue.push(task('a', true));
    queue.push(task('b', false));
    queue.push(task('c', true));
    queue.push(task('d', false));
    await queue.drained();
    expect(ran).toEqual(['a', 'b', 'c', 'd']);
    expect(queue.size).toBe(0);
  });

  it('asks its owner to pause above the high-water mark and to resume at half of it', async () => {
    const o = owner();
    const queue = new SerialQueue(o, 4);
    let release!: () => void;
    queue.push(() => new Promise<void>((resolve) => (release = resolve)));
    for (let i = 0; i < 5; i++) queue.push(() => tick());
    expect(o.events).toEqual(['pause']);
    release();
    await queue.drained();
    expect(o.events).toEqual(['pause', 'resume']);
  });

  it('reports a failed task to its owner and goes on with the next', async () => {
    const o = owner();
    const queue = new SerialQueue(o, 10);
    const ran: number[] = [];
    queue.push(() => {
      throw new Error('sync');
    });
    queue.push(() => Promise.reject(new Error('async')));
    queue.push(() => void ran.push(3));
    await queue.drained();
    expect(o.errors.map((e) => (e as Error).message)).toEqual(['sync', 'async']);
    expect(ran).toEqual([3]);
  });

  it('drained() waits for tasks pushed while it waits', async () => {
    const queue = new SerialQueue(owner(), 10);
    const ran: number[] = [];
    queue.push(async () => {
      await tick();
      queue.push(() => void ran.push(2));
      ran.push(1);
    });
    await queue.drained();
    expect(ran).toEqual([1, 2]);
  });
});
