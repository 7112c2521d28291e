// Archiving preferences (XEP-0313 §6 / XEP-0441): a default (always, never, roster) and lists of
// JIDs always or never archived, per account, kept in the key-value store.
import type { ModuleContext } from '../../core/modules/module.js';
import type { IqRequest } from '../../core/iq-dispatcher.js';
import { tryParseJid, type Jid } from '../../protocol/jid.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { xml, type Element } from '../../xml/element.js';
import type { ArchiveDefault } from './options.js';
import { NS_MAM, ownArchive } from './namespaces.js';
import { PREFS_CHANGED, type PrefsCache } from './prefs-cache.js';

export interface ArchivePrefs {
  default: ArchiveDefault;
  /** Bare JIDs, normalised. */
  always: string[];
  never: string[];
}

const PREFS_KEY = 'mam:prefs';
/** The lists are the user's own; this only keeps one request from storing an unbounded blob. */
const MAX_LISTED_JIDS = 1000;

async function loadPrefs(ctx: ModuleContext, account: string, fallback: ArchiveDefault): Promise<ArchivePrefs> {
  const raw = await ctx.storage.kv.get(account, PREFS_KEY);
  return raw === undefined ? { default: fallback, always: [], never: [] } : (JSON.parse(raw) as ArchivePrefs);
}

async function cachedPrefs(ctx: ModuleContext, cache: PrefsCache, account: string, fallback: ArchiveDefault): Promise<ArchivePrefs> {
  const cached = cache.get(account, ctx.clock.now());
  if (cached) return cached;
  const prefs = await loadPrefs(ctx, account, fallback);
  cache.set(account, prefs, ctx.clock.now());
  return prefs;
}

/** Whether a message between `account` and `contact` (bare JIDs) goes into the account's archive. */
export async function archivesWith(ctx: ModuleContext, cache: PrefsCache, account: Jid, contact: Jid, fallback: ArchiveDefault): Promise<boolean> {
  const decided = decide(await cachedPrefs(ctx, cache, account.toBareString(), fallback), account, contact);
  if (decided !== 'roster') return decided;
  return (await ctx.storage.roster.getItem(account.toBareString(), contact.toBareString())) !== undefined;
}

/**
 * The same answer without waiting, when the account's preferences are cached and need no roster
 * look-up (the common case: archiving runs twice per message); undefined when it must wait.
 */
export function archivesWithNow(ctx: ModuleContext, cache: PrefsCache, account: Jid, contact: Jid): boolean | undefined {
  const prefs = cache.get(account.toBareString(), ctx.clock.now());
  if (!prefs) return undefined;
  const decided = decide(prefs, account, contact);
  return decided === 'roster' ? undefined : decided;
}

/** The preferences' answer, or 'roster' when it depends on whether the contact is in the roster. */
function decide(prefs: ArchivePrefs, account: Jid, contact: Jid): boolean | 'roster' {
  const peer = contact.toBareString();
  // XEP-0441 §3: a JID in both lists counts as 'never' (the user's privacy wins).
  if (prefs.never.includes(peer)) return false;
  if (prefs.always.includes(peer)) return true;
  if (prefs.default !== 'roster') return prefs.default === 'always';
  // Messages to oneself are the user's own conversation.
  if (account.bare.equals(contact.bare)) return true;
  return 'roster';
}

function prefsElement(prefs: ArchivePrefs): Element {
  const list = (name: string, jids: string[]): Element => xml(name, null, ...jids.map((jid) => xml('jid', null, jid)));
  return xml('prefs', { xmlns: NS_MAM, default: prefs.default }, list('always', prefs.always), list('never', prefs.never));
}

function listedJids(prefs: Element, name: 'always' | 'never'): string[] {
  const jids = new Set<string>();
  for (const item of prefs.getChild(name)?.getChildren('jid') ?? []) {
    const jid = tryParseJid(item.getText().trim());
    if (!jid) throw new StanzaError('jid-malformed', `<${name}/> holds '${item.getText()}', which is not a JID`);
    jids.add(jid.toBareString());
  }
  return [...jids];
}

export function registerPrefs(ctx: ModuleContext, cache: PrefsCache, fallback: ArchiveDefault): void {
  ctx.on('node/notice', ({ topic, key }) => {
    if (topic === undefined) cache.clear();
    else if (topic === PREFS_CHANGED && key !== undefined) cache.forget(key);
    return false;
  });
  ctx.handleIq({
    target: 'account',
    type: 'get',
    xmlns: NS_MAM,
    name: 'prefs',
    handler: async (request: IqRequest) => {
      ownArchive(request);
      return prefsElement(await loadPrefs(ctx, request.to.toBareString(), fallback));
    },
  });
  ctx.handleIq({
    target: 'account',
    type: 'set',
    xmlns: NS_MAM,
    name: 'prefs',
    handler: async (request: IqRequest) => {
      ownArchive(request);
      const value = request.payload.attrs.default as string | undefined;
      if (value !== 'always' && value !== 'never' && value !== 'roster') {
        throw new StanzaError('bad-request', "<prefs/> needs default='always', 'never' or 'roster'");
      }
      const prefs: ArchivePrefs = { default: value, always: listedJids(request.payload, 'always'), never: listedJids(request.payload, 'never') };
      if (prefs.always.length + prefs.never.length > MAX_LISTED_JIDS) {
        throw new StanzaError('not-acceptable', `at most ${MAX_LISTED_JIDS} JIDs can be listed in <always/> and <never/> together`);
      }
      await ctx.storage.kv.set(request.to.toBareString(), PREFS_KEY, JSON.stringify(prefs));
      cache.set(request.to.toBareString(), prefs, ctx.clock.now());
      await ctx.delivery.notifyNodes(PREFS_CHANGED, request.to.toBareString());
      // §6: the result carries the preferences now in force.
      return prefsElement(prefs);
    },
  });
}
