import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { firstRows } from '../../src/storage/sqlite/first-rows.js';

describe('firstRows (a LIMIT without a bound parameter)', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3)');
  const select = db.prepare<[], { n: number }>('SELECT n FROM t ORDER BY n');

  it('takes the first max rows, all without max, none for 0', () => {
    expect(firstRows(select.iterate(), 2).map((r) => r.n)).toEqual([1, 2]);
    expect(firstRows(select.iterate(), undefined).map((r) => r.n)).toEqual([1, 2, 3]);
    expect(firstRows(select.iterate(), 0)).toEqual([]);
    expect(firstRows(select.iterate(), 10).map((r) => r.n)).toEqual([1, 2, 3]);
  });

  it('leaves the statement reusable after stopping early, even inside a transaction', () => {
    expect(firstRows(select.iterate(), 1).map((r) => r.n)).toEqual([1]);
    // An iterator left open would keep the statement busy: this write would throw.
    db.prepare('INSERT INTO t VALUES (4)').run();
    expect(db.transaction(() => firstRows(select.iterate(), 1).map((r) => r.n))()).toEqual([1]);
  });
});
