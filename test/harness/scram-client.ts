// Client side of SCRAM (RFC 5802) for tests: computed straight from node:crypto, independently
// of the server code, so that a shared mistake cannot make both sides agree.
// Usage: c.first() → server-first → c.final(serverFirst) → server-final → c.verifyServerFinal(v).
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { saslprep } from '../../src/auth/saslprep.js';

export interface ScramClientOptions {
  /** SCRAM-SHA-1, SCRAM-SHA-256, or either with -PLUS. */
  mechanism: string;
  username: string;
  password: string;
  /** Sent as a= when given. */
  authzid?: string;
  /** Client nonce; random when omitted. */
  nonce?: string;
  /** Flag sent without channel binding: 'n' (default) or 'y' (client could bind, thinks the server cannot). */
  cbFlag?: 'n' | 'y';
  /** When given, the gs2 header is p=<type> and the data goes into c=. */
  channelBinding?: { type: string; data: Buffer };
  /**
   * XEP-0474: what the client saw advertised (mechanisms of the SASL profile in use, XEP-0440
   * types or [] when none were). final() then refuses a server-first without a matching h=.
   */
  downgradeProtection?: { mechanisms: string[]; channelBindingTypes: string[] };
}

/** XEP-0474 §4.1, computed here independently of the server. */
export function ssdpHash(hash: 'sha1' | 'sha256', mechanisms: string[], channelBindingTypes: string[]): string {
  const byOctet = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
  let text = [...mechanisms].sort(byOctet).join('\x1e');
  if (channelBindingTypes.length > 0) text += '\x1f' + [...channelBindingTypes].sort(byOctet).join('\x1e');
  return createHash(hash).update(text).digest('base64');
}

function escapeSaslname(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

export class ScramClient {
  readonly gs2Header: string;
  readonly clientFirstBare: string;
  private readonly hash: 'sha1' | 'sha256';
  private readonly clientNonce: string;
  private expectedServerSignature: Buffer | undefined;

  constructor(private readonly options: ScramClientOptions) {
    this.hash = options.mechanism.startsWith('SCRAM-SHA-256') ? 'sha256' : 'sha1';
    this.clientNonce = options.nonce ?? randomBytes(18).toString('base64');
    const flag = options.channelBinding ? `p=${options.channelBinding.type}` : (options.cbFlag ?? 'n');
    const authz = options.authzid === undefined ? '' : `a=${escapeSaslname(options.authzid)}`;
    this.gs2Header = `${flag},${authz},`;
    this.clientFirstBare = `n=${escapeSaslname(saslprep(options.username))},r=${this.clientNonce}`;
  }

  /** client-first-message. */
  first(): Buffer {
    return Buffer.from(this.gs2Header + this.clientFirstBare, 'utf8');
  }

  /** client-final-message for the given server-first-message. */
  final(serverFirst: Buffer | string): Buffer {
    const text = serverFirst.toString();
    const attrs = new Map(text.split(',').map((f) => [f.slice(0, 1), f.slice(2)] as const));
    const nonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (nonce === undefined || salt === undefined || !Number.isInteger(iterations)) {
      throw new Error(`bad server-first-message: ${text}`);
    }
    if (!nonce.startsWith(this.clientNonce)) throw new Error('server nonce does not extend ours');
    const seen = this.options.downgradeProtection;
    if (seen && attrs.get('h') !== ssdpHash(this.hash, seen.mechanisms, seen.channelBindingTypes)) {
      throw new Error(`XEP-0474: downgrade detected (server sent h=${attrs.get('h') ?? '(none)'})`);
    }

    const cbInput = Buffer.concat([Buffer.from(this.gs2Header, 'utf8'), this.options.channelBinding?.data ?? Buffer.alloc(0)]);
    const withoutProof = `c=${cbInput.toString('base64')},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${text},${withoutProof}`;

    const length = this.hash === 'sha1' ? 20 : 32;
    const salted = pbkdf2Sync(Buffer.from(saslprep(this.options.password), 'utf8'), Buffer.from(salt, 'base64'), iterations, length, this.hash);
    const hmac = (key: Buffer, data: string): Buffer => createHmac(this.hash, key).update(data).digest();
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash(this.hash).update(clientKey).digest();
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] ?? 0)));
    this.expectedServerSignature = hmac(hmac(salted, 'Server Key'), authMessage);
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  /** Checks the server's v= (mutual authentication). */
  verifyServerFinal(serverFinal: Buffer | string): boolean {
    const text = serverFinal.toString();
    if (this.expectedServerSignature === undefined || !text.startsWith('v=')) return false;
    const got = Buffer.from(text.slice(2), 'base64');
    return got.length === this.expectedServerSignature.length && timingSafeEqual(got, this.expectedServerSignature);
  }
}
