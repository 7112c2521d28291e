// XEP-0115 §6.2/§5.4: learning what an announced 'ver' means by asking the client that announced
// it, and keeping the answer only when it hashes to that 'ver'. Verified feature lists are shared
// by every session (and node) through storage, so each 'ver' is asked for once.
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import type { ModuleContext } from '../../core/modules/module.js';
import type { LocalSession } from '../../core/sessions/session.js';
import { computeVer, discoFeatures } from './verification.js';

const SCOPE = 'caps';
/** The SessionRef flag holding the session's verified 'ver' (read on any node). */
export const CAPS_FLAG = 'caps';
/** The 'ver' a session announced last, so a late answer does not overwrite a newer one. */
const ANNOUNCED = Symbol('caps: announced ver');
/** How many 'ver's one session may make us look up: each verified one is stored for good. */
const QUERIES = Symbol('caps: queries sent');
const MAX_QUERIES_PER_SESSION = 8;
/** Verified 'ver's kept in memory (a few kilobytes each); the oldest read goes first. */
const MAX_CACHED_VERS = 1024;

export interface Announcement {
  node: string;
  ver: string;
  hash: string;
}

export interface CapsDiscovery {
  /** Records a known 'ver' at once; otherwise starts the lookup in the background. Never throws. */
  announce(session: LocalSession, caps: Announcement): Promise<void>;
  /** The verified feature list of a 'ver', if one is stored. */
  features(ver: string): Promise<string[] | undefined>;
  /**
   * Asks `to` (sending from `from`) what `caps` means, unless the same 'ver' is being asked
   * already; resolves true once the 'ver' is verified and stored.
   */
  verify(from: string, to: string, caps: Announcement): Promise<boolean>;
}

export function createCapsDiscovery(ctx: ModuleContext, timeoutMs: number): CapsDiscovery {
  /** Lookups in progress by 'ver', resolving to whether the 'ver' got verified. */
  const inFlight = new Map<string, Promise<boolean>>();

  /**
   * Verified feature lists read from storage. A verified 'ver' is the hash of its list, so an
   * entry can never go stale; this only spares a storage read and a parse per `caps/query`
   * (a PEP publish asks once per contact resource).
   */
  const known = new Map<string, string[]>();

  async function features(ver: string): Promise<string[] | undefined> {
    const cached = known.get(ver);
    if (cached) return cached;
    const stored = await ctx.storage.kv.get(SCOPE, ver);
    if (stored === undefined) return undefined;
    const parsed: unknown = JSON.parse(stored);
    if (!Array.isArray(parsed) || !parsed.every((f) => typeof f === 'string')) return undefined;
    if (known.size >= MAX_CACHED_VERS) known.delete(known.keys().next().value as string);
    known.set(ver, parsed);
    return parsed;
  }

  async function record(session: LocalSession, ver: string): Promise<void> {
    if (session.data.get(ANNOUNCED) !== ver || session.flags[CAPS_FLAG] === ver) return;
    session.flags[CAPS_FLAG] = ver;
    await ctx.sessions.update(session.ref());
    await ctx.fire('caps/known', { session });
  }

  /** §6.2 request to the exact full JID; §5.4 step 3 verification; resolves true once stored. */
  async function query(from: string, jid: string, { node, ver, hash }: Announcement): Promise<boolean> {
    const request = xml(
      'iq',
      { type: 'get', id: ctx.ids.next(), from, to: jid },
      xml('query', { xmlns: NS.discoInfo, node: `${node}#${ver}` }),
    );
    let answer: Element;
    try {
      answer = await ctx.requestIq(request, timeoutMs);
    } catch (error) {
      ctx.log.warn({ err: error, jid, ver }, 'caps: disco#info query failed');
      return false;
    }
    const result = answer.attrs.type === 'result' ? answer.getChild('query', NS.discoInfo) : undefined;
    if (!result) {
      ctx.log.warn({ jid, ver, type: answer.attrs.type }, 'caps: client did not answer disco#info');
      return false;
    }
    const computed = computeVer(result, hash);
    if (computed !== ver) {
      // §5.4 step 3.9: invalid, never cached.
      ctx.log.warn({ jid, ver, computed: computed ?? 'ill-formed' }, 'caps: verification failed');
      return false;
    }
    await ctx.storage.kv.set(SCOPE, ver, JSON.stringify(discoFeatures(result)));
    ctx.log.debug({ jid, ver }, 'caps: verified');
    return true;
  }

  async function verify(from: string, to: string, caps: Announcement): Promise<boolean> {
    const shared = inFlight.get(caps.ver);
    if (shared && (await shared)) return true;
    // §5.4 step 3.9: when another client's answer did not verify, this one may still be asked.
    const own = query(from, to, caps);
    if (!shared) {
      inFlight.set(caps.ver, own);
      void own.finally(() => inFlight.delete(caps.ver)).catch(() => undefined);
    }
    return own;
  }

  async function learn(session: LocalSession, caps: Announcement): Promise<void> {
    const sent = Number(session.data.get(QUERIES) ?? 0);
    if (sent >= MAX_QUERIES_PER_SESSION) {
      ctx.log.debug({ jid: session.jid.toString(), ver: caps.ver }, 'caps: query limit reached for session');
      return;
    }
    session.data.set(QUERIES, sent + 1);
    if (await verify(session.jid.domain, session.jid.toString(), caps)) await record(session, caps.ver);
  }

  return {
    features,
    verify,

    async announce(session, caps) {
      session.data.set(ANNOUNCED, caps.ver);
      // The flag describes the client as it is now; a new 'ver' drops the old one until verified.
      if (session.flags[CAPS_FLAG] !== undefined && session.flags[CAPS_FLAG] !== caps.ver) {
        delete session.flags[CAPS_FLAG];
        await ctx.sessions.update(session.ref()).catch((error: unknown) => ctx.log.warn({ err: error }, 'caps: registry update failed'));
      }
      try {
        if ((await features(caps.ver)) !== undefined) return await record(session, caps.ver);
      } catch (error) {
        ctx.log.warn({ err: error, ver: caps.ver }, 'caps: lookup failed');
        return;
      }
      // Not awaited: the client can only answer once this presence is handled (its stanzas are
      // processed in order), so waiting here would stall its session until the timeout.
      learn(session, caps).catch((error: unknown) => ctx.log.warn({ err: error, ver: caps.ver }, 'caps: discovery failed'));
    },
  };
}
