// Times every storage call for observers (the metrics module's latency histogram) without the
// storage backends or the core knowing about metrics. While nobody observes, a call costs one
// check more than calling the repository directly.
import type { Storage } from './types.js';

export interface StorageTimer {
  /** True while someone wants timings. */
  active(): boolean;
  record(repository: string, seconds: number): void;
}

/** The same storage, each repository's asynchronous methods reporting their duration. */
export function timedStorage(storage: Storage, timer: StorageTimer): Storage {
  const timed: Record<string, unknown> = {};
  for (const [name, repository] of Object.entries(storage)) {
    timed[name] = typeof repository === 'object' && repository !== null ? timedRepository(name, repository as object, timer) : repository;
  }
  // close() and any other function on Storage itself keep their `this`.
  timed.close = () => storage.close();
  return timed as unknown as Storage;
}

function timedRepository(name: string, repository: object, timer: StorageTimer): object {
  // Non-function members (if a repository has any) fall through to the original.
  const wrapper = Object.create(repository) as Record<string, unknown>;
  for (const key of methodNames(repository)) {
    const method = (repository as Record<string, unknown>)[key] as (...args: unknown[]) => unknown;
    wrapper[key] = (...args: unknown[]): unknown => {
      if (!timer.active()) return method.apply(repository, args);
      const started = performance.now();
      const result = method.apply(repository, args);
      if (!(result instanceof Promise)) return result;
      // Observed beside the caller's chain, not in it: the caller awaits the original promise.
      const done = (): void => timer.record(name, (performance.now() - started) / 1000);
      result.then(done, done);
      return result;
    };
  }
  return wrapper;
}

function methodNames(repository: object): string[] {
  const names = new Set<string>();
  for (let proto: object | null = repository; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key !== 'constructor' && typeof (repository as Record<string, unknown>)[key] === 'function') names.add(key);
    }
  }
  return [...names];
}
