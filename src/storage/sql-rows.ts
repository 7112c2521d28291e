// Row shapes and row → record mappers the SQL backends (sqlite/ and postgres/) share: their
// tables have the same columns, so a row reads the same whichever database returned it.
import type { ArchivedMessage } from './archive-types.js';
import type { AbuseReport } from './blocking-types.js';
import type { Invite } from './invite-types.js';
import type { FastToken, HeldStanza, PubsubItem, PushRegistration, ScramCredential, ScramMechanism, UploadSlot } from './types.js';

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

export interface InviteRow {
  id: string;
  token_hash: string;
  domain: string;
  username: string | null;
  contact: string | null;
  /** SQLite keeps 0/1, PostgreSQL a boolean. */
  admin: number | boolean;
  allow_registration: number | boolean;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  used_by: string | null;
}

export const INVITE_COLUMNS = 'id, token_hash, domain, username, contact, admin, allow_registration, created_at, expires_at, used_at, used_by';

export function inviteFromRow(r: InviteRow): Invite {
  const invite: Invite = {
    id: r.id,
    tokenHash: r.token_hash,
    domain: r.domain,
    admin: r.admin === 1 || r.admin === true,
    allowRegistration: r.allow_registration === 1 || r.allow_registration === true,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
  if (r.username !== null) invite.username = r.username;
  if (r.contact !== null) invite.contact = r.contact;
  if (r.used_at !== null) invite.usedAt = r.used_at;
  if (r.used_by !== null) invite.usedBy = r.used_by;
  return invite;
}

export interface PushRegistrationRow {
  service: string;
  node: string;
  publish_options: string | null;
}

export const pushRegistrationFromRow = (row: PushRegistrationRow): PushRegistration => ({
  service: row.service,
  node: row.node,
  publishOptions: row.publish_options ?? undefined,
});

export interface UploadRow {
  id: string;
  owner: string;
  filename: string;
  size: number;
  content_type: string;
  put_token: string;
  created_at: number;
  put_deadline: number;
  expires_at: number;
  uploaded_at: number | null;
}

export const UPLOAD_COLUMNS = 'id, owner, filename, size, content_type, put_token, created_at, put_deadline, expires_at, uploaded_at';

export function uploadFromRow(row: UploadRow): UploadSlot {
  const slot: UploadSlot = {
    id: row.id,
    owner: row.owner,
    filename: row.filename,
    size: row.size,
    contentType: row.content_type,
    putToken: row.put_token,
    createdAt: row.created_at,
    putDeadline: row.put_deadline,
    expiresAt: row.expires_at,
  };
  if (row.uploaded_at !== null) slot.uploadedAt = row.uploaded_at;
  return slot;
}

export interface AbuseReportRow {
  id: number;
  reporter: string;
  reported: string;
  reason: string;
  text: string | null;
  /** A JSON array of strings. */
  stanza_ids: string;
  reported_at: number;
}

export const ABUSE_REPORT_COLUMNS = 'id, reporter, reported, reason, text, stanza_ids, reported_at';

export const abuseReportFromRow = (row: AbuseReportRow): AbuseReport => ({
  id: row.id,
  reporter: row.reporter,
  reported: row.reported,
  reason: row.reason,
  ...(row.text !== null && { text: row.text }),
  stanzaIds: JSON.parse(row.stanza_ids) as string[],
  reportedAt: row.reported_at,
});

/** The domain part of a bare JID string (an abuse report is filed under its reporter's). */
export const domainOfBare = (bare: string): string => bare.slice(bare.indexOf('@') + 1);
