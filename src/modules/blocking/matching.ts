// XEP-0191 "JID Matching" (the order of XEP-0016 §2.1): an entry blocks
//   user@domain/resource  only that resource       user@domain  any of its resources
//   domain/resource       only that resource       domain       the domain, its users and
//                                                              resources, and its subdomains
// A blocklist holds only "deny" entries, so the order only matters for speed: any match blocks.
import type { Jid } from '../../protocol/jid.js';

export type Blocklist = ReadonlySet<string>;

/** An IP literal has no parent domains to walk up. */
const IP_LITERAL = /^(\[.*\]|[\d.]+)$/;

export function isBlocked(list: Blocklist, jid: Jid): boolean {
  if (list.size === 0) return false;
  if (list.has(jid.toString())) return true;
  if (jid.local !== '' && list.has(jid.toBareString())) return true;
  let domain = jid.domain;
  if (list.has(domain)) return true;
  if (IP_LITERAL.test(domain)) return false;
  for (let dot = domain.indexOf('.'); dot !== -1; dot = domain.indexOf('.')) {
    domain = domain.slice(dot + 1);
    if (list.has(domain)) return true;
  }
  return false;
}
