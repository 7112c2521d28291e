#!/usr/bin/env node
// What one archived message costs SQLite, per schema and write strategy, without a server around
// it: each variant gets a fresh file (WAL, synchronous = NORMAL, as herald-archive.sqlite), is
// pre-filled, then archives messages between `accounts` local accounts (two rows per message,
// the sender's and the recipient's) in group commits of `batch` rows, and reports the process
// CPU (user + system, all threads) per message. Variants run interleaved, `rounds` times; the
// figure is the median. Usage:
//   node scripts/bench/mam-write-cost.mjs [--prefill 200000] [--messages 40000] [--batch 600]
//     [--accounts 40] [--rounds 3] [--only name,name]
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? argv[at + 1] : fallback;
};
const PREFILL = Number(opt('prefill', 200_000));
const MESSAGES = Number(opt('messages', 40_000));
const BATCH = Number(opt('batch', 600));
const ACCOUNTS = Number(opt('accounts', 40));
const ROUNDS = Number(opt('rounds', 3));
const ONLY = opt('only', '')?.split(',').filter(Boolean) ?? [];

const jid = (n) => `bench-user-${n}@bench.localhost`;
const randomId = () => randomBytes(9).toString('base64url');
// Time-ordered ids as IdGenerator.sortable() makes them (here: 11 base-36 digits of the microsecond time, then 8 random characters).
const timeId = (at) => at.toString(36).padStart(11, '0') + randomBytes(6).toString('base64url');
const stanzaOf = (from, to, seq, sid) =>
  `<message xmlns='jabber:client' type='chat' to='${to}' id='${seq}' from='${from}/res-${seq % 7}'><body>${seq} ${(seq * 1.37).toFixed(3)}</body><stanza-id xmlns='urn:xmpp:sid:0' by='${to}' id='${sid}'/></message>`;

const CURRENT_SCHEMA = `
  CREATE TABLE archive (account INTEGER NOT NULL, id TEXT NOT NULL, with_bare TEXT NOT NULL, with_full TEXT NOT NULL,
    direction TEXT NOT NULL, message_id TEXT, stanza TEXT NOT NULL, at INTEGER NOT NULL, UNIQUE (account, id)) STRICT;
  CREATE UNIQUE INDEX archive_by_time ON archive (account, at);
  CREATE INDEX archive_by_with ON archive (account, with_bare, at);`;
const CLUSTERED_SCHEMA = `
  CREATE TABLE archive (account INTEGER NOT NULL, at INTEGER NOT NULL, id TEXT NOT NULL, with_bare TEXT NOT NULL,
    with_full TEXT NOT NULL, direction TEXT NOT NULL, message_id TEXT, stanza TEXT NOT NULL,
    PRIMARY KEY (account, at)) STRICT, WITHOUT ROWID;
  CREATE UNIQUE INDEX archive_by_id ON archive (account, id);
  CREATE INDEX archive_by_with ON archive (account, with_bare, at);`;
const COLS = '(account, id, with_bare, with_full, direction, message_id, stanza, at)';
const SUBSELECT_AT = 'max(?, coalesce((SELECT max(at) FROM archive WHERE account = ?) + 1, 0))';

/** Row-at-a-time insert with the `at` sub-select, as archive.ts does today. */
const perRow = (db) => {
  const insert = db.prepare(`INSERT INTO archive ${COLS} VALUES (?, ?, ?, ?, ?, ?, ?, ${SUBSELECT_AT}) ON CONFLICT (account, id) DO NOTHING`);
  return db.transaction((rows) => {
    for (const r of rows) insert.run(r.account, r.id, r.withBare, r.withFull, r.direction, r.messageId, r.stanza, r.at, r.account);
  });
};

/** `at` from one max() per account per batch (inside the write transaction), then multi-row INSERTs. */
const multiRow = (db, perStatement) => {
  const maxAt = db.prepare('SELECT max(at) AS at FROM archive WHERE account = ?');
  const statements = new Map();
  const statementFor = (n) => {
    let s = statements.get(n);
    if (!s) {
      s = db.prepare(`INSERT INTO archive ${COLS} VALUES ${Array(n).fill('(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT (account, id) DO NOTHING`);
      statements.set(n, s);
    }
    return s;
  };
  return db.transaction((rows) => {
    const newest = new Map();
    const params = [];
    for (const r of rows) {
      let last = newest.get(r.account);
      if (last === undefined) last = maxAt.get(r.account).at ?? -1;
      const at = Math.max(r.at, last + 1);
      newest.set(r.account, at);
      params.push(r.account, r.id, r.withBare, r.withFull, r.direction, r.messageId, r.stanza, at);
    }
    for (let i = 0; i < rows.length; i += perStatement) {
      const n = Math.min(perStatement, rows.length - i);
      statementFor(n).run(params.slice(i * 8, (i + n) * 8));
    }
  });
};

