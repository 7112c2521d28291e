// RFC 6121 §8.5.2.1: which of an account's sessions get a message sent to its bare JID.
import type { SessionRef } from '../../core/sessions/session-ref.js';

/** chat/normal: the available resources sharing the highest non-negative priority. */
export function highestPriority(refs: readonly SessionRef[]): SessionRef[] {
  const top: SessionRef[] = [];
  let priority = 0;
  for (const ref of refs) {
    if (!ref.available || ref.priority < priority) continue;
    if (ref.priority > priority) {
      priority = ref.priority;
      top.length = 0;
    }
    top.push(ref);
  }
  return top;
}

/** headline: every available resource with non-negative priority. */
export function allNonNegative(refs: readonly SessionRef[]): SessionRef[] {
  return refs.filter((r) => r.available && r.priority >= 0);
}
