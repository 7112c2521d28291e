// XEP-0045 §7.2.12–§7.2.15 discussion history on entering, from the room's archive: each old
// message with a <delay/> by the room, limited by maxstanzas, maxchars, seconds and since.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import type { XmlClient } from '../harness/xml-client.js';
import type { Element } from '../../src/xml/element.js';
import { createRoom, errorCondition, freshRoom, groupchat, join } from '../harness/muc.js';

let server: ServerProcess;
let alice: XmlClient;
let reader: XmlClient;
let room: string;
let entries = 0;

beforeAll(async () => {
  server = await ServerProcess.start();
  await server.addUser('alice@localhost', 'pw');
  await server.addUser('reader@localhost', 'pw');
  alice = (await login(server.ports.c2s, 'alice', 'pw', 'desk')).client;
  reader = (await login(server.ports.c2s, 'reader', 'pw', 'r')).client;
  room = freshRoom('history');
  await createRoom(alice, room, 'Alice', { 'muc#maxhistoryfetch': '3' });
  for (const body of ['one', 'two', 'three', 'four']) {
    alice.send(`<message type='groupchat' to='${room}'><body>${body}</body></message>`);
    await groupchat(alice, room, body);
  }
}, 120_000);

afterAll(async () => {
  alice?.destroy();
  reader?.destroy();
  await server?.stop();
  server?.cleanup();
});

/** The reader enters with `history` attributes (and leaves); resolves with the history bodies and the subject message. */
async function enterWith(history?: string): Promise<{ bodies: string[]; delays: Element[]; subject: Element }> {
  entries += 1;
  const nick = `reader${entries}`;
  const seen = reader.received.length;
  await join(reader, room, nick, history === undefined ? {} : { history });
  const subject = await reader.next((e) => e.name === 'message' && e.getChild('subject') !== undefined);
  const old = reader.received.slice(seen).filter((e) => e.name === 'message' && e.getChild('body') !== undefined);
  reader.send(`<presence to='${room}/${nick}' type='unavailable'/>`);
  await reader.next((e) => e.name === 'presence' && e.attrs.from === `${room}/${nick}` && e.attrs.type === 'unavailable');
  reader.inbox.length = 0;
  return { bodies: old.map((m) => m.getChildText('body')!), delays: old.map((m) => m.getChild('delay', 'urn:xmpp:delay')!), subject };
}

describe('XEP-0045 discussion history', () => {
  it('XEP-0045 §7.2.12: a newcomer gets the room\'s history length (muc#maxhistoryfetch) of the newest messages, delayed by the room, before the subject', async () => {
    const { bodies, delays } = await enterWith();
    expect(bodies).toEqual(['two', 'three', 'four']);
    for (const delay of delays) {
      expect(delay.attrs.from).toBe(room);
      expect(Date.parse(delay.attrs.stamp as string)).toBeGreaterThan(Date.now() - 60_000);
    }
  });

  it('XEP-0045 §7.2.13: maxstanzas asks for fewer; maxstanzas=0 for none', async () => {
    expect((await enterWith("maxstanzas='1'")).bodies).toEqual(['four']);
    expect((await enterWith("maxstanzas='0'")).bodies).toEqual([]);
  });

  it('XEP-0045 §7.2.13: maxchars counts whole stanzas and keeps the newest that fit', async () => {
    const all = await enterWith();
    expect(all.bodies).toHaveLength(3);
    expect((await enterWith("maxchars='0'")).bodies).toEqual([]);
    // One stored stanza is a few hundred characters: 2 fit in 1,000 of them… but not 3 in 500.
    const few = await enterWith("maxchars='500'");
    expect(few.bodies.length).toBeLessThan(3);
    expect(few.bodies).toEqual(['two', 'three', 'four'].slice(3 - few.bodies.length));
  });

  it('XEP-0045 §7.2.14/§7.2.15: seconds and since keep only newer messages', async () => {
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await enterWith(`since='${future}'`)).bodies).toEqual([]);
    expect((await enterWith("seconds='3600'")).bodies).toEqual(['two', 'three', 'four']);
    expect((await enterWith("since='1970-01-01T00:00:00Z'")).bodies).toEqual(['two', 'three', 'four']);
  });

  it('XEP-0045 §7.2.13: a malformed history request is a bad-request naming the attribute', async () => {
    const answer = await join(reader, room, 'Sloppy', { history: "maxstanzas='lots'" });
    expect(errorCondition(answer)).toBe('bad-request');
    expect(answer.getChild('error')?.getChildText('text', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toContain('maxstanzas');
  });
});
