// Accounts imported with keys for only some SCRAM mechanisms (Prosody keeps SCRAM-SHA-1 only)
// get the others the first time the password itself is seen (a PLAIN login), so the clients
// that pick SCRAM-SHA-256 can log in from then on. The existing keys stay as they are.
import type { Jid } from '../protocol/jid.js';
import type { ScramCredential, ScramMechanism, Storage } from '../storage/types.js';
import { deriveScramCredential, SCRAM_MECHANISMS } from './scram-credentials.js';

export async function completeCredentials(storage: Storage, account: Jid, password: string, iterations: number): Promise<void> {
  const have: ScramCredential[] = [];
  const missing: ScramMechanism[] = [];
  for (const mechanism of SCRAM_MECHANISMS) {
    const found = await storage.users.getCredential(account.domain, account.local, mechanism);
    if (found) have.push(found);
    else missing.push(mechanism);
  }
  if (missing.length === 0 || have.length === 0) return;
  const added = await Promise.all(missing.map((m) => deriveScramCredential(password, m, iterations)));
  await storage.users.setCredentials(account.domain, account.local, [...have, ...added]);
}
