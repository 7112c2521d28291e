// Reading "the first N rows" without a bound LIMIT. SQLite re-plans a statement whose LIMIT is a
// bound parameter each time it is re-bound: measured 25–35 µs a call against 6–8 µs for the same
// statement without it (better-sqlite3 12, an empty result). These reads run on every login
// (offline queue, the avatar hash in presence), so they step the statement and stop instead.

/** The first `max` rows the iterator yields (all of them when `max` is undefined). */
export function firstRows<T>(rows: IterableIterator<T>, max: number | undefined): T[] {
  const taken: T[] = [];
  if (max !== undefined && max <= 0) {
    rows.return?.();
    return taken;
  }
  for (const row of rows) {
    taken.push(row);
    // Leaving the loop early resets the statement (the iterator's return()).
    if (taken.length === max) break;
  }
  return taken;
}
