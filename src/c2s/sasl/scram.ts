// SCRAM server (RFC 5802, RFC 7677), with channel binding for the -PLUS variants.
// Messages are comma-separated attribute=value pairs; no value may contain a raw comma.
import { randomBytes } from 'node:crypto';
import { saslprep } from '../../auth/saslprep.js';
import {
  constantTimeEqual,
  fakeScramCredential,
  scramHash,
  scramHashLength,
  scramHashName,
  scramHmac,
  xorBuffers,
} from '../../auth/scram-credentials.js';
import type { ScramCredential, ScramMechanism } from '../../storage/types.js';
import {
  authzidMatches,
  decodeUtf8,
  saslFailure,
  type ChannelBindingType,
  type SaslContext,
  type SaslMechanism,
  type SaslMechanismFactory,
  type SaslStep,
  channelBindingRefusal,
  wrongCredentials,
} from './mechanism.js';
import { downgradeProtectionHash } from './ssdp.js';

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Base64 as RFC 5802 uses it: padded, no whitespace; Buffer.from alone accepts anything. */
export function decodeBase64Strict(text: string): Buffer | undefined {
  return STRICT_BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** saslname (RFC 5802 §5.1): ',' and '=' travel as =2C and =3D; any other '=' is invalid. */
export function decodeSaslname(text: string): string | undefined {
  if (!/^(?:[^=,\0]|=2C|=3D)+$/.test(text)) return undefined;
  return text.replace(/=2C|=3D/g, (m) => (m === '=2C' ? ',' : '='));
}

export function encodeSaslname(name: string): string {
  return name.replace(/[=,]/g, (c) => (c === ',' ? '=2C' : '=3D'));
}

// printable = %x21-2B / %x2D-7E (RFC 5802 §7), i.e. visible ASCII except ','.
const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;
const ATTRIBUTE = /^[A-Za-z]=/;
const CB_NAME = /^[A-Za-z0-9.-]+$/;

/** The text after `x=` when `field` is that attribute. */
function attr(field: string | undefined, name: string): string | undefined {
  return field !== undefined && field.startsWith(`${name}=`) ? field.slice(name.length + 1) : undefined;
}

const MALFORMED = saslFailure('malformed-request');
const NOT_AUTHORIZED = saslFailure('not-authorized');

interface Exchange {
  username: string;
  gs2Header: string;
  cbData: Buffer;
  clientFirstBare: string;
  serverFirst: string;
  nonce: string;
  credential: ScramCredential;
  knownUser: boolean;
}

class ScramServer implements SaslMechanism {
  private state: 'new' | 'client-first' | 'client-final' | 'done' = 'new';
  private exchange: Exchange | undefined;

  constructor(
    private readonly ctx: SaslContext,
    private readonly mechanism: ScramMechanism,
    private readonly plus: boolean,
  ) {}

  async start(initialResponse: Buffer | undefined): Promise<SaslStep> {
    if (this.state !== 'new') return this.fail(MALFORMED);
    if (initialResponse === undefined) {
      // RFC 6120 §6.4.2: no initial response, so ask for it with an empty challenge.
      this.state = 'client-first';
      return { kind: 'challenge', data: Buffer.alloc(0) };
    }
    return this.clientFirst(initialResponse);
  }

  async step(response: Buffer): Promise<SaslStep> {
    if (this.state === 'client-first') return this.clientFirst(response);
    if (this.state === 'client-final') return this.clientFinal(response);
    return this.fail(MALFORMED);
  }

  private fail(step: SaslStep): SaslStep {
    this.state = 'done';
    this.exchange = undefined;
    return step;
  }

  private async clientFirst(data: Buffer): Promise<SaslStep> {
    // Claimed before any await, so a second response racing this one is refused.
    this.state = 'done';
    const text = decodeUtf8(data);
    if (text === undefined) return this.fail(MALFORMED);
    const fields = text.split(',');
    const [flag, authzField, userField, nonceField] = fields;
    if (flag === undefined || authzField === undefined) return this.fail(MALFORMED);

    // gs2-cbind-flag: what the client knows about channel binding.
    let cbData: Buffer = Buffer.alloc(0);
    if (flag === 'n' || flag === 'y') {
      if (this.plus) return this.fail(channelBindingRefusal('malformed-request', 'channel binding required'));
      // 'y': the client could bind but believes we cannot. If we offered -PLUS, someone
      // stripped it from the list on the way.
      if (flag === 'y' && this.ctx.offered.some((name) => name.endsWith('-PLUS'))) {
        return this.fail(channelBindingRefusal('not-authorized', 'channel binding downgrade detected'));
      }
    } else {
      const cbName = attr(flag, 'p');
      if (cbName === undefined || !CB_NAME.test(cbName)) return this.fail(MALFORMED);
      if (!this.plus) return this.fail(channelBindingRefusal('malformed-request', 'channel binding needs a -PLUS mechanism'));
      const type = cbName as ChannelBindingType;
      const bound = this.ctx.channelBinding.types().includes(type) ? this.ctx.channelBinding.data(type) : undefined;
      if (bound === undefined) return this.fail(channelBindingRefusal('not-authorized', `channel binding type '${cbName}' is not available on this connection`));
      cbData = bound;
    }

    let authzid: string | undefined;
    if (authzField !== '') {
      authzid = decodeSaslname(attr(authzField, 'a') ?? '');
      if (authzid === undefined) return this.fail(MALFORMED);
    }

    // reserved-mext 'm=' is a mandatory extension we do not know: we must fail.
    if (userField?.startsWith('m=')) return this.fail(saslFailure('malformed-request', 'unsupported extension'));
    const rawUser = decodeSaslname(attr(userField, 'n') ?? '');
    const clientNonce = attr(nonceField, 'r');
    if (rawUser === undefined || clientNonce === undefined || !NONCE.test(clientNonce)) return this.fail(MALFORMED);
    if (!fields.slice(4).every((f) => ATTRIBUTE.test(f))) return this.fail(MALFORMED);

    let username: string;
    try {
      username = saslprep(rawUser);
    } catch {
      return this.fail(MALFORMED);
    }
    if (username === '') return this.fail(MALFORMED);
    if (authzid !== undefined && !authzidMatches(authzid, username, this.ctx.domain)) {
      return this.fail(saslFailure('invalid-authzid'));
    }

    let found: ScramCredential | undefined;
    try {
      found = await this.ctx.lookupCredential(username, this.mechanism);
    } catch {
      return this.fail(saslFailure('temporary-auth-failure'));
    }
    // An unknown user goes on with a stand-in credential and fails only at the proof.
    const knownUser = found !== undefined && found.mechanism === this.mechanism;
    const credential = knownUser && found ? found : fakeScramCredential(this.ctx.serverSecret, username, this.mechanism, this.ctx.fakeIterations);

    const nonce = clientNonce + (this.ctx.nonce?.() ?? randomBytes(18).toString('base64'));
    let serverFirst = `r=${nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`;
    if (this.ctx.downgradeProtection !== false) {
      serverFirst += `,h=${downgradeProtectionHash(scramHashName(this.mechanism), this.ctx.offered, this.ctx.channelBinding.types())}`;
    }
    this.exchange = {
      username,
      gs2Header: `${flag},${authzField},`,
      cbData,
      clientFirstBare: fields.slice(2).join(','),
      serverFirst,
      nonce,
      credential,
      knownUser,
    };
    this.state = 'client-final';
    return { kind: 'challenge', data: Buffer.from(serverFirst, 'utf8') };
  }

  private async clientFinal(data: Buffer): Promise<SaslStep> {
    const ex = this.exchange;
    this.state = 'done';
    if (ex === undefined) return this.fail(MALFORMED);
    const text = decodeUtf8(data);
    if (text === undefined) return this.fail(MALFORMED);

    // channel-binding "," nonce ["," extensions] "," proof
    const fields = text.split(',');
    const cbField = attr(fields[0], 'c');
    const nonce = attr(fields[1], 'r');
    const proofField = attr(fields[fields.length - 1], 'p');
    if (fields.length < 3 || cbField === undefined || nonce === undefined || proofField === undefined) {
      return this.fail(MALFORMED);
    }
    if (!fields.slice(2, -1).every((f) => ATTRIBUTE.test(f))) return this.fail(MALFORMED);
    const cbInput = decodeBase64Strict(cbField);
    const proof = decodeBase64Strict(proofField);
    if (cbInput === undefined || proof === undefined) return this.fail(MALFORMED);

    // c= must repeat the gs2 header and, for -PLUS, carry this connection's binding data:
    // a mismatch means the client's TLS session is not ours (a man in the middle).
    const expectedCb = Buffer.concat([Buffer.from(ex.gs2Header, 'utf8'), ex.cbData]);
    if (!constantTimeEqual(cbInput, expectedCb)) {
      return this.fail(saslFailure('not-authorized', 'channel binding mismatch'));
    }
    if (nonce !== ex.nonce) return this.fail(NOT_AUTHORIZED);

    const m = this.mechanism;
    const authMessage = `${ex.clientFirstBare},${ex.serverFirst},${fields.slice(0, -1).join(',')}`;
    const clientSignature = scramHmac(m, ex.credential.storedKey, authMessage);
    const proofOk =
      proof.length === scramHashLength(m) &&
      constantTimeEqual(scramHash(m, xorBuffers(proof, clientSignature)), ex.credential.storedKey);
    if (!proofOk || !ex.knownUser) return this.fail(wrongCredentials(ex.username));

    const serverSignature = scramHmac(m, ex.credential.serverKey, authMessage);
    this.exchange = undefined;
    return {
      kind: 'success',
      username: ex.username,
      data: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'),
    };
  }
}

function scramFactory(mechanism: ScramMechanism, plus: boolean): SaslMechanismFactory {
  return {
    name: plus ? `${mechanism}-PLUS` : mechanism,
    // -PLUS needs a TLS channel to bind to; offering it without one would only invite failures.
    available: (state) => !plus || (state.secure && state.channelBindingTypes.length > 0),
    create: (ctx) => new ScramServer(ctx, mechanism, plus),
  };
}

export const scramSha1: SaslMechanismFactory = scramFactory('SCRAM-SHA-1', false);
export const scramSha256: SaslMechanismFactory = scramFactory('SCRAM-SHA-256', false);
export const scramSha1Plus: SaslMechanismFactory = scramFactory('SCRAM-SHA-1', true);
export const scramSha256Plus: SaslMechanismFactory = scramFactory('SCRAM-SHA-256', true);
