// Row shapes and row → record mappers the SQL backends (sqlite/ and postgres/) share: their
// tables have the same columns, so a row reads the same whichever database returned it.
import type { ArchivedMessage } from './archive-types.js';
import type { FastToken, HeldStanza, PubsubItem, ScramCredential, ScramMechanism } from './types.js';

export interface CredentialRow {
  mechanism: ScramMechanism;
  salt: Buffer;
  iterations: number;
  stored_key: Buffer;
  server_key: Buffer;
}

export const credentialFromRow = (row: CredentialRow): ScramCredential => ({
  mechanism: row.mechanism,
  salt: row.salt,
  iterations: row.iterations,
  storedKey: row.stored_key,
  serverKey: row.server_key,
});

export interface HeldRow {
  seq: number;
  local: string;
  remote: string;
  sender: string;
  stanza: string;
  held_at: number;
}

export const heldFromRow = (row: HeldRow): HeldStanza => ({ seq: row.seq, local: row.local, remote: row.remote, sender: row.sender, stanza: row.stanza, heldAt: row.held_at });

export interface PubsubItemRow {
  item_id: string;
  payload: string;
  publisher: string;
  published_at: number;
  seq: number;
}

export const PUBSUB_ITEM_COLUMNS = 'item_id, payload, publisher, published_at, seq';

export const pubsubItemFromRow = (row: PubsubItemRow): PubsubItem => ({
  id: row.item_id,
  payload: row.payload,
  publisher: row.publisher,
  publishedAt: row.published_at,
  seq: row.seq,
});

export interface FastTokenRow {
  account: string;
  client: string;
  slot: 'current' | 'new';
  mechanism: string;
  seed: Buffer;
  issued_at: number;
  expires_at: number;
}

export const FAST_TOKEN_COLUMNS = 'account, client, slot, mechanism, seed, issued_at, expires_at';

export const fastTokenFromRow = (r: FastTokenRow): FastToken => ({
  account: r.account,
  client: r.client,
  slot: r.slot,
  mechanism: r.mechanism,
  seed: r.seed,
  issuedAt: r.issued_at,
  expiresAt: r.expires_at,
});

export interface ArchiveRow {
  id: string;
  with_full: string;
  direction: 'in' | 'out';
  message_id: string | null;
  stanza: string;
  /** Microseconds since the epoch, strictly increasing per account: time and archive order. */
  at: number;
}

export const ARCHIVE_COLUMNS = 'id, with_full, direction, message_id, stanza, at';
export const US_PER_MS = 1000;

export const archivedFromRow = (row: ArchiveRow): ArchivedMessage => {
  const message: ArchivedMessage = { id: row.id, with: row.with_full, direction: row.direction, stanza: row.stanza, timestamp: Math.floor(row.at / US_PER_MS) };
  if (row.message_id !== null) message.messageId = row.message_id;
  return message;
};

/** The bare part of a JID string already normalised (archive rows keep both). */
export const bareOf = (jid: string): string => {
  const slash = jid.indexOf('/');
  return slash < 0 ? jid : jid.slice(0, slash);
};
