// `herald export`: every account (or those of some domains) as one XEP-0227 1.1 file, written
// as it is read: one account at a time, archives a page at a time, so memory stays flat. Keys are
// SCRAM only (Herald never has passwords), in <scram-credentials/> per mechanism.
import fs from 'node:fs';
import type { PubsubNodeConfig, Storage, UserRecord } from '../storage/types.js';
import { xml, type Element } from '../xml/element.js';
import { escapeAttribute } from '../xml/serialize.js';
import { NS } from '../xml/ns.js';
import { serialize } from '../xml/serialize.js';
import { PIE } from './pie.js';

const ARCHIVE_PAGE = 1000;

/**
 * Stored stanzas are serialised without the stream's default namespace; inside <server-data/>
 * they must say jabber:client themselves (XEP-0227 §2.4), as importers look them up by it.
 */
export function inClientNamespace(stanza: string): string {
  const end = stanza.indexOf('>');
  const head = stanza.slice(0, end < 0 ? stanza.length : end);
  if (/\sxmlns=/.test(head)) return stanza;
  return stanza.replace(/^<(message|presence|iq)(?=[\s/>])/, `<$1 xmlns='${NS.client}'`);
}
const ALL_ITEMS = 100_000;

export interface ExportOptions {
  storage: Storage;
  domains: readonly string[];
  out: string;
  onAccount?: (done: number, total: number) => void;
}

export interface ExportReport {
  accounts: number;
  archived: number;
}

/** A writable file that waits when the disk is behind, so a huge archive never piles up in memory. */
function openOutput(file: string): { write(text: string): Promise<void>; close(): Promise<void> } {
  // 0600: the file holds every account's SCRAM keys and messages (XEP-0227 §6).
  const stream = fs.createWriteStream(file, { mode: 0o600 });
  let failure: Error | undefined;
  stream.on('error', (error) => (failure = error));
  return {
    write: (text) =>
      new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        if (stream.write(text)) resolve();
        else stream.once('drain', resolve);
      }),
    close: () => new Promise((resolve, reject) => stream.end((error?: Error | null) => (error ?? failure ? reject(error ?? failure) : resolve()))),
  };
}

function configForm(config: PubsubNodeConfig): Element {
  const field = (name: string, ...values: string[]) => xml('field', { var: name }, ...values.map((v) => xml('value', null, v)));
  return xml(
    'x',
    { xmlns: NS.dataForms, type: 'submit' },
    xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', null, 'http://jabber.org/protocol/pubsub#node_config')),
    field('pubsub#access_model', config.accessModel),
    config.rosterGroups.length > 0 ? field('pubsub#roster_groups_allowed', ...config.rosterGroups) : null,
    field('pubsub#max_items', String(config.maxItems)),
    field('pubsub#persist_items', config.persistItems ? '1' : '0'),
    field('pubsub#send_last_published_item', config.sendLastPublishedItem),
    field('pubsub#notify_retract', config.notifyRetract ? '1' : '0'),
    config.title !== undefined ? field('pubsub#title', config.title) : null,
  );
}

