// Migration step 4: pending subscription requests keep who asked, a trimmed <status/> and the
// XEP-0172 nick instead of the whole stanza (issue 13: a remote server could park 256 KiB per
// invented JID), plus each row's byte cost so the per-account limit is one indexed SUM.
import { pendingRequest, pendingRequestBytes } from '../pending-requests.js';
import { buildElement } from '../../xml/element-builder.js';
import { NS } from '../../xml/ns.js';
import type { SqliteDatabase } from './database.js';

const BATCH = 500;

/** From a stanza this server stored itself; an unreadable one still says who asked. */
function readRequest(contact: string, stanzaXml: string) {
  try {
    const stanza = buildElement(stanzaXml);
    return pendingRequest(contact, stanza.getChild('status')?.getText(), stanza.getChild('nick', NS.nick)?.getText());
  } catch {
    return pendingRequest(contact, undefined, undefined);
  }
}

export function migratePendingRequests(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE pending_requests (
      seq     INTEGER PRIMARY KEY,
      account TEXT    NOT NULL,
      contact TEXT    NOT NULL,
      status  TEXT,
      nick    TEXT,
      bytes   INTEGER NOT NULL CHECK (bytes >= 0),
      UNIQUE (account, contact)
    ) STRICT;
  `);
  const insert = db.prepare<[number, string, string, string | null, string | null, number]>(
    'INSERT INTO pending_requests (seq, account, contact, status, nick, bytes) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const batch = db.prepare<[number], { seq: number; account: string; contact: string; stanza: string }>(
    `SELECT seq, account, contact, stanza FROM pending_in WHERE seq > ? ORDER BY seq LIMIT ${BATCH}`,
  );
  // In batches: an account may hold very many old requests, each up to a stanza's size, and
  // better-sqlite3 cannot write while a read is still iterating on the same connection.
  for (let after = 0, rows = batch.all(after); rows.length > 0; rows = batch.all(after)) {
    for (const row of rows) {
      const request = readRequest(row.contact, row.stanza);
      insert.run(row.seq, row.account, row.contact, request.status ?? null, request.nick ?? null, pendingRequestBytes(request));
      after = row.seq;
    }
  }
  db.exec('DROP TABLE pending_in; ALTER TABLE pending_requests RENAME TO pending_in;');
}
