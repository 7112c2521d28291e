// Which verified 'ver' each resource of a contact on another server announced to a local
// account: shared by every node, since the presence reaches whichever node holds the s2s link
// while the account's PEP publish may run on another. Kept in storage (kv: scope the local
// account, one entry per contact, `{ resource: ver }`), read through a cache that a node notice
// (REMOTE_CAPS_CHANGED) invalidates on the other nodes; changes are compare-and-set, so two
// nodes changing one contact's entry at once lose neither change.
import type { ModuleContext } from '../../core/modules/module.js';

/** Node notice topic: an account's (key: account NUL contact) remote caps entry changed. */
export const REMOTE_CAPS_CHANGED = 'caps/remote-changed';
/** Resources remembered per contact and account: a remote server cannot make us store more. */
export const MAX_RESOURCES_PER_CONTACT = 16;
/** Cached entries at most; past it the cache starts again (it only costs re-reads). */
const MAX_CACHED = 50_000;
const CAS_ATTEMPTS = 16;

type Resources = Readonly<Record<string, string>>;

export interface RemoteCapsStore {
  /** resource → verified ver, for `contact`'s (bare) resources as seen by `account` (bare). */
  of(account: string, contact: string): Promise<Resources>;
  /** Records (ver) or forgets (undefined) one resource; resource undefined forgets them all. */
  change(account: string, contact: string, resource: string | undefined, ver: string | undefined): Promise<void>;
  /** Another node's notice (key undefined: notices may have been missed, drop everything). */
  changedElsewhere(key: string | undefined): void;
}

const storageKey = (contact: string) => `caps-remote:${contact}`;

function unchanged(resources: Resources, resource: string | undefined, ver: string | undefined): boolean {
  if (resource === undefined) return Object.keys(resources).length === 0;
  return ver === undefined ? !(resource in resources) : resources[resource] === ver;
}

function parse(raw: string | undefined): Record<string, string> {
  if (raw === undefined) return {};
  try {
    const value = JSON.parse(raw) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export function createRemoteCapsStore(ctx: ModuleContext): RemoteCapsStore {
  const kv = ctx.storage.kv;
  const cache = new Map<string, Promise<Resources>>();
  /** This node's changes to one entry, one after another (other nodes: compare-and-set). */
  const changing = new Map<string, Promise<void>>();

  async function write(account: string, contact: string, resource: string | undefined, ver: string | undefined): Promise<boolean> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const raw = await kv.get(account, storageKey(contact));
      const resources = parse(raw);
      if (resource === undefined) {
        if (Object.keys(resources).length === 0) return false;
        for (const key of Object.keys(resources)) delete resources[key];
      } else if (ver === undefined) {
        if (!(resource in resources)) return false;
        delete resources[resource];
      } else {
        if (resources[resource] === ver) return false;
        if (!(resource in resources) && Object.keys(resources).length >= MAX_RESOURCES_PER_CONTACT) return false;
        resources[resource] = ver;
      }
      if (await kv.compareAndSet(account, storageKey(contact), raw, JSON.stringify(resources))) return true;
    }
    throw new Error(`remote caps of ${contact} for ${account} kept changing under us`);
  }

  function of(account: string, contact: string): Promise<Resources> {
    const key = `${account}\0${contact}`;
    let entry = cache.get(key);
    if (!entry) {
      if (cache.size >= MAX_CACHED) cache.clear();
      const read = kv.get(account, storageKey(contact)).then((raw) => Object.freeze(parse(raw)));
      cache.set(key, read);
      read.catch(() => cache.get(key) === read && cache.delete(key));
      entry = read;
    }
    return entry;
  }

  return {
    of,
    change(account, contact, resource, ver) {
      const key = `${account}\0${contact}`;
      const run = (changing.get(key) ?? Promise.resolve()).then(async () => {
        // Most calls change nothing (an unavailable presence of a resource never recorded, a
        // ver already known): the cached entry, which other nodes' notices keep current, says so
        // without a storage read.
        if (unchanged(await of(account, contact), resource, ver)) return;
        if (!(await write(account, contact, resource, ver))) return;
        cache.delete(key);
        await ctx.delivery.notifyNodes(REMOTE_CAPS_CHANGED, key);
      });
      const settled = run.catch(() => undefined);
      changing.set(key, settled);
      void settled.then(() => changing.get(key) === settled && changing.delete(key));
      return run;
    },
    changedElsewhere(key) {
      if (key === undefined) cache.clear();
      else cache.delete(key);
    },
  };
}
