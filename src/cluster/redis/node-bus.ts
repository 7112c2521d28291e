// The node bus on Redis Streams: one stream per node (its inbox). A sender appends to the target
// node's inbox through a script that refuses a node no longer a member; appends are pipelined
// and batched per turn of the event loop (append-batcher.ts). The target reads its inbox in order
// and deletes each entry once the stanza is confirmed by the client or re-homed. Whatever is
// still in a dead node's inbox is therefore exactly what it had not finished, and a survivor
// routes it again (liveness.ts). One node's appends leave on one connection, in the order issued,
// and one inbox is read in order: per-sender FIFO holds across nodes.
import type { Redis } from 'ioredis';
import { buildElement } from '../../xml/element-builder.js';
import { SerializedStanza } from '../../xml/serialized-stanza.js';
import { serialize } from '../../xml/serialize.js';
import type { StreamErrorCondition } from '../../protocol/stream-error.js';
import type { Logger } from '../../util/logger.js';
import type { NodeBus, NodeBusReceiver } from '../node-bus.js';
import { createAppendBatcher } from './append-batcher.js';
import { closeEntry, nodeEntry, readBusEntry, stanzaEntry } from './bus-entry.js';
import { redisKeys } from './keys.js';
import type { ClusterScripts } from './scripts.js';
import type { NoticeChannel } from './notices.js';

/** Entries read per XREAD; the read blocks this long when the inbox is empty. */
const READ_COUNT = 512;
const READ_BLOCK_MS = 1_000;
/**
 * Confirmed entries are deleted together: with the next read once the first of them has waited
 * this long, so the deletion leaves while the node is awake anyway…
 */
const DELETE_GATHER_MS = 20;
/** …or by a timer this long after the first, when no read comes (a quiet inbox)… */
const DELETE_LATEST_MS = 2 * DELETE_GATHER_MS;
/** …or at once when this many are waiting. */
const DELETE_BATCH_MAX = 512;

export interface RedisNodeBus extends NodeBus {
  /**
   * While this node drains a dead node's inbox, stanzas it routes again must not go back into
   * that inbox: delivering to the dead node fails here, so they take the fallback path in order.
   */
  quarantine(nodeId: string): void;
  release(nodeId: string): void;
  /** Where stanzas an inbox refused are routed again (the receiver, once the node starts). */
  attach(receiver: Pick<NodeBusReceiver, 'reroute'>): void;
}

/**
 * After an inbox refused (its node is no longer a member), deliveries to that node fail at once
 * for this long, as they did when each append was awaited: a stanza routed again must not go
 * back to the gone node while the registry still names it (the survivor clears it next).
 */
const GONE_MS = 1_000;

export function createRedisNodeBus(scripts: ClusterScripts, senderRun: string, notices: Pick<NoticeChannel, 'publish'>, log: Logger): RedisNodeBus {
  const quarantined = new Set<string>();
  const goneUntil = new Map<string, number>();
  let receiver: Pick<NodeBusReceiver, 'reroute'> | undefined;
  const unreachable = (nodeId: string): boolean => {
    if (quarantined.has(nodeId)) return true;
    const until = goneUntil.get(nodeId);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    goneUntil.delete(nodeId);
    return false;
  };
  const batcher = createAppendBatcher({
    send: async (nodeId, args) => {
      const reply = await scripts.sendBatchIfMember([redisKeys.nodes, redisKeys.inbox(nodeId), redisKeys.inboxSequence(nodeId)], [nodeId, senderRun, ...args]);
      if (reply === null) goneUntil.set(nodeId, Date.now() + GONE_MS);
      return reply;
    },
    reroute: async (stanza) => receiver?.reroute(stanza),
    log,
  });
  return {
    async deliver(ref, stanza) {
      if (unreachable(ref.nodeId)) return false;
      const room = batcher.roomToSend();
      if (room) await room;
      void batcher.append(ref.nodeId, stanzaEntry(ref.id, serialize(stanza)), stanza);
      return true;
    },
    async close(ref, condition) {
      if (!unreachable(ref.nodeId)) await batcher.append(ref.nodeId, closeEntry(ref.id, condition));
    },
    async toNode(nodeId, stanza) {
      return !unreachable(nodeId) && batcher.append(nodeId, nodeEntry(serialize(stanza)));
    },
    settled: () => batcher.settled(),
    rerouting: () => batcher.rerouting(),
    notify: (topic, key) => notices.publish(topic, key),
    quarantine: (nodeId) => void quarantined.add(nodeId),
    release: (nodeId) => void quarantined.delete(nodeId),
    attach: (r) => void (receiver = r),
  };
}