async function writeAccount(storage: Storage, user: UserRecord, write: (text: string) => Promise<void>): Promise<number> {
  const account = `${user.username}@${user.domain}`;
  await write(`<user name='${escapeAttribute(user.username)}'>`);
  for (const mechanism of ['SCRAM-SHA-1', 'SCRAM-SHA-256'] as const) {
    const c = await storage.users.getCredential(user.domain, user.username, mechanism);
    if (!c) continue;
    await write(
      serialize(
        xml(
          'scram-credentials',
          { xmlns: PIE.scram, mechanism },
          xml('iter-count', null, String(c.iterations)),
          xml('salt', null, c.salt.toString('base64')),
          xml('server-key', null, c.serverKey.toString('base64')),
          xml('stored-key', null, c.storedKey.toString('base64')),
        ),
      ),
    );
  }
  const roster = await storage.roster.get(account);
  if (roster.items.length > 0) {
    const items = roster.items.map((i) =>
      xml('item', { jid: i.jid, name: i.name, subscription: i.subscription, ask: i.ask ? 'subscribe' : undefined, approved: i.approved ? 'true' : undefined }, ...i.groups.map((g) => xml('group', null, g))),
    );
    await write(serialize(xml('query', { xmlns: PIE.roster }, ...items)));
  }
  for (const request of await storage.roster.pendingIn(account)) await write(serialize(xml('presence', { xmlns: NS.client, type: 'subscribe', from: request.jid })));
  const vcard = await storage.vcards.get(account);
  if (vcard !== undefined) await write(vcard);
  const privateXml = await storage.privateXml.list(account);
  if (privateXml.length > 0) await write(`<query xmlns='${PIE.privateXml}'>${privateXml.map((e) => e.xml).join('')}</query>`);

  const nodes = await storage.pubsub.listNodes(account);
  if (nodes.length > 0) {
    await write(`<pubsub xmlns='${PIE.pubsubOwner}'>`);
    for (const n of nodes) {
      await write(serialize(xml('configure', { node: n.node }, configForm(n.config))));
      const affiliations = await storage.pubsub.affiliations(account, n.node);
      if (affiliations.length > 0) await write(serialize(xml('affiliations', { node: n.node }, ...affiliations.map((a) => xml('affiliation', { jid: a.jid, affiliation: a.affiliation })))));
      const subscribers = await storage.pubsub.subscribers(account, n.node);
      if (subscribers.length > 0) await write(serialize(xml('subscriptions', { node: n.node }, ...subscribers.map((jid) => xml('subscription', { jid, subscription: 'subscribed' })))));
    }
    await write(`</pubsub><pubsub xmlns='${PIE.pubsub}'>`);
    for (const n of nodes) {
      // Newest first from storage; the file lists them in publication order.
      const items = (await storage.pubsub.items(account, n.node, { max: ALL_ITEMS })).reverse();
      await write(`<items node='${escapeAttribute(n.node)}'>${items.map((i) => `<item id='${escapeAttribute(i.id)}'>${i.payload}</item>`).join('')}</items>`);
    }
    await write('</pubsub>');
  }

  const offline = await storage.offline.list(account);
  if (offline.length > 0) await write(`<offline-messages>${offline.map((m) => inClientNamespace(m.stanza)).join('')}</offline-messages>`);

  let archived = 0;
  let after: string | undefined;
  let opened = false;
  for (;;) {
    const page = await storage.archive.query(account, { max: ARCHIVE_PAGE, fromEnd: false, after: after === undefined ? [] : [after] });
    if (!page || page.messages.length === 0) break;
    if (!opened) await write(`<archive xmlns='${PIE.mam}'>`);
    opened = true;
    for (const m of page.messages) {
      await write(
        `<result xmlns='${PIE.mam2}' id='${escapeAttribute(m.id)}'><forwarded xmlns='${PIE.forward}'><delay xmlns='${NS.delay}' stamp='${new Date(m.timestamp).toISOString()}'/>${inClientNamespace(m.stanza)}</forwarded></result>`,
      );
    }
    archived += page.messages.length;
    if (page.complete) break;
    after = page.messages[page.messages.length - 1]!.id;
  }
  if (opened) await write('</archive>');
  await write('</user>');
  return archived;
}

export async function exportAccounts(options: ExportOptions): Promise<ExportReport> {
  const out = openOutput(options.out);
  const report: ExportReport = { accounts: 0, archived: 0 };
  const all = (await options.storage.users.list()).filter((u) => options.domains.includes(u.domain));
  await out.write(`<?xml version='1.0' encoding='UTF-8'?>\n<server-data xmlns='${PIE.ns}'>`);
  for (const domain of options.domains) {
    const users = all.filter((u) => u.domain === domain);
    if (users.length === 0) continue;
    await out.write(`<host jid='${escapeAttribute(domain)}'>`);
    for (const user of users) {
      report.archived += await writeAccount(options.storage, user, out.write);
      report.accounts += 1;
      options.onAccount?.(report.accounts, all.length);
    }
    await out.write('</host>');
  }
  await out.write('</server-data>\n');
  await out.close();
  return report;
}
