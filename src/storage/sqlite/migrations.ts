// Schema migrations, applied in order. Step i brings the schema to version i + 1
// (kept in PRAGMA user_version). Never edit a released step: append a new one. A step is SQL,
// or a function for a step that must read rows to rewrite them (it runs in the same transaction).
import type { SqliteDatabase } from './database.js';
import { migratePendingRequests } from './migrate-pending-requests.js';

export type MigrationStep = string | ((db: SqliteDatabase) => void);
//
// STRICT makes SQLite reject values of the wrong type instead of silently storing them.
// WITHOUT ROWID: these tables are looked up by their composite primary key only, so the
// key itself is the storage order and no second index is needed.
export const MIGRATIONS: readonly MigrationStep[] = [
  // 1: accounts, SCRAM credentials, key/value
  `
  CREATE TABLE users (
    domain     TEXT    NOT NULL,
    username   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (domain, username)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE scram_credentials (
    domain     TEXT    NOT NULL,
    username   TEXT    NOT NULL,
    mechanism  TEXT    NOT NULL,
    salt       BLOB    NOT NULL,
    iterations INTEGER NOT NULL,
    stored_key BLOB    NOT NULL,
    server_key BLOB    NOT NULL,
    PRIMARY KEY (domain, username, mechanism),
    FOREIGN KEY (domain, username) REFERENCES users (domain, username) ON DELETE CASCADE
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE kv (
    scope TEXT NOT NULL,
    key   TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (scope, key)
  ) STRICT, WITHOUT ROWID;
  `,

  // 2: rosters (RFC 6121). Keyed by the account's bare JID string; no foreign key to users,
  // whose key is (domain, username), so deleteAccount removes these rows explicitly.
  //
  // groups is a JSON array of strings: always read and written with its item, its order and
  // any duplicates survive as given, and nothing queries by group, so a separate table would
  // only add a statement per group and a join per read.
  //
  // roster_changes holds, per contact ever in the roster, the version at which it last changed;
  // a row without a matching roster_items row is a tombstone. It grows with the number of
  // distinct contacts, not with the number of changes, so it is kept without pruning.
  //
  // pending_in keeps arrival order in seq (an explicit INTEGER PRIMARY KEY: VACUUM may renumber
  // an implicit rowid).
  `
  CREATE TABLE roster_versions (
    account TEXT    NOT NULL PRIMARY KEY,
    version INTEGER NOT NULL CHECK (version >= 0)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE roster_items (
    account      TEXT    NOT NULL,
    contact      TEXT    NOT NULL,
    name         TEXT,
    subscription TEXT    NOT NULL CHECK (subscription IN ('none', 'to', 'from', 'both')),
    ask          INTEGER NOT NULL CHECK (ask IN (0, 1)),
    approved     INTEGER NOT NULL CHECK (approved IN (0, 1)),
    groups       TEXT    NOT NULL CHECK (json_type(groups) = 'array'),
    PRIMARY KEY (account, contact)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE roster_changes (
    account TEXT    NOT NULL,
    contact TEXT    NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (account, contact)
  ) STRICT, WITHOUT ROWID;
  -- changesSince reads one account's changes after a version, oldest first.
  CREATE UNIQUE INDEX roster_changes_by_version ON roster_changes (account, version);

  CREATE TABLE pending_in (
    seq     INTEGER PRIMARY KEY,
    account TEXT    NOT NULL,
    contact TEXT    NOT NULL,
    stanza  TEXT    NOT NULL,
    UNIQUE (account, contact)
  ) STRICT;
  `,

  // 3: offline messages (XEP-0160), keyed by the account's bare JID string like the roster.
  // seq gives the queue order; AUTOINCREMENT so a number is never handed out twice, even after
  // the newest message was deleted. UNIQUE (account, stanza_id) makes storing the same message
  // again (a re-offered unacknowledged one) a no-op the caller can detect.
  `
  CREATE TABLE offline_messages (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    account   TEXT    NOT NULL,
    stanza_id TEXT    NOT NULL,
    stanza    TEXT    NOT NULL,
    stored_at INTEGER NOT NULL,
    UNIQUE (account, stanza_id)
  ) STRICT;
  -- list and count read one account's queue in order.
  CREATE INDEX offline_messages_by_account ON offline_messages (account, seq);
  `,

  // 4: pending_in keeps what a subscription request needs (contact, trimmed status, nick) and
  // its byte cost, instead of the whole stanza; see migrate-pending-requests.ts.
  migratePendingRequests,

  // 5: messages held for unreachable remote domains (s2s store-and-forward), one queue per
  // (local, remote) pair in seq order. bytes is the stanza's UTF-8 length, written with it, so
  // the per-account byte bound is a sum over an index, never a re-read of the stanzas.
  `
  CREATE TABLE s2s_held (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    local   TEXT    NOT NULL,
    remote  TEXT    NOT NULL,
    sender  TEXT    NOT NULL,
    stanza  TEXT    NOT NULL,
    bytes   INTEGER NOT NULL CHECK (bytes >= 0),
    held_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX s2s_held_by_pair ON s2s_held (local, remote, seq);
  CREATE INDEX s2s_held_by_sender ON s2s_held (sender, bytes);
  `,

  // 6: publish-subscribe nodes (XEP-0060, served per account as PEP, XEP-0163), keyed by the
  // owner's bare JID and the node name. Plain SQL that PostgreSQL runs unchanged (no STRICT,
  // no WITHOUT ROWID, BIGINT for epoch milliseconds).
  //
  // config is the node configuration as JSON: always read and written whole with its node.
  // last_seq numbers publications per node, so item order never depends on clocks or on a
  // backend-specific auto-increment; a republished id takes a new seq (it becomes the newest).
  // Items, affiliations and subscriptions go with their node (ON DELETE CASCADE). bytes is the
  // payload's UTF-8 size, kept because length() counts characters in SQLite and bytes elsewhere.
  `
  CREATE TABLE pubsub_nodes (
    owner      TEXT    NOT NULL,
    node       TEXT    NOT NULL,
    config     TEXT    NOT NULL,
    last_seq   BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (owner, node)
  );

  CREATE TABLE pubsub_items (
    owner        TEXT   NOT NULL,
    node         TEXT   NOT NULL,
    item_id      TEXT   NOT NULL,
    seq          BIGINT NOT NULL,
    payload      TEXT   NOT NULL,
    bytes        BIGINT NOT NULL,
    publisher    TEXT   NOT NULL,
    published_at BIGINT NOT NULL,
    PRIMARY KEY (owner, node, item_id),
    FOREIGN KEY (owner, node) REFERENCES pubsub_nodes (owner, node) ON DELETE CASCADE
  );
  -- Newest-first listing, keyset pages (seq < ?), trimming, the newest item per node, and the
  -- owner's byte sum (a prefix scan on owner).
  CREATE UNIQUE INDEX pubsub_items_by_seq ON pubsub_items (owner, node, seq);

  CREATE TABLE pubsub_affiliations (
    owner       TEXT NOT NULL,
    node        TEXT NOT NULL,
    jid         TEXT NOT NULL,
    affiliation TEXT NOT NULL CHECK (affiliation IN ('owner', 'publisher', 'member', 'outcast')),
    PRIMARY KEY (owner, node, jid),
    FOREIGN KEY (owner, node) REFERENCES pubsub_nodes (owner, node) ON DELETE CASCADE
  );

  CREATE TABLE pubsub_subscriptions (
    owner TEXT NOT NULL,
    node  TEXT NOT NULL,
    jid   TEXT NOT NULL,
    PRIMARY KEY (owner, node, jid),
    FOREIGN KEY (owner, node) REFERENCES pubsub_nodes (owner, node) ON DELETE CASCADE
  );
  `,

  // 7: XEP-0484 FAST token slots, two per client (user agent) of an account. No token is kept,
  // only the seed it is derived from together with the account's credentials.
  `
  CREATE TABLE fast_tokens (
    account    TEXT    NOT NULL,
    client     TEXT    NOT NULL,
    slot       TEXT    NOT NULL CHECK (slot IN ('current', 'new')),
    mechanism  TEXT    NOT NULL,
    seed       BLOB    NOT NULL,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (account, client, slot)
  ) STRICT;
  `,

  // 8: message archives (XEP-0313); see archive.ts. `at` is the timestamp in microseconds,
  // strictly increasing within an account, so it is also the archive order; id is the XEP-0359
  // stanza-id, unique per account. Pages are read by (account, at) or, filtered by contact,
  // (account, with_bare, at).
  `
  CREATE TABLE archive (
    account    TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    with_bare  TEXT    NOT NULL,
    with_full  TEXT    NOT NULL,
    direction  TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    message_id TEXT,
    stanza     TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    UNIQUE (account, id)
  ) STRICT;
  CREATE UNIQUE INDEX archive_by_time ON archive (account, at);
  CREATE INDEX archive_by_with ON archive (account, with_bare, at);
  `,

  // 9: XEP-0049 private XML storage, one row per (account, namespace, element name). bytes is
  // the XML's UTF-8 size, summed for the per-account limit (length() counts characters in SQLite).
  `
  CREATE TABLE private_xml (
    account   TEXT   NOT NULL,
    namespace TEXT   NOT NULL,
    name      TEXT   NOT NULL,
    xml       TEXT   NOT NULL,
    bytes     BIGINT NOT NULL,
    PRIMARY KEY (account, namespace, name)
  );
  `,

  // 10: vCard-temp (XEP-0054), one row per account.
  `
  CREATE TABLE vcards (
    account TEXT NOT NULL PRIMARY KEY,
    vcard   TEXT NOT NULL
  );
  `,

  // 11: invitations (XEP-0401/0445/0379). Only the token's SHA-256 is kept; id is the public
  // handle admins list and revoke by.
  `
  CREATE TABLE invites (
    id                 TEXT    NOT NULL PRIMARY KEY,
    token_hash         TEXT    NOT NULL UNIQUE,
    domain             TEXT    NOT NULL,
    username           TEXT,
    contact            TEXT,
    admin              INTEGER NOT NULL,
    allow_registration INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL,
    used_at            INTEGER,
    used_by            TEXT
  ) STRICT;
  CREATE INDEX invites_by_domain ON invites (domain, username);
  CREATE INDEX invites_by_contact ON invites (contact);
  `,

  // 12: XEP-0357 push registrations, one row per (account, app server, node). last_push_at and
  // pending rate-limit notifications (see PushRepository.due); pushed_count is only the
  // scratch column that hands the claimed count back through RETURNING.
  `
  CREATE TABLE push_registrations (
    account         TEXT   NOT NULL,
    service         TEXT   NOT NULL,
    node            TEXT   NOT NULL,
    publish_options TEXT,
    last_push_at    BIGINT NOT NULL DEFAULT 0,
    pending         BIGINT NOT NULL DEFAULT 0,
    pushed_count    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account, service, node)
  );
  `,

  // 13: XEP-0363 upload slots; the files themselves are under <dataDir>/uploads. Times in ms.
  `
  CREATE TABLE uploads (
    id           TEXT    NOT NULL PRIMARY KEY,
    owner        TEXT    NOT NULL,
    filename     TEXT    NOT NULL,
    size         BIGINT  NOT NULL,
    content_type TEXT    NOT NULL,
    put_token    TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    put_deadline BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    uploaded_at  BIGINT
  );
  CREATE INDEX uploads_by_owner ON uploads (owner, expires_at);
  CREATE INDEX uploads_by_expiry ON uploads (expires_at);
  `,

  // 14: XEP-0191 blocklists (one row per blocked JID) and XEP-0377 reports attached to blocks.
  // stanza_ids is a JSON array of strings; reporter_domain lets `herald reports --domain` use an index.
  `
  CREATE TABLE blocklist (
    account TEXT NOT NULL,
    jid     TEXT NOT NULL,
    PRIMARY KEY (account, jid)
  );
  CREATE TABLE abuse_reports (
    id              INTEGER PRIMARY KEY,
    reporter        TEXT    NOT NULL,
    reporter_domain TEXT    NOT NULL,
    reported        TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    text            TEXT,
    stanza_ids      TEXT    NOT NULL,
    reported_at     BIGINT  NOT NULL
  );
  CREATE INDEX abuse_reports_by_reporter ON abuse_reports (reporter);
  CREATE INDEX abuse_reports_by_domain ON abuse_reports (reporter_domain, id);
  `,
  // XEP-0045 rooms: one row per room, its state (config, affiliations, subject, occupants) as JSON.
  `
  CREATE TABLE muc_rooms (
    jid    TEXT NOT NULL PRIMARY KEY,
    domain TEXT NOT NULL,
    state  TEXT NOT NULL
  );
  CREATE INDEX muc_rooms_by_domain ON muc_rooms (domain, jid);
  `,
  // XEP-0045 occupants in rows of their own, with the node that holds each one's session; the
  // room row keeps a stamp that changes with its occupant list (nodes cache the list under it).
  `
  ALTER TABLE muc_rooms ADD COLUMN occupants_stamp TEXT NOT NULL DEFAULT '';
  CREATE TABLE muc_occupants (
    room   TEXT NOT NULL,
    domain TEXT NOT NULL,
    jid    TEXT NOT NULL,
    nick   TEXT NOT NULL,
    node   TEXT NOT NULL,
    state  TEXT NOT NULL,
    PRIMARY KEY (room, jid)
  );
  CREATE INDEX muc_occupants_by_nick ON muc_occupants (room, nick);
  CREATE INDEX muc_occupants_by_node ON muc_occupants (domain, node);
  UPDATE muc_rooms SET state = json_remove(state, '$.occupants');
  `,
];
