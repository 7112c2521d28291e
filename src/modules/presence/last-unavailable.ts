// The account's last unavailable presence and when it was sent, kept so a probe arriving while
// nobody is online can be answered with it and a XEP-0203 <delay/> (RFC 6121 §4.3.2).
import type { ModuleContext } from '../../core/modules/module.js';
import type { Jid } from '../../protocol/jid.js';
import { buildElement } from '../../xml/element-builder.js';
import { xml, type Element } from '../../xml/element.js';
import { DELAY_NS } from './stanzas.js';

const KEY = 'presence:last-unavailable';

interface Stored {
  stamp: string;
  xml: string;
}

export async function recordLastUnavailable(ctx: ModuleContext, account: Jid, presence: Element): Promise<void> {
  const stored: Stored = { stamp: new Date(ctx.clock.now()).toISOString(), xml: presence.toString() };
  await ctx.storage.kv.set(account.toBareString(), KEY, JSON.stringify(stored));
}

/**
 * The answer for a prober when no resource is available: unavailable from the bare JID (no resource
 * exists to name), carrying the last unavailable presence's payload (e.g. <status/>) and its time.
 */
export async function lastUnavailableFor(ctx: ModuleContext, account: Jid, to: string, id: string | undefined): Promise<Element> {
  const answer = xml('presence', { type: 'unavailable', from: account.toBareString(), to, id });
  const stored = parse(await ctx.storage.kv.get(account.toBareString(), KEY));
  if (!stored) return answer;
  for (const child of stored.element.getChildElements()) {
    if (!child.is('delay', DELAY_NS)) answer.cnode(child);
  }
  answer.cnode(xml('delay', { xmlns: DELAY_NS, from: account.domain, stamp: stored.stamp }));
  return answer;
}

function parse(raw: string | undefined): { stamp: string; element: Element } | undefined {
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<Stored>;
    if (typeof value.stamp !== 'string' || typeof value.xml !== 'string') return undefined;
    return { stamp: value.stamp, element: buildElement(value.xml) };
  } catch {
    // A damaged record only costs the optional <delay/>.
    return undefined;
  }
}
