// XEP-0203 Delayed Delivery (and its XEP-0091 predecessor) stamps that claim to come from an entity
// the sender cannot speak for. XEP-0203 lets only the entity that delayed a stanza add the stamp,
// and its security considerations (v2.0) have a server remove stamps that falsely claim to be its
// own; a recipient trusts a stamp "from" a server to mean that server held the stanza. Herald
// therefore drops, where a stanza enters: from a client, stamps naming any server or an address
// served here other than the client's own account; from a remote server, stamps naming a domain
// it has not authenticated on that stream. The stanza itself is delivered, only the lie is removed.
import type { Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { tryParseJid, type Jid } from './jid.js';

/** Whether a sender may claim that `claimed` delayed its stanza. */
type ClaimCheck = (claimed: Jid) => boolean;

/** The domains some party speaks for. */
interface DomainSet {
  has(domain: string): boolean;
}

function isDelayStamp(child: Element | string): child is Element {
  return (
    typeof child !== 'string' &&
    ((child.name === 'delay' && child.attrs.xmlns === NS.delay) || (child.name === 'x' && child.attrs.xmlns === NS.legacyDelay))
  );
}

function isForged(stamp: Element, mayClaim: ClaimCheck): boolean {
  const from = stamp.attrs.from as string | undefined;
  // No 'from' is the original sender speaking about itself.
  if (from === undefined) return false;
  const claimed = tryParseJid(from);
  return claimed === undefined || !mayClaim(claimed);
}

/** Removes the stamps the sender may not claim, in place; how many went. */
function dropForged(stanza: Element, mayClaim: ClaimCheck): number {
  const before = stanza.children.length;
  stanza.children = stanza.children.filter((child) => !isDelayStamp(child) || !isForged(child, mayClaim));
  return before - stanza.children.length;
}

/**
 * For a stanza a client just sent, not yet routed (the change is made in place; routed stanzas
 * are immutable): drops its own (top-level) stamps naming a server, or an address served here
 * other than the client's account. Quoting a user elsewhere stays possible. Returns how many went.
 */
export function dropDelaysForgedByClient(stanza: Element, account: Jid, servedHere: DomainSet): number {
  // Nearly every stanza has no stamp: look before allocating.
  if (!stanza.children.some(isDelayStamp)) return 0;
  const own = account.bare;
  return dropForged(stanza, (claimed) => claimed.local !== '' && (claimed.bare.equals(own) || !servedHere.has(claimed.domain)));
}

/** For a stanza a remote server just sent, not yet routed: drops stamps naming a domain it has not authenticated. */
export function dropDelaysForgedByServer(stanza: Element, authenticated: DomainSet): number {
  if (!stanza.children.some(isDelayStamp)) return 0;
  return dropForged(stanza, (claimed) => authenticated.has(claimed.domain));
}
