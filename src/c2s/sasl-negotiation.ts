// SASL exchange on a client stream (RFC 6120 §6.4): <auth>, <challenge>/<response>, <abort>,
// <success>/<failure>. Failures look the same for unknown users and wrong passwords; repeated
// failures from one address, and of one account, are answered ever more slowly, and an account
// that keeps failing is locked against the addresses it failed from.
import { setTimeout as sleep } from 'node:timers/promises';
import { xml, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { createJid } from '../protocol/jid.js';
import type { ChannelBindingProvider, SaslFailureCondition, SaslMechanism, SaslStep } from './sasl/mechanism.js';
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

export type SaslOutcome = { kind: 'pending' } | { kind: 'success'; username: string } | { kind: 'failed'; attempts: number };

/** Mechanism names to offer on a stream in this state, in preference order. */
export function offeredMechanisms(ctx: C2sContext, stream: { secure: boolean; channelBinding: ChannelBindingProvider }): string[] {
  const state = { secure: stream.secure, channelBindingTypes: stream.channelBinding.types() };
  return ctx.mechanisms.filter((m) => m.available(state)).map((m) => m.name);
}

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes SASL element text: absent → undefined; '=' → empty (§6.4.2); bad base64 → null. */
function decodePayload(element: Element): Buffer | undefined | null {
  const text = element.getText().trim();
  if (text === '') return undefined;
  if (text === '=') return Buffer.alloc(0);
  if (!base64.test(text) || text.length % 4 !== 0) return null;
  return Buffer.from(text, 'base64');
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

  /** Handles one SASL element; resolves with the state of the exchange afterwards. */
  async handle(element: Element): Promise<SaslOutcome> {
    if (element.name === 'auth') return this.auth(element);
    if (element.name === 'response') {
      if (!this.mechanism) return this.fail('malformed-request', 'no authentication exchange in progress');
      const data = decodePayload(element);
      if (data === null) return this.fail('incorrect-encoding');
      return this.answer(await this.mechanism.step(data ?? Buffer.alloc(0)));
    }
    if (element.name === 'abort') return this.fail('aborted');
    return this.fail('malformed-request', `unexpected <${element.name}/>`);
  }

  private async auth(element: Element): Promise<SaslOutcome> {
    if (!this.stream.secure) return this.fail('encryption-required', 'STARTTLS first');
    const offered = offeredMechanisms(this.ctx, this.stream);
    const name = element.attrs.mechanism as string | undefined;
    this.mechanismName = name;
    const factory = this.ctx.mechanisms.find((m) => m.name === name);
    if (!factory || !offered.includes(factory.name)) return this.fail('invalid-mechanism');
    const initial = decodePayload(element);
    if (initial === null) return this.fail('incorrect-encoding');
    const domain = this.stream.domain;
    this.mechanism = factory.create({
      domain,
      secure: this.stream.secure,
      channelBinding: this.stream.channelBinding,
      offered,
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
    });
    return this.answer(await this.mechanism.start(initial));
  }

  private async answer(step: SaslStep): Promise<SaslOutcome> {
    if (step.kind === 'challenge') {
      this.stream.send(xml('challenge', { xmlns: NS.sasl }, step.data.toString('base64')));
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
    this.stream.send(xml('success', { xmlns: NS.sasl }, step.data && step.data.length > 0 ? step.data.toString('base64') : undefined));
    return { kind: 'success', username: step.username };
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
    }
    if (counted) {
      this.failures += 1;
      // A success does not reset the count: one valid account must not buy unlimited guesses.
      const key = throttleKey(this.stream.remoteAddress);
      this.ctx.authThrottle.recordFailure(key);
      const delay = Math.max(this.ctx.authThrottle.delayMs(key), accountDelayMs);
      if (delay > 0) await sleep(delay);
    }
    this.stream.send(
      xml('failure', { xmlns: NS.sasl }, xml(condition), text ? xml('text', { 'xml:lang': 'en' }, text) : null),
    );
    return { kind: 'failed', attempts: this.failures };
  }
}
