// WAL checkpoints on a worker thread. By default SQLite checkpoints inside the commit that pushes
// the WAL past 1,000 pages: that commit then copies every page back into the database file and
// fsyncs it, on the event loop, so every client waits. Measured on the archive at 2,000 rows/s:
// a commit takes ~3 ms, and every ninth one ~28 ms — the server's whole p99 at 1,000 msg/s.
// Here the server's connections stop checkpointing, and a worker with connections of its own runs
// a PASSIVE checkpoint (it never blocks the writer or readers) every half second. Durability is
// SQLite's own: a commit is in the WAL (synced per the connection's `synchronous`) before it
// returns, and the worker's connection syncs the WAL and the database file around each copy.
// If the worker fails, the connections checkpoint themselves again, as before.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqliteDatabase } from './database.js';

const INTERVAL_MS = 500;
/** SQLite's default: checkpoint in the commit that takes the WAL past this many pages. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

// Plain CommonJS, evaluated in the worker: the same text runs from src (tests) and dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
// better-sqlite3's errors lose their message between threads: send plain ones naming the file.
const plain = (file, err) => new Error(file + ': ' + (err && err.message) + ' (' + (err && err.code) + ')');
const connections = workerData.files.map((file) => {
  try {
    const db = new Database(file, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return { file, db };
  } catch (err) {
    throw plain(file, err);
  }
});
const timer = setInterval(() => {
  for (const { file, db } of connections) {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      clearInterval(timer);
      throw plain(file, err);
    }
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
export function checkpointInBackground(databases: SqliteDatabase[], onFailure: (err: unknown) => void): BackgroundCheckpoints {
  const files = databases.filter((db) => !db.memory).map((db) => db.name);
  if (files.length === 0) return { stop: async () => undefined };
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, files, intervalMs: INTERVAL_MS } });
  // A server that is otherwise done does not stay up for its checkpoints.
  worker.unref();
  const setAutocheckpoint = (pages: number): void => {
    for (const db of databases) if (db.open && !db.memory) db.pragma(`wal_autocheckpoint = ${pages}`);
  };
  setAutocheckpoint(0);

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
