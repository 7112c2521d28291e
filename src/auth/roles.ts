// Account roles. Only "admin" exists: given by an admin invitation (`herald invite create
// --admin`) or `herald user role`, read by admin-only features. Kept in the key-value store
// under one scope, one key per account, so no table is needed for a flag.
import type { Jid } from '../protocol/jid.js';
import type { Storage } from '../storage/types.js';

const ROLE_SCOPE = 'account-roles';
export type AccountRole = 'admin' | 'user';

export async function roleOf(storage: Storage, account: Jid): Promise<AccountRole> {
  return (await storage.kv.get(ROLE_SCOPE, account.toBareString())) === 'admin' ? 'admin' : 'user';
}

export async function setRole(storage: Storage, account: Jid, role: AccountRole): Promise<void> {
  if (role === 'admin') await storage.kv.set(ROLE_SCOPE, account.toBareString(), 'admin');
  else await storage.kv.delete(ROLE_SCOPE, account.toBareString());
}
