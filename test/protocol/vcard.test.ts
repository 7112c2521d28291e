// vCard-temp (XEP-0054), the XEP-0153 photo hash in presence and XEP-0398 conversion between the
// vCard PHOTO and XEP-0084 avatar nodes, over real sockets.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '../../src/xml/element.js';
import { nextPresence } from '../harness/im.js';
import { iq, isEventFor, itemIds, NS_PUBSUB, publishXml, pubsubErrorOf } from '../harness/pep.js';
import { ALICE, startPepServer, type PepServer } from '../harness/pep-server.js';
import type { XmlClient } from '../harness/xml-client.js';

const NS_VCARD = 'vcard-temp';
const DATA = 'urn:xmpp:avatar:data';
const METADATA = 'urn:xmpp:avatar:metadata';
let pep: PepServer;

const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');
const RED = Buffer.from('red-pixel-image');
const BLUE = Buffer.from('blue-pixel-image');
const vcardWith = (fn: string, image?: Buffer) =>
  `<vCard xmlns='${NS_VCARD}'><FN>${fn}</FN>${image ? `<PHOTO><TYPE>image/png</TYPE><BINVAL>${image.toString('base64')}</BINVAL></PHOTO>` : ''}</vCard>`;
const getVCard = (client: XmlClient, to?: string) => iq(client, 'get', to, `<vCard xmlns='${NS_VCARD}'/>`);
const photoIn = (answer: Element) => answer.getChild('vCard', NS_VCARD)?.getChild('PHOTO')?.getChildText('BINVAL');

beforeAll(async () => {
  pep = await startPepServer({ pep: {}, users: ['bob', 'carol', 'gone'], contacts: [['bob', []]] });
});

afterAll(async () => pep?.stop());

describe('XEP-0054 vCard-temp', () => {
  it('XEP-0054 §6 / XEP-0398 §2: vcard-temp on the server, urn:xmpp:pep-vcard-conversion:0 on the account', async () => {
    const features = async (to: string) => (await iq(pep.alice.client, 'get', to, "<query xmlns='http://jabber.org/protocol/disco#info'/>")).getChild('query')!.getChildren('feature').map((f) => f.attrs.var);
    expect(await features('localhost')).toContain(NS_VCARD);
    expect(await features(ALICE)).toContain('urn:xmpp:pep-vcard-conversion:0');
  });

  it('XEP-0054 §3.1: no vCard is item-not-found; an account that does not exist is service-unavailable', async () => {
    expect(pubsubErrorOf(await getVCard(pep.alice.client, 'carol@localhost')).condition).toBe('item-not-found');
    expect(pubsubErrorOf(await getVCard(pep.alice.client, 'nobody@localhost')).condition).toBe('service-unavailable');
  });

  it('XEP-0054 §3.2: the user stores its vCard; anyone reads it; only the user changes it', async () => {
    expect((await iq(pep.alice.client, 'set', undefined, vcardWith('Alice'))).attrs.type).toBe('result');
    const bob = await pep.login('bob', 'x');
    expect((await getVCard(bob.client, ALICE)).getChild('vCard', NS_VCARD)?.getChildText('FN')).toBe('Alice');
    const refused = pubsubErrorOf(await iq(bob.client, 'set', ALICE, vcardWith('Mallory')));
    expect(refused.condition).toBe('forbidden');
    expect((await getVCard(pep.alice.client)).getChild('vCard', NS_VCARD)?.getChildText('FN')).toBe('Alice');
    bob.client.destroy();
  });

  it('modules.vcard.options.maxBytes: a larger vCard is refused with not-acceptable and not stored', async () => {
    // The default, 160 KiB: below limits.maxStanzaBytes, so the server reads the whole request.
    const error = pubsubErrorOf(await iq(pep.alice.client, 'set', undefined, vcardWith('y'.repeat(170 * 1024))));
    expect(error.condition).toBe('not-acceptable');
    expect(error.text).toContain(String(160 * 1024));
    expect((await getVCard(pep.alice.client)).getChild('vCard', NS_VCARD)?.getChildText('FN')).toBe('Alice');
  });
});

