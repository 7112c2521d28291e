// `herald sessions [domain|jid]`: the client sessions of the running server (its admin socket):
// full JID, node, address, since when, stream management, SASL mechanism and user agent.
import type { Command } from 'commander';
import { adminRequest, AdminError } from '../../admin/admin-client.js';
import { adminSocketPath } from '../../admin/admin-server.js';
import type { SessionListing } from '../../admin/session-listing.js';
import { CliError } from '../cli-error.js';
import { loadCliConfig, type GlobalOptions } from '../context.js';
import { textTable } from '../text-table.js';

export function registerSessionsCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('sessions [filter]')
    .description('list the client sessions of the running server: all, of a domain, of an account (bare JID) or one resource (full JID)')
    .option('--json', 'print the sessions as JSON')
    .action(async (filter: string | undefined, options: { json?: boolean }) => {
      const config = loadCliConfig(globals());
      let sessions: SessionListing[];
      try {
        sessions = (await adminRequest(adminSocketPath(config.storage.dataDir), 'sessions.list', filter === undefined ? {} : { filter })) as SessionListing[];
      } catch (error) {
        if (error instanceof AdminError) throw new CliError(error.message);
        throw error;
      }
      console.log(options.json ? JSON.stringify(sessions, null, 2) : formatSessions(sessions));
    });
}

export function formatSessions(sessions: readonly SessionListing[]): string {
  if (sessions.length === 0) return 'no client sessions';
  const header = ['JID', 'NODE', 'ADDRESS', 'SINCE', 'SM', 'MECHANISM', 'CLIENT', 'DEVICE', 'CLIENT ID'];
  const rows = sessions.map((s) => [
    s.jid,
    s.node,
    s.address || '-',
    s.since ?? '-',
    s.sm ? 'on' : 'off',
    s.mechanism ?? '-',
    s.userAgent?.software ?? '-',
    s.userAgent?.device ?? '-',
    s.userAgent?.id ?? '-',
  ]);
  return textTable(header, rows);
}
