// The contract between the c2s session and a SASL mechanism (RFC 6120 §6, RFC 4422).
// The session does base64 and XML; a mechanism only sees decoded bytes and returns steps.
import type { ScramCredential, ScramMechanism } from '../../storage/types.js';

export type ChannelBindingType = 'tls-exporter' | 'tls-unique' | 'tls-server-end-point';

export interface ChannelBindingProvider {
  types(): readonly ChannelBindingType[];
  data(type: ChannelBindingType): Buffer | undefined;
}

export type SaslFailureCondition =
  | 'aborted'
  | 'account-disabled'
  | 'credentials-expired'
  | 'encryption-required'
  | 'incorrect-encoding'
  | 'invalid-authzid'
  | 'invalid-mechanism'
  | 'malformed-request'
  | 'mechanism-too-weak'
  | 'not-authorized'
  | 'temporary-auth-failure';

export type SaslStep =
  | { kind: 'challenge'; data: Buffer }
  | { kind: 'success'; username: string; data?: Buffer }
  /**
   * `username` is set when the credentials of that user were checked and were wrong (a guess).
   * `channelBinding` marks a refusal of the channel-binding negotiation itself (a type we cannot
   * bind to, a downgrade): no credential was tested, so the client may go on to its next
   * mechanism and nothing counts it as a failed login.
   */
  | { kind: 'failure'; condition: SaslFailureCondition; text?: string; username?: string; channelBinding?: true };

/** A stored XEP-0484 token that might be the one a client presents. */
export interface TokenCandidate {
  /** The token (derived on demand, never stored). */
  token: string;
  mechanism: string;
  expired: boolean;
  /** Records that it was used (XEP-0484 §6.1 slot rotation). */
  used(): Promise<void>;
}

export interface SaslContext {
  domain: string;
  /** True once TLS protects the stream. */
  secure: boolean;
  channelBinding: ChannelBindingProvider;
  /**
   * Mechanism names offered to this client: a SCRAM non-PLUS mechanism needs them to detect a
   * 'y' downgrade, and SCRAM hashes them (with channelBinding.types()) for XEP-0474.
   */
  offered: readonly string[];
  /** XEP-0474 `h=` in SCRAM's server-first message; on unless false (RFC test vectors predate it). */
  downgradeProtection?: boolean;
  lookupCredential(username: string, mechanism: ScramMechanism): Promise<ScramCredential | undefined>;
  /** After a PLAIN login proved the password: store keys for every SCRAM mechanism the account lacks. */
  completeCredentials?(username: string, password: string): Promise<void>;
  /** Secret for deterministic fake salts for unknown users. */
  serverSecret: Buffer;
  /** Iteration count shown for unknown users: the one real accounts get, so they look alike. */
  fakeIterations: number;
  /** XEP-0484 tokens of this client for an account (SASL2 with a user agent only). */
  tokens?: (username: string) => Promise<TokenCandidate[]>;
  /** Injected for tests; defaults to 18 random bytes base64. */
  nonce?: () => string;
}

export interface SaslMechanism {
  start(initialResponse: Buffer | undefined): Promise<SaslStep>;
  step(response: Buffer): Promise<SaslStep>;
}

export interface SaslMechanismFactory {
  readonly name: string;
  /** Whether to offer it on a stream in this state. */
  available(state: { secure: boolean; channelBindingTypes: readonly ChannelBindingType[] }): boolean;
  create(ctx: SaslContext): SaslMechanism;
}

// Small helpers shared by the mechanisms; the contract above is what the session relies on.

/** A failure step; `text` is omitted rather than undefined (exactOptionalPropertyTypes). */
export function saslFailure(condition: SaslFailureCondition, text?: string): SaslStep {
  return text === undefined ? { kind: 'failure', condition } : { kind: 'failure', condition, text };
}

/** A refusal of the channel-binding negotiation (see SaslStep). */
export function channelBindingRefusal(condition: SaslFailureCondition, text: string): SaslStep {
  return { kind: 'failure', condition, text, channelBinding: true };
}

/** Wrong credentials for `username`: what per-account limits count. */
export function wrongCredentials(username: string): SaslStep {
  return { kind: 'failure', condition: 'not-authorized', username };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** SASL payloads are UTF-8; invalid sequences make the request malformed. */
export function decodeUtf8(data: Buffer): string | undefined {
  try {
    return strictUtf8.decode(data);
  } catch {
    return undefined;
  }
}

/**
 * An authorization identity is accepted only when it names the authenticated account itself:
 * `username@domain` (domain compared case-insensitively, as DNS names are).
 */
export function authzidMatches(authzid: string, username: string, domain: string): boolean {
  const at = authzid.lastIndexOf('@');
  return at > 0 && authzid.slice(0, at) === username && authzid.slice(at + 1).toLowerCase() === domain.toLowerCase();
}
