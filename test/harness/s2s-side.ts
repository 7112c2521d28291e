// In-process s2s sides for unit tests of links: one domain's startS2s() on a loopback port, with
// a resolver and clock the test controls and a router that only records what it is given.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { createHosts } from '../../src/core/hosts.js';
import type { Router } from '../../src/core/router.js';
import { ensureCertificates } from '../../src/net/certificates.js';
import { createTlsContexts } from '../../src/net/tls-contexts.js';
import type { S2sResolver } from '../../src/s2s/resolver.js';
import { startS2s, type S2sHandle } from '../../src/s2s/start-s2s.js';
import { createRandomIds } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import type { Element } from '../../src/xml/element.js';
import type { HeldStanzaRepository } from '../../src/storage/types.js';

export interface S2sSideOptions {
  /** A folder of the test's own; the side lives in `<dir>/<domain>`. */
  dir: string;
  domain: string;
  resolver: S2sResolver;
  now: () => number;
  /** Lines under `s2s:` besides `connectTimeoutSeconds: 5`. */
  s2sYaml?: string[];
  /** Where messages for unreachable peers are held (default: a private in-memory one). */
  held?: HeldStanzaRepository;
}

export async function startS2sSide(options: S2sSideOptions): Promise<{ handle: S2sHandle; received: Element[] }> {
  const { domain } = options;
  const home = path.join(options.dir, domain);
  fs.mkdirSync(home);
  const file = path.join(home, 'herald.yaml');
  fs.writeFileSync(file, [
    `domains:`, `  - name: ${domain}`,
    `listeners:`, `  s2s: { enabled: true, host: 127.0.0.1, port: 0 }`,
    `certsDir: ./certs`, `storage:`, `  dataDir: ./data`,
    `s2s:`, `  connectTimeoutSeconds: 5`, ...(options.s2sYaml ?? []),
  ].join('\n'));
  const config = loadConfig({ path: file, env: {}, cwd: home });
  const received: Element[] = [];
  const router: Router = { route: async (stanza) => void received.push(stanza), routeNow: (stanza) => void received.push(stanza) };
  const handle = await startS2s({
    config,
    hosts: createHosts(config.domains),
    router,
    tls: createTlsContexts(ensureCertificates(config), domain),
    clock: { now: options.now },
    ids: createRandomIds(),
    log: silentLogger(),
    resolver: options.resolver,
    ...(options.held ? { held: options.held } : {}),
  });
  return { handle, received };
}

/** Stops every side (links, incoming streams, listener) and removes the test's folder. */
export async function stopS2sSides(sides: Iterable<S2sHandle>, dir: string): Promise<void> {
  await Promise.all([...sides].map(async (side) => {
    await side.stop();
    await side.listener.close();
  }));
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Polls `check` every 10 ms for up to 10 s (for effects with no event to wait on). */
export async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
