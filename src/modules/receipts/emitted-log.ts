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
// Limit: the key/value store has no "set if absent", so two nodes claiming the same stanza-id in the
// same instant could both win. Claims for one account on one node run one at a time.
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
  const tails = new Map<string, Promise<unknown>>();

  /** Runs tasks for one account in order, so a check and its record are never interleaved. */
  function serially<T>(account: string, task: () => Promise<T>): Promise<T> {
    const run = (tails.get(account) ?? Promise.resolve()).then(task);
    const tail = run.catch(() => undefined);
    tails.set(account, tail);
    void tail.then(() => {
      if (tails.get(account) === tail) tails.delete(account);
    });
    return run;
  }

  async function claim(account: string, stanzaId: string): Promise<boolean> {
    const now = clock.now();
    const today = Math.floor(now / DAY_MS);
    const key = `${account} ${stanzaId}`;
    const recorded = Number(await kv.get(RECORDS, key));
    if (Number.isFinite(recorded) && now - recorded < retentionDays * DAY_MS) return false;
    // Recorded before anything is sent: a failure after this costs a receipt, never a duplicate.
    await kv.set(RECORDS, key, String(now));
    await listUnder(account, today, stanzaId);
    await prune(account, today);
    return true;
  }

  async function listUnder(account: string, day: number, stanzaId: string): Promise<void> {
    const listKey = `${account} ${day}`;
    const ids = parseList(await kv.get(DAYS, listKey));
    ids.push(stanzaId);
    await kv.set(DAYS, listKey, JSON.stringify(ids));
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

  return { claim: (account, stanzaId) => serially(account, () => claim(account, stanzaId)) };
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
