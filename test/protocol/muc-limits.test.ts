// modules.muc.options limits against a real Herald process, each with an error a person can act
// on: rooms per user (creation), occupants per room, and messages per minute per occupant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../harness/server-process.js';
import type { XmlClient } from '../harness/xml-client.js';
import type { Element } from '../../src/xml/element.js';
import { createRoom, errorCondition, freshRoom, groupchat, join, serverWithUsers, stopAll } from '../harness/muc.js';

let server: ServerProcess;
let alice: XmlClient;
let bob: XmlClient;
let carol: XmlClient;

beforeAll(async () => {
  let clients: XmlClient[];
  ({ server, clients } = await serverWithUsers(['alice', 'bob', 'carol'], ['modules:', '  muc:', '    options: { maxRoomsPerUser: 2, maxOccupantsPerRoom: 2, maxMessagesPerMinute: 3 }'].join('\n')));
  [alice, bob, carol] = clients as [XmlClient, XmlClient, XmlClient];
}, 120_000);

afterAll(() => stopAll(server, [alice, bob, carol]));

const text = (stanza: Element): string | null => stanza.getChild('error')!.getChildText('text', 'urn:ietf:params:xml:ns:xmpp-stanzas');

describe('MUC limits (modules.muc.options)', () => {
  it('maxRoomsPerUser: creating one room too many is a policy-violation saying the limit', async () => {
    await createRoom(bob, freshRoom(), 'Bob');
    await createRoom(bob, freshRoom(), 'Bob');
    const refused = await join(bob, freshRoom(), 'Bob');
    expect(errorCondition(refused)).toBe('policy-violation');
    expect(text(refused)).toContain('at most 2 rooms');
  });

  it('maxOccupantsPerRoom: the room is full at the limit whatever its own maxusers says (service-unavailable)', async () => {
    const room = freshRoom();
    await createRoom(alice, room, 'Alice');
    await join(bob, room, 'Bob');
    const full = await join(carol, room, 'Carol');
    expect(errorCondition(full)).toBe('service-unavailable');
    expect(text(full)).toContain('at most 2 occupants');
  });

  it('maxMessagesPerMinute: the message over the allowance is refused with resource-constraint (wait) and reaches nobody', async () => {
    const room = freshRoom();
    await createRoom(carol, room, 'Carol');
    for (let i = 1; i <= 3; i++) {
      carol.send(`<message type='groupchat' to='${room}'><body>fast ${i}</body></message>`);
      await groupchat(carol, room, `fast ${i}`);
    }
    carol.send(`<message type='groupchat' to='${room}' id='over'><body>fast 4</body></message>`);
    const refused = await carol.next((e) => e.name === 'message' && e.attrs.id === 'over');
    expect(errorCondition(refused)).toBe('resource-constraint');
    expect(refused.getChild('error')!.attrs.type).toBe('wait');
    expect(text(refused)).toContain('at most 3 messages a minute');
    expect(carol.received.some((e) => e.attrs.type === 'groupchat' && e.getChildText('body') === 'fast 4')).toBe(false);
  });
});
