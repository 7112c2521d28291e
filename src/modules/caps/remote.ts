// XEP-0115 for resources on other servers: what a contact's remote client supports, learnt from
// the available presence it sends a local account (XEP-0163 §4.3.1 filters PEP notifications to
// contacts by it). The feature lists are verified and stored by 'ver' like local ones; the
// verified 'ver' of each remote resource, per local account, is shared by every node
// (remote-store.ts) and forgotten when the resource goes unavailable. What this node keeps in
// memory is only its own work in progress: the 'ver' last announced here and the queries made.
import type { Jid } from '../../protocol/jid.js';
import type { ModuleContext } from '../../core/modules/module.js';
import type { Announcement, CapsDiscovery } from './discovery.js';
import type { RemoteCapsStore } from './remote-store.js';

/** Remote resources remembered across all accounts; past this the least recently touched account's go. */
export const MAX_REMOTE_RESOURCES = 50_000;
/** 'ver's one remote resource may make us look up while it stays online. */
const MAX_QUERIES_PER_RESOURCE = 4;

interface RemoteResource {
  /** The last 'ver' announced (through this node). */
  announced: string;
  queries: number;
}

export interface RemoteCaps {
  /** Available presence with caps from `jid` (remote, full) to `account` (local, bare). */
  announce(account: Jid, jid: Jid, caps: Announcement): Promise<void>;
  /** Unavailable presence from `jid` (full: that resource; bare: all of them) to `account`. */
  unavailable(account: Jid, jid: Jid): Promise<void>;
  /** The verified 'ver' of a remote resource, as seen by `account`. */
  verOf(account: Jid, jid: Jid): Promise<string | undefined>;
  /** Remote resources of `contact` (bare) with a verified 'ver', as seen by `account`. */
  resourcesOf(account: Jid, contact: Jid): Promise<string[]>;
}

export function createRemoteCaps(ctx: ModuleContext, discovery: CapsDiscovery, store: RemoteCapsStore): RemoteCaps {
  /** account → remote full JID → state. Map order is recency of use, oldest first. */
  const byAccount = new Map<string, Map<string, RemoteResource>>();
  let size = 0;

  function resourcesFor(account: string, create: boolean): Map<string, RemoteResource> | undefined {
    const found = byAccount.get(account);
    if (found) {
      byAccount.delete(account);
      byAccount.set(account, found);
      return found;
    }
    if (!create) return undefined;
    const fresh = new Map<string, RemoteResource>();
    byAccount.set(account, fresh);
    return fresh;
  }

  function evictOldest(): void {
    for (const [account, resources] of byAccount) {
      if (size <= MAX_REMOTE_RESOURCES) return;
      byAccount.delete(account);
      size -= resources.size;
    }
  }

  function remove(account: string, jid: string): void {
    const resources = byAccount.get(account);
    if (!resources?.delete(jid)) return;
    size--;
    if (resources.size === 0) byAccount.delete(account);
  }

  async function markKnown(account: Jid, jid: Jid, ver: string): Promise<void> {
    const state = byAccount.get(account.toBareString())?.get(jid.toString());
    // A newer announcement or an unavailable presence came in meanwhile.
    if (!state || state.announced !== ver) return;
    await store.change(account.toBareString(), jid.toBareString(), jid.resource, ver);
    await ctx.fire('caps/remote-known', { account, jid });
  }

  return {
    async announce(account, jid, caps) {
      const resources = resourcesFor(account.toBareString(), true)!;
      const key = jid.toString();
      let state = resources.get(key);
      if (state?.announced === caps.ver) return; // a presence update: nothing new to learn
      if (!state) {
        state = { announced: caps.ver, queries: 0 };
        resources.set(key, state);
        size++;
        evictOldest();
      }
      state.announced = caps.ver;
      // Until the new 'ver' is verified, this resource's interests are unknown (unless verified already).
      const stored = (await store.of(account.toBareString(), jid.toBareString()))[jid.resource];
      if (stored !== undefined && stored !== caps.ver) await store.change(account.toBareString(), jid.toBareString(), jid.resource, undefined);
      if ((await discovery.features(caps.ver)) !== undefined) return markKnown(account, jid, caps.ver);
      if (state.queries >= MAX_QUERIES_PER_RESOURCE) {
        ctx.log.debug({ jid: key, ver: caps.ver }, 'caps: query limit reached for remote resource');
        return;
      }
      state.queries++;
      // Asked from the account the presence came to, as that is whom the remote client knows.
      if (await discovery.verify(account.toBareString(), key, caps)) await markKnown(account, jid, caps.ver);
    },

    async unavailable(account, jid) {
      const owner = account.toBareString();
      if (!jid.isBare) remove(owner, jid.toString());
      else {
        const prefix = `${jid.toBareString()}/`;
        for (const key of [...(byAccount.get(owner)?.keys() ?? [])]) if (key.startsWith(prefix)) remove(owner, key);
      }
      await store.change(owner, jid.toBareString(), jid.isBare ? undefined : jid.resource, undefined);
    },

    async verOf(account, jid) {
      return (await store.of(account.toBareString(), jid.toBareString()))[jid.resource];
    },

    async resourcesOf(account, contact) {
      const bare = contact.toBareString();
      return Object.keys(await store.of(account.toBareString(), bare)).map((resource) => `${bare}/${resource}`);
    },
  };
}
