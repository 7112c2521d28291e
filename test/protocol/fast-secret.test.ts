// XEP-0484 §7 (Security Considerations): tokens must not be recoverable from what the server
// stores. Herald derives a token from a stored seed and the account's ServerKey; with
// auth.fastTokenSecret set, a copy of the database is no longer enough to compute one.
import { createHmac } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { connectDirectTls } from '../harness/login.js';
import { issuedToken, NS_FAST, sasl2Scram, sasl2Token } from '../harness/sasl2.js';

const SECRET = 'this deployment secret is kept out of the database';
let plain: ServerProcess;
let secret: ServerProcess;

beforeAll(async () => {
  [plain, secret] = await Promise.all([
    ServerProcess.start(),
    ServerProcess.start({ extraYaml: `auth:\n  minPasswordLength: 1\n  fastTokenSecret: "${SECRET}"` }),
  ]);
  await Promise.all([plain.addUser('alice@localhost', 'pw'), secret.addUser('alice@localhost', 'pw')]);
});

afterAll(async () => {
  await Promise.all([plain?.stop(), secret?.stop()]);
  plain?.cleanup();
  secret?.cleanup();
});

async function issue(server: ServerProcess): Promise<string> {
  const { client } = await connectDirectTls(server.ports.directTls);
  const result = await sasl2Scram(client, { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'pw' }, { userAgentId: 'phone', inline: `<request-token xmlns='${NS_FAST}' mechanism='HT-SHA-256-NONE'/>` });
  client.destroy();
  return issuedToken(result.outcome)!.token;
}

async function logsIn(server: ServerProcess, token: string): Promise<boolean> {
  const { client } = await connectDirectTls(server.ports.directTls);
  const result = await sasl2Token(client, { mechanism: 'HT-SHA-256-NONE', username: 'alice', token, userAgentId: 'phone' });
  client.destroy();
  return result.outcome.name === 'success';
}

/** What someone holding a copy of the database computes (the derivation is public in the source). */
function tokenFromDatabase(server: ServerProcess): string {
  const db = new Database(path.join(server.dir, 'data', 'herald.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const { server_key } = db.prepare("SELECT server_key FROM scram_credentials WHERE username = 'alice' AND mechanism = 'SCRAM-SHA-256'").get() as { server_key: Buffer };
    const { seed } = db.prepare("SELECT seed FROM fast_tokens WHERE account = 'alice@localhost'").get() as { seed: Buffer };
    return createHmac('sha256', server_key).update('herald xep-0484 token\0').update(seed).digest('base64url');
  } finally {
    db.close();
  }
}

describe('auth.fastTokenSecret', () => {
  it('XEP-0484 §7: without a deployment secret a database copy yields a working token; with one it does not, while the issued token works', async () => {
    const plainToken = await issue(plain);
    expect(tokenFromDatabase(plain)).toBe(plainToken);
    expect(await logsIn(plain, tokenFromDatabase(plain))).toBe(true);

    const securedToken = await issue(secret);
    expect(tokenFromDatabase(secret)).not.toBe(securedToken);
    expect(await logsIn(secret, tokenFromDatabase(secret))).toBe(false);
    expect(await logsIn(secret, securedToken)).toBe(true);
  }, 60_000);
});
