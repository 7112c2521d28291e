// The muc#owner IQs (XEP-0045 §10): the configuration form, accepting an instant room (§10.1.2),
// cancelling a new room (§10.1.3), configuring (§10.2) and destroying the room (§10.9).
import type { StanzaEvent } from '../../core/events.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import type { MucRoom } from '../../storage/types.js';
import { updateLiveRoom, type LiveRoom } from './room-store.js';
import { applyConfigForm, configForm } from './config-form.js';
import { broadcastPresence } from './occupant-presence.js';
import { toEveryone } from './groupchat.js';
import { NS_MUC_OWNER, NS_MUC_USER } from './namespaces.js';
import { affiliationOf, affiliationRank, bareOf, copyRoom } from './room-state.js';
import type { RoomContext } from './room-context.js';

function requireOwner(room: MucRoom, event: StanzaEvent): void {
  if (affiliationOf(room, event.from.toBareString()) !== 'owner') throw new StanzaError('forbidden', 'only owners of this room may configure or destroy it');
}

export function answerOwnerGet(rooms: RoomContext, event: StanzaEvent, room: MucRoom): Element {
  requireOwner(room, event);
  return xml('query', { xmlns: NS_MUC_OWNER }, configForm(room.config, rooms.options));
}

async function destroy(rooms: RoomContext, room: LiveRoom, request: Element): Promise<void> {
  const removed = await updateLiveRoom(rooms, room.jid, (stored): { result: LiveRoom | undefined; write?: 'delete' } => (stored ? { result: stored, write: 'delete' } : { result: undefined }));
  if (!removed) return;
  await rooms.ctx.storage.vcards.deleteAccount(room.jid);
  // §10.9: every occupant is told, with the alternate venue and reason the owner gave.
  const venue = xml('destroy', { jid: request.attrs.jid }, request.getChild('reason') ? xml('reason', null, request.getChildText('reason')!) : null, request.getChild('password') ? xml('password', null, request.getChildText('password')!) : null);
  const gone = { ...removed, occupants: [] };
  for (const occupant of removed.occupants) await broadcastPresence(rooms, gone, occupant, { type: 'unavailable', extra: [venue] });
}

/** §10.2: applies the submitted form; members-only now turned on removes non-members with 322. */
async function configure(rooms: RoomContext, room: LiveRoom, form: Element): Promise<void> {
  const { before, after } = await updateLiveRoom(rooms, room.jid, (stored) => {
    if (!stored) throw new StanzaError('item-not-found', 'the room is gone');
    const next = copyRoom(stored);
    if (form.attrs.type === 'submit') next.config = applyConfigForm(stored.config, form, rooms.options);
    next.locked = false;
    const removed = next.config.membersOnly && !stored.config.membersOnly
      ? next.occupants.filter((o) => affiliationRank(affiliationOf(next, bareOf(o.jid))) < affiliationRank('member'))
      : [];
    next.occupants = next.occupants.filter((o) => !removed.includes(o));
    return { result: { before: stored, after: { room: next, removed } }, write: next };
  });
  for (const occupant of after.removed) await broadcastPresence(rooms, after.room, occupant, { type: 'unavailable', codes: ['322'] });
  if (!before.locked) {
    // §10.2.1: occupants learn that the configuration changed (status 104).
    await toEveryone(rooms, after.room, xml('message', { type: 'groupchat', from: room.jid, id: rooms.ctx.ids.next() }, xml('x', { xmlns: NS_MUC_USER }, xml('status', { code: '104' }))));
  }
}

export async function answerOwnerSet(rooms: RoomContext, event: StanzaEvent, room: LiveRoom, query: Element): Promise<undefined> {
  requireOwner(room, event);
  const destroyRequest = query.getChild('destroy');
  if (destroyRequest) {
    await destroy(rooms, room, destroyRequest);
    return undefined;
  }
  const form = query.getChild('x', NS.dataForms);
  if (!form) throw new StanzaError('bad-request', 'send the muc#roomconfig form (or an empty submit form for an instant room)');
  if (form.attrs.type === 'cancel') {
    // §10.1.3: cancelling the first configuration of a new room destroys it.
    if (room.locked) await destroy(rooms, room, xml('destroy'));
    return undefined;
  }
  if (form.attrs.type !== 'submit') throw new StanzaError('bad-request', "the configuration form must be of type 'submit' or 'cancel'");
  await configure(rooms, room, form);
  return undefined;
}
