// "Never twice": which content messages Herald already sent a receipt for, per recipient account,
// keyed by the XEP-0359 stanza-id Herald gave the message. Kept in storage, so the rule holds
// across the account's resources, across nodes and across restarts.
//
// Expiry: a stanza-id is only acknowledged again while that same message is still being
// delivered (another resource, or a copy that went to the offline store unacknowledged and is
// flushed later), so records are kept for RETENTION_DAYS, which must outlast how long a message can
// wait offline. Storage has no listing, so each day's stanza-ids are also listed under one key, and
// every claim deletes the lists (and the records they name) that fell out of the retention, walking
// forward from the oldest day the account may still hold. A record older than the retention that
// escaped pruning (a lost list entry) counts as absent, the same as a pruned one.
//
// Concurrency: a claim and each day-list append are compare-and-set writes in storage, so of two
// claims of one stanza-id (two resources, two nodes) exactly one wins, and no list entry is lost.
import type { KeyValueRepository } from '../../storage/types.js';
import type { Clock } from '../../util/clock.js';

export const RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;
/** "<account> <stanza-id>" → when the receipt was emitted (ms since the epoch). */
const RECORDS = 'receipts:emitted';
/** "<account> <day>" → JSON list of the stanza-ids emitted that day; "<account>" → oldest such day. */
const DAYS = 'receipts:emitted-days';

export interface EmittedLog {
  /** Records the stanza-id; resolves true when this call recorded it (emit now), false when it was already recorded. */
  claim(account: string, stanzaId: string): Promise<boolean>;
}

export function createEmittedLog(kv: KeyValueRepository, clock: Clock, retentionDays = RETENTION_DAYS): EmittedLog {
  async function claim(account: string, stanzaId: string): Promise<boolean> {
    const now = clock.now();
    const today = Math.floor(now / DAY_MS);
    const key = `${account} ${stanzaId}`;
    const stored = await kv.get(RECORDS, key);
    const recorded = Number(stored);
    if (Number.isFinite(recorded) && now - recorded < retentionDays * DAY_MS) return false;
    // Recorded before anything is sent: a failure after this costs a receipt, never a duplicate.
    // Whoever changed the record since our read won the claim.
    if (!(await kv.compareAndSet(RECORDS, key, stored, String(now)))) return false;
    await listUnder(account, today, stanzaId);
    await prune(account, today);
    return true;
  }

  async function listUnder(account: string, day: number, stanzaId: string): Promise<void> {
    const listKey = `${account} ${day}`;
    // Read, append, write back unless another claim wrote in between; then again on its list.
    for (;;) {
      const stored = await kv.get(DAYS, listKey);
      const ids = parseList(stored);
      ids.push(stanzaId);
      if (await kv.compareAndSet(DAYS, listKey, stored, JSON.stringify(ids))) return;
    }
  }

  async function prune(account: string, today: number): Promise<void> {
    const keepFrom = today - retentionDays;
    const stored = await kv.get(DAYS, account);
    const oldest = stored === undefined ? NaN : Number(stored);
    // No (or a damaged) marker: the list just written is the oldest one we know of.
    let day = Number.isInteger(oldest) ? oldest : today;
    for (; day < keepFrom; day++) {
      const listKey = `${account} ${day}`;
      for (const id of parseList(await kv.get(DAYS, listKey))) await kv.delete(RECORDS, `${account} ${id}`);
      await kv.delete(DAYS, listKey);
    }
    if (day !== oldest) await kv.set(DAYS, account, String(day));
  }

  return { claim };
}

function parseList(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    // A damaged list only leaves its records to expire by age.
    return [];
  }
}
