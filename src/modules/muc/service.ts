// The conference.<domain> component: every stanza to the service, a room or an occupant comes
// here and goes to the handler for its kind and address. Errors are answered to the sender.
import type { StanzaEvent } from '../../core/events.js';
import type { ComponentHandler } from '../../core/components.js';
import { StanzaError, errorReply } from '../../protocol/stanza-error.js';
import { xml, type Element } from '../../xml/element.js';
import { NS_MUC_USER } from './namespaces.js';
import { handleOccupantPresence } from './presence.js';
import { handleGroupchat } from './groupchat.js';
import { handleOccupantIq, handlePrivateMessage } from './occupant-stanzas.js';
import { answerRoomIq, answerServiceIq } from './iq.js';
import { handleMediatedInvite } from './invites.js';
import type { RoomContext } from './room-context.js';

async function answerIq(rooms: RoomContext, event: StanzaEvent): Promise<void> {
  const { stanza, to } = event;
  const type = stanza.attrs.type as string | undefined;
  if (type === 'result' || type === 'error') return;
  const payload: Element | undefined = to.local === '' ? await answerServiceIq(rooms, event) : await answerRoomIq(rooms, event);
  await rooms.send(xml('iq', { type: 'result', id: stanza.attrs.id, from: to.toString(), to: event.from.toString() }, payload));
}

async function dispatch(rooms: RoomContext, event: StanzaEvent): Promise<void> {
  const { stanza, to } = event;
  const kind = stanza.name;
  if (kind === 'iq' && to.resource === '') return answerIq(rooms, event);
  if (to.local === '') {
    if (kind === 'presence') return;
    throw new StanzaError('service-unavailable', 'the conference service itself takes only disco queries; address a room');
  }
  if (to.resource !== '') {
    if (kind === 'presence') return handleOccupantPresence(rooms, event);
    if (kind === 'message') return handlePrivateMessage(rooms, event);
    return handleOccupantIq(rooms, event);
  }
  if (kind === 'presence') return handleOccupantPresence(rooms, event);
  if (stanza.attrs.type === 'groupchat') return handleGroupchat(rooms, event);
  if (stanza.getChild('x', NS_MUC_USER)) return handleMediatedInvite(rooms, event);
  throw new StanzaError('bad-request', "messages to a room must be of type 'groupchat' (or carry a muc#user invitation)");
}

export function serviceHandler(rooms: RoomContext): ComponentHandler {
  return async (event) => {
    const { stanza, to } = event;
    // Errors are never answered; only an IQ error on its way back to an occupant goes anywhere.
    if (stanza.attrs.type === 'error' && !(stanza.name === 'iq' && to.resource !== '')) return;
    try {
      await dispatch(rooms, event);
    } catch (error) {
      if (!(error instanceof StanzaError)) rooms.ctx.log.error({ err: error }, 'muc stanza failed');
      if (stanza.attrs.type === 'error' || stanza.attrs.type === 'result') return;
      const reply = errorReply(event.stanza, error instanceof StanzaError ? error : new StanzaError('internal-server-error'));
      if (reply) await rooms.send(reply);
    }
  };
}
