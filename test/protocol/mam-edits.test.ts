// Edits in the archive over real sockets: XEP-0308 corrections, XEP-0424 retractions and what
// XEP-0425 moderation notices (a group chat's) do to a user archive (nothing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { nextMessage } from '../harness/im.js';
import type { XmlClient } from '../harness/xml-client.js';
import { forwardedOf, queryArchive, settled } from '../harness/mam.js';

const NS_RETRACT = 'urn:xmpp:message-retract:1';
const NS_CORRECT = 'urn:xmpp:message-correct:0';
let server: ServerProcess;
const clients: XmlClient[] = [];

async function connect(user: string): Promise<XmlClient> {
  const { client } = await login(server.ports.c2s, user, 'secret-pass', 'edits');
  client.send('<presence/>');
  clients.push(client);
  return client;
}

/** The forwarded messages of the account's whole archive, oldest first. */
async function archived(client: XmlClient): Promise<Element[]> {
  const page = await queryArchive(client, { rsm: '<max>250</max>' });
  return page.results.map((result) => forwardedOf(result)!);
}

beforeAll(async () => {
  server = await ServerProcess.start();
  for (const user of ['olga', 'pete', 'quin', 'rosa', 'sam', 'tess']) await server.addUser(`${user}@localhost`, 'secret-pass');
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await server?.stop();
  server?.cleanup();
});

describe('XEP-0308 corrections in the archive', () => {
  it('XEP-0308 §3 with XEP-0313 §5.1.1: a correction is archived as a message of its own in both archives; the original keeps its body', async () => {
    const olga = await connect('olga');
    const pete = await connect('pete');
    olga.send("<message to='pete@localhost' type='chat' id='orig-1'><body>helo</body></message>");
    await nextMessage(pete, (el) => el.attrs.id === 'orig-1');
    olga.send(`<message to='pete@localhost' type='chat' id='fix-1'><body>hello</body><replace xmlns='${NS_CORRECT}' id='orig-1'/></message>`);
    await nextMessage(pete, (el) => el.attrs.id === 'fix-1');
    await settled(olga);

    for (const client of [olga, pete]) {
      const messages = await archived(client);
      expect(messages.map((m) => [m.attrs.id, m.getChildText('body')])).toEqual([
        ['orig-1', 'helo'],
        ['fix-1', 'hello'],
      ]);
      expect(messages[1]!.getChild('replace', NS_CORRECT)?.attrs.id).toBe('orig-1');
    }
  });
});

describe('XEP-0424 tombstones: only the sender, only in that conversation', () => {
  it('XEP-0424 §Tombstones: the tombstone keeps the ids clients match it by and records the retraction id and stamp', async () => {
    const quin = await connect('quin');
    const rosa = await connect('rosa');
    quin.send("<message to='rosa@localhost' type='chat' id='gone-1'><body>secret</body><origin-id xmlns='urn:xmpp:sid:0' id='gone-1'/></message>");
    await nextMessage(rosa, (el) => el.attrs.id === 'gone-1');
    quin.send(`<message to='rosa@localhost' type='chat' id='retract-1'><retract xmlns='${NS_RETRACT}' id='gone-1'/><store xmlns='urn:xmpp:hints'/></message>`);
    await nextMessage(rosa, (el) => el.attrs.id === 'retract-1');
    await settled(quin);

    for (const client of [quin, rosa]) {
      const [tombstone, retraction] = await archived(client);
      expect(tombstone?.attrs.id).toBe('gone-1');
      expect(tombstone?.toString()).not.toContain('secret');
      expect(tombstone?.getChild('origin-id', 'urn:xmpp:sid:0')?.attrs.id).toBe('gone-1');
      const retracted = tombstone?.getChild('retracted', NS_RETRACT);
      expect(retracted?.attrs.id).toBe('retract-1');
      expect(retracted?.attrs.stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
      // Business Rules: the retraction itself MUST be stored too.
      expect(retraction?.getChild('retract', NS_RETRACT)?.attrs.id).toBe('gone-1');
    }
  });

  it('XEP-0424 §Business Rules: a retraction sent in another conversation does not touch a message with that id', async () => {
    const sam = await connect('sam');
    const tess = await connect('tess');
    const olga = await connect('olga');
    sam.send("<message to='tess@localhost' type='chat' id='shared-id'><body>for tess</body></message>");
    await nextMessage(tess, (el) => el.attrs.id === 'shared-id');
    // Same sender, same id, but to someone else: it retracts nothing in Sam's talk with Tess.
    sam.send(`<message to='olga@localhost' type='chat' id='retract-2'><retract xmlns='${NS_RETRACT}' id='shared-id'/><store xmlns='urn:xmpp:hints'/></message>`);
    await nextMessage(olga, (el) => el.attrs.id === 'retract-2');
    await settled(sam);

    const kept = (await archived(tess)).find((m) => m.attrs.id === 'shared-id');
    expect(kept?.getChildText('body')).toBe('for tess');
    const own = (await archived(sam)).find((m) => m.attrs.id === 'shared-id');
    expect(own?.getChildText('body')).toBe('for tess');
  });
});

describe('XEP-0425 moderation and user archives', () => {
  it('XEP-0425: a moderation notice (type groupchat) is not archived and cannot tombstone a 1:1 message with the id it names', async () => {
    const pete = await connect('pete');
    const rosa = await connect('rosa');
    pete.send("<message to='rosa@localhost' type='chat' id='keep-me'><body>still here</body></message>");
    await nextMessage(rosa, (el) => el.attrs.id === 'keep-me');
    const rosaJid = 'rosa@localhost/edits';
    pete.send(
      `<message to='${rosaJid}' type='groupchat' id='moderation-1'><retract xmlns='${NS_RETRACT}' id='keep-me'>` +
        "<moderated xmlns='urn:xmpp:message-moderate:1' by='room@conference.localhost/mod'/><reason>spam</reason></retract></message>",
    );
    await settled(pete);
    await settled(rosa);

    const messages = await archived(rosa);
    expect(messages.find((m) => m.attrs.id === 'keep-me')?.getChildText('body')).toBe('still here');
    expect(messages.some((m) => m.attrs.id === 'moderation-1')).toBe(false);
  });
});