describe('XEP-0398 conversion and XEP-0153 presence', () => {
  it('XEP-0398 §3.2: a vCard photo becomes XEP-0084 data and metadata items (id = SHA-1), notified to subscribers', async () => {
    const watcher = await pep.online('alice', 'watcher', [METADATA]);
    await iq(pep.alice.client, 'set', undefined, vcardWith('Alice', RED));
    const event = await watcher.client.next((el) => isEventFor(ALICE, METADATA)(el) && itemIds(el).includes(sha1(RED)));
    const info = event.getChild('event')!.getChild('items')!.getChild('item')!.getChild('metadata', METADATA)!.getChild('info')!;
    expect([info.attrs.id, info.attrs.type, info.attrs.bytes]).toEqual([sha1(RED), 'image/png', String(RED.length)]);
    // vCards are public, so the converted avatar is too (XEP-0398 §6): a stranger fetches the data.
    const carol = await pep.login('carol', 'x');
    const data = await iq(carol.client, 'get', ALICE, `<pubsub xmlns='${NS_PUBSUB}'><items node='${DATA}'><item id='${sha1(RED)}'/></items></pubsub>`);
    expect(data.getChild('pubsub', NS_PUBSUB)?.getChild('items')?.getChild('item')?.getChildText('data', DATA)).toBe(RED.toString('base64'));
    carol.client.destroy();
    watcher.client.destroy();
  });

  it('XEP-0398 §3.1: an avatar a client publishes becomes the vCard photo; a metadata id not matching the image changes nothing', async () => {
    await iq(pep.alice.client, 'set', undefined, publishXml(DATA, sha1(BLUE), `<data xmlns='${DATA}'>${BLUE.toString('base64')}</data>`));
    await iq(pep.alice.client, 'set', undefined, publishXml(METADATA, sha1(BLUE), `<metadata xmlns='${METADATA}'><info id='${sha1(BLUE)}' bytes='${BLUE.length}' type='image/png'/></metadata>`));
    const vcard = await getVCard(pep.alice.client);
    expect(photoIn(vcard)).toBe(BLUE.toString('base64'));
    expect(vcard.getChild('vCard', NS_VCARD)?.getChildText('FN')).toBe('Alice');
    const wrong = sha1(Buffer.from('other'));
    await iq(pep.alice.client, 'set', undefined, publishXml(DATA, wrong, `<data xmlns='${DATA}'>${RED.toString('base64')}</data>`));
    await iq(pep.alice.client, 'set', undefined, publishXml(METADATA, wrong, `<metadata xmlns='${METADATA}'><info id='${wrong}' bytes='1' type='image/png'/></metadata>`));
    expect(photoIn(await getVCard(pep.alice.client))).toBe(BLUE.toString('base64'));
    // Back to a consistent avatar for the presence tests.
    await iq(pep.alice.client, 'set', undefined, publishXml(METADATA, sha1(BLUE), `<metadata xmlns='${METADATA}'><info id='${sha1(BLUE)}' bytes='${BLUE.length}' type='image/png'/></metadata>`));
  });

  it('XEP-0398 §3.1: empty metadata (XEP-0084 §4.5) removes the vCard photo', async () => {
    const gone = await pep.login('gone', 'x');
    await iq(gone.client, 'set', undefined, vcardWith('Gone', RED));
    await iq(gone.client, 'set', undefined, publishXml(METADATA, 'off', `<metadata xmlns='${METADATA}'/>`));
    const vcard = await getVCard(gone.client);
    expect([photoIn(vcard), vcard.getChild('vCard', NS_VCARD)?.getChildText('FN')]).toEqual([undefined, 'Gone']);
    gone.client.destroy();
  });

  it('XEP-0398 §4: the server adds the avatar hash to available presence; a client <photo/> stays as sent', async () => {
    const bob = await pep.login('bob', 'y');
    bob.client.send('<presence/>');
    await nextPresence(bob.client, bob.jid);
    const alice = await pep.login('alice', 'presence');
    alice.client.send("<presence><x xmlns='vcard-temp:x:update'/></presence>");
    const first = await nextPresence(bob.client, alice.jid);
    expect(first.getChild('x', 'vcard-temp:x:update')?.getChildText('photo')).toBe(sha1(BLUE));
    expect(first.getChildren('x').filter((x) => x.attrs.xmlns === 'vcard-temp:x:update')).toHaveLength(1);
    alice.client.send("<presence><show>away</show><x xmlns='vcard-temp:x:update'><photo/></x></presence>");
    const second = await nextPresence(bob.client, alice.jid);
    expect(second.getChild('x', 'vcard-temp:x:update')?.getChild('photo')?.getText()).toBe('');
    alice.client.destroy();
    bob.client.destroy();
  });

  it('XEP-0054: deleting the account deletes its vCard', async () => {
    expect((await pep.server.cli(['user', 'del', 'gone@localhost', '--yes'])).code).toBe(0);
    await pep.server.addUser('gone@localhost', 'pw');
    expect(pubsubErrorOf(await getVCard(pep.alice.client, 'gone@localhost')).condition).toBe('item-not-found');
  });
});
