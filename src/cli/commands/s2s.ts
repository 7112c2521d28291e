// `herald s2s status`: live server-to-server links of the running server (its admin socket).
// `herald s2s check <domain>`: tries, standalone, every step of federating with a remote domain.
import type { Command } from 'commander';
import { adminRequest, AdminError } from '../../admin/admin-client.js';
import { adminSocketPath } from '../../admin/admin-server.js';
import { checkS2s, type CheckStep } from '../../admin/s2s-check.js';
import type { LinkStatus } from '../../s2s/link-status.js';
import { CliError } from '../cli-error.js';
import { textTable } from '../text-table.js';
import { loadCliConfig, type GlobalOptions } from '../context.js';

export function registerS2sCommands(program: Command, globals: () => GlobalOptions): void {
  const s2s = program.command('s2s').description('server-to-server federation: live links and diagnostics');

  s2s
    .command('status')
    .description('show the live server-to-server links of the running server')
    .option('--json', 'print the links as JSON')
    .action(async (options: { json?: boolean }) => {
      const config = loadCliConfig(globals());
      let answer: { enabled: boolean; links: LinkStatus[] };
      try {
        answer = (await adminRequest(adminSocketPath(config.storage.dataDir), 's2s.status')) as typeof answer;
      } catch (error) {
        if (error instanceof AdminError) throw new CliError(error.message);
        throw error;
      }
      if (options.json) {
        console.log(JSON.stringify(answer, null, 2));
        return;
      }
      if (!answer.enabled) {
        console.log('federation is off (listeners.s2s.enabled is false)');
        return;
      }
      console.log(formatLinks(answer.links));
    });

  s2s
    .command('check <domain>')
    .description('check federation with a remote domain: DNS, TCP, TLS, certificate, authentication')
    .option('--from <domain>', 'local domain to authenticate as (default: the first configured domain)')
    .action(async (remote: string, options: { from?: string }) => {
      const config = loadCliConfig(globals());
      const local = options.from ?? config.domains[0]!.name;
      if (!config.domains.some((d) => d.name === local)) {
        throw new CliError(`--from: '${local}' is not served by this configuration (served: ${config.domains.map((d) => d.name).join(', ')})`);
      }
      const target = remote.toLowerCase().replace(/\.$/, '');
      if (!config.listeners.s2s.enabled) {
        // The check still runs (it needs no server), but its OK would not mean federation works.
        console.log(`note: federation is off in ${config.sourceFile ?? 'the built-in defaults'} (listeners.s2s.enabled is false): the server neither accepts nor opens server-to-server links until it is turned on`);
      }
      console.log(`checking federation from ${local} to ${target}`);
      const report = await checkS2s({ config, local, remote: target, onStep: (step) => console.log(formatStep(step)) });
      if (report.ok) {
        const warned = report.steps.filter((s) => s.status === 'warn').length;
        console.log(`result: OK${warned > 0 ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}`);
        return;
      }
      console.log(`result: FAILED`);
      throw new CliError(`s2s check ${target}: ${report.firstFailure ?? 'failed'}`);
    });
}

const MARK: Record<CheckStep['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

export function formatStep(step: CheckStep): string {
  const lines = [`[${MARK[step.status]}] ${step.name.padEnd(11)} ${step.summary}`];
  for (const detail of step.details) lines.push(`       ${' '.repeat(11)} ${detail}`);
  return lines.join('\n');
}

export function formatLinks(links: readonly LinkStatus[]): string {
  if (links.length === 0) return 'no server-to-server links';
  const header = ['DIR', 'LOCAL', 'REMOTE', 'ADDRESS', 'TLS', 'AUTH', 'STATE', 'AGE', 'IN', 'OUT', 'QUEUE', 'UNACKED'];
  const rows = links.map((l) => [
    l.direction,
    l.local || '-',
    l.remote.join(',') || '-',
    l.remoteAddress || '-',
    l.tls ?? '-',
    [...new Set(l.auth.map((a) => a.method))].join(',') || '-',
    l.state,
    age(l.ageSeconds),
    String(l.stanzasIn),
    String(l.stanzasOut),
    String(l.queue),
    l.direction === 'out' ? String(l.unacked ?? 0) : '-',
  ]);
  const failed = links.filter((l) => l.state === 'failed');
  // Why a peer is unreachable is what the admin came for: one line each under the table.
  const reasons = failed.map((l) => `${l.local} -> ${l.remote.join(',')}: ${l.lastError ?? 'failed'} (next attempt in ${l.retryInSeconds ?? 0}s)`);
  return [textTable(header, rows), ...(reasons.length > 0 ? ['', 'last errors:', ...reasons.map((r) => `  ${r}`)] : [])].join('\n');
}

function age(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
}
