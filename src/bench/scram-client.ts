// SCRAM-SHA-1 (RFC 5802) client side for the load generator, without channel binding (the bench
// must work against any server). first() → server-first → final() → server-final → verify().
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** Salted passwords by (password, salt, iterations): thousands of bench logins share one password. */
const saltedCache = new Map<string, Buffer>();

export class ScramSha1Client {
  readonly clientFirstBare: string;
  private readonly nonce: string;
  private serverSignature: Buffer | undefined;

  constructor(
    username: string,
    private readonly password: string,
    nonce?: string,
  ) {
    this.nonce = nonce ?? randomBytes(18).toString('base64');
    this.clientFirstBare = `n=${username.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${this.nonce}`;
  }

  first(): string {
    return `n,,${this.clientFirstBare}`;
  }

  final(serverFirst: string): string {
    const fields = new Map(serverFirst.split(',').map((f) => [f.slice(0, 1), f.slice(2)] as const));
    const nonce = fields.get('r');
    const salt = fields.get('s');
    const iterations = Number(fields.get('i'));
    if (nonce === undefined || salt === undefined || !Number.isInteger(iterations) || iterations < 1) {
      throw new Error(`bad server-first-message: ${serverFirst}`);
    }
    if (!nonce.startsWith(this.nonce)) throw new Error('server nonce does not extend ours');
    const withoutProof = `c=biws,r=${nonce}`; // biws = base64("n,,")
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const salted = saltedPassword(this.password, salt, iterations);
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash('sha1').update(clientKey).digest();
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ signature[i]!;
    this.serverSignature = hmac(hmac(salted, 'Server Key'), authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** True when the server proved it knows the password too. */
  verify(serverFinal: string): boolean {
    if (this.serverSignature === undefined || !serverFinal.startsWith('v=')) return false;
    const got = Buffer.from(serverFinal.slice(2).split(',')[0] ?? '', 'base64');
    return got.length === this.serverSignature.length && timingSafeEqual(got, this.serverSignature);
  }
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha1', key).update(data).digest();
}

function saltedPassword(password: string, salt: string, iterations: number): Buffer {
  const key = `${iterations}:${salt}:${password}`;
  let salted = saltedCache.get(key);
  if (!salted) {
    salted = pbkdf2Sync(Buffer.from(password, 'utf8'), Buffer.from(salt, 'base64'), iterations, 20, 'sha1');
    if (saltedCache.size > 10_000) saltedCache.clear();
    saltedCache.set(key, salted);
  }
  return salted;
}
