// What happens to stanzas a client never acknowledged when its session ends: messages are
// offered to offline storage (the stanza-id keeps a stored message stored once) or bounced;
// IQ requests get an error so the requester is not left waiting. Nothing is silently lost.
import type { Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { tryParseJid } from '../../protocol/jid.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { bounce } from '../../core/stanza-sender.js';
import type { C2sContext } from '../c2s-context.js';
import type { ClientSession } from '../client-session.js';

const CARBONS = 'urn:xmpp:carbons:2';

export function isCarbonCopy(message: Element): boolean {
  return message.getChild('received', CARBONS) !== undefined || message.getChild('sent', CARBONS) !== undefined;
}

/** Storing is a synchronous, durable commit: other connections get a turn between messages. */
const yieldToOthers = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function rehomeUndelivered(ctx: C2sContext, session: ClientSession, stanzas: readonly Element[]): Promise<void> {
  for (const [index, stanza] of stanzas.entries()) {
    if (index > 0) await yieldToOthers();
    const type = stanza.attrs.type;
    if (type === 'error' || type === 'result') continue;
    if (stanza.name === 'iq') {
      await bounce(ctx.router, stanza, new StanzaError('service-unavailable', 'the recipient disconnected'), session.jid);
      continue;
    }
    // A carbon copy's original went elsewhere; presence is state, not history.
    if (stanza.name !== 'message' || isCarbonCopy(stanza)) continue;
    const from = tryParseJid(stanza.attrs.from);
    if (!from) continue;
    if (await ctx.events.fire('message/offline', { stanza, from, to: session.jid.bare })) continue;
    if (stanza.getChild('body') !== undefined || stanza.getChild('received', NS.receipts) !== undefined) {
      await bounce(ctx.router, stanza, new StanzaError('recipient-unavailable', 'the recipient disconnected before confirming delivery'), session.jid.bare);
    }
  }
}
