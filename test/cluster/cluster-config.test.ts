// cluster: configuration and start-up (issue 17): the environment variables work exactly as
// named, bad values name the file or variable, and an unusable Redis stops start-up with one
// line naming the URL (password masked) and the cause.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load.js';
import { stableNodeId } from '../../src/cluster/node-id.js';
import { ServerProcess } from '../harness/server-process.js';
import { freePort } from '../harness/redis.js';

let cwd: string;
beforeEach(() => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-cluster-config-'));
});
afterEach(() => {
  fs.rmSync(cwd, { recursive: true, force: true });
});

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('cluster configuration', () => {
  it('HERALD_REDIS_URL and HERALD_NODE_ID set cluster.redisUrl and cluster.nodeId', () => {
    const config = loadConfig({ cwd, env: { HERALD_REDIS_URL: 'redis://127.0.0.1:6380/2', HERALD_NODE_ID: 'edge-1' } });
    expect(config.cluster).toEqual({ redisUrl: 'redis://127.0.0.1:6380/2', nodeId: 'edge-1' });
  });

  it('without them there is no cluster (one node, everything in process)', () => {
    expect(loadConfig({ cwd, env: {} }).cluster).toBeUndefined();
  });

  it('a bad HERALD_REDIS_URL names the variable and what was expected', () => {
    const error = errorOf(() => loadConfig({ cwd, env: { HERALD_REDIS_URL: 'http://127.0.0.1:6379' } }));
    expect(error.message).toContain('HERALD_REDIS_URL');
    expect(error.message).toContain('redis://');
  });

  it('a bad cluster.nodeId in the file names the file, the key and what was expected', () => {
    const file = path.join(cwd, 'herald.yaml');
    fs.writeFileSync(file, 'cluster:\n  nodeId: "has space"\n');
    const error = errorOf(() => loadConfig({ cwd, env: { HERALD_CONFIG: file } }));
    expect(error.message).toMatch(/herald\.yaml:2.*cluster\.nodeId.*letters, digits/);
  });

  it('the default node id is generated once and kept in the data folder', () => {
    const first = stableNodeId(cwd);
    expect(first).toMatch(/^node-[0-9a-f]{12}$/);
    expect(stableNodeId(cwd)).toBe(first);
  });
});

describe('start-up with an unusable Redis', () => {
  it('stops with one line naming the URL, with the password masked, and the cause', async () => {
    const port = await freePort(); // nothing listens there
    const url = `redis://:s3cret@127.0.0.1:${port}/0`;
    const started = ServerProcess.start({ env: { HERALD_REDIS_URL: url } });
    const error = (await started.then(() => undefined, (e: Error) => e))!;
    expect(error).toBeInstanceOf(Error);
    const lines = error.message.split('server exited with 1 before listening: ')[1]!.trim().split('\n');
    expect(lines).toEqual([`herald: cannot use Redis at redis://:***@127.0.0.1:${port}/0: connect ECONNREFUSED 127.0.0.1:${port}`]);
    expect(error.message).not.toContain('s3cret');
  }, 30_000);
});
