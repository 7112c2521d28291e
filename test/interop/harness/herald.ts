// Starts a real Herald process (the built CLI, via test/harness/server-process.ts) as one side of
// an interop federation test: s2s listener on a loopback port, static routes to the peers (so
// Herald never asks DNS), and optionally a CA-issued certificate under domains[].tls plus
// s2s.caFiles / requireValidCertificates for certificate (SASL EXTERNAL) authentication.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServerProcess } from '../../harness/server-process.js';
import { writeCertPair, type CertPair } from './certs.js';
import { tail } from './process.js';

export interface HeraldPeerOptions {
  domain: string;
  s2sPort: number;
  /** Remote domain -> s2s port on 127.0.0.1. */
  routes: Record<string, number>;
  /** Certificate for `domain` (domains[].tls); Herald generates a self-signed one if absent. */
  certs?: CertPair;
  caFiles?: string[];
  requireValidCertificates?: boolean;
}

/**
 * ServerProcess.start() writes its own configuration, which has no domains[].tls; here the whole
 * file is ours, and ServerProcess's spawn step (private, reached with TypeScript's element-access
 * escape hatch) starts the CLI on it and collects its JSON log lines.
 */
export async function startHerald(opts: HeraldPeerOptions): Promise<ServerProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-interop-herald-'));
  let tls = '';
  if (opts.certs) {
    const tlsDir = path.join(dir, 'tls');
    fs.mkdirSync(tlsDir);
    const { certFile, keyFile } = writeCertPair(tlsDir, opts.domain, opts.certs);
    tls = `\n    tls: { cert: ${JSON.stringify(certFile)}, key: ${JSON.stringify(keyFile)} }`;
  }
  const routes = Object.entries(opts.routes).map(([domain, port]) => `    ${domain}: 127.0.0.1:${port}`);
  const yaml = [
    'domains:',
    `  - name: ${opts.domain}${tls}`,
    'listeners:',
    '  c2s: { host: 127.0.0.1, port: 0 }',
    '  c2sDirectTls: { host: 127.0.0.1, port: 0 }',
    '  http: { enabled: false }',
    '  https: { host: 127.0.0.1, port: 0 }',
    `  s2s: { enabled: true, host: 127.0.0.1, port: ${opts.s2sPort} }`,
    'certsDir: ./certs',
    'storage:',
    '  dataDir: ./data',
    'logging:',
    '  level: debug',
    's2s:',
    '  connectTimeoutSeconds: 10',
    `  requireValidCertificates: ${opts.requireValidCertificates ?? false}`,
    ...(opts.caFiles?.length ? ['  caFiles:', ...opts.caFiles.map((f) => `    - ${JSON.stringify(f)}`)] : []),
    '  routes:',
    ...routes,
    '',
  ].join('\n');
  const configFile = path.join(dir, 'herald.yaml');
  fs.writeFileSync(configFile, yaml);
  const spawnServer = ServerProcess['spawn'] as (dir: string, configFile: string, options: object) => Promise<ServerProcess>;
  return spawnServer.call(ServerProcess, dir, configFile, { s2sPort: opts.s2sPort });
}

/** Herald's JSON log lines, one a line (kept next to its data when HERALD_INTEROP_KEEP=1). */
export function saveHeraldLog(herald: ServerProcess): string {
  const file = path.join(herald.dir, 'herald.log.jsonl');
  fs.writeFileSync(file, herald.logs.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

/**
 * After an interop suite: stops Herald and its peer, then removes Herald's folder and `dirs`,
 * or, with HERALD_INTEROP_KEEP=1, keeps them and says where they are.
 */
export async function stopAndClean(herald: ServerProcess | undefined, peer: { stop(): Promise<void> } | undefined, dirs: string[]): Promise<void> {
  await Promise.all([herald?.stop(), peer?.stop()]);
  if (process.env.HERALD_INTEROP_KEEP === '1') {
    console.log(`kept: ${herald ? saveHeraldLog(herald) : ''} ${dirs.join(' ')}`);
    return;
  }
  herald?.cleanup();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
}

/**
 * Runs a test step; if it fails, the error carries the end of Herald's log and of the peer's log
 * file, which is what explains a federation failure.
 */
export async function withPeerLogs<R>(herald: ServerProcess | undefined, peer: { name: string; logFile: string } | undefined, step: () => Promise<R>): Promise<R> {
  try {
    return await step();
  } catch (error) {
    const e = error as Error;
    const heraldLog = (herald?.logs ?? []).slice(-60).map((l) => JSON.stringify(l)).join('\n');
    e.message += `\n--- herald log ---\n${heraldLog}\n--- ${peer?.name ?? 'peer'} log ---\n${peer ? tail(peer.logFile, 5000) : ''}`;
    throw e;
  }
}
