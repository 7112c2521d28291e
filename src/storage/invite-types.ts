// Invitations (XEP-0401 onboarding, XEP-0445 ibr-token, XEP-0379 pre-authenticated roster
// subscription). The token itself is a bearer secret: storage keeps only its SHA-256.

export interface Invite {
  /** Short public handle for listing and revoking; not secret. */
  id: string;
  /** SHA-256 of the token, hex. */
  tokenHash: string;
  /** The domain the invite registers on. */
  domain: string;
  /** Account name reserved for the invitee (XEP-0445 §5), when the admin chose one. */
  username?: string;
  /** Bare JID of the local account the invitee is introduced to (mutual subscription). */
  contact?: string;
  /** The invitee's account is made an administrator. */
  admin: boolean;
  /** Registration is allowed with it (false: only a roster subscription, XEP-0379). */
  allowRegistration: boolean;
  /** Milliseconds since the epoch. */
  createdAt: number;
  expiresAt: number;
  /** Set once the invite was redeemed (single use). */
  usedAt?: number;
  /** Bare JID that redeemed it. */
  usedBy?: string;
}

export interface InviteRepository {
  create(invite: Invite): Promise<void>;
  byTokenHash(tokenHash: string): Promise<Invite | undefined>;
  /**
   * Marks an unused invite used by `usedBy`, atomically: of two redeemers at once only one gets
   * true. Expiry is not checked here (XEP-0445 §4: only when the token is first presented).
   */
  redeem(tokenHash: string, usedBy: string, at: number): Promise<boolean>;
  /** Undoes redeem() by the same redeemer, e.g. when creating the account then failed. */
  release(tokenHash: string, usedBy: string): Promise<void>;
  /** Whether an unused, unexpired invite reserves this account name. */
  isReserved(domain: string, username: string, now: number): Promise<boolean>;
  /** Invites ordered by creation time; all domains when domain is undefined. */
  list(domain?: string): Promise<Invite[]>;
  /** Deletes by id; false if there was none. */
  delete(id: string): Promise<boolean>;
  /** Deletes invites that expired unused before `now`, and used ones older than `usedBefore`; returns how many. */
  expire(now: number, usedBefore: number): Promise<number>;
  /** Deletes the invites that introduce people to this account. */
  deleteAccount(account: string): Promise<void>;
}
