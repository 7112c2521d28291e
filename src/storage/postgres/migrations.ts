// PostgreSQL schema migrations, applied in order at start-up. Step i brings the schema to version
// i + 1, recorded as a row in schema_migrations. Never edit a released step: append a new one (a
// new repository is one file beside this one plus one step here). The tables mirror the SQLite
// ones (src/storage/sqlite/migrations.ts), in PostgreSQL's types.
import { LOCK, type Database, type Queryable } from './pool.js';

export const PG_MIGRATIONS: readonly string[] = [
  // 1: accounts, SCRAM credentials, key/value
  `
  CREATE TABLE users (
    domain     TEXT   NOT NULL,
    username   TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (domain, username)
  );
  CREATE TABLE scram_credentials (
    domain     TEXT    NOT NULL,
    username   TEXT    NOT NULL,
    mechanism  TEXT    NOT NULL,
    salt       BYTEA   NOT NULL,
    iterations INTEGER NOT NULL,
    stored_key BYTEA   NOT NULL,
    server_key BYTEA   NOT NULL,
    PRIMARY KEY (domain, username, mechanism),
    FOREIGN KEY (domain, username) REFERENCES users (domain, username) ON DELETE CASCADE
  );
  CREATE TABLE kv (
    scope TEXT NOT NULL,
    key   TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (scope, key)
  );
  `,
  // 2: rosters (RFC 6121) with their change log and pending inbound requests; see sqlite/roster.ts.
  // seq keeps a pending request's arrival order across replacements.
  `
  CREATE TABLE roster_versions (
    account TEXT   NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL CHECK (version >= 0)
  );
  CREATE TABLE roster_items (
    account      TEXT    NOT NULL,
    contact      TEXT    NOT NULL,
    name         TEXT,
    subscription TEXT    NOT NULL CHECK (subscription IN ('none', 'to', 'from', 'both')),
    ask          BOOLEAN NOT NULL,
    approved     BOOLEAN NOT NULL,
    groups       JSONB   NOT NULL CHECK (jsonb_typeof(groups) = 'array'),
    PRIMARY KEY (account, contact)
  );
  CREATE TABLE roster_changes (
    account TEXT   NOT NULL,
    contact TEXT   NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (account, contact)
  );
  CREATE UNIQUE INDEX roster_changes_by_version ON roster_changes (account, version);
  CREATE TABLE pending_in (
    seq     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account TEXT   NOT NULL,
    contact TEXT   NOT NULL,
    status  TEXT,
    nick    TEXT,
    bytes   BIGINT NOT NULL CHECK (bytes >= 0),
    UNIQUE (account, contact)
  );
  `,
  // 3: offline messages (XEP-0160), in seq order per account.
  `
  CREATE TABLE offline_messages (
    seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account   TEXT   NOT NULL,
    stanza_id TEXT   NOT NULL,
    stanza    TEXT   NOT NULL,
    stored_at BIGINT NOT NULL,
    UNIQUE (account, stanza_id)
  );
  CREATE INDEX offline_messages_by_account ON offline_messages (account, seq);
  `,
  // 4: messages held for unreachable remote domains (s2s store-and-forward).
  `
  CREATE TABLE s2s_held (
    seq     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    local   TEXT   NOT NULL,
    remote  TEXT   NOT NULL,
    sender  TEXT   NOT NULL,
    stanza  TEXT   NOT NULL,
    bytes   BIGINT NOT NULL CHECK (bytes >= 0),
    held_at BIGINT NOT NULL
  );
  CREATE INDEX s2s_held_by_pair ON s2s_held (local, remote, seq);
  CREATE INDEX s2s_held_by_sender ON s2s_held (sender, bytes);
  `,
  // 5: publish-subscribe nodes (XEP-0060 / PEP), as SQLite step 6.
  `
  CREATE TABLE pubsub_nodes (
    owner    TEXT   NOT NULL,
    node     TEXT   NOT NULL,
    config   TEXT   NOT NULL,
    last_seq BIGINT NOT NULL DEFAULT 0,
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
  // 6: XEP-0484 FAST token slots.
  `
  CREATE TABLE fast_tokens (
    account    TEXT   NOT NULL,
    client     TEXT   NOT NULL,
    slot       TEXT   NOT NULL CHECK (slot IN ('current', 'new')),
    mechanism  TEXT   NOT NULL,
    seed       BYTEA  NOT NULL,
    issued_at  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (account, client, slot)
  );
  `,
  // 7: message archives (XEP-0313); at is in microseconds, strictly increasing per account.
  `
  CREATE TABLE archive (
    account    TEXT   NOT NULL,
    id         TEXT   NOT NULL,
    with_bare  TEXT   NOT NULL,
    with_full  TEXT   NOT NULL,
    direction  TEXT   NOT NULL CHECK (direction IN ('in', 'out')),
    message_id TEXT,
    stanza     TEXT   NOT NULL,
    at         BIGINT NOT NULL,
    UNIQUE (account, id)
  );
  CREATE UNIQUE INDEX archive_by_time ON archive (account, at);
  CREATE INDEX archive_by_with ON archive (account, with_bare, at);
  `,
  // 8: XEP-0049 private XML storage.
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
  // 9: vCard-temp (XEP-0054).
  `
  CREATE TABLE vcards (
    account TEXT NOT NULL PRIMARY KEY,
    vcard   TEXT NOT NULL
  );
  `,
  // 10: invitations (XEP-0401/0445/0379), as SQLite step 11. Only the token's SHA-256 is kept.
  `
  CREATE TABLE invites (
    id                 TEXT    NOT NULL PRIMARY KEY,
    token_hash         TEXT    NOT NULL UNIQUE,
    domain             TEXT    NOT NULL,
    username           TEXT,
    contact            TEXT,
    admin              BOOLEAN NOT NULL,
    allow_registration BOOLEAN NOT NULL,
    created_at         BIGINT  NOT NULL,
    expires_at         BIGINT  NOT NULL,
    used_at            BIGINT,
    used_by            TEXT
  );
  CREATE INDEX invites_by_domain ON invites (domain, username);
  CREATE INDEX invites_by_contact ON invites (contact);
  `,
  // 11: XEP-0357 push registrations, as SQLite step 12 (pushed_count hands the claimed count
  // back through RETURNING; see postgres/push.ts).
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
  // 12: XEP-0363 upload slots, as SQLite step 13. Times in ms.
  `
  CREATE TABLE uploads (
    id           TEXT   NOT NULL PRIMARY KEY,
    owner        TEXT   NOT NULL,
    filename     TEXT   NOT NULL,
    size         BIGINT NOT NULL,
    content_type TEXT   NOT NULL,
    put_token    TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    put_deadline BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    uploaded_at  BIGINT
  );
  CREATE INDEX uploads_by_owner ON uploads (owner, expires_at);
  CREATE INDEX uploads_by_expiry ON uploads (expires_at);
  `,
  // 13: XEP-0191 blocklists and XEP-0377 abuse reports, as SQLite step 14 (stanza_ids: a JSON array).
  `
  CREATE TABLE blocklist (
    account TEXT NOT NULL,
    jid     TEXT NOT NULL,
    PRIMARY KEY (account, jid)
  );
  CREATE TABLE abuse_reports (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reporter        TEXT   NOT NULL,
    reporter_domain TEXT   NOT NULL,
    reported        TEXT   NOT NULL,
    reason          TEXT   NOT NULL,
    text            TEXT,
    stanza_ids      TEXT   NOT NULL,
    reported_at     BIGINT NOT NULL
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
    room   TEXT      NOT NULL,
    domain TEXT      NOT NULL,
    jid    TEXT      NOT NULL,
    nick   TEXT      NOT NULL,
    node   TEXT      NOT NULL,
    state  TEXT      NOT NULL,
    seq    BIGSERIAL NOT NULL,
    PRIMARY KEY (room, jid)
  );
  CREATE INDEX muc_occupants_by_nick ON muc_occupants (room, nick);
  CREATE INDEX muc_occupants_by_node ON muc_occupants (domain, node);
  UPDATE muc_rooms SET state = (state::jsonb - 'occupants')::text;
  `,
  // 16: an archive batch in one round trip (postgres/archive.ts). A plain statement's snapshot
  // predates the locks it takes, missing what another node commits meanwhile; in a VOLATILE plpgsql
  // function each statement takes its own, so the INSERT's follows the locks. `locked`: the
  // batch's accounts, distinct, in the order every node sorts them (no deadlock). Row k of an
  // account gets at_k = max(ts_k, at_{k-1} + 1), at_0 = the newest stored `at` (or -1), which
  // unrolls to k + max(at_0, max over j <= k of (ts_j - j)): a running max. Returns the rows stored.
  `
  CREATE FUNCTION herald_archive_append(
    lock_space INTEGER, locked TEXT[], accounts TEXT[], ids TEXT[], with_bares TEXT[], with_fulls TEXT[],
    directions TEXT[], message_ids TEXT[], stanzas TEXT[], stamps BIGINT[]
  ) RETURNS TABLE (stored_account TEXT, stored_id TEXT) LANGUAGE plpgsql VOLATILE AS $$
  BEGIN
    PERFORM pg_advisory_xact_lock(lock_space, hashtext(l.a)) FROM unnest(locked) WITH ORDINALITY AS l(a, n) ORDER BY l.n;
    RETURN QUERY
    WITH batch AS (
      SELECT b.*, row_number() OVER (PARTITION BY b.account ORDER BY b.n) AS k
      FROM unnest(accounts, ids, with_bares, with_fulls, directions, message_ids, stanzas, stamps) WITH ORDINALITY
        AS b(account, id, with_bare, with_full, direction, message_id, stanza, ts, n)
    ), placed AS (
      SELECT batch.*, batch.k + greatest(
          coalesce((SELECT max(a.at) FROM archive a WHERE a.account = batch.account), -1),
          max(batch.ts - batch.k) OVER (PARTITION BY batch.account ORDER BY batch.n ROWS UNBOUNDED PRECEDING)) AS at
      FROM batch
    )
    INSERT INTO archive AS t (account, id, with_bare, with_full, direction, message_id, stanza, at)
    SELECT p.account, p.id, p.with_bare, p.with_full, p.direction, p.message_id, p.stanza, p.at FROM placed p ORDER BY p.n
    ON CONFLICT (account, id) DO NOTHING
    RETURNING t.account, t.id;
  END
  $$;
  `,
];

async function appliedVersion(tx: Queryable): Promise<number> {
  const { rows } = await tx.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  return rows[0]?.version ?? 0;
}

/**
 * Applies the missing steps in one transaction under an advisory lock, so two nodes starting at
 * once never both apply a step: the second waits, then finds nothing left to do. Returns how many
 * steps were applied.
 */
export async function migratePostgres(db: Database, steps: readonly string[] = PG_MIGRATIONS): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK.migrations]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER     NOT NULL PRIMARY KEY,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const version = await appliedVersion(tx);
    if (version > steps.length) {
      throw new Error(
        `the database has schema version ${version}, but this Herald only knows versions up to ${steps.length}: ` +
          'it was written by a newer Herald. Run that version or restore a backup; refusing to use it',
      );
    }
    for (let next = version; next < steps.length; next++) {
      await tx.query(steps[next]!);
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [next + 1]);
    }
    return steps.length - version;
  });
}
