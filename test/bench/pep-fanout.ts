// PEP cost on a real server process over real sockets: publish rate (no contacts), item fetch
// rate, and a notification fan-out to 200 contacts whose caps ask for the node. Not part of
// `npm test`. Run (builds dist/ first):
//   npm run build && npx vitest run --config test/bench/vitest.bench.config.ts
// Figures are printed; they depend on the machine (docs/benchmarks.md has the method).
import { join } from 'node:path';
import { afterAll, it } from 'vitest';
import { createAccounts } from '../../src/auth/accounts.js';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { parseJid } from '../../src/protocol/jid.js';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { announceCaps, capsVer } from '../harness/caps.js';
import { nextPresence } from '../harness/im.js';
import { iq, isEventFor, itemIds, publishXml } from '../harness/pep.js';
import type { XmlClient } from '../harness/xml-client.js';

const CONTACTS = Number(process.env.PEP_BENCH_CONTACTS ?? 200);
const ROUNDS = Number(process.env.PEP_BENCH_ROUNDS ?? 200);
const NODE = 'urn:xmpp:omemo:2:devices';
const CLIENT = [{ category: 'client', type: 'pc', name: 'pep-bench' }];
const FEATURES = ['http://jabber.org/protocol/disco#info', `${NODE}+notify`];

let server: ServerProcess | undefined;
const clients: XmlClient[] = [];
afterAll(async () => {
  for (const c of clients) c.destroy();
  await server?.stop();
  server?.cleanup();
});

const payload = (n: number) => `<devices xmlns='urn:xmpp:omemo:2'><device id='${n}'/></devices>`;

async function rate(label: string, count: number, one: (n: number) => Promise<void>): Promise<void> {
  const start = process.hrtime.bigint();
  for (let n = 0; n < count; n++) await one(n);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`${label}: ${count} in ${ms.toFixed(0)} ms = ${((count * 1000) / ms).toFixed(0)}/s, ${(ms / count).toFixed(2)} ms each`);
}

it(`PEP: publish and fetch rates, fan-out to ${CONTACTS} contacts`, { timeout: 600_000 }, async () => {
  server = await ServerProcess.start();
  // Accounts and the owner's roster written straight into the database (a second connection, as
  // the admin CLI does); logging 200 contacts in and subscribing each would dominate the run.
  const storage = openSqliteStorage({ file: join(server.dir, 'data', 'herald.sqlite') });
  const accounts = createAccounts({ storage, iterations: 4096, clock: { now: () => Date.now() } });
  await accounts.create(parseJid('owner@localhost'), 'pw');
  for (let i = 0; i < CONTACTS; i++) {
    await accounts.create(parseJid(`c${i}@localhost`), 'pw');
    await storage.roster.put('owner@localhost', { jid: `c${i}@localhost`, subscription: 'from', ask: false, approved: false, groups: [] });
  }
  await storage.close();

  const owner = await login(server.ports.c2s, 'owner', 'pw', 'bench');
  clients.push(owner.client);
  await rate('publish (no contact online)', ROUNDS, async (n) => void (await iq(owner.client, 'set', undefined, publishXml('urn:example:solo', `i${n % 10}`, payload(n), { 'pubsub#max_items': '10' }))));
  await rate('fetch 10 items', ROUNDS, async () => void (await iq(owner.client, 'get', undefined, `<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:example:solo'/></pubsub>`)));

  // Every contact online with caps asking for NODE: the first one's caps get verified, the rest reuse them.
  const contacts: XmlClient[] = [];
  const ver = capsVer(CLIENT, FEATURES);
  for (let i = 0; i < CONTACTS; i++) {
    const c = await login(server.ports.c2s, `c${i}`, 'pw', 'bench');
    clients.push(c.client);
    contacts.push(c.client);
    if (i === 0) await announceCaps(c.client, CLIENT, FEATURES);
    else c.client.send(`<presence><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://herald.test/client' ver='${ver}'/></presence>`);
    await nextPresence(c.client, c.jid);
  }
  await rate(`publish + notification to ${CONTACTS} contacts (until the last one got it)`, Math.max(1, Math.floor(ROUNDS / 10)), async (n) => {
    const id = `fan${n}`;
    const ours = (el: Parameters<ReturnType<typeof isEventFor>>[0]) => isEventFor('owner@localhost', NODE)(el) && itemIds(el)[0] === id;
    const arrived = contacts.map((c) => c.next(ours));
    await iq(owner.client, 'set', undefined, publishXml(NODE, id, payload(n)));
    await Promise.all(arrived);
  });
});