/** Row-at-a-time insert, `at` from one max() per account per batch instead of a sub-select per row. */
const perRowKnownAt = (db) => {
  const maxAt = db.prepare('SELECT max(at) AS at FROM archive WHERE account = ?');
  const insert = db.prepare(`INSERT INTO archive ${COLS} VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, id) DO NOTHING`);
  return db.transaction((rows) => {
    const newest = new Map();
    for (const r of rows) {
      const last = newest.get(r.account) ?? maxAt.get(r.account).at ?? -1;
      const at = Math.max(r.at, last + 1);
      newest.set(r.account, at);
      insert.run(r.account, r.id, r.withBare, r.withFull, r.direction, r.messageId, r.stanza, at);
    }
  });
};

/** The stanza once per message (both local copies point at it), then the two small rows. */
const PAYLOAD_SCHEMA = `
  CREATE TABLE archive_payload (id INTEGER PRIMARY KEY, stanza TEXT NOT NULL) STRICT;
  CREATE TABLE archive (account INTEGER NOT NULL, id TEXT NOT NULL, with_bare TEXT NOT NULL, with_full TEXT NOT NULL,
    direction TEXT NOT NULL, message_id TEXT, payload INTEGER NOT NULL, at INTEGER NOT NULL, UNIQUE (account, id)) STRICT;
  CREATE UNIQUE INDEX archive_by_time ON archive (account, at);
  CREATE INDEX archive_by_with ON archive (account, with_bare, at);`;
const payloadOnce = (db) => {
  const payload = db.prepare('INSERT INTO archive_payload (stanza) VALUES (?)');
  const insert = db.prepare(`INSERT INTO archive (account, id, with_bare, with_full, direction, message_id, payload, at) VALUES (?, ?, ?, ?, ?, ?, ?, ${SUBSELECT_AT}) ON CONFLICT (account, id) DO NOTHING`);
  return db.transaction((rows) => {
    let last;
    let ref = 0;
    for (const r of rows) {
      if (r.stanza !== last) ((ref = Number(payload.run(r.stanza).lastInsertRowid)), (last = r.stanza));
      insert.run(r.account, r.id, r.withBare, r.withFull, r.direction, r.messageId, ref, r.at, r.account);
    }
  });
};
/** Clustered on (account, id), as the archive order would be if ids alone ordered it: one index besides. */
const CLUSTERED_ID_SCHEMA = `
  CREATE TABLE archive (account INTEGER NOT NULL, id TEXT NOT NULL, with_bare TEXT NOT NULL, with_full TEXT NOT NULL,
    direction TEXT NOT NULL, message_id TEXT, stanza TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (account, id)) STRICT, WITHOUT ROWID;
  CREATE INDEX archive_by_with ON archive (account, with_bare, id);`;

