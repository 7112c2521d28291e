// `herald cluster status`: the nodes of the cluster, their sessions and last heartbeat, from Redis.
import type { Command } from 'commander';
import { silentLogger } from '../../util/logger.js';
import { CliError } from '../cli-error.js';
import { loadCliConfig, type GlobalOptions } from '../context.js';

export function registerClusterCommands(program: Command, globals: () => GlobalOptions): void {
  const cluster = program.command('cluster').description('several nodes serving one domain (docs/scale-out.md)');
  cluster
    .command('status')
    .description('show the nodes, their sessions and last heartbeat (reads Redis)')
    .option('--json', 'print the nodes as JSON')
    .action(async (options: { json?: boolean }) => {
      const config = loadCliConfig(globals());
      const url = config.cluster?.redisUrl;
      if (!url) throw new CliError('no cluster configured: set cluster.redisUrl or HERALD_REDIS_URL');
      // Imported here: every other command starts without loading the Redis client.
      const { connectRedis } = await import('../../cluster/redis/connect.js');
      const { clusterStatus, formatClusterStatus } = await import('../../cluster/redis/status.js');
      let redis;
      try {
        redis = await connectRedis(url, silentLogger(), 'status');
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      try {
        const rows = await clusterStatus(redis);
        console.log(options.json ? JSON.stringify(rows, null, 2) : formatClusterStatus(rows));
      } finally {
        redis.disconnect();
      }
    });
}
