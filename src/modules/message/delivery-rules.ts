// RFC 6121 §8.5.2.1: which of an account's sessions get a message sent to its bare JID.
import type { SessionRef } from '../../core/sessions/session-ref.js';

/** chat/normal: the available resources sharing the highest non-negative priority. */
export function highestPriority(refs: readonly SessionRef[]): SessionRef[] {
  const eligible = refs.filter((r) => r.available && r.priority >= 0);
  if (eligible.length === 0) return [];
  const top = Math.max(...eligible.map((r) => r.priority));
  return eligible.filter((r) => r.priority === top);
}

/** headline: every available resource with non-negative priority. */
export function allNonNegative(refs: readonly SessionRef[]): SessionRef[] {
  return refs.filter((r) => r.available && r.priority >= 0);
}
