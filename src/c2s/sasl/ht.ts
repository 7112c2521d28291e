// HT-SHA-256-* (draft-schmaus-kitten-sasl-ht), the token mechanisms of XEP-0484 FAST: one
// message each way. The client sends `authcid NUL HMAC(token, "Initiator" || cb-data)`; the
// server answers HMAC(token, "Responder" || cb-data), proving it knew the token too.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { saslprep } from '../../auth/saslprep.js';
import {
  channelBindingRefusal,
  decodeUtf8,
  saslFailure,
  wrongCredentials,
  type ChannelBindingType,
  type SaslContext,
  type SaslMechanism,
  type SaslMechanismFactory,
  type SaslStep,
  type TokenCandidate,
} from './mechanism.js';

const hmac = (token: string, label: string, cb: Buffer): Buffer => createHmac('sha256', Buffer.from(token, 'utf8')).update(label).update(cb).digest();

class HtServer implements SaslMechanism {
  private done = false;

  constructor(
    private readonly ctx: SaslContext,
    private readonly name: string,
    private readonly binding: ChannelBindingType | undefined,
  ) {}

  async start(initial: Buffer | undefined): Promise<SaslStep> {
    if (this.done) return saslFailure('malformed-request');
    this.done = true;
    if (initial === undefined) return saslFailure('malformed-request', `${this.name} needs an initial response`);
    const nul = initial.indexOf(0);
    const authcid = nul > 0 ? decodeUtf8(initial.subarray(0, nul)) : undefined;
    const presented = initial.subarray(nul + 1);
    if (authcid === undefined || presented.length !== 32) return saslFailure('malformed-request');
    let username: string;
    try {
      username = saslprep(authcid);
    } catch {
      return saslFailure('malformed-request');
    }
    let cb: Buffer = Buffer.alloc(0);
    if (this.binding) {
      const data = this.ctx.channelBinding.types().includes(this.binding) ? this.ctx.channelBinding.data(this.binding) : undefined;
      if (data === undefined) return channelBindingRefusal('not-authorized', `channel binding type '${this.binding}' is not available on this connection`);
      cb = data;
    }
    let candidates: TokenCandidate[];
    try {
      candidates = (await this.ctx.tokens?.(username)) ?? [];
    } catch {
      return saslFailure('temporary-auth-failure');
    }
    // XEP-0484 §4.4: a token only works with the mechanism it was issued for.
    const match = candidates.find((c) => c.mechanism === this.name && timingSafeEqual(hmac(c.token, 'Initiator', cb), presented));
    // Wrong or unknown tokens count like wrong passwords: a stolen-token brute force is throttled alike.
    if (!match) return wrongCredentials(username);
    if (match.expired) return { kind: 'failure', condition: 'credentials-expired', text: 'the token has expired; log in with your password', username };
    await match.used();
    return { kind: 'success', username, data: hmac(match.token, 'Responder', cb) };
  }

  async step(): Promise<SaslStep> {
    return saslFailure('malformed-request', `${this.name} takes no further messages`);
  }
}

function ht(suffix: string, binding: ChannelBindingType | undefined): SaslMechanismFactory {
  const name = `HT-SHA-256-${suffix}`;
  return {
    name,
    available: (state) => state.secure && (binding === undefined || state.channelBindingTypes.includes(binding)),
    create: (ctx) => new HtServer(ctx, name, binding),
  };
}

/** Strongest binding first, as with SCRAM: EXPR (TLS 1.3), UNIQ (TLS 1.2), ENDP, then none. */
export const tokenMechanisms: readonly SaslMechanismFactory[] = [
  ht('EXPR', 'tls-exporter'),
  ht('UNIQ', 'tls-unique'),
  ht('ENDP', 'tls-server-end-point'),
  ht('NONE', undefined),
];
