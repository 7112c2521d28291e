// SASL exchange on a client stream (RFC 6120 §6.4): <auth>, <challenge>/<response>, <abort>,
// <success>/<failure>. Failures look the same for unknown users and wrong passwords; repeated
// failures from one address, and of one account, are answered ever more slowly, and an account
// that keeps failing is locked against the addresses it failed from.
import { setTimeout as sleep } from 'node:timers/promises';
import { xml, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { createJid } from '../protocol/jid.js';
import { completeCredentials } from '../auth/complete-credentials.js';
import type { ChannelBindingProvider, SaslFailureCondition, SaslMechanism, SaslStep, TokenCandidate } from './sasl/mechanism.js';
import { tokenMechanisms } from './sasl/ht.js';
import type { C2sContext } from './c2s-context.js';
import { throttleKey } from '../auth/failure-throttle.js';
import type { AddressAdmission } from '../net/address-limits.js';
import type { AccountVerdict } from '../auth/account-guard.js';

export interface SaslStream {
  readonly domain: string;
  readonly secure: boolean;
  readonly remoteAddress: string;
  readonly channelBinding: ChannelBindingProvider;
  /** Counted as unauthenticated against its address until SASL succeeds. */
  readonly admission?: AddressAdmission | undefined;
  send(element: Element): void;
}

export type SaslOutcome =
  | { kind: 'pending' }
  /** `additionalData`: the mechanism's final server message (SCRAM's v=), if any. */
  | { kind: 'success'; username: string; mechanism: string; additionalData: Buffer | undefined }
  | { kind: 'failed'; attempts: number };

/**
 * How one SASL profile puts the exchange on the wire: RFC 6120 (SASL1) or XEP-0388 (SASL2).
 * Everything else — mechanisms, limits, throttles, the account guard — is shared.
 */
export interface SaslProfile {
  challenge(data: Buffer): Element;
  failure(condition: SaslFailureCondition, text: string | undefined): Element;
  /** The success element; undefined when the caller sends it (SASL2 adds inline results). */
  success(data: Buffer | undefined): Element | undefined;
}

/** RFC 6120 §6.4. */
export const SASL1: SaslProfile = {
  challenge: (data) => xml('challenge', { xmlns: NS.sasl }, data.toString('base64')),
  failure: (condition, text) => xml('failure', { xmlns: NS.sasl }, xml(condition), text ? xml('text', { 'xml:lang': 'en' }, text) : null),
  success: (data) => xml('success', { xmlns: NS.sasl }, data && data.length > 0 ? data.toString('base64') : undefined),
};

/** XEP-0484: the token mechanisms offered on this stream, and the client's tokens. */
export interface TokenSource {
  offered: readonly string[];
  lookup(username: string): Promise<TokenCandidate[]>;
}

/** XEP-0484 token mechanisms usable on a stream in this state (never in the SASL1/SASL2 lists). */
export function offeredTokenMechanisms(stream: { secure: boolean; channelBinding: ChannelBindingProvider }): string[] {
  const state = { secure: stream.secure, channelBindingTypes: stream.channelBinding.types() };
  return tokenMechanisms.filter((m) => m.available(state)).map((m) => m.name);
}

/** Mechanism names to offer on a stream in this state, in preference order. */
export function offeredMechanisms(ctx: C2sContext, stream: { secure: boolean; channelBinding: ChannelBindingProvider }): string[] {
  const state = { secure: stream.secure, channelBindingTypes: stream.channelBinding.types() };
  return ctx.mechanisms.filter((m) => m.available(state)).map((m) => m.name);
}

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (whitespace around it ignored); null when it is not. */
export function decodeBase64Text(text: string): Buffer | null {
  const trimmed = text.trim();
  if (!base64.test(trimmed) || trimmed.length % 4 !== 0) return null;
  return Buffer.from(trimmed, 'base64');
}

/** Decodes SASL1 element text: absent → undefined; '=' → empty (§6.4.2); bad base64 → null. */
export function decodePayload(element: Element): Buffer | undefined | null {
  const text = element.getText().trim();
  if (text === '') return undefined;
  if (text === '=') return Buffer.alloc(0);
  return decodeBase64Text(text);
}

export class SaslNegotiation {
  private mechanism: SaslMechanism | undefined;
  /** Name of the mechanism last asked for, for the failure log. */
  private mechanismName: string | undefined;
  private failures = 0;

  constructor(
    private readonly ctx: C2sContext,
    private readonly stream: SaslStream,
  ) {}

  /** The profile of the exchange under way (a client may try SASL1 and SASL2 on one stream). */
  private profile: SaslProfile = SASL1;

  /** Handles one RFC 6120 SASL element; resolves with the state of the exchange afterwards. */
  async handle(element: Element): Promise<SaslOutcome> {
    if (element.name === 'auth') return this.begin(element.attrs.mechanism, decodePayload(element), SASL1);
    if (element.name === 'response') {
      const data = decodePayload(element);
      return this.respond(data === undefined ? Buffer.alloc(0) : data);
    }
    if (element.name === 'abort') return this.abort();
    return this.fail('malformed-request', `unexpected <${element.name}/>`);
  }

  /**
   * Starts an exchange; `initial` is undefined when absent, null when it was not valid base64.
   * `tokens` (XEP-0484, SASL2 only) adds the token mechanisms offered and the client's tokens.
   */
  async begin(name: string | undefined, initial: Buffer | undefined | null, profile: SaslProfile, tokens?: TokenSource): Promise<SaslOutcome> {
    this.profile = profile;
    if (!this.stream.secure) return this.fail('encryption-required', 'STARTTLS first');
    const offered = offeredMechanisms(this.ctx, this.stream);
    this.mechanismName = name;
    const tokenOffered = tokens?.offered ?? [];
    const factory = [...this.ctx.mechanisms, ...tokenMechanisms].find((m) => m.name === name);
    if (!factory || !(offered.includes(factory.name) || tokenOffered.includes(factory.name))) return this.fail('invalid-mechanism');
    if (initial === null) return this.fail('incorrect-encoding');
    const domain = this.stream.domain;
    this.mechanismName = factory.name;
    this.mechanism = factory.create({
      domain,
      secure: this.stream.secure,
      channelBinding: this.stream.channelBinding,
      offered,
      ...(tokens ? { tokens: tokens.lookup } : {}),
      serverSecret: this.ctx.serverSecret,
      fakeIterations: this.ctx.config.auth.scramIterations,
      lookupCredential: async (username, mechanism) => {
        // Accounts are stored under the normalised localpart (RFC 7622 case folding); a name
        // that is not a valid localpart cannot have an account.
        let local: string;
        try {
          local = createJid(username, domain).local;
        } catch {
          return undefined;
        }
        return this.ctx.storage.users.getCredential(domain, local, mechanism);
      },
      completeCredentials: (username, password) => completeCredentials(this.ctx.storage, createJid(username, domain), password, this.ctx.config.auth.scramIterations),
    });
    return this.answer(await this.mechanism.start(initial));
  }

  /** A client response; null when it was not valid base64. */
  async respond(data: Buffer | null): Promise<SaslOutcome> {
    if (!this.mechanism) return this.fail('malformed-request', 'no authentication exchange in progress');
    if (data === null) return this.fail('incorrect-encoding');
    return this.answer(await this.mechanism.step(data));
  }

  abort(): Promise<SaslOutcome> {
    return this.fail('aborted');
  }

  private async answer(step: SaslStep): Promise<SaslOutcome> {
    if (step.kind === 'challenge') {
      this.stream.send(this.profile.challenge(step.data));
      return { kind: 'pending' };
    }
    this.mechanism = undefined;
    // Wrong credentials and successes are settled by the per-account guard, which may lock.
    if (step.kind === 'failure') {
      const account = step.username === undefined ? undefined : this.accountOf(step.username);
      if (step.channelBinding) return this.fail(step.condition, step.text, { counted: false, account });
      if (step.username === undefined) return this.fail(step.condition, step.text);
      const verdict = await this.settle(step.username, false);
      if (verdict.kind === 'locked') return this.failLocked(verdict, account);
      return this.fail(step.condition, step.text, { accountDelayMs: verdict.kind === 'rejected' ? verdict.delayMs : 0, account });
    }
    const verdict = await this.settle(step.username, true);
    if (verdict.kind === 'locked') return this.failLocked(verdict, this.accountOf(step.username));
    if (this.stream.admission) this.ctx.addressLimits.authenticated(this.stream.admission);
    const success = this.profile.success(step.data);
    if (success) this.stream.send(success);
    return { kind: 'success', username: step.username, mechanism: this.mechanismName ?? '', additionalData: step.data };
  }

  private settle(username: string, credentialsOk: boolean): Promise<AccountVerdict> {
    return this.ctx.accountGuard.settle(this.accountOf(username), throttleKey(this.stream.remoteAddress), credentialsOk);
  }

  /** The same answer whether or not the credentials were right, so a lock confirms no guess. */
  private failLocked(verdict: Extract<AccountVerdict, { kind: 'locked' }>, account: string | undefined): Promise<SaslOutcome> {
    const minutes = Math.ceil(verdict.retryAfterSeconds / 60);
    const text = `too many failed logins to this account from your address; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`;
    return this.fail('account-disabled', text, { accountDelayMs: verdict.delayMs, account, reason: 'account-locked' });
  }

  /** The bare JID the per-account guard counts under (normalised as accounts are stored). */
  private accountOf(username: string): string {
    try {
      return createJid(username, this.stream.domain).toBareString();
    } catch {
      return `${username}@${this.stream.domain}`;
    }
  }

  /**
   * Answers <failure/>. A counted failure (all but <abort/> and channel-binding refusals) adds to
   * the stream's attempts and the per-address slowdown, and waits out the longer delay.
   */
  private async fail(
    condition: SaslFailureCondition,
    text?: string,
    { accountDelayMs = 0, counted = condition !== 'aborted', account = undefined as string | undefined, reason = condition as string } = {},
  ): Promise<SaslOutcome> {
    this.mechanism = undefined;
    if (condition !== 'aborted') {
      // On by default (warn) so an admin can see why a login fails and fail2ban can act on
      // `address`; never the payload, which may carry the password.
      this.ctx.log.warn(
        { event: 'auth-failed', account: account ?? '-', address: this.stream.remoteAddress, mechanism: this.mechanismName ?? '-', reason },
        'authentication failed',
      );
      this.ctx.events.notify('auth/failed', { mechanism: this.mechanismName ?? '-', reason });
    }
    if (counted) {
      this.failures += 1;
      // A success does not reset the count: one valid account must not buy unlimited guesses.
      const key = throttleKey(this.stream.remoteAddress);
      this.ctx.authThrottle.recordFailure(key);
      const delay = Math.max(this.ctx.authThrottle.delayMs(key), accountDelayMs);
      if (delay > 0) await sleep(delay);
    }
    this.stream.send(this.profile.failure(condition, text));
    return { kind: 'failed', attempts: this.failures };
  }
}
