// Creating and logging in the bench's users: in-band (XEP-0077), through an admin command
// template, or not at all (the accounts already exist).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BenchClient, type Target } from './bench-client.js';
import type { AccountSource } from './types.js';

const run = promisify(execFile);

/** usernames like '<runId><tag><i>': lower-case letters and digits only, valid everywhere. */
export function usernames(runId: string, tag: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${runId}${tag}${i}`);
}

export async function ensureAccounts(target: Target, source: AccountSource, names: string[], password: string): Promise<void> {
  if (source.kind === 'existing') return;
  if (source.kind === 'register') {
    await inParallel(names, 4, async (name) => {
      const client = await BenchClient.connect(target);
      try {
        await client.register(name, password);
      } finally {
        await client.close();
      }
    });
    return;
  }
  await inParallel(names, 2, async (name) => {
    const command = source.template.replaceAll('{user}', name).replaceAll('{domain}', target.domain).replaceAll('{password}', password);
    await run('/bin/sh', ['-c', command], { timeout: 60_000 });
  });
}

/**
 * Connects and logs in every name (with initial presence), a few at a time; with several targets
 * (the nodes of a cluster) name i goes to target i mod their number.
 */
export async function loginAll(target: Target | readonly Target[], names: string[], password: string, concurrency = 8, login: { sm?: boolean } = {}): Promise<BenchClient[]> {
  const clients: BenchClient[] = new Array<BenchClient>(names.length);
  const targets = Array.isArray(target) ? target : [target as Target];
  await inParallel(names, concurrency, async (name, i) => {
    const client = await BenchClient.connect(targets[i % targets.length]!);
    await client.login(name, password, login);
    clients[i] = client;
  });
  return clients;
}

export async function closeAll(clients: Array<BenchClient | undefined>): Promise<void> {
  await Promise.all(clients.map((c) => c?.close()));
}

/** Runs fn over items with at most `limit` at once; the first failure rejects. */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index]!, index);
    }
  });
  await Promise.all(lanes);
}
