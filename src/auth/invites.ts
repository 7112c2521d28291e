// Invitation tokens (XEP-0401 onboarding, XEP-0445 ibr-token, XEP-0379 pre-authenticated roster
// subscription): made by `herald invite create`, checked by the invites module. The token is a
// bearer secret shown once; storage keeps its SHA-256 only, like a password hash.
import { createHash, randomBytes } from 'node:crypto';
import type { Invite } from '../storage/types.js';

/** XEP-0379 §7.1 asks for at least 80 bits; 144 costs nothing and reads as 24 URI-safe characters. */
const TOKEN_BYTES = 18;

export const hashInviteToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export interface InviteRequest {
  domain: string;
  username?: string;
  /** Bare JID of a local account the invitee becomes a mutual contact of. */
  contact?: string;
  admin?: boolean;
  /** False for a contact invite that must not create accounts (XEP-0379 without ibr=y). */
  allowRegistration?: boolean;
  ttlMs: number;
  now: number;
}

export interface IssuedInvite {
  invite: Invite;
  /** The secret: only ever in the URI handed to the invitee. */
  token: string;
  uri: string;
}

export function issueInvite(request: InviteRequest): IssuedInvite {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const invite: Invite = {
    id: randomBytes(5).toString('hex'),
    tokenHash: hashInviteToken(token),
    domain: request.domain,
    admin: request.admin === true,
    allowRegistration: request.allowRegistration !== false,
    createdAt: request.now,
    expiresAt: request.now + request.ttlMs,
  };
  if (request.username !== undefined) invite.username = request.username;
  if (request.contact !== undefined) invite.contact = request.contact;
  return { invite, token, uri: inviteUri(invite, token) };
}

/**
 * The xmpp: URI (XEP-0147 query actions): a contact invite names the contact and says whether it
 * also registers (XEP-0445 §2.3 `ibr=y`); otherwise the account to register, or just the domain.
 */
export function inviteUri(invite: Invite, token: string): string {
  if (invite.contact !== undefined) return `xmpp:${invite.contact}?roster;preauth=${encodeURIComponent(token)}${invite.allowRegistration ? ';ibr=y' : ''}`;
  return registerUri(invite, token);
}

/** XEP-0401 §5: the account link (register), also for an account invitation that introduces a contact. */
export function registerUri(invite: Pick<Invite, 'domain' | 'username'>, token: string): string {
  const target = invite.username !== undefined ? `${invite.username}@${invite.domain}` : invite.domain;
  return `xmpp:${target}?register;preauth=${encodeURIComponent(token)}`;
}

/** Whether the invite can still be presented (XEP-0445 §4: expiry is checked only then). */
export function isInviteUsable(invite: Invite | undefined, now: number): boolean {
  return invite !== undefined && invite.usedAt === undefined && invite.expiresAt > now;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses "7d", "12h", "30m", "90s", "2w"; undefined when it is none of those. */
export function parseTtl(text: string): number | undefined {
  const match = /^(\d{1,6})([smhdw])$/.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  return amount > 0 ? amount * UNIT_MS[match[2]!]! : undefined;
}

/** Where the HTTPS landing page of an invitation is served (the token is the rest of the path). */
export const INVITE_PAGE_PATH = '/invite/';

/** The landing page's address under an `https://host[:port]` base. */
export function inviteLandingUrl(base: string, token: string): string {
  return `${base}${INVITE_PAGE_PATH}${encodeURIComponent(token)}`;
}

/** `https://<domain>[:port]`, the port left out when it is 443. */
export function httpsBase(domain: string, port: number): string {
  return port === 443 ? `https://${domain}` : `https://${domain}:${port}`;
}