type StreamEntry = [id: string, fields: string[]];

export interface InboxReader {
  stop(): Promise<void>;
}

/**
 * Reads this node's inbox from its start (entries a previous run of this node left unfinished
 * are routed again, since their sessions are gone) and hands each entry to the receiver in order.
 */
export function readInbox(deps: { reader: Redis; redis: Redis; nodeId: string; receiver: NodeBusReceiver; log: Logger }): InboxReader {
  const { reader, redis, nodeId, receiver, log } = deps;
  const inbox = redisKeys.inbox(nodeId);
  let stopped = false;
  let lastId = '0';

  // Deletions are gathered and sent as one XDEL: at 1,000 msg/s one command per ~20 messages
  // instead of one per message. They leave with the next read of the inbox (when this node is
  // awake anyway: a timer of its own, and the answer arriving on an idle node, would wake it
  // twice more, which costs more CPU than the messages themselves), by a timer only when the
  // inbox went quiet. Deleting later never loses anything (an entry is still only forgotten once
  // its stanza was confirmed or re-homed); a crash meanwhile only routes those few again, as
  // XEP-0198 allows.
  let finished: string[] = [];
  let firstFinishedAt = 0;
  let latest: NodeJS.Timeout | undefined;
  const flushDeletions = () => {
    if (latest) clearTimeout(latest);
    latest = undefined;
    if (finished.length === 0) return;
    const ids = finished;
    finished = [];
    redis.xdel(inbox, ...ids).catch((error: Error) => log.warn({ err: error.message }, 'bus: could not delete delivered entries'));
  };
  const forget = (id: string) => {
    const count = finished.push(id);
    if (count >= DELETE_BATCH_MAX) flushDeletions();
    else if (count === 1) {
      firstFinishedAt = Date.now();
      latest = setTimeout(flushDeletions, DELETE_LATEST_MS);
    }
  };
  const flushDueDeletions = () => {
    if (finished.length > 0 && Date.now() - firstFinishedAt >= DELETE_GATHER_MS) flushDeletions();
  };

  /** Hands one entry on; a promise only when the next must wait for it (see NodeBusReceiver). */
  function handle([id, fields]: StreamEntry): Promise<void> | undefined {
    const entry = readBusEntry(fields);
    if (entry === undefined) {
      log.warn({ entry: id }, 'bus: skipped an inbox entry of an unknown kind');
      forget(id);
      return undefined;
    }
    if (entry.kind === 'c') {
      receiver.close(entry.sessionId, entry.payload as StreamErrorCondition);
      forget(id);
      return undefined;
    }
    if (entry.kind === 'n') return receiver.forNode(buildElement(entry.payload)).then(() => forget(id));
    // The stanza stays text: a node wrote it with serialize() and the client gets it as it came.
    // Entries a previous run of this node left are for session ids that no longer exist here:
    // the receiver routes those again.
    return receiver.stanza(entry.sessionId, new SerializedStanza(entry.payload), () => forget(id));
  }

  const loop = async () => {
    while (!stopped) {
      let batch: [string, StreamEntry[]][] | null;
      try {
        batch = (await reader.xread('COUNT', READ_COUNT, 'BLOCK', READ_BLOCK_MS, 'STREAMS', inbox, lastId)) as [string, StreamEntry[]][] | null;
      } catch (error) {
        if (stopped) return;
        log.warn({ err: (error as Error).message }, 'bus: inbox read failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      // First thing on waking: the answer then comes back while this batch is being handled.
      flushDueDeletions();
      for (const [, entries] of batch ?? []) {
        for (const entry of entries) {
          lastId = entry[0];
          try {
            const waiting = handle(entry);
            if (waiting) await waiting;
          } catch (error) {
            log.error({ err: error, entry: entry[0] }, 'bus: could not handle an inbox entry');
            forget(entry[0]);
          }
        }
      }
    }
  };
  const running = loop();

  return {
    async stop() {
      stopped = true;
      // Sent before anything this node does next on the same connection (the hand-off at a clean
      // stop drains what is left in the inbox): what was confirmed must not be routed again.
      flushDeletions();
      reader.disconnect();
      await running.catch(() => undefined);
    },
  };
}
