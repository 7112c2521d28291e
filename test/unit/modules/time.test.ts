import { afterEach, describe, expect, it } from 'vitest';
import { xml } from '../../../src/xml/element.js';
import { NS } from '../../../src/xml/ns.js';
import { createFakeClock, createInProcessCore, type InProcessCore } from '../../harness/in-process-core.js';
import { discoFeatures } from './disco-helpers.js';

let core: InProcessCore;
afterEach(async () => core.close());

describe('XEP-0202 Entity Time', () => {
  it('XEP-0202 §2: the server answers with its UTC time from the clock and a +00:00 offset', async () => {
    core = await createInProcessCore({ clock: createFakeClock(Date.UTC(2026, 2, 4, 5, 6, 7, 890)) });
    const alice = await core.connect('alice@example.org/home');
    const [reply] = await core.send(alice, xml('iq', { type: 'get', id: 't1', to: 'example.org' }, xml('time', { xmlns: NS.time })));
    expect(reply?.attrs).toMatchObject({ type: 'result', id: 't1', from: 'example.org', to: 'alice@example.org/home' });
    const time = reply?.getChild('time', NS.time);
    expect(time?.getChildText('tzo')).toBe('+00:00');
    expect(time?.getChildText('utc')).toBe('2026-03-04T05:06:07Z');
  });

  it('XEP-0202 §2: the time follows the clock', async () => {
    const clock = createFakeClock(Date.UTC(2026, 0, 1));
    core = await createInProcessCore({ clock });
    const alice = await core.connect('alice@example.org/home');
    clock.advance(90_000);
    const [reply] = await core.send(alice, xml('iq', { type: 'get', id: 't2', to: 'example.org' }, xml('time', { xmlns: NS.time })));
    expect(reply?.getChild('time', NS.time)?.getChildText('utc')).toBe('2026-01-01T00:01:30Z');
  });

  it('XEP-0202 (Determining Support): the server advertises urn:xmpp:time', async () => {
    core = await createInProcessCore();
    expect(await discoFeatures(core, 'example.org')).toContain(NS.time);
  });
});
