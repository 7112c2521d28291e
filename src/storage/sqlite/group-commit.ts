// Group commit for the main database. With synchronous = FULL every commit waits for an fsync
// (~6 ms on a plain disk) and better-sqlite3 waits for it on the event loop, so one transaction
// per write caps durable writes at ~160/s and stalls the whole server meanwhile. Writes issued
// in the same turn of the event loop run in the order they were issued inside one IMMEDIATE
// transaction; one commit covers them all and each caller's promise settles only after it, so a
// write is still never reported done before it is on disk. Reads are not deferred: a read sees
// every write whose promise has settled, as with PostgreSQL's asynchronous calls.
import type { Database } from 'better-sqlite3';

type Job = { work: () => unknown; resolve: (value: unknown) => void; reject: (err: unknown) => void };

export interface GroupCommit {
  /** Wraps `repository` so that the methods named in `writes` join the next group commit. */
  batchWrites<R extends object>(repository: R, writes: ReadonlyArray<keyof R>): R;
  /** Commits what is queued now (before closing the database). */
  flush(): void;
}

export function groupCommit(db: Database): GroupCommit {
  let queue: Job[] = [];
  let scheduled = false;
  // Each job calls its repository method inside this transaction; a method that fails settles
  // with its error (its own transaction, if any, rolled back) and the rest still commit.
  const runAll = db.transaction((jobs: Job[]) => jobs.map((job) => job.work()));

  const flush = (): void => {
    scheduled = false;
    const jobs = queue;
    queue = [];
    if (jobs.length === 0) return;
    let results: unknown[];
    try {
      results = runAll.immediate(jobs);
    } catch (err) {
      // The commit itself failed (disk full, I/O error): nothing of the batch is durable.
      for (const job of jobs) job.reject(err);
      return;
    }
    jobs.forEach((job, i) => job.resolve(results[i]));
  };

  const enqueue = (work: () => unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      queue.push({ work, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });

  return {
    flush,
    batchWrites<R extends object>(repository: R, writes: ReadonlyArray<keyof R>): R {
      const wrapped = Object.create(repository) as Record<PropertyKey, unknown>;
      for (const name of writes) {
        const method = repository[name];
        if (typeof method !== 'function') throw new Error(`group commit: ${String(name)} is not a method`);
        // The SQLite repositories run their statements synchronously when called and return a
        // settled promise; the job hands that promise on, so its value or error reaches the
        // caller once the batch is committed.
        wrapped[name as PropertyKey] = (...args: unknown[]) =>
          enqueue(() => {
            try {
              return (method as (...a: unknown[]) => unknown).apply(repository, args);
            } catch (err) {
              return Promise.reject(err);
            }
          });
      }
      return wrapped as R;
    },
  };
}
