// One periodic sweep per server (not a timer per invitation): unused invitations past their
// time, and used ones kept `keepUsedDays` for `herald invite list`, are deleted.
import type { ModuleContext } from '../../core/modules/module.js';

const DAY_MS = 86_400_000;

export function scheduleInviteExpiry(ctx: ModuleContext, options: { keepUsedDays: number; intervalSeconds: number }): void {
  const sweep = async (): Promise<void> => {
    try {
      const now = ctx.clock.now();
      const removed = await ctx.storage.invites.expire(now, now - options.keepUsedDays * DAY_MS);
      if (removed > 0) ctx.log.info({ removed }, 'deleted expired invitations');
    } catch (err) {
      ctx.log.warn({ err }, 'invitation expiry failed; will retry at the next sweep');
    }
  };
  const timer = setInterval(() => void sweep(), options.intervalSeconds * 1000);
  timer.unref();
  ctx.onUnload(() => clearInterval(timer));
}
