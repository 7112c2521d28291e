// Runs a connection's inbound work strictly one item at a time (async handlers must never
// reorder a sender's stanzas) and signals backpressure above a high-water mark.

export interface SerialQueue {
  push(task: () => Promise<void> | void): void;
  readonly size: number;
  /** Resolves when everything queued so far has run. */
  drained(): Promise<void>;
}

export function createSerialQueue(options: {
  highWater: number;
  onPause: () => void;
  onResume: () => void;
  onError: (error: unknown) => void;
}): SerialQueue {
  const tasks: Array<() => Promise<void> | void> = [];
  let running = false;
  let paused = false;
  let waiters: Array<() => void> = [];

  async function run(): Promise<void> {
    running = true;
    while (tasks.length > 0) {
      const task = tasks.shift()!;
      try {
        await task();
      } catch (error) {
        options.onError(error);
      }
      if (paused && tasks.length <= options.highWater / 2) {
        paused = false;
        options.onResume();
      }
    }
    running = false;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  }

  return {
    push(task) {
      tasks.push(task);
      if (!paused && tasks.length > options.highWater) {
        paused = true;
        options.onPause();
      }
      if (!running) void run();
    },
    get size() {
      return tasks.length;
    },
    drained() {
      if (!running && tasks.length === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}
