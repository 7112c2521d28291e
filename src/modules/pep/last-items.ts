// XEP-0163 §4.3.3: the last published item of each node a resource is interested in, sent when
// it becomes available, from its own account and from every local contact whose presence it
// receives; and once its caps become known, if they were not when it came online. A contact's
// resource on another server gets them once its caps are known (learnt from its presence).
import type { ModuleContext } from '../../core/modules/module.js';
import { deliverForAccount } from '../../core/modules/deliver-for-account.js';
import type { LocalSession } from '../../core/sessions/session.js';
import { tryParseJid, type Jid } from '../../protocol/jid.js';
import type { PubsubItem, PubsubNode } from '../../storage/types.js';
import { refusal, viewerOf } from './access.js';
import { eventMessage, eventOf, itemElement, wantsNotify } from './notify.js';

interface Progress {
  phase: 'running' | 'waiting-for-caps' | 'done';
  /** Caps were verified while running: run once more if this run found them unknown. */
  again: boolean;
}
const PROGRESS = Symbol('pep: last items on presence');

type Outcome = 'done' | 'caps-unknown';

export interface LastItems {
  /** Initial presence (§4.3.3 note: only after having been unavailable). */
  available(session: LocalSession): void;
  unavailable(session: LocalSession): void;
  /** The session's caps were just verified. */
  capsKnown(session: LocalSession): void;
  /** A contact's resource on another server came online (or changed caps), its caps now known. */
  remoteKnown(account: Jid, jid: Jid): Promise<void>;
}

export function createLastItems(ctx: ModuleContext): LastItems {
  function start(session: LocalSession): void {
    const progress = session.data.get(PROGRESS) as Progress | undefined;
    if (progress?.phase === 'done') return;
    if (progress?.phase === 'running') {
      progress.again = true;
      return;
    }
    const running: Progress = { phase: 'running', again: false };
    session.data.set(PROGRESS, running);
    // Beside the session's inbound queue, never inside it: pacing may wait for acknowledgements
    // that arrive through that queue.
    sendAll(session)
      .then((outcome) => {
        if (session.data.get(PROGRESS) !== running) return; // went unavailable meanwhile
        running.phase = outcome === 'done' ? 'done' : 'waiting-for-caps';
        if (outcome === 'caps-unknown' && running.again) start(session);
      })
      .catch((error: unknown) => ctx.log.warn({ err: error, jid: session.jid.toString() }, 'pep: sending last items failed'));
  }

  /** Owners whose nodes this session may receive: its own account and local contacts it sees. */
  async function owners(session: LocalSession): Promise<string[]> {
    const account = session.jid.toBareString();
    const { items } = await ctx.storage.roster.get(account);
    const contacts = items.filter((i) => (i.subscription === 'to' || i.subscription === 'both') && ctx.hosts.has(tryParseJid(i.jid)?.domain ?? ''));
    return [account, ...contacts.map((i) => i.jid)];
  }

  /** The owner's nodes configured to send their last item on presence, with that item. */
  async function sentOnPresence(owner: string): Promise<Array<{ node: PubsubNode; item: PubsubItem }>> {
    const last = await ctx.storage.pubsub.lastItems(owner);
    if (last.length === 0) return [];
    const nodes = new Map((await ctx.storage.pubsub.listNodes(owner)).map((n) => [n.node, n]));
    return last.flatMap(({ node: name, item }) => {
      const node = nodes.get(name);
      return node?.config.sendLastPublishedItem === 'on_sub_and_presence' ? [{ node, item }] : [];
    });
  }

  async function sendAll(session: LocalSession): Promise<Outcome> {
    // Every item waits for the client's caps (§4.3.1 +notify), so read nothing before they are known.
    if ((await wantsNotify(ctx, session.jid.toString(), '')) === undefined) return 'caps-unknown';
    const viewer = session.jid.toBareString();
    for (const owner of await owners(session)) {
      for (const { node, item } of await sentOnPresence(owner)) {
        const wanted = await wantsNotify(ctx, session.jid.toString(), node.node);
        if (wanted === undefined) return 'caps-unknown';
        if (!wanted || !(await mayView(owner, node, viewer))) continue;
        if (!(await sendOne(session, owner, node, item))) return 'done';
      }
    }
    return 'done';
  }

  async function mayView(owner: string, node: PubsubNode, viewer: string): Promise<boolean> {
    return owner === viewer || refusal(node.config, await viewerOf(ctx, owner, node.node, viewer)) === undefined;
  }

  async function sendOne(session: LocalSession, owner: string, node: PubsubNode, item: PubsubItem): Promise<boolean> {
    if (!(await session.whenWritable())) return false;
    const message = eventMessage(ctx, owner, session.jid.toString(), eventOf(node.node, itemElement(item)), item.publishedAt);
    return deliverForAccount(ctx, session.ref(), message);
  }

  /** §4.3.3 for a remote resource: the account's last items it wants and may see, over s2s. */
  async function remoteKnown(account: Jid, jid: Jid): Promise<void> {
    const owner = account.toBareString();
    for (const { node, item } of await sentOnPresence(owner)) {
      if ((await wantsNotify(ctx, jid.toString(), node.node, account)) !== true || !(await mayView(owner, node, jid.toBareString()))) continue;
      await ctx.router.route(eventMessage(ctx, owner, jid.toString(), eventOf(node.node, itemElement(item)), item.publishedAt));
    }
  }

  return {
    remoteKnown,
    available: start,
    unavailable(session) {
      session.data.delete(PROGRESS);
    },
    capsKnown(session) {
      const progress = session.data.get(PROGRESS) as Progress | undefined;
      if (progress && progress.phase !== 'done') start(session);
    },
  };
}
