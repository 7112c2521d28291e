// Archive retention: messages older than retentionDays are deleted by one periodic sweep for the
// whole server (not a timer per account), account by account, yielding between them so a large
// expiry never holds the database for long. Each archive loses only its oldest messages, so no
// archive gets holes (XEP-0313 §3.2).
import type { ModuleContext } from '../../core/modules/module.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export async function expireOnce(ctx: ModuleContext, retentionDays: number): Promise<number> {
  const cutoff = ctx.clock.now() - retentionDays * DAY_MS;
  let total = 0;
  for (const { username, domain } of await ctx.accounts.list()) {
    total += await ctx.storage.archive.expire(`${username}@${domain}`, cutoff);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return total;
}

export function scheduleExpiry(ctx: ModuleContext, retentionDays: number, intervalSeconds: number): void {
  let running = false;
  const sweep = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const removed = await expireOnce(ctx, retentionDays);
      if (removed > 0) ctx.log.info({ removed, retentionDays }, 'expired archived messages');
    } catch (err) {
      ctx.log.warn({ err }, 'archive expiry failed; will retry at the next sweep');
    } finally {
      running = false;
    }
  };
  void sweep();
  const timer = setInterval(() => void sweep(), intervalSeconds * 1000);
  timer.unref();
  ctx.onUnload(() => clearInterval(timer));
}
