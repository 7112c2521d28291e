// Notices between nodes ("this key of this topic changed") on Redis pub/sub. Pub/sub has no
// memory, which suits a hint whose loss is detected: while the subscription is down a node may
// miss some, so when it is back the node is told it may have missed notices and every module
// drops what it cached from shared state (NodeNoticeEvent). One PUBLISH per notice; a node
// ignores its own.
import type { Redis } from 'ioredis';
import type { Logger } from '../../util/logger.js';
import type { NodeBusReceiver } from '../node-bus.js';
import { redisKeys } from './keys.js';

export interface NoticeChannel {
  publish(topic: string, key: string): Promise<void>;
  /** A message on the notices channel: handed to the receiver unless this node sent it. */
  received(message: string): void;
  /** The subscription is back after an outage: the receiver hears that notices may be lost. */
  resubscribed(): void;
  attach(receiver: NodeBusReceiver): void;
}

export function createNoticeChannel(redis: Redis, nodeId: string, log: Logger): NoticeChannel {
  let receiver: NodeBusReceiver | undefined;
  return {
    async publish(topic, key) {
      try {
        await redis.publish(redisKeys.notices, JSON.stringify([nodeId, topic, key]));
      } catch (error) {
        log.warn({ err: (error as Error).message, topic }, 'cluster: could not publish a notice');
      }
    },
    received(message) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        return;
      }
      if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((part) => typeof part === 'string')) return;
      const [sender, topic, key] = parsed as [string, string, string];
      if (sender !== nodeId) receiver?.notice(topic, key);
    },
    resubscribed() {
      receiver?.notice(undefined, undefined);
    },
    attach(r) {
      receiver = r;
    },
  };
}
