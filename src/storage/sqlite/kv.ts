// Key/value pairs in SQLite. Statements are prepared once per connection.
import type { KeyValueRepository } from '../types.js';
import type { SqliteDatabase } from './database.js';

export function createSqliteKeyValueRepository(db: SqliteDatabase): KeyValueRepository {
  const select = db.prepare<[string, string], { value: string }>('SELECT value FROM kv WHERE scope = ? AND key = ?');
  const upsert = db.prepare<[string, string, string]>(
    'INSERT INTO kv (scope, key, value) VALUES (?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value',
  );
  const remove = db.prepare<[string, string]>('DELETE FROM kv WHERE scope = ? AND key = ?');
  // Single statements: SQLite's write lock makes each atomic against other connections too.
  const insertIfAbsent = db.prepare<[string, string, string]>('INSERT INTO kv (scope, key, value) VALUES (?, ?, ?) ON CONFLICT (scope, key) DO NOTHING');
  const replaceIfSame = db.prepare<[string, string, string, string]>('UPDATE kv SET value = ? WHERE scope = ? AND key = ? AND value = ?');

  return {
    async get(scope, key) {
      return select.get(scope, key)?.value;
    },
    async set(scope, key, value) {
      upsert.run(scope, key, value);
    },
    async delete(scope, key) {
      return remove.run(scope, key).changes > 0;
    },
    async compareAndSet(scope, key, expected, value) {
      const result = expected === undefined ? insertIfAbsent.run(scope, key, value) : replaceIfSame.run(value, scope, key, expected);
      return result.changes === 1;
    },
  };
}
