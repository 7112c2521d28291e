// Applies one piece of a user's XEP-0227 data to storage: roster, pending requests, vCard,
// private XML, PEP nodes and items, offline and archived messages. Lenient where exporters
// differ (empty form fields keep Herald's defaults) and loud where data would be lost.
import { tryParseJid } from '../protocol/jid.js';
import { stanzaIdOf, withStanzaId } from '../protocol/stanza-id.js';
import type { PubsubAffiliation, PubsubNodeConfig, RosterItem, Storage, Subscription } from '../storage/types.js';
import { xml, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { serialize } from '../xml/serialize.js';
import { PIE } from './pie.js';

/** Import writes what the export held; per-account quotas are for clients, not for the admin. */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;
const SUBSCRIPTIONS: readonly Subscription[] = ['none', 'to', 'from', 'both'];
const AFFILIATIONS: readonly PubsubAffiliation[] = ['owner', 'publisher', 'member', 'outcast'];

export interface ImportTarget {
  storage: Storage;
  /** Bare JID of the account being imported. */
  account: string;
  domain: string;
  now: number;
  newId(): string;
  /** pubsub#max_items 'max' (the pep module's maxItemsPerNode). */
  maxItemsPerNode: number;
  warn(message: string): void;
  count(what: string, n?: number): void;
}

const elements = (el: Element): Element[] => el.children.filter((c): c is Element => typeof c !== 'string');

export async function importRoster(t: ImportTarget, query: Element): Promise<void> {
  for (const item of query.getChildren('item')) {
    const jid = tryParseJid(item.attrs.jid);
    const subscription = (item.attrs.subscription ?? 'none') as Subscription;
    if (!jid || jid.resource || !SUBSCRIPTIONS.includes(subscription)) {
      t.warn(`${t.account}: roster item '${item.attrs.jid ?? ''}' (subscription '${item.attrs.subscription ?? ''}') skipped: not a bare JID with a valid subscription`);
      continue;
    }
    if (jid.toBareString() === t.account) continue;
    const groups = [...new Set(item.getChildren('group').map((g) => g.getText().trim()).filter((g) => g !== ''))];
    const entry: RosterItem = { jid: jid.toBareString(), subscription, ask: item.attrs.ask === 'subscribe', approved: item.attrs.approved === 'true', groups };
    if (item.attrs.name) entry.name = item.attrs.name;
    await t.storage.roster.put(t.account, entry);
    t.count('roster items');
  }
}

/** Prosody keeps a request waiting for the user's answer as <presence type='subscribe'/> in the user. */
export async function importPendingRequest(t: ImportTarget, presence: Element): Promise<void> {
  const from = tryParseJid(presence.attrs.from);
  if (presence.attrs.type !== 'subscribe' || !from) return t.warn(`${t.account}: a <presence/> that is not a subscription request was skipped`);
  await t.storage.roster.addPendingIn(t.account, { jid: from.toBareString() }, { maxCount: NO_LIMIT, maxBytes: NO_LIMIT });
  t.count('pending subscription requests');
}

export async function importVCard(t: ImportTarget, vcard: Element): Promise<void> {
  await t.storage.vcards.put(t.account, serialize(vcard));
  t.count('vCards');
}

export async function importPrivate(t: ImportTarget, query: Element): Promise<void> {
  const entries = elements(query).map((el) => ({ name: el.name, namespace: el.attrs.xmlns ?? '', xml: serialize(el) }));
  const unnamed = entries.filter((e) => e.namespace === '');
  if (unnamed.length > 0) t.warn(`${t.account}: ${unnamed.length} private XML element(s) without a namespace skipped`);
  const kept = entries.filter((e) => e.namespace !== '');
  if (kept.length > 0) await t.storage.privateXml.put(t.account, kept, NO_LIMIT);
  t.count('private XML elements', kept.length);
}

function defaultConfig(): PubsubNodeConfig {
  return { accessModel: 'presence', rosterGroups: [], persistItems: true, maxItems: 1, sendLastPublishedItem: 'on_sub_and_presence', notifyRetract: true };
}

/** pubsub#node_config values the export has; empty or unknown ones keep the default. */
function configFrom(form: Element | undefined, maxItemsPerNode: number): PubsubNodeConfig {
  const config = defaultConfig();
  for (const field of form?.getChildren('field') ?? []) {
    const values = field.getChildren('value').map((v) => v.getText().trim());
    const value = values[0];
    if (value === undefined || value === '') continue;
    const flag = value === '1' || value === 'true';
    switch (field.attrs.var) {
      case 'pubsub#access_model':
        if (value === 'open' || value === 'presence' || value === 'roster' || value === 'whitelist') config.accessModel = value;
        break;
      case 'pubsub#roster_groups_allowed':
        config.rosterGroups = values.filter((v) => v !== '');
        break;
      case 'pubsub#max_items':
        config.maxItems = value === 'max' ? maxItemsPerNode : Math.min(maxItemsPerNode, Math.max(1, Number.parseInt(value, 10) || 1));
        break;
      case 'pubsub#persist_items':
        config.persistItems = flag;
        break;
      case 'pubsub#send_last_published_item':
        if (value === 'never' || value === 'on_sub' || value === 'on_sub_and_presence') config.sendLastPublishedItem = value;
        break;
      case 'pubsub#notify_retract':
        config.notifyRetract = flag;
        break;
      case 'pubsub#title':
        config.title = value;
        break;
    }
  }
  return config;
}

async function ensureNode(t: ImportTarget, node: string, config?: PubsubNodeConfig): Promise<void> {
  const created = await t.storage.pubsub.createNode(t.account, node, config ?? defaultConfig(), NO_LIMIT);
  if (created === 'exists' && config) await t.storage.pubsub.configureNode(t.account, node, config);
  if (created === 'created') t.count('PEP nodes');
}

/** <pubsub xmlns='…#owner'>: node configurations, affiliations and subscriptions. */
export async function importPepOwner(t: ImportTarget, pubsub: Element): Promise<void> {
  for (const el of elements(pubsub)) {
    const node = el.attrs.node;
    if (!node) continue;
    if (el.name === 'configure') {
      await ensureNode(t, node, configFrom(el.getChild('x', NS.dataForms), t.maxItemsPerNode));
    } else if (el.name === 'affiliations') {
      await ensureNode(t, node);
      for (const a of el.getChildren('affiliation')) {
        const jid = tryParseJid(a.attrs.jid);
        const affiliation = a.attrs.affiliation as PubsubAffiliation;
        if (jid && AFFILIATIONS.includes(affiliation) && jid.toBareString() !== t.account) await t.storage.pubsub.setAffiliation(t.account, node, jid.toString(), affiliation);
      }
    } else if (el.name === 'subscriptions') {
      await ensureNode(t, node);
      for (const s of el.getChildren('subscription')) {
        const jid = tryParseJid(s.attrs.jid);
        // Prosody 0.12 writes the state in an attribute named 'subscribed'.
        const state = s.attrs.subscription ?? s.attrs.subscribed;
        if (jid && state === 'subscribed') await t.storage.pubsub.subscribe(t.account, node, jid.toString());
      }
    }
  }
}

/** <pubsub xmlns='…pubsub'><items node=…><item id=…/></items>: oldest first, as published. */
export async function importPepItems(t: ImportTarget, pubsub: Element): Promise<void> {
  for (const items of pubsub.getChildren('items')) {
    const node = items.attrs.node;
    if (!node) continue;
    let existing = await t.storage.pubsub.getNode(t.account, node);
    if (!existing) {
      await ensureNode(t, node);
      existing = await t.storage.pubsub.getNode(t.account, node);
    }
    const keep = existing?.config.maxItems ?? 1;
    for (const item of items.getChildren('item')) {
      const payload = elements(item)[0];
      const result = await t.storage.pubsub.publish(
        t.account,
        node,
        { id: item.attrs.id || t.newId(), payload: payload ? serialize(payload) : '', publisher: t.account, publishedAt: t.now },
        { keep, maxOwnerBytes: NO_LIMIT },
      );
      if (result === 'no-node' || result === 'owner-full') t.warn(`${t.account}: PEP item ${item.attrs.id ?? ''} of ${node} not stored (${result})`);
      else t.count('PEP items');
    }
  }
}

function stampOf(el: Element | undefined): number | undefined {
  const stamp = el?.getChild('delay', NS.delay)?.attrs.stamp;
  const ms = stamp === undefined ? NaN : Date.parse(stamp);
  return Number.isNaN(ms) ? undefined : ms;
}

export async function importOfflineMessage(t: ImportTarget, message: Element): Promise<void> {
  if (message.name !== 'message') return t.warn(`${t.account}: <${message.name}/> in offline-messages skipped`);
  let stanza = message;
  const storedAt = stampOf(message) ?? t.now;
  if (!message.getChild('delay', NS.delay)) {
    stanza = xml(message.name, message.attrs, ...message.children, xml('delay', { xmlns: NS.delay, from: t.domain, stamp: new Date(storedAt).toISOString() }, 'Offline Storage'));
  }
  let stanzaId = stanzaIdOf(stanza, t.account);
  if (stanzaId === undefined) {
    stanzaId = t.newId();
    stanza = withStanzaId(stanza, t.account, stanzaId);
  }
  const result = await t.storage.offline.store(t.account, { stanzaId, stanza: serialize(stanza), storedAt }, NO_LIMIT);
  if (result === 'stored') t.count('offline messages');
}

/** <result xmlns='urn:xmpp:mam:2' id=…><forwarded><delay stamp/><message/></forwarded></result>. */
export async function importArchived(t: ImportTarget, result: Element): Promise<void> {
  const forwarded = result.getChild('forwarded', PIE.forward);
  const message = forwarded?.getChild('message');
  const from = tryParseJid(message?.attrs.from);
  const to = tryParseJid(message?.attrs.to);
  if (result.name !== 'result' || !message || !from || !to) return t.warn(`${t.account}: an archived item without a forwarded message with from and to was skipped`);
  const outgoing = from.toBareString() === t.account;
  const other = outgoing ? to : from;
  const stored = await t.storage.archive.append(t.account, {
    id: result.attrs.id || t.newId(),
    with: other.toString(),
    direction: outgoing ? 'out' : 'in',
    ...(message.attrs.id ? { messageId: message.attrs.id } : {}),
    stanza: serialize(message),
    timestamp: stampOf(forwarded) ?? t.now,
  });
  if (stored) t.count('archived messages');
  else t.count('archived messages already present');
}