const VARIANTS = {
  'timeids-b100': { schema: CURRENT_SCHEMA, writer: perRow, timeIds: true, batch: 100 },
  'timeids-b2000': { schema: CURRENT_SCHEMA, writer: perRow, timeIds: true, batch: 2000 },
  'timeids-page1k': { schema: CURRENT_SCHEMA, writer: perRow, timeIds: true, prePragmas: ['page_size = 1024'] },
  'timeids-page2k': { schema: CURRENT_SCHEMA, writer: perRow, timeIds: true, prePragmas: ['page_size = 2048'] },
  'timeids-page8k': { schema: CURRENT_SCHEMA, writer: perRow, timeIds: true, prePragmas: ['page_size = 8192'] },
  'timeids-ckpt10k': { schema: CURRENT_SCHEMA, writer: perRow, timeIds: true, pragmas: ['wal_autocheckpoint = 10000'] },
  'timeids-payload-once': { schema: PAYLOAD_SCHEMA, writer: payloadOnce, timeIds: true },
  // No (account, at) index to find the newest `at` on, so `at` is the message's own time here.
  'timeids-clustered-id': {
    schema: CLUSTERED_ID_SCHEMA,
    timeIds: true,
    writer: (db) => {
      const insert = db.prepare(`INSERT INTO archive ${COLS} VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, id) DO NOTHING`);
      return db.transaction((rows) => {
        for (const r of rows) insert.run(r.account, r.id, r.withBare, r.withFull, r.direction, r.messageId, r.stanza, r.at);
      });
    },
  },
  'timeids-page8k-b2000': { schema: CURRENT_SCHEMA, writer: perRow, timeIds: true, batch: 2000, prePragmas: ['page_size = 8192'] },
  current: { schema: CURRENT_SCHEMA, writer: perRow },
  'current-timeids': { schema: CURRENT_SCHEMA, writer: perRow, timeIds: true },
  'current-cache64m': { schema: CURRENT_SCHEMA, writer: perRow, pragmas: ['cache_size = -65536'] },
  'current-mmap': { schema: CURRENT_SCHEMA, writer: perRow, pragmas: ['mmap_size = 1073741824'] },
  'current-cache64m-timeids': { schema: CURRENT_SCHEMA, writer: perRow, pragmas: ['cache_size = -65536'], timeIds: true },
  'clustered-cache64m-timeids': { schema: CLUSTERED_SCHEMA, writer: perRow, pragmas: ['cache_size = -65536'], timeIds: true },
  clustered: { schema: CLUSTERED_SCHEMA, writer: perRow },
  'clustered-timeids': { schema: CLUSTERED_SCHEMA, writer: perRow, timeIds: true },
  'clustered-multirow': { schema: CLUSTERED_SCHEMA, writer: (db) => multiRow(db, 50) },
  'clustered-timeids-multirow': { schema: CLUSTERED_SCHEMA, writer: (db) => multiRow(db, 50), timeIds: true },
  'current-timeids-known-at': { schema: CURRENT_SCHEMA, writer: perRowKnownAt, timeIds: true },
  'current-timeids-no-with-index': { schema: CURRENT_SCHEMA.replace(/CREATE INDEX archive_by_with[^;]*;/, ''), writer: perRow, timeIds: true },
  'clustered-no-with-index': { schema: CLUSTERED_SCHEMA.replace(/CREATE INDEX archive_by_with[^;]*;/, ''), writer: perRow },
  'floor-rowid-no-index': {
    schema: 'CREATE TABLE archive (account INTEGER NOT NULL, id TEXT NOT NULL, with_bare TEXT NOT NULL, with_full TEXT NOT NULL, direction TEXT NOT NULL, message_id TEXT, stanza TEXT NOT NULL, at INTEGER NOT NULL) STRICT;',
    writer: (db) => {
      const insert = db.prepare(`INSERT INTO archive ${COLS} VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
      return db.transaction((rows) => {
        for (const r of rows) insert.run(r.account, r.id, r.withBare, r.withFull, r.direction, r.messageId, r.stanza, r.at);
      });
    },
  },
};

function* messages(count, startAt, timeIds) {
  for (let seq = 0; seq < count; seq++) {
    const sender = (seq * 2) % ACCOUNTS;
    const receiver = (sender + 1) % ACCOUNTS;
    const at = startAt + seq * 20;
    const inId = timeIds ? timeId(at) : randomId();
    const outId = timeIds ? timeId(at) : randomId();
    const stanza = stanzaOf(jid(sender), jid(receiver), seq, inId);
    yield { account: receiver + 1, id: inId, withBare: jid(sender), withFull: `${jid(sender)}/res-${seq % 7}`, direction: 'in', messageId: String(seq), stanza, at };
    yield { account: sender + 1, id: outId, withBare: jid(receiver), withFull: jid(receiver), direction: 'out', messageId: String(seq), stanza, at };
  }
}

function runVariant(name, variant, dir) {
  const file = path.join(dir, `${name}.sqlite`);
  const db = new Database(file);
  for (const p of variant.prePragmas ?? []) db.pragma(p);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  for (const p of variant.pragmas ?? []) db.pragma(p);
  db.exec(variant.schema);
  const write = variant.writer(db);
  const base = 1_700_000_000_000_000;
  let batch = [];
  for (const row of messages(PREFILL / 2, base, variant.timeIds)) {
    batch.push(row);
    if (batch.length === 10_000) (write(batch), (batch = []));
  }
  if (batch.length) write(batch);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const rows = [...messages(MESSAGES, base + PREFILL * 20, variant.timeIds)];
  const before = process.cpuUsage();
  const wallBefore = performance.now();
  const batchRows = variant.batch ?? BATCH;
  for (let i = 0; i < rows.length; i += batchRows) write.immediate(rows.slice(i, i + batchRows));
  const used = process.cpuUsage(before);
  const wall = performance.now() - wallBefore;
  const check = db.prepare('SELECT count(*) AS n FROM archive').get().n;
  if (check !== PREFILL + MESSAGES * 2) throw new Error(`${name}: ${check} rows, expected ${PREFILL + MESSAGES * 2}`);
  db.close();
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}-wal`, { force: true });
  fs.rmSync(`${file}-shm`, { force: true });
  return { cpuUsPerMsg: (used.user + used.system) / MESSAGES, wallUsPerMsg: (wall * 1000) / MESSAGES };
}

const names = Object.keys(VARIANTS).filter((n) => ONLY.length === 0 || ONLY.includes(n));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-mam-write-'));
const results = Object.fromEntries(names.map((n) => [n, []]));
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      const r = runVariant(name, VARIANTS[name], dir);
      results[name].push(r);
      process.stderr.write(`round ${round + 1} ${name}: ${r.cpuUsPerMsg.toFixed(2)} µs CPU/msg\n`);
    }
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`prefill ${PREFILL} rows, ${MESSAGES} messages (2 rows each) between ${ACCOUNTS} accounts, ${BATCH} rows per commit, ${ROUNDS} rounds\n`);
console.log('| variant | CPU µs per message (median) | rounds | wall µs per message |');
console.log('| --- | --- | --- | --- |');
for (const name of names) {
  const cpu = results[name].map((r) => r.cpuUsPerMsg);
  console.log(`| ${name} | ${median(cpu).toFixed(2)} | ${cpu.map((x) => x.toFixed(2)).join(', ')} | ${median(results[name].map((r) => r.wallUsPerMsg)).toFixed(2)} |`);
}
