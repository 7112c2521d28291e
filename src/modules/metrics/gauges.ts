// What is measured when scraped rather than counted as it happens: client sessions on this
// node, server-to-server links, offline queues (storage-wide: every node reports the same),
// and the latency of storage calls.
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { ModuleContext } from '../../core/modules/module.js';
import type { S2sLinksEvent } from '../../core/events.js';
import { SESSION_FACT_FLAGS } from '../../c2s/session-facts.js';

const TRANSPORTS = ['tcp', 'websocket'] as const;
const DIRECTIONS = ['in', 'out'] as const;
const LINK_STATES = ['negotiating', 'ready', 'failed'] as const;
/** Seconds; storage calls range from microseconds (memory, cached SQLite) to a slow disk's fsync. */
const STORAGE_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function measureSessions(ctx: ModuleContext, registry: Registry): void {
  new Gauge({
    name: 'herald_c2s_sessions',
    help: 'Client sessions bound on this node, by transport (hibernating XEP-0198 sessions included).',
    labelNames: ['transport'],
    registers: [registry],
    collect() {
      const counts = new Map<string, number>(TRANSPORTS.map((t) => [t, 0]));
      for (const session of ctx.delivery.local.values()) {
        const transport = session.flags[SESSION_FACT_FLAGS.transport] ?? 'tcp';
        counts.set(transport, (counts.get(transport) ?? 0) + 1);
      }
      for (const [transport, count] of counts) this.set({ transport }, count);
    },
  });
}

export function measureS2sLinks(ctx: ModuleContext, registry: Registry): void {
  new Gauge({
    name: 'herald_s2s_links',
    help: 'Server-to-server links of this node, by direction and state.',
    labelNames: ['direction', 'state'],
    registers: [registry],
    async collect() {
      const event: S2sLinksEvent = { links: [] };
      await ctx.fire('s2s/links', event);
      for (const direction of DIRECTIONS) {
        for (const state of LINK_STATES) this.set({ direction, state }, event.links.filter((l) => l.direction === direction && l.state === state).length);
      }
    },
  });
}

export function measureOfflineQueues(ctx: ModuleContext, registry: Registry): void {
  // One storage query per scrape, shared by the three gauges (a registry collects them concurrently).
  let pending: Promise<Awaited<ReturnType<typeof ctx.storage.offline.queues>>> | undefined;
  const queues = () => (pending ??= ctx.storage.offline.queues(1).finally(() => (pending = undefined)));
  const gauge = (name: string, help: string, read: (q: Awaited<ReturnType<typeof queues>>) => number) =>
    new Gauge({ name, help, registers: [registry], async collect() { this.set(read(await queues())); } });
  gauge('herald_offline_messages', 'Messages waiting in offline storage, all accounts.', (q) => q.messages);
  gauge('herald_offline_accounts', 'Accounts with at least one offline message.', (q) => q.accounts);
  gauge('herald_offline_queue_largest', 'Messages in the fullest offline queue.', (q) => q.largest[0]?.count ?? 0);
}

export function timeStorage(ctx: ModuleContext, registry: Registry): void {
  const histogram = new Histogram({
    name: 'herald_storage_duration_seconds',
    help: 'Duration of storage calls, by repository (offline, roster, users, archive, …).',
    labelNames: ['repository'],
    buckets: STORAGE_BUCKETS,
    registers: [registry],
  });
  ctx.on('storage/timed', (event) => void histogram.observe({ repository: event.repository }, event.seconds));
}
