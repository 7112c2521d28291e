// The mam module in-process: retention sweeps, option validation, and archiving of messages to an
// offline account (XEP-0313 with XEP-0160).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { xml } from '../../../src/xml/element.js';
import { parseJid } from '../../../src/protocol/jid.js';
import { stanzaIdOf } from '../../../src/protocol/stanza-id.js';
import { buildElement } from '../../../src/xml/element-builder.js';
import { createInProcessCore, type FakeSession, type InProcessCore } from '../../harness/in-process-core.js';
import { PREFS_CACHE_MS } from '../../../src/modules/mam/prefs-cache.js';

const JULIET = 'juliet@example.org';
const DAY = 24 * 60 * 60 * 1000;

let core: InProcessCore | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await core?.close();
  core = undefined;
});

const chat = (text: string) => xml('message', { to: JULIET, type: 'chat' }, xml('body', null, text));

async function start(options: Record<string, unknown>): Promise<FakeSession> {
  core = await createInProcessCore({ moduleConfig: { mam: { enabled: true, options } } });
  await core.accounts.create(parseJid(JULIET), 'pw');
  return core.connect('romeo@example.org/garden');
}

const archived = async (account: string): Promise<string[]> =>
  ((await core!.storage.archive.query(account, { max: 100, fromEnd: false }))?.messages ?? []).map(
    (m) => buildElement(m.stanza).getChildText('body') ?? '',
  );

describe('mam retention', () => {
  it('one periodic sweep deletes messages older than retentionDays from every archive, and only those', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const romeo = await start({ retentionDays: 2, expiryIntervalSeconds: 60 });
    await core!.send(romeo, chat('old'));
    core!.clock.advance(2 * DAY + 1);
    await core!.send(romeo, chat('new'));
    await vi.waitFor(async () => expect(await archived(JULIET)).toEqual(['old', 'new']));
    expect(await archived('romeo@example.org')).toEqual(['old', 'new']);

    vi.advanceTimersByTime(60_000);
    await vi.waitFor(async () => expect(await archived(JULIET)).toEqual(['new']));
    await vi.waitFor(async () => expect(await archived('romeo@example.org')).toEqual(['new']));
  });

  it("keeps everything with retentionDays 'forever' (the default)", async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const romeo = await start({ expiryIntervalSeconds: 60 });
    await core!.send(romeo, chat('old'));
    core!.clock.advance(3650 * DAY);
    vi.advanceTimersByTime(120_000);
    await core!.send(romeo, chat('new'));
    await vi.waitFor(async () => expect(await archived(JULIET)).toEqual(['old', 'new']));
  });
});

describe('mam options', () => {
  it.each([
    [{ retentionDays: 0 }, "modules.mam.options.retentionDays: expected a positive number of days or 'forever', found 0"],
    [{ retentionDays: '30d' }, 'modules.mam.options.retentionDays'],
    [{ defaultPreference: 'sometimes' }, "modules.mam.options.defaultPreference: expected 'always', 'never' or 'roster', found \"sometimes\""],
    [{ maxPageSize: -1 }, 'modules.mam.options.maxPageSize: expected a positive integer'],
    [{ defaultPageSize: 300 }, 'modules.mam.options.defaultPageSize: expected at most maxPageSize (250)'],
  ])('a bad value (%o) stops loading with an error naming the key', async (options, message) => {
    await expect(start(options)).rejects.toThrow(message);
  });
});

describe('mam and offline storage', () => {
  it('XEP-0313 §3.5: a message stored offline is archived under the stanza-id it will be delivered with', async () => {
    const romeo = await start({});
    await core!.send(romeo, chat('while you were out'));
    const [stored] = await core!.storage.offline.list(JULIET);
    const page = await core!.storage.archive.query(JULIET, { max: 10, fromEnd: false });
    expect(page?.messages.map((m) => m.id)).toEqual([stanzaIdOf(buildElement(stored!.stanza), JULIET)]);
  });

  it("defaultPreference 'never' archives nothing for accounts without preferences", async () => {
    const romeo = await start({ defaultPreference: 'never' });
    await core!.send(romeo, chat('unrecorded'));
    expect(await core!.storage.offline.count(JULIET)).toBe(1);
    // A query waits for archiving in flight, so an empty answer means nothing was archived.
    const juliet = await core!.connect(`${JULIET}/balcony`);
    for (const session of [juliet, romeo]) {
      const answer = await core!.send(session, xml('iq', { type: 'set', id: 'q1' }, xml('query', { xmlns: 'urn:xmpp:mam:2' })));
      expect(answer.map((el) => el.name)).toEqual(['iq']);
      expect(answer[0]?.getChild('fin', 'urn:xmpp:mam:2')?.attrs.complete).toBe('true');
    }
  });
});

describe('mam preferences from the configuration', () => {
  it("XEP-0441 §3: defaultPreference 'roster' archives, for accounts without preferences, only conversations with roster contacts", async () => {
    const romeo = await start({ defaultPreference: 'roster' });
    await core!.accounts.create(parseJid('tybalt@example.org'), 'pw');
    await core!.storage.roster.put(JULIET, { jid: 'romeo@example.org', subscription: 'both', ask: false, approved: false, groups: [] });
    const tybalt = await core!.connect('tybalt@example.org/street');
    await core!.send(romeo, chat('from a contact'));
    await core!.send(tybalt, chat('from a stranger'));
    // A query waits for archiving in flight, so what it finds is all that was archived.
    const juliet = await core!.connect(`${JULIET}/balcony`);
    await core!.send(juliet, xml('iq', { type: 'set', id: 'q1' }, xml('query', { xmlns: 'urn:xmpp:mam:2' })));
    expect(await archived(JULIET)).toEqual(['from a contact']);
  });
});

describe('mam preferences cache', () => {
  const prefsSet = (never: string) =>
    xml('iq', { type: 'set', id: 'p1' }, xml('prefs', { xmlns: 'urn:xmpp:mam:2', default: 'always' }, xml('always'), xml('never', null, xml('jid', null, never))));

  it('XEP-0441 §3: a preference set on this node applies to the next message, though earlier ones were archived under the old one', async () => {
    const romeo = await start({});
    await core!.send(romeo, chat('before'));
    const juliet = await core!.connect(`${JULIET}/balcony`);
    expect((await core!.send(juliet, prefsSet('romeo@example.org')))[0]?.attrs.type).toBe('result');
    await core!.send(romeo, chat('after'));
    await core!.send(juliet, xml('iq', { type: 'set', id: 'q1' }, xml('query', { xmlns: 'urn:xmpp:mam:2' })));
    expect(await archived(JULIET)).toEqual(['before']);
  });

  it('a preference written by another node applies here once the cached one is older than PREFS_CACHE_MS', async () => {
    const romeo = await start({});
    await core!.send(romeo, chat('cached'));
    // Another node stores Juliet's new preference: this node still uses what it read.
    await core!.storage.kv.set(JULIET, 'mam:prefs', JSON.stringify({ default: 'always', always: [], never: ['romeo@example.org'] }));
    await core!.send(romeo, chat('still archived'));
    core!.clock.advance(PREFS_CACHE_MS + 1);
    await core!.send(romeo, chat('not archived'));
    const juliet = await core!.connect(`${JULIET}/balcony`);
    await core!.send(juliet, xml('iq', { type: 'set', id: 'q1' }, xml('query', { xmlns: 'urn:xmpp:mam:2' })));
    expect(await archived(JULIET)).toEqual(['cached', 'still archived']);
  });
});
