// Key/value pairs in PostgreSQL.
import type { KeyValueRepository } from '../types.js';
import type { Database } from './pool.js';

export function createPostgresKeyValueRepository(db: Database): KeyValueRepository {
  return {
    async get(scope, key) {
      const { rows } = await db.query<{ value: string }>('SELECT value FROM kv WHERE scope = $1 AND key = $2', [scope, key]);
      return rows[0]?.value;
    },
    async set(scope, key, value) {
      await db.query('INSERT INTO kv (scope, key, value) VALUES ($1, $2, $3) ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value', [
        scope,
        key,
        value,
      ]);
    },
    async delete(scope, key) {
      const { rowCount } = await db.query('DELETE FROM kv WHERE scope = $1 AND key = $2', [scope, key]);
      return rowCount !== null && rowCount > 0;
    },
    async compareAndSet(scope, key, expected, value) {
      // Each a single statement: the row lock (or the primary key, for an insert) decides the race.
      const { rowCount } =
        expected === undefined
          ? await db.query('INSERT INTO kv (scope, key, value) VALUES ($1, $2, $3) ON CONFLICT (scope, key) DO NOTHING', [scope, key, value])
          : await db.query('UPDATE kv SET value = $3 WHERE scope = $1 AND key = $2 AND value = $4', [scope, key, value, expected]);
      return rowCount === 1;
    },
  };
}
