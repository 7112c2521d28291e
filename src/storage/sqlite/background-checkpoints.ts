// WAL checkpoints on a worker thread. By default SQLite checkpoints inside the commit that pushes
// the WAL past 1,000 pages: that commit then copies every page back into the database file and
// fsyncs it, on the event loop, so every client waits. Measured on the archive at 2,000 rows/s:
// a commit takes ~3 ms, and every ninth one ~28 ms — the server's whole p99 at 1,000 msg/s.
// Here the server's connections stop checkpointing, and a worker with connections of its own runs
// a PASSIVE checkpoint (it never blocks the writer or readers) five times a second. Durability is
// SQLite's own: a commit is in the WAL (synced per the connection's `synchronous`) before it
// returns, and the worker's connection syncs the WAL and the database file around each copy.
//
// The WAL starts over from its beginning only when a write finds every frame copied, and under a
// steady stream of commits the worker's copy never quite catches the writer. So when the WAL
// passes CATCH_UP_PAGES the worker says so, and the server's own connection copies the last few
// frames between two commits: the next write then starts the WAL over (journal_size_limit
// trims the file back). If the worker fails, the connections checkpoint themselves again.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqliteDatabase } from './database.js';

const INTERVAL_MS = 200;
/** ~16 MiB of 4 KiB pages: past this the writer's own connection finishes the copy. */
const CATCH_UP_PAGES = 4096;
/** What a WAL file is cut back to once it starts over. */
const WAL_SIZE_LIMIT_BYTES = 32 * 1024 * 1024;
/** SQLite's default: checkpoint in the commit that takes the WAL past this many pages. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

// Plain CommonJS, evaluated in the worker: the same text runs from src (tests) and dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
// better-sqlite3's errors lose their message between threads: send plain ones naming the file.
const plain = (file, err) => new Error(file + ': ' + (err && err.message) + ' (' + (err && err.code) + ')');
const connections = workerData.files.map((file, index) => {
  try {
    const db = new Database(file, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return { file, index, db };
  } catch (err) {
    throw plain(file, err);
  }
});
const timer = setInterval(() => {
  for (const { file, index, db } of connections) {
    let result;
    try {
      result = db.pragma('wal_checkpoint(PASSIVE)')[0];
    } catch (err) {
      clearInterval(timer);
      throw plain(file, err);
    }
    if (result.log > workerData.catchUpPages) parentPort.postMessage({ behind: index });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  for (const { db } of connections) db.close();
  parentPort.close();
});
`;

export interface BackgroundCheckpoints {
  /** Stops the worker (its connections close first, so the server's close is the last one). */
  stop(): Promise<void>;
}

/**
 * Moves the checkpoints of `databases` (file-backed, in WAL mode) to a worker thread.
 * `onFailure` hears why the worker stopped on its own; checkpoints then return to the commits.
 */
export function checkpointInBackground(
  databases: SqliteDatabase[],
  onFailure: (err: unknown) => void,
  { catchUpPages = CATCH_UP_PAGES, walSizeLimitBytes = WAL_SIZE_LIMIT_BYTES } = {},
): BackgroundCheckpoints {
  const files = databases.filter((db) => !db.memory);
  if (files.length === 0) return { stop: async () => undefined };
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const workerData = { driver, files: files.map((db) => db.name), intervalMs: INTERVAL_MS, catchUpPages };
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
  // A server that is otherwise done does not stay up for its checkpoints.
  worker.unref();
  const setAutocheckpoint = (pages: number): void => {
    for (const db of files) if (db.open) db.pragma(`wal_autocheckpoint = ${pages}`);
  };
  setAutocheckpoint(0);
  for (const db of files) db.pragma(`journal_size_limit = ${walSizeLimitBytes}`);
  // The worker has just finished its copy, so this one copies only what came since.
  worker.on('message', ({ behind }: { behind: number }) => {
    const db = files[behind];
    if (db?.open) db.pragma('wal_checkpoint(PASSIVE)');
  });

  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.once('error', (err) => {
    if (stopping) return;
    setAutocheckpoint(SQLITE_DEFAULT_AUTOCHECKPOINT);
    onFailure(err);
  });
  return {
    async stop() {
      if (stopping) return exited;
      stopping = true;
      worker.postMessage('stop');
      await exited;
      setAutocheckpoint(SQLITE_DEFAULT_AUTOCHECKPOINT);
    },
  };
}
