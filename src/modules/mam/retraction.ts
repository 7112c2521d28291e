// XEP-0424 §5: the retraction itself stays in the archive (it was archived like any message);
// the message it retracts is replaced by a tombstone that keeps its place, id and timestamp.
// A retraction applies only to a message from the same sender in the same conversation (§7), so
// the original is looked up by its 'id' attribute among messages of the same direction and peer.
// replaceStanza is also the seam for XEP-0425 moderation.
import type { ModuleContext } from '../../core/modules/module.js';
import type { Jid } from '../../protocol/jid.js';
import type { ArchiveDirection } from '../../storage/types.js';
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { buildElement } from '../../xml/element-builder.js';
import { NS_RETRACT } from './namespaces.js';

const ORIGIN_ID = 'urn:xmpp:sid:0';

/** Whether the message retracts an earlier one (XEP-0424), i.e. whether tombstoneRetracted has work. */
export function retracts(message: Element): boolean {
  return message.getChild('retract', NS_RETRACT) !== undefined;
}

export async function tombstoneRetracted(ctx: ModuleContext, account: Jid, peer: Jid, direction: ArchiveDirection, message: Element): Promise<void> {
  const retracted = message.getChild('retract', NS_RETRACT)?.attrs.id as string | undefined;
  if (retracted === undefined) return;
  const owner = account.toBareString();
  const original = await ctx.storage.archive.findByMessageId(owner, peer.toBareString(), direction, retracted);
  if (!original) return;
  const before = buildElement(original.stanza);
  // A retraction of a retraction, or of a tombstone, changes nothing.
  if (before.getChild('retract', NS_RETRACT) || before.getChild('retracted', NS_RETRACT)) return;
  const { from, to, type, id } = before.attrs as Record<string, string | undefined>;
  const tombstone = xml(
    'message',
    { xmlns: NS.client, from, to, type, id },
    // §5: ids that let clients match the tombstone stay; the content goes.
    ...before.getChildren('origin-id', ORIGIN_ID),
    ...before.getChildren('stanza-id', NS.stanzaId),
    xml('retracted', { xmlns: NS_RETRACT, id: message.attrs.id as string | undefined, stamp: new Date(ctx.clock.now()).toISOString() }),
  );
  await ctx.storage.archive.replaceStanza(owner, original.id, tombstone.toString());
}
