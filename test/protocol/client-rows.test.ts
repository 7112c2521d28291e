// The server-information screens of Conversations, Gajim, Dino and Monal, replayed: for each row
// a client shows (or, for Dino, which has no such screen, each server feature it gates on), the
// disco#info request it makes (on the domain, on the account's bare JID, on the domain's items) or
// the stream feature it reads, and whether Herald shows it available today. Rows for what Herald
// has not built are asserted absent, so the table in docs/protocols.md stays honest. Sources read
// (facts only): Conversations 2.12.8 EditAccountActivity.updateAccountInformation and
// XmppConnection.Features; Gajim gtk/preference/server_info.py and the modules' pass_disco;
// Dino libdino/xmpp-vala feature checks; Monal ServerDetails.swift and MLIQProcessor.m.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { loadConfig } from '../../src/config/load.js';
import type { HeraldConfig } from '../../src/config/types.js';
import { builtinModules } from '../../src/modules/index.js';
import { login } from '../harness/login.js';
import { iq } from '../harness/pep.js';
import { ServerProcess } from '../harness/server-process.js';
import type { XmlClient } from '../harness/xml-client.js';

const INFO = 'http://jabber.org/protocol/disco#info';
const ITEMS = 'http://jabber.org/protocol/disco#items';
const PUBSUB = 'http://jabber.org/protocol/pubsub';

/** Where a client looks: a disco#info feature or identity, an item of the domain, or a stream feature. */
type Check =
  | { on: 'domain' | 'account' | 'account-or-domain'; feature: string }
  | { on: 'account'; identity: string; features?: string[] }
  | { on: 'domain-items'; identity?: string; feature: string }
  | { on: 'stream'; element: string; xmlns: string };

/**
 * `{ module }`: available exactly when the configuration loads that module (and missing while no
 * module of that name is built: the row is then honest both before and after it lands);
 * `registration`: exactly when the domain allows XEP-0077 in-band registration (off by default).
 */
type Expected = 'available' | 'missing' | 'registration' | { module: string };

interface Row {
  row: string;
  check: Check;
  expected: Expected;
}

const mam = (row: string): Row => ({ row, check: { on: 'account', feature: 'urn:xmpp:mam:2' }, expected: { module: 'mam' } });
const CSI = { module: 'csi' };
const PUSH = { module: 'push' };
const stream = (row: string, element: string, xmlns: string, expected: Expected = 'available'): Row => ({ row, check: { on: 'stream', element, xmlns }, expected });
const domain = (row: string, feature: string, expected: Expected = 'available'): Row => ({ row, check: { on: 'domain', feature }, expected });
const account = (row: string, feature: string, expected: Expected = 'available'): Row => ({ row, check: { on: 'account', feature }, expected });
const upload = (row: string): Row => ({ row, check: { on: 'domain-items', feature: 'urn:xmpp:http:upload:0' }, expected: { module: 'upload' } });
const BLOCKING = { module: 'blocking' };

/** Monal's "PEP supported" test (MLIQProcessor handleAccountDiscoInfo), its "modern" part included. */
const MONAL_PEP = ['filtered-notifications', 'publish-options', 'publish', 'subscribe', 'create-nodes', 'delete-items', 'delete-nodes', 'persistent-items', 'retrieve-items', 'auto-create', 'item-ids', 'multi-items'];

