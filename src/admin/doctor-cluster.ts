// `herald doctor` for several nodes: whether the PostgreSQL and Redis that cluster.postgresUrl
// and cluster.redisUrl name answer from this machine, with the cause and the fix when not.
// The clients are loaded only when configured, as the server does.
import type { HeraldConfig } from '../config/types.js';
import { maskRedisUrl } from '../config/cluster-values.js';
import { maskedUrl } from '../util/masked-url.js';
import { silentLogger } from '../util/logger.js';
import type { CheckStep } from './s2s-check.js';

export async function checkCluster(config: HeraldConfig): Promise<CheckStep[]> {
  const steps: CheckStep[] = [];
  const postgresUrl = config.cluster?.postgresUrl;
  if (postgresUrl !== undefined) steps.push(await checkPostgres(postgresUrl));
  const redisUrl = config.cluster?.redisUrl;
  if (redisUrl !== undefined) steps.push(await checkRedis(redisUrl));
  return steps;
}

async function checkPostgres(url: string): Promise<CheckStep> {
  const { createPool, PostgresUnavailableError } = await import('../storage/postgres/pool.js');
  const db = createPool(url);
  try {
    const { rows } = await db.query<{ version: string; database: string }>("SELECT current_setting('server_version') AS version, current_database() AS database");
    const found = rows[0]!;
    return { name: 'postgresql', status: 'ok', summary: `${maskedUrl(url)} answers: PostgreSQL ${found.version}, database ${found.database}`, details: [] };
  } catch (error) {
    return {
      name: 'postgresql',
      status: 'fail',
      summary: new PostgresUnavailableError(url, error).message,
      details: ['every node keeps its accounts and messages there: start PostgreSQL, or fix cluster.postgresUrl (HERALD_POSTGRES_URL)'],
    };
  } finally {
    await db.end().catch(() => undefined);
  }
}

async function checkRedis(url: string): Promise<CheckStep> {
  const { connectRedis } = await import('../cluster/redis/connect.js');
  let client: Awaited<ReturnType<typeof connectRedis>> | undefined;
  try {
    client = await connectRedis(url, silentLogger(), 'doctor');
    const version = /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown version';
    return { name: 'redis', status: 'ok', summary: `${maskRedisUrl(url)} answers: Redis ${version}`, details: [] };
  } catch (error) {
    return {
      name: 'redis',
      status: 'fail',
      summary: (error as Error).message,
      details: ['the nodes share sessions and route stanzas through it: start Redis, or fix cluster.redisUrl (HERALD_REDIS_URL)'],
    };
  } finally {
    client?.disconnect();
  }
}
