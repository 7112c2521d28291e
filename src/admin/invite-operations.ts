// Making an invitation, shared by `herald invite create` and the admin web console: the checks
// (served domain, existing contact, free reserved name, sensible combination) and the record.
import { issueInvite, parseTtl, type IssuedInvite } from '../auth/invites.js';
import type { Accounts } from '../auth/accounts.js';
import type { HeraldConfig } from '../config/types.js';
import { createJid, JidError, parseJid, type Jid } from '../protocol/jid.js';
import type { Storage } from '../storage/types.js';

/** A request an operator can fix: the message says what to change. */
export class OperationError extends Error {}

export interface InvitationRequest {
  /** Default: the contact's domain, else the first served one. */
  domain?: string;
  /** Reserve this account name for the invitee. */
  user?: string;
  /** Bare JID of a local account the invitee becomes a mutual contact of. */
  contact?: string;
  /** 30m, 12h, 7d, 2w. */
  ttl: string;
  admin: boolean;
  /** False: a contact invitation only (needs `contact`). */
  register: boolean;
}

export interface InvitationDeps {
  config: HeraldConfig;
  accounts: Accounts;
  storage: Storage;
  now: number;
}

function served(config: HeraldConfig, input: string, what: string): string {
  const domain = input.toLowerCase().replace(/\.$/, '');
  if (!config.domains.some((d) => d.name === domain)) throw new OperationError(`${what}: '${domain}' is not served here; served: ${config.domains.map((d) => d.name).join(', ')}`);
  return domain;
}

async function contactOf(deps: InvitationDeps, input: string): Promise<Jid> {
  let jid: Jid;
  try {
    jid = parseJid(input);
  } catch (error) {
    throw new OperationError(`--contact: '${input}' is not a valid JID: ${(error as Error).message}`);
  }
  if (!jid.local || jid.resource) throw new OperationError(`--contact: '${input}' is not an account address (expected user@domain)`);
  served(deps.config, jid.domain, '--contact');
  if (!(await deps.accounts.exists(jid))) throw new OperationError(`--contact: no account ${jid.toBareString()}`);
  return jid;
}

/** Checks the request, stores the invitation and returns it with its token (shown once). */
export async function createInvitation(deps: InvitationDeps, request: InvitationRequest): Promise<IssuedInvite> {
  const ttlMs = parseTtl(request.ttl);
  if (ttlMs === undefined) throw new OperationError(`--ttl: expected a time like 30m, 12h, 7d or 2w, found '${request.ttl}'`);
  const contact = request.contact === undefined ? undefined : await contactOf(deps, request.contact);
  if (!request.register && !contact) throw new OperationError('--no-register needs --contact: an invitation must do something');
  if (!request.register && (request.user !== undefined || request.admin)) throw new OperationError('--user and --admin need an invitation that registers (drop --no-register)');
  const domain = served(deps.config, request.domain ?? contact?.domain ?? deps.config.domains[0]!.name, 'domain');
  let username: string | undefined;
  if (request.user !== undefined) {
    try {
      username = createJid(request.user, domain).local;
    } catch (error) {
      if (error instanceof JidError) throw new OperationError(`--user: '${request.user}' cannot be used as an account name (${error.message})`);
      throw error;
    }
    if (await deps.accounts.exists(createJid(username, domain))) throw new OperationError(`--user: account ${username}@${domain} already exists`);
  }
  const issued = issueInvite({
    domain,
    ...(username === undefined ? {} : { username }),
    ...(contact === undefined ? {} : { contact: contact.toBareString() }),
    admin: request.admin,
    allowRegistration: request.register,
    ttlMs,
    now: deps.now,
  });
  await deps.storage.invites.create(issued.invite);
  return issued;
}
