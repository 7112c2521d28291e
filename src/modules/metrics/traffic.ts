// Stanzas read and written, counted on the hot path as plain array increments (no label lookup,
// no allocation); the Prometheus counters catch up with the arrays when scraped.
import { Counter, type Registry } from 'prom-client';
import type { Element } from '../../xml/element.js';
import type { ModuleContext } from '../../core/modules/module.js';

const KINDS = ['message', 'presence', 'iq', 'other'] as const;
const LINKS = ['c2s', 's2s'] as const;

/** By name only: what a session writes may be text from another node, never parsed here. */
function kindIndex(stanza: { readonly name: string }): number {
  switch (stanza.name) {
    case 'message':
      return 0;
    case 'presence':
      return 1;
    case 'iq':
      return 2;
    default:
      return 3;
  }
}

/** One counter per direction, labelled by link and kind; `counts[link * KINDS.length + kind]`. */
function trafficCounter(registry: Registry, name: string, help: string, counts: Float64Array): Counter<'link' | 'kind'> {
  const reported = new Float64Array(counts.length);
  return new Counter({
    name,
    help,
    labelNames: ['link', 'kind'],
    registers: [registry],
    collect() {
      for (let i = 0; i < counts.length; i += 1) {
        const link = LINKS[Math.floor(i / KINDS.length)]!;
        const kind = KINDS[i % KINDS.length]!;
        // Every series exists from the first scrape (at 0), so dashboards and rate() see it.
        this.inc({ link, kind }, counts[i]! - reported[i]!);
        reported[i] = counts[i]!;
      }
    },
  });
}

export function countTraffic(ctx: ModuleContext, registry: Registry): void {
  const received = new Float64Array(LINKS.length * KINDS.length);
  const sent = new Float64Array(LINKS.length * KINDS.length);
  const s2s = KINDS.length;
  ctx.on('c2s/stanza-in', (stanza) => void (received[kindIndex(stanza)]! += 1));
  ctx.on('s2s/stanza-in', (stanza) => void (received[s2s + kindIndex(stanza)]! += 1));
  ctx.on('c2s/stanza-out', (stanza) => void (sent[kindIndex(stanza)]! += 1));
  ctx.on('s2s/stanza-out', (stanza) => void (sent[s2s + kindIndex(stanza)]! += 1));
  trafficCounter(registry, 'herald_stanzas_received_total', 'Stanzas read from bound clients (c2s) and server links (s2s), by kind.', received);
  trafficCounter(registry, 'herald_stanzas_sent_total', 'Stanzas handed to client sessions (c2s) and written to server links (s2s), by kind.', sent);
}