export const CLIENT_ROWS: Record<string, Row[]> = {
  Conversations: [
    stream('Roster Versioning', 'ver', 'urn:xmpp:features:rosterver'),
    domain('Message Carbons', 'urn:xmpp:carbons:2'),
    mam('Message Archive Management'),
    stream('Client State Indication', 'csi', 'urn:xmpp:csi:0', CSI),
    domain('Blocking', 'urn:xmpp:blocking', BLOCKING),
    stream('Stream Management', 'sm', 'urn:xmpp:sm:3'),
    domain('External Service Discovery', 'urn:xmpp:extdisco:2', 'missing'),
    { row: 'Personal Eventing Protocol (OMEMO needs publish-options)', check: { on: 'account', identity: 'pubsub/pep', features: [`${PUBSUB}#publish-options`] }, expected: 'available' },
    upload('HTTP File Upload'),
    { row: 'Push Notifications', check: { on: 'account-or-domain', feature: 'urn:xmpp:push:0' }, expected: PUSH },
    account('(used) PEP persistent items', `${PUBSUB}#persistent-items`),
    account('(used) Avatar conversion', 'urn:xmpp:pep-vcard-conversion:0'),
    account('(used) Bookmarks conversion', 'urn:xmpp:bookmarks-conversion:0'),
    account('(used) Stanza IDs', 'urn:xmpp:sid:0'),
  ],
  Gajim: [
    { row: 'XEP-0045: Multi-User Chat', check: { on: 'domain-items', identity: 'conference/text', feature: 'http://jabber.org/protocol/muc' }, expected: { module: 'muc' } },
    domain('XEP-0054: vcard-temp', 'vcard-temp'),
    domain('XEP-0077: In-Band Registration', 'jabber:iq:register', 'registration'),
    { row: 'XEP-0163: Personal Eventing Protocol', check: { on: 'account', identity: 'pubsub/pep' }, expected: 'available' },
    account('XEP-0163: #publish-options', `${PUBSUB}#publish-options`),
    domain('XEP-0191: Blocking Command', 'urn:xmpp:blocking', BLOCKING),
    stream('XEP-0198: Stream Management', 'sm', 'urn:xmpp:sm:3'),
    domain('XEP-0258: Security Labels in XMPP', 'urn:xmpp:sec-label:0', 'missing'),
    domain('XEP-0280: Message Carbons', 'urn:xmpp:carbons:2'),
    mam('XEP-0313: Message Archive Management'),
    upload('XEP-0363: HTTP File Upload'),
    account('XEP-0398: Avatar Conversion', 'urn:xmpp:pep-vcard-conversion:0'),
    account('XEP-0411: Bookmarks Conversion', 'urn:xmpp:bookmarks-conversion:0'),
    account('XEP-0402: Bookmarks Compat', 'urn:xmpp:bookmarks:1#compat'),
    account('XEP-0402: Bookmarks Compat PEP', 'urn:xmpp:bookmarks:1#compat-pep'),
  ],
  Dino: [
    mam('Message Archive Management (history sync)'),
    domain('Blocking Command', 'urn:xmpp:blocking', BLOCKING),
    account('Bookmarks 2 (compat)', 'urn:xmpp:bookmarks:1#compat'),
    account('Stanza IDs (own archive)', 'urn:xmpp:sid:0'),
    stream('Stream Management', 'sm', 'urn:xmpp:sm:3'),
  ],
  Monal: [
    { row: 'XEP-0163 Personal Eventing Protocol (modern)', check: { on: 'account', identity: 'pubsub/pep', features: MONAL_PEP.map((f) => `${PUBSUB}#${f}`) }, expected: 'available' },
    account('(used) XEP-0402 compat-pep', 'urn:xmpp:bookmarks:1#compat-pep'),
    domain('XEP-0191: Blocking Command', 'urn:xmpp:blocking', BLOCKING),
    stream('XEP-0198: Stream Management', 'sm', 'urn:xmpp:sm:3'),
    domain('XEP-0199: XMPP Ping', 'urn:xmpp:ping'),
    domain('XEP-0215: External Service Discovery', 'urn:xmpp:extdisco:2', 'missing'),
    stream('XEP-0237: Roster Versioning', 'ver', 'urn:xmpp:features:rosterver'),
    domain('XEP-0280: Message Carbons', 'urn:xmpp:carbons:2'),
    mam('XEP-0313: Message Archive Management'),
    stream('XEP-0352: Client State Indication', 'csi', 'urn:xmpp:csi:0', CSI),
    account('XEP-0357: Push Notifications', 'urn:xmpp:push:0', PUSH),
    upload('XEP-0363: HTTP File Upload'),
    stream('XEP-0379: Pre-Authenticated Roster Subscription', 'sub', 'urn:xmpp:features:pre-approval'),
  ],
};

