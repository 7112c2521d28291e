// Roster items on the wire (RFC 6121 §2.1.2) and the checks a roster set must pass (§2.1.5,
// §2.3.3). Storage keeps items as plain records; only this file knows their XML.
import { xml, type Element } from '../../xml/element.js';
import { tryParseJid, type Jid } from '../../protocol/jid.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import type { RosterItem } from '../../storage/types.js';

export const NS_ROSTER = 'jabber:iq:roster';
/** XEP-0237 / RFC 6121 §2.6.1 stream feature. */
export const NS_ROSTER_VERSIONING = 'urn:xmpp:features:rosterver';
/** RFC 6121 §3.4.1 stream feature. */
export const NS_PRE_APPROVAL = 'urn:xmpp:features:pre-approval';

export function itemElement(item: RosterItem): Element {
  return xml(
    'item',
    {
      jid: item.jid,
      name: item.name,
      subscription: item.subscription,
      ask: item.ask ? 'subscribe' : undefined,
      approved: item.approved ? 'true' : undefined,
    },
    item.groups.map((group) => xml('group', null, group)),
  );
}

/** §2.5.2: how a removal is pushed. */
export function removedItemElement(jid: string): Element {
  return xml('item', { jid, subscription: 'remove' });
}

export function rosterQuery(items: Element[], version: number | undefined): Element {
  return xml('query', { xmlns: NS_ROSTER, ver: version === undefined ? undefined : String(version) }, items);
}

export type RosterSetRequest = { kind: 'remove'; jid: Jid } | { kind: 'update'; jid: Jid; name: string | undefined; groups: string[] };

export interface ItemLimits {
  /** Longest handle or group name, in characters. */
  maxNameLength: number;
  /** Most groups one item may be in. */
  maxGroupsPerItem: number;
}

const length = (text: string): number => [...text].length;

/** Reads the one item of a roster set; throws the StanzaError §2.3.3 names for a bad one. */
export function parseRosterSet(query: Element, limits: ItemLimits): RosterSetRequest {
  const items = query.getChildElements().filter((child) => child.name === 'item');
  if (items.length !== 1) throw new StanzaError('bad-request', `a roster set carries exactly one item, found ${items.length}`);
  const item = items[0] as Element;

  const rawJid = item.attrs.jid as string | undefined;
  if (rawJid === undefined) throw new StanzaError('bad-request', 'the item needs a jid');
  const parsed = tryParseJid(rawJid);
  if (!parsed) throw new StanzaError('jid-malformed', `'${rawJid}' is not a valid JID`);
  // Items name contacts, and subscriptions are always between bare JIDs (§3.1.1 treats a full
  // JID as its bare JID); a resource would make a second item for the same contact.
  const jid = parsed.bare;

  // §2.1.2.5: in a roster set the server ignores every subscription value but "remove"; 'ask'
  // and 'approved' are the server's to set (§2.1.2.1, §2.1.2.2), so they are ignored too.
  if (item.attrs.subscription === 'remove') return { kind: 'remove', jid };

  const rawName = item.attrs.name as string | undefined;
  if (rawName !== undefined && length(rawName) > limits.maxNameLength) {
    throw new StanzaError('not-acceptable', `the name is longer than ${limits.maxNameLength} characters`);
  }
  const groupElements = item.getChildElements().filter((child) => child.name === 'group');
  // §2.3.3 names not-acceptable for values beyond server-configured limits.
  if (groupElements.length > limits.maxGroupsPerItem) {
    throw new StanzaError('not-acceptable', `an item may be in at most ${limits.maxGroupsPerItem} groups, found ${groupElements.length}`);
  }
  const groups: string[] = [];
  for (const group of groupElements) {
    const name = group.getText();
    if (name.length === 0) throw new StanzaError('not-acceptable', 'a group name is empty');
    if (length(name) > limits.maxNameLength) throw new StanzaError('not-acceptable', `a group name is longer than ${limits.maxNameLength} characters`);
    if (groups.includes(name)) throw new StanzaError('bad-request', `the group '${name}' is listed twice`);
    groups.push(name);
  }
  return { kind: 'update', jid, name: rawName === '' ? undefined : rawName, groups };
}
