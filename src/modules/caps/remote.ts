// XEP-0115 for resources on other servers: what a contact's remote client supports, learnt from
// the available presence it sends a local account (XEP-0163 §4.3.1 filters PEP notifications to
// contacts by it). The feature lists are verified and stored by 'ver' like local ones; which
// 'ver' each remote resource announced is an invalidatable cache in this process, kept per local
// account (as the presence reached it), dropped when the resource goes unavailable, and bounded.
import type { Jid } from '../../protocol/jid.js';
import type { ModuleContext } from '../../core/modules/module.js';
import type { Announcement, CapsDiscovery } from './discovery.js';

/** Remote resources remembered across all accounts; past this the least recently touched account's go. */
export const MAX_REMOTE_RESOURCES = 50_000;
/** 'ver's one remote resource may make us look up while it stays online. */
const MAX_QUERIES_PER_RESOURCE = 4;

interface RemoteResource {
  /** The last 'ver' announced. */
  announced: string;
  /** Set once `announced` is verified: what caps/query answers from. */
  known?: string;
  queries: number;
}

export interface RemoteCaps {
  /** Available presence with caps from `jid` (remote, full) to `account` (local, bare). */
  announce(account: Jid, jid: Jid, caps: Announcement): Promise<void>;
  /** Unavailable presence from `jid` (full: that resource; bare: all of them) to `account`. */
  unavailable(account: Jid, jid: Jid): void;
  /** The verified 'ver' of a remote resource, as seen by `account`. */
  verOf(account: Jid, jid: Jid): string | undefined;
  /** Remote resources of `contact` (bare) with a verified 'ver', as seen by `account`. */
  resourcesOf(account: Jid, contact: Jid): string[];
}

export function createRemoteCaps(ctx: ModuleContext, discovery: CapsDiscovery): RemoteCaps {
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
    if (!state || state.announced !== ver || state.known === ver) return;
    state.known = ver;
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
      delete state.known; // until the new 'ver' is verified, this resource's interests are unknown
      if ((await discovery.features(caps.ver)) !== undefined) return markKnown(account, jid, caps.ver);
      if (state.queries >= MAX_QUERIES_PER_RESOURCE) {
        ctx.log.debug({ jid: key, ver: caps.ver }, 'caps: query limit reached for remote resource');
        return;
      }
      state.queries++;
      // Asked from the account the presence came to, as that is whom the remote client knows.
      if (await discovery.verify(account.toBareString(), key, caps)) await markKnown(account, jid, caps.ver);
    },

    unavailable(account, jid) {
      const owner = account.toBareString();
      if (!jid.isBare) return remove(owner, jid.toString());
      const prefix = `${jid.toBareString()}/`;
      for (const key of [...(byAccount.get(owner)?.keys() ?? [])]) if (key.startsWith(prefix)) remove(owner, key);
    },

    verOf(account, jid) {
      return byAccount.get(account.toBareString())?.get(jid.toString())?.known;
    },

    resourcesOf(account, contact) {
      const prefix = `${contact.toBareString()}/`;
      const resources = byAccount.get(account.toBareString()) ?? new Map<string, RemoteResource>();
      return [...resources].filter(([key, state]) => key.startsWith(prefix) && state.known !== undefined).map(([key]) => key);
    },
  };
}
