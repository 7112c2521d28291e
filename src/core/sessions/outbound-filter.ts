// A module's say over what a session writes to its client, for features such as XEP-0352 that
// delay unimportant traffic. The core keeps the held stanzas and their order; the filter only
// decides, so it never needs to know about queues, stream management or session end.
import type { Element } from '../../xml/element.js';

/**
 * `hold: true`: keep the stanza back — or `instead`, a copy to deliver in its place (a delay
 * stamp, say); a held stanza with the same `supersedes` key is dropped, only the latest of its
 * kind matters. `hold: false`: write it now, behind everything held, which goes first.
 */
export type OutboundDecision =
  | { readonly hold: false }
  | { readonly hold: true; readonly supersedes?: string; readonly instead?: Element };

export interface OutboundFilter {
  /** Called for each stanza on its way to the client; `held` is how many are held right now. */
  decide(stanza: Element, held: number): OutboundDecision;
}
