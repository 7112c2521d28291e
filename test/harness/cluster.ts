// Several real Herald processes serving one domain on one Redis. Storage is one parameter:
// `sharedPostgres()` (the supported deployment: one throwaway PostgreSQL per test file, each node
// with its own data folder) or `sharedSqlite()` (one SQLite file for the nodes of one machine).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServerProcess, type ServerOptions } from './server-process.js';
import type { RedisProcess } from './redis.js';
import { startPostgres } from './postgres.js';

/** For a beforeAll that starts PostgreSQL, Redis, the nodes and one CLI process per account: slow when CI runs files side by side. */
export const CLUSTER_STARTUP_MS = 180_000;

export interface ClusterStorage {
  readonly name: string;
  /** Environment for every node (and the CLI) so that they all use the same storage. */
  readonly env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

/** One SQLite database (and data folder) shared by every node on this machine. */
export function sharedSqlite(): ClusterStorage {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-cluster-data-'));
  return {
    name: 'shared SQLite',
    env: { HERALD_DATA_DIR: dir },
    async cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One throwaway PostgreSQL server (a plain process, stopped by PID) holding one database every
 * node and the CLI use; each node keeps its own data folder (node id file, admin socket).
 */
export async function sharedPostgres(database = 'herald_cluster'): Promise<ClusterStorage> {
  const server = await startPostgres();
  try {
    const url = await server.createDatabase(database);
    return {
      name: 'PostgreSQL',
      env: { HERALD_POSTGRES_URL: url },
      cleanup: () => server.stop(),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

export class HeraldCluster {
  private constructor(
    readonly redis: RedisProcess,
    readonly storage: ClusterStorage,
    readonly nodes: ServerProcess[],
    private readonly options: ServerOptions | ((nodeId: string) => ServerOptions),
  ) {}

  /** Starts `count` nodes one after another (node-1, node-2, …); `options` may differ per node. */
  static async start(redis: RedisProcess, storage: ClusterStorage, count: number, options: ServerOptions | ((nodeId: string) => ServerOptions) = {}): Promise<HeraldCluster> {
    const cluster = new HeraldCluster(redis, storage, [], options);
    try {
      for (let i = 1; i <= count; i++) cluster.nodes.push(await cluster.startNode(`node-${i}`));
    } catch (error) {
      await cluster.stop(); // the nodes started so far and the storage (a PostgreSQL process)
      throw error;
    }
    return cluster;
  }

  envFor(nodeId: string): NodeJS.ProcessEnv {
    return { ...this.storage.env, HERALD_REDIS_URL: this.redis.url, HERALD_NODE_ID: nodeId };
  }

  startNode(nodeId: string): Promise<ServerProcess> {
    const options = typeof this.options === 'function' ? this.options(nodeId) : this.options;
    return ServerProcess.start({ ...options, env: { ...options.env, ...this.envFor(nodeId) } });
  }

  node(index: number): ServerProcess {
    return this.nodes[index]!;
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map(async (n) => {
      await n.stop();
      n.cleanup();
    }));
    await this.storage.cleanup();
  }
}

/** Runs the real CLI with a node's configuration and the cluster's environment. */
export async function clusterCli(cluster: HeraldCluster, node: ServerProcess, args: string[], stdin = ''): Promise<{ stdout: string; stderr: string; code: number }> {
  const { spawn } = await import('node:child_process');
  const { CLI } = await import('./server-process.js');
  const child = spawn(process.execPath, [CLI, '--config', node.configFile, ...args], {
    cwd: node.dir,
    env: { ...process.env, ...cluster.envFor('cli') },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(stdin);
  const code = await new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? -1)));
  return { stdout, stderr, code };
}

export async function addClusterUser(cluster: HeraldCluster, jid: string, password: string): Promise<void> {
  const result = await clusterCli(cluster, cluster.node(0), ['user', 'add', jid, '--password-stdin'], password);
  if (result.code !== 0) throw new Error(`user add failed: ${result.stderr}`);
}
