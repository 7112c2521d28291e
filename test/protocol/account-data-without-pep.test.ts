// With the pep module disabled, vCards and XEP-0048 bookmarks still work, unconverted: the vcard
// and bookmarks modules convert through PEP, so they must not depend on it being there.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { iq } from '../harness/pep.js';
import { login } from '../harness/login.js';
import { ServerProcess } from '../harness/server-process.js';
import type { XmlClient } from '../harness/xml-client.js';

let server: ServerProcess;
let alice: XmlClient;

beforeAll(async () => {
  server = await ServerProcess.start({ extraYaml: ['modules:', '  pep:', '    enabled: false'].join('\n') });
  await server.addUser('alice@localhost', 'pw');
  alice = (await login(server.ports.c2s, 'alice', 'pw', 'desk')).client;
});

afterAll(async () => {
  alice?.destroy();
  await server?.stop();
  server?.cleanup();
});

it('XEP-0054 §3.2 without PEP: a vCard with a photo is stored, and no XEP-0398 conversion is advertised', async () => {
  const vcard = `<vCard xmlns='vcard-temp'><FN>Alice</FN><PHOTO><TYPE>image/png</TYPE><BINVAL>${Buffer.from('img').toString('base64')}</BINVAL></PHOTO></vCard>`;
  expect((await iq(alice, 'set', undefined, vcard)).attrs.type).toBe('result');
  expect((await iq(alice, 'get', undefined, "<vCard xmlns='vcard-temp'/>")).getChild('vCard', 'vcard-temp')?.getChildText('FN')).toBe('Alice');
  const info = await iq(alice, 'get', 'alice@localhost', "<query xmlns='http://jabber.org/protocol/disco#info'/>");
  const features = info.getChild('query')!.getChildren('feature').map((f) => f.attrs.var);
  expect(features).not.toContain('urn:xmpp:pep-vcard-conversion:0');
  expect(features).not.toContain('urn:xmpp:bookmarks:1#compat');
});

it('XEP-0049 without PEP: XEP-0048 bookmarks are kept as plain private XML', async () => {
  const storage = "<storage xmlns='storage:bookmarks'><conference jid='room@conf.localhost' name='Room'/></storage>";
  expect((await iq(alice, 'set', undefined, `<query xmlns='jabber:iq:private'>${storage}</query>`)).attrs.type).toBe('result');
  const answer = await iq(alice, 'get', undefined, "<query xmlns='jabber:iq:private'><storage xmlns='storage:bookmarks'/></query>");
  expect(answer.getChild('query')?.getChild('storage', 'storage:bookmarks')?.getChild('conference')?.attrs.jid).toBe('room@conf.localhost');
});
