// Opening Redis connections. Start-up fails with one line naming the (masked) URL and the cause;
// once running, connections retry for ever, since a Redis restart must not end the node.
import { Redis } from 'ioredis';
import { maskRedisUrl } from '../../config/cluster-values.js';
import type { Logger } from '../../util/logger.js';

const CONNECT_TIMEOUT_MS = 5_000;

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/** A connection that keeps reconnecting (backing off to 1 s) and queues commands meanwhile. */
export function redisConnection(url: string, log: Logger, role: string): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // A command waits through a Redis restart rather than failing after a few retries.
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(50 * times, 1_000),
  });
  let down = false;
  client.on('error', (error: Error) => {
    if (!down) log.warn({ redis: maskRedisUrl(url), role, err: error.message }, 'redis connection problem; retrying');
    down = true;
  });
  client.on('ready', () => {
    if (down) log.info({ redis: maskRedisUrl(url), role }, 'redis connection back');
    down = false;
  });
  return client;
}

/** Connects, or throws a RedisUnavailableError whose message is the one line to print. */
export async function connectRedis(url: string, log: Logger, role: string): Promise<Redis> {
  const client = redisConnection(url, log, role);
  let cause = 'no answer';
  const noteCause = (error: Error) => void (cause = error.message || error.name);
  client.on('error', noteCause);
  try {
    await withTimeout(client.connect().then(() => client.ping()), CONNECT_TIMEOUT_MS + 1_000);
  } catch (error) {
    client.disconnect();
    if (cause === 'no answer' && error instanceof Error) cause = error.message;
    throw new RedisUnavailableError(`cannot use Redis at ${maskRedisUrl(url)}: ${cause}`);
  } finally {
    client.off('error', noteCause);
  }
  return client;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
