// Schema migrations, applied in order. Step i brings the schema to version i + 1
// (kept in PRAGMA user_version). Never edit a released step: append a new one.
//
// STRICT makes SQLite reject values of the wrong type instead of silently storing them.
// WITHOUT ROWID: these tables are looked up by their composite primary key only, so the
// key itself is the storage order and no second index is needed.
export const MIGRATIONS: readonly string[] = [
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
];
