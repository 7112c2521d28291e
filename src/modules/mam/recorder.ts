// Puts messages into archives: each account keeps one copy of what it received and what it sent.
// Incoming ones are archived under the XEP-0359 stanza-id the message module stamped (by = the
// account), so the id a client sees on a live message is its archive id; outgoing ones under a
// fresh id of the sender's own archive. Copies (carbons, several resources, a re-offered
// unacknowledged message) share the id, and storage stores an id once. Writing is off the
// message path (archive-writer.ts). Copies are serialised with the send path's serialize(): the
// same text as ltx's toString(), without its regex callback and writer closure per fragment.
import type { ModuleContext } from '../../core/modules/module.js';
import type { StanzaEvent } from '../../core/events.js';
import type { Jid } from '../../protocol/jid.js';
import { stanzaIdOf } from '../../protocol/stanza-id.js';
import type { ArchiveDirection } from '../../storage/types.js';
import type { Element } from '../../xml/element.js';
import { serialize } from '../../xml/serialize.js';
import { isArchivable } from './archivable.js';
import type { ArchiveDefault } from './options.js';
import { archivesWith, archivesWithNow } from './prefs.js';
import { retracts, tombstoneRetracted } from './retraction.js';
import type { ArchiveWriter, StartedWrite } from './archive-writer.js';
import type { PrefsCache } from './prefs-cache.js';

/** Before the offline module claims `message/offline` (default priority 0). */
const BEFORE_OFFLINE_STORE = 10;

export function registerRecorder(ctx: ModuleContext, writer: ArchiveWriter, prefsCache: PrefsCache, fallback: ArchiveDefault): void {
  const record = (account: Jid, peer: Jid, direction: ArchiveDirection, stanza: Element, id: string): void => {
    const timestamp = ctx.clock.now();
    const write = (): StartedWrite => {
      const messageId = stanza.attrs.id as string | undefined;
      const stored = ctx.storage.archive.append(account.toBareString(), {
        id,
        with: peer.toString(),
        direction,
        ...(messageId !== undefined && { messageId }),
        stanza: serialize(stanza),
        timestamp,
      });
      if (!retracts(stanza)) return { commit: stored };
      return { commit: stored.then(async (added) => added && (await tombstoneRetracted(ctx, account, peer, direction, stanza))) };
    };
    // Decided without waiting (preferences cached, no roster look-up) and nothing queued ahead:
    // written now, in order, with no promise chain per copy.
    const now = archivesWithNow(ctx, prefsCache, account, peer);
    if (now === false) return;
    if (now === true && writer.startNowIfIdle(write)) return;
    writer.enqueue(async () => ((await archivesWith(ctx, prefsCache, account, peer, fallback)) ? write() : undefined));
  };

  // Received: once delivered to a resource, or handed to the offline store (which may refuse it
  // when full; the archive still shows what was sent to the account).
  const incoming = ({ stanza, from, to }: StanzaEvent): void => {
    if (!isArchivable(stanza)) return;
    const id = stanzaIdOf(stanza, to.toBareString());
    // Only messages the message module stamped reach here; carbons and the like carry none.
    if (id === undefined) return;
    record(to.bare, from, 'in', stanza, id);
  };
  ctx.on('message/delivered', incoming);
  ctx.on('message/offline', incoming, BEFORE_OFFLINE_STORE);

  // Sent by a local client. A message to the sender's own account is archived once, as received.
  const outgoing = ({ stanza, from, to, origin }: StanzaEvent): void => {
    if (!origin || to.bare.equals(from.bare) || !isArchivable(stanza)) return;
    record(from.bare, to, 'out', stanza, ctx.ids.sortable());
  };
  ctx.on('pre-message/full', outgoing);
  ctx.on('pre-message/bare', outgoing);
}
