// `herald invite create|list|revoke`: invitations to register (XEP-0401/0445) or to become a
// contact (XEP-0379). The token is printed once, inside the URI, and stored only as a hash.
import type { Command } from 'commander';
import { httpsBase, inviteLandingUrl, isInviteUsable, type IssuedInvite } from '../../auth/invites.js';
import { createInvitation, OperationError } from '../../admin/invite-operations.js';
import { adminRequest } from '../../admin/admin-client.js';
import { adminSocketPath } from '../../admin/admin-server.js';
import type { HeraldConfig } from '../../config/types.js';
import type { Invite } from '../../storage/types.js';
import { systemClock } from '../../util/clock.js';
import { CliError } from '../cli-error.js';
import { servedDomain, withAccounts, type GlobalOptions } from '../context.js';

const DEFAULT_TTL = '7d';

interface CreateOptions {
  user?: string;
  contact?: string;
  ttl: string;
  admin?: boolean;
  register: boolean;
  json?: boolean;
}

/**
 * Where the landing page is reached: http.publicUrl, else the HTTPS listener, on the port the
 * running server bound (asked over its admin socket; the configured one when it is not running).
 */
async function landingBase(config: HeraldConfig, domain: string): Promise<string | undefined> {
  if (config.http.publicUrl !== undefined) return config.http.publicUrl;
  if (!config.listeners.https.enabled) return undefined;
  try {
    const ping = (await adminRequest(adminSocketPath(config.storage.dataDir), 'ping', {}, 2000)) as { httpsPort?: number | null };
    if (typeof ping.httpsPort === 'number') return httpsBase(domain, ping.httpsPort);
  } catch {
    // No server running: the configured port.
  }
  return config.listeners.https.port === 0 ? undefined : httpsBase(domain, config.listeners.https.port);
}

function statusOf(invite: Invite, now: number): string {
  if (invite.usedAt !== undefined) return `used by ${invite.usedBy ?? '?'} ${new Date(invite.usedAt).toISOString()}`;
  return isInviteUsable(invite, now) ? `open until ${new Date(invite.expiresAt).toISOString()}` : `expired ${new Date(invite.expiresAt).toISOString()}`;
}

export function registerInviteCommands(program: Command, globals: () => GlobalOptions): void {
  const invite = program.command('invite').description('invite people to register here or to become a contact (XEP-0401, XEP-0445, XEP-0379)');

  invite
    .command('create [domain]')
    .description('make a one-time invitation and print its xmpp: link (domain: the first served one, or the contact\'s)')
    .option('--user <name>', 'reserve this account name for the invitee')
    .option('--contact <jid>', 'the invitee and this local account become mutual contacts')
    .option('--ttl <time>', 'how long the invitation stays valid: 30m, 12h, 7d, 2w', DEFAULT_TTL)
    .option('--admin', 'the account created with this invitation is an administrator')
    .option('--no-register', 'with --contact: only a contact invitation, no account creation')
    .option('--json', 'print the invitation as JSON')
    .action(async (domainArg: string | undefined, options: CreateOptions) => {
      await withAccounts(globals(), async (accounts, config, storage) => {
        let issued: IssuedInvite;
        try {
          issued = await createInvitation(
            { config, accounts, storage, now: systemClock.now() },
            {
              ...(domainArg === undefined ? {} : { domain: domainArg }),
              ...(options.user === undefined ? {} : { user: options.user }),
              ...(options.contact === undefined ? {} : { contact: options.contact }),
              ttl: options.ttl,
              admin: options.admin === true,
              register: options.register,
            },
          );
        } catch (error) {
          if (error instanceof OperationError) throw new CliError(error.message);
          throw error;
        }
        const { domain, username } = issued.invite;
        const expires = new Date(issued.invite.expiresAt).toISOString();
        const base = await landingBase(config, domain);
        const landingUrl = base === undefined ? undefined : inviteLandingUrl(base, issued.token);
        if (options.json) {
          console.log(JSON.stringify({ id: issued.invite.id, uri: issued.uri, landingUrl, domain, username, contact: issued.invite.contact, admin: issued.invite.admin, expires }));
          return;
        }
        console.log(issued.uri);
        if (landingUrl !== undefined) console.log(landingUrl);
        console.log(`invite ${issued.invite.id}: one use, valid until ${expires}. Send ${landingUrl === undefined ? 'the link above' : 'either link above (the https one opens a page with apps to install)'} to the person you invite; it is shown only now.`);
      });
    });

  invite
    .command('list [domain]')
    .description('list invitations with their state (the links themselves are not kept)')
    .option('--json', 'one JSON object per line')
    .action(async (domainArg: string | undefined, options: { json?: boolean }) => {
      await withAccounts(globals(), async (_accounts, config, storage) => {
        const domain = domainArg === undefined ? undefined : servedDomain(domainArg, config);
        const now = systemClock.now();
        const invites = await storage.invites.list(domain);
        if (invites.length === 0 && !options.json) console.log('no invitations');
        for (const i of invites) {
          if (options.json) {
            const { tokenHash: _secretHash, ...shown } = i;
            console.log(JSON.stringify({ ...shown, usable: isInviteUsable(i, now) }));
            continue;
          }
          const what = i.contact !== undefined ? `contact of ${i.contact}${i.allowRegistration ? ' (may register)' : ''}` : `register ${i.username !== undefined ? `${i.username}@${i.domain}` : `on ${i.domain}`}`;
          console.log(`${i.id}  ${what}${i.admin ? '  admin' : ''}  ${statusOf(i, now)}`);
        }
      });
    });

  invite
    .command('revoke <id>')
    .description('delete an invitation so its link no longer works')
    .action(async (id: string) => {
      await withAccounts(globals(), async (_accounts, _config, storage) => {
        if (!(await storage.invites.delete(id))) throw new CliError(`no invitation ${id} (see herald invite list)`);
        console.log(`revoked invite ${id}`);
      });
    });
}
