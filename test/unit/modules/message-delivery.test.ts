// RFC 6121 §8.5.2: a message to an account's bare JID, through the message module's paths. The
// usual case answers without a promise; these pin that a recipient that is slow to read still
// paces the sender and that delivery then carries on to the next resource and to the observers.
import { afterEach, describe, expect, it } from 'vitest';
import { xml } from '../../../src/xml/element.js';
import type { SessionRef } from '../../../src/core/sessions/session-ref.js';
import { createInProcessCore, errorCondition, type FakeSession, type InProcessCore } from '../../harness/in-process-core.js';

const JULIET = 'juliet@example.org';

let core: InProcessCore;
afterEach(async () => core.close());

const chat = (text: string) => xml('message', { to: JULIET, type: 'chat', id: text }, xml('body', null, text));
const bodies = (session: FakeSession): string[] => session.sent.filter((s) => s.name === 'message').map((m) => m.getChildText('body') ?? '');

async function online(jid: string, priority: number): Promise<FakeSession> {
  const session = await core.connect(jid);
  await core.send(session, xml('presence', null, xml('priority', null, String(priority))));
  return session;
}

describe('RFC 6121 §8.5.2.1 message to a bare JID', () => {
  it('§8.5.2.1.1: every resource of the highest priority gets it, and observers learn both recipients', async () => {
    core = await createInProcessCore();
    const balcony = await online(`${JULIET}/balcony`, 5);
    const chamber = await online(`${JULIET}/chamber`, 5);
    const low = await online(`${JULIET}/low`, 1);
    const romeo = await core.connect('romeo@example.org/garden');
    const observed: string[][] = [];
    core.events.on('message/delivered', (event) => void observed.push(event.recipients.map((r: SessionRef) => r.jid)));
    expect(await core.send(romeo, chat('one'))).toEqual([]);
    expect([bodies(balcony), bodies(chamber), bodies(low)]).toEqual([['one'], ['one'], []]);
    expect(observed).toEqual([[`${JULIET}/balcony`, `${JULIET}/chamber`]]);
  });

  it('§8.5.2.1.1 / issue 13: a congested first resource paces the sender, then the second gets it too', async () => {
    core = await createInProcessCore();
    const balcony = await online(`${JULIET}/balcony`, 5);
    const chamber = await online(`${JULIET}/chamber`, 5);
    const romeo = await core.connect('romeo@example.org/garden');
    const observed: string[][] = [];
    core.events.on('message/delivered', (event) => void observed.push(event.recipients.map((r: SessionRef) => r.jid)));
    let drained = (): void => undefined;
    balcony.congested = true;
    balcony.whenWritable = () => new Promise((resolve) => (drained = () => resolve(true)));
    let done = false;
    const sending = core.send(romeo, chat('slow')).then((replies) => ((done = true), replies));
    // The write to the congested resource happened; the sender waits for it to drain.
    await new Promise((resolve) => setImmediate(resolve));
    expect([bodies(balcony), bodies(chamber), done, observed]).toEqual([['slow'], [], false, []]);
    drained();
    expect(await sending).toEqual([]);
    expect([bodies(balcony), bodies(chamber)]).toEqual([['slow'], ['slow']]);
    expect(observed).toEqual([[`${JULIET}/balcony`, `${JULIET}/chamber`]]);
  });

  it('§8.5.2.2.1: an account with no available resource and no offline store: service-unavailable', async () => {
    core = await createInProcessCore({ moduleConfig: { offline: { enabled: false, options: {} } } });
    await core.connect(`${JULIET}/away`);
    const romeo = await core.connect('romeo@example.org/garden');
    const [reply] = await core.send(romeo, chat('nobody'));
    expect(errorCondition(reply!)).toBe('service-unavailable');
  });
});