interface Observed {
  domainInfo: Element;
  accountInfo: Element;
  itemInfos: Element[];
  streamFeatures: Element;
}

const features = (query: Element) => new Set(query.getChildren('feature').map((f) => String(f.attrs.var)));
const identities = (query: Element) => query.getChildren('identity').map((i) => `${i.attrs.category}/${i.attrs.type}`);

function available(check: Check, seen: Observed): boolean {
  switch (check.on) {
    case 'stream':
      return seen.streamFeatures.getChild(check.element, check.xmlns) !== undefined;
    case 'domain-items':
      return seen.itemInfos.some((info) => features(info).has(check.feature) && (check.identity === undefined || identities(info).includes(check.identity)));
    case 'account-or-domain':
      return features(seen.accountInfo).has(check.feature) || features(seen.domainInfo).has(check.feature);
    default:
      if ('identity' in check) return identities(seen.accountInfo).includes(check.identity) && (check.features ?? []).every((f) => features(seen.accountInfo).has(f));
      return features(check.on === 'domain' ? seen.domainInfo : seen.accountInfo).has(check.feature);
  }
}

/** What one logged-in client sees: the post-login stream features and the disco#info answers its screen reads. */
async function observe(client: XmlClient, jid: string): Promise<Observed> {
  const bare = jid.split('/')[0]!;
  const query = async (to: string, ns: string) => (await iq(client, 'get', to, `<query xmlns='${ns}'/>`)).getChild('query', ns)!;
  const items = (await query('localhost', ITEMS)).getChildren('item').map((i) => String(i.attrs.jid));
  return {
    domainInfo: await query('localhost', INFO),
    accountInfo: await query(bare, INFO),
    itemInfos: await Promise.all(items.map((item) => query(item, INFO))),
    streamFeatures: client.received.filter((el) => el.name === 'stream:features').at(-1)!,
  };
}

describe.each([
  ['the default configuration', ''],
  ['modules: { mam: {} }', 'modules:\n  mam: {}'],
])('client server-information rows, %s', (_name, extraYaml) => {
  let server: ServerProcess;
  let seen: Observed;
  let config: HeraldConfig;
  const expectedOf = (expected: Expected): string => {
    if (typeof expected === 'object') {
      // The module loader's rule: the configuration's `enabled`, else the module's default.
      const module = builtinModules.find((m) => m.name === expected.module);
      return module && (config.modules[expected.module]?.enabled ?? module.enabledByDefault) ? 'available' : 'missing';
    }
    if (expected === 'registration') return config.domains[0]?.registration.enabled ? 'available' : 'missing';
    return expected;
  };

  beforeAll(async () => {
    server = await ServerProcess.start({ extraYaml });
    // What the server read, through the same loader.
    config = loadConfig({ path: server.configFile, env: {} });
    await server.addUser('rows@localhost', 'pw');
    const session = await login(server.ports.c2s, 'rows', 'pw', 'screen');
    seen = await observe(session.client, session.jid);
    session.client.destroy();
  });

  afterAll(async () => {
    await server?.stop();
    server?.cleanup();
  });

  for (const [client, rows] of Object.entries(CLIENT_ROWS)) {
    it(`${client}: every row it shows reads as the table in docs/protocols.md says`, () => {
      const shown = rows.map(({ row, check }) => `${row}: ${available(check, seen) ? 'available' : 'missing'}`);
      const expected = rows.map(({ row, expected }) => `${row}: ${expectedOf(expected)}`);
      expect(shown).toEqual(expected);
    });
  }
});
