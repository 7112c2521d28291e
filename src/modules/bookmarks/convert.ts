// XEP-0048 <storage xmlns='storage:bookmarks'/> ⇄ XEP-0402 items (one <conference/> per room,
// the room's JID as item id). Only conferences convert: XEP-0402 has no URL bookmarks.
import { buildElement } from '../../xml/element-builder.js';
import { cloneElement, xml, type Element } from '../../xml/element.js';
import type { PubsubItem } from '../../storage/types.js';

export const NS_BOOKMARKS_LEGACY = 'storage:bookmarks';
export const NS_BOOKMARKS = 'urn:xmpp:bookmarks:1';

/** One room as both formats describe it. */
export interface Bookmark {
  jid: string;
  name?: string;
  autojoin: boolean;
  nick?: string;
  password?: string;
  /** XEP-0402 <extensions/>: kept when an old client rewrites the room. */
  extensions?: Element;
}

const isTrue = (value: string | undefined): boolean => value === 'true' || value === '1';

function fromConference(conference: Element, jid: string): Bookmark {
  const nick = conference.getChildText('nick') ?? undefined;
  const password = conference.getChildText('password') ?? undefined;
  const extensions = conference.getChild('extensions');
  return {
    jid,
    ...(conference.attrs.name !== undefined ? { name: conference.attrs.name } : {}),
    autojoin: isTrue(conference.attrs.autojoin),
    ...(nick ? { nick } : {}),
    ...(password ? { password } : {}),
    ...(extensions ? { extensions: cloneElement(extensions) } : {}),
  };
}

/** The rooms of an XEP-0048 <storage/>; a conference without a jid cannot be an item and is skipped. */
export function bookmarksOfLegacy(storage: Element): Bookmark[] {
  const byJid = new Map<string, Bookmark>();
  for (const conference of storage.getChildren('conference')) {
    const jid = conference.attrs.jid;
    if (jid) byJid.set(jid, fromConference(conference, jid));
  }
  return [...byJid.values()];
}

export function bookmarkOfItem(item: PubsubItem): Bookmark | undefined {
  if (item.payload === '') return undefined;
  const conference = buildElement(item.payload);
  return conference.name === 'conference' ? fromConference(conference, item.id) : undefined;
}

const details = (b: Bookmark): Element[] => [
  ...(b.nick ? [xml('nick', null, b.nick)] : []),
  ...(b.password ? [xml('password', null, b.password)] : []),
];

/** The XEP-0402 item payload. */
export function conferenceOf(b: Bookmark): Element {
  return xml('conference', { xmlns: NS_BOOKMARKS, name: b.name, autojoin: b.autojoin ? 'true' : undefined }, ...details(b), b.extensions ? cloneElement(b.extensions) : null);
}

export function legacyStorageOf(bookmarks: readonly Bookmark[]): Element {
  return xml(
    'storage',
    { xmlns: NS_BOOKMARKS_LEGACY },
    bookmarks.map((b) => xml('conference', { jid: b.jid, name: b.name, autojoin: b.autojoin ? 'true' : 'false' }, ...details(b))),
  );
}

/** Whether an old client's room differs from the stored one in what XEP-0048 can express. */
export function legacyChanged(stored: Bookmark, incoming: Bookmark): boolean {
  return stored.name !== incoming.name || stored.autojoin !== incoming.autojoin || stored.nick !== incoming.nick || stored.password !== incoming.password;
}
