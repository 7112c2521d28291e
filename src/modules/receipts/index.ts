// XEP-0184 Message Delivery Receipts. Receipts are end to end: <request/> and <received/> are
// routed, stored and copied untouched by the other modules, and nothing is advertised here (it is a
// client feature). What this module adds: once a client that cannot answer for itself has
// confirmed it got a content message (XEP-0198 ack), Herald sends the receipt on its behalf, once.
import type { HeraldModule, ModuleContext } from '../../core/modules/module.js';
import type { CapsQueryEvent, StanzaAckedEvent } from '../../core/events.js';
import type { LocalSession } from '../../core/sessions/session.js';
import type { Jid } from '../../protocol/jid.js';
import { NS } from '../../xml/ns.js';
import { mayHoldNamespace, treeOf } from '../../xml/serialized-stanza.js';
import { stanzaIdOf } from '../../protocol/stanza-id.js';
import { ackMessage, contentMessageOf } from './eligibility.js';
import { createEmittedLog, type EmittedLog } from './emitted-log.js';

const EMIT_MODES = ['on-confirmed-delivery', 'never'] as const;
type EmitMode = (typeof EMIT_MODES)[number];

function emitMode(value: unknown): EmitMode {
  if (value === undefined) return 'on-confirmed-delivery';
  if (typeof value === 'string' && (EMIT_MODES as readonly string[]).includes(value)) return value as EmitMode;
  throw new Error(`modules.receipts.options.emit: expected one of ${EMIT_MODES.map((m) => `'${m}'`).join(', ')}, found ${JSON.stringify(value)}`);
}

export const receiptsModule: HeraldModule = {
  name: 'receipts',
  enabledByDefault: true,
  load(ctx) {
    if (emitMode(ctx.options.emit) === 'never') return;
    const emitted = createEmittedLog(ctx.storage.kv, ctx.clock);
    // Only observes: whoever else waits for acks (e.g. the offline store) still sees every one.
    ctx.on('stanza/acked', async (event) => {
      try {
        await answerFor(ctx, emitted, event);
      } catch (error) {
        ctx.log.warn({ err: error, session: event.session.jid.toString() }, 'receipts: could not emit a receipt');
      }
    });
  },
};

async function answerFor(ctx: ModuleContext, emitted: EmittedLog, { session, stanza: acked }: StanzaAckedEvent): Promise<void> {
  // Most acknowledged stanzas ask for no receipt: one that came as text is then never parsed.
  if (acked.name !== 'message' || !mayHoldNamespace(acked, NS.receipts)) return;
  const stanza = treeOf(acked);
  const content = contentMessageOf(stanza);
  if (!content) return;
  // The stanza-id Herald gave the message on delivery to this account names it across resources.
  const account = session.jid.toBareString();
  const stanzaId = stanzaIdOf(stanza, account);
  if (stanzaId === undefined) return;
  if (!(await knownNotToSupportReceipts(ctx, session))) return;
  if (!(await mayLearnPresence(ctx, session.jid, content.sender))) return;
  if (!(await emitted.claim(account, stanzaId))) return;
  await ctx.router.route(ackMessage(content, session.jid, ctx.ids.next()));
}

/**
 * §6: support is what the client's caps say. Only a client known not to support receipts gets one
 * emitted for it: when nothing is known the client may well send its own, and a receipt the sender
 * gets twice is worse than one it never gets (§4 tells senders not to count on receipts).
 */
async function knownNotToSupportReceipts(ctx: ModuleContext, session: LocalSession): Promise<boolean> {
  const query: CapsQueryEvent = { jid: session.jid, feature: NS.receipts };
  await ctx.fire('caps/query', query);
  return query.supported === false;
}

/**
 * §8: a receipt shows the recipient is online, so it goes only to a sender allowed to see the
 * recipient's presence: another resource of the account, or a contact with a subscription to it.
 */
async function mayLearnPresence(ctx: ModuleContext, recipient: Jid, sender: Jid): Promise<boolean> {
  if (sender.bare.equals(recipient.bare)) return true;
  const item = await ctx.storage.roster.getItem(recipient.toBareString(), sender.toBareString());
  return item?.subscription === 'from' || item?.subscription === 'both';
}
