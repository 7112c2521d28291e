// PLAIN (RFC 4616): the password in the clear, so only ever over TLS. It is checked against
// the stored SCRAM-SHA-256 credential and dropped; it is never logged or kept.
import { saslprep } from '../../auth/saslprep.js';
import { fakeScramCredential, verifyPassword } from '../../auth/scram-credentials.js';
import type { ScramCredential } from '../../storage/types.js';
import {
  authzidMatches,
  decodeUtf8,
  saslFailure,
  type SaslContext,
  type SaslMechanism,
  type SaslMechanismFactory,
  type SaslStep,
  wrongCredentials,
} from './mechanism.js';

class PlainServer implements SaslMechanism {
  private state: 'new' | 'waiting' | 'done' = 'new';

  constructor(private readonly ctx: SaslContext) {}

  async start(initialResponse: Buffer | undefined): Promise<SaslStep> {
    if (this.state !== 'new') return this.finish(saslFailure('malformed-request'));
    // Refused even if the session would let a client pick it on a plain stream.
    if (!this.ctx.secure) return this.finish(saslFailure('encryption-required'));
    if (initialResponse === undefined) {
      this.state = 'waiting';
      return { kind: 'challenge', data: Buffer.alloc(0) };
    }
    return this.verify(initialResponse);
  }

  async step(response: Buffer): Promise<SaslStep> {
    if (this.state !== 'waiting') return this.finish(saslFailure('malformed-request'));
    return this.verify(response);
  }

  private finish(step: SaslStep): SaslStep {
    this.state = 'done';
    return step;
  }

  private async verify(data: Buffer): Promise<SaslStep> {
    this.state = 'done';
    // message = [authzid] NUL authcid NUL passwd
    const parts = decodeUtf8(data)?.split('\0');
    if (parts === undefined || parts.length !== 3) return saslFailure('malformed-request');
    const [authzid = '', authcid = '', password = ''] = parts;
    if (authcid === '' || password === '') return saslFailure('malformed-request');

    let username: string;
    try {
      username = saslprep(authcid);
    } catch {
      return saslFailure('not-authorized');
    }
    if (username === '') return saslFailure('not-authorized');
    if (authzid !== '' && !authzidMatches(authzid, username, this.ctx.domain)) {
      return saslFailure('invalid-authzid');
    }

    let credential: ScramCredential | undefined;
    try {
      // An account imported with SCRAM-SHA-1 keys only (XEP-0227 from Prosody) is checked
      // against those, and gets the keys it lacks once the password is proven.
      credential = (await this.ctx.lookupCredential(username, 'SCRAM-SHA-256')) ?? (await this.ctx.lookupCredential(username, 'SCRAM-SHA-1'));
    } catch {
      return saslFailure('temporary-auth-failure');
    }
    // An unknown user still pays for a full key derivation, so the reply time does not
    // tell which accounts exist.
    const ok = await verifyPassword(
      password,
      credential ?? fakeScramCredential(this.ctx.serverSecret, username, 'SCRAM-SHA-256', this.ctx.fakeIterations),
    );
    if (!ok || credential === undefined) return wrongCredentials(username);
    if (credential.mechanism !== 'SCRAM-SHA-256') await this.ctx.completeCredentials?.(username, password);
    return { kind: 'success', username };
  }
}

export const plain: SaslMechanismFactory = {
  name: 'PLAIN',
  available: (state) => state.secure,
  create: (ctx) => new PlainServer(ctx),
};
