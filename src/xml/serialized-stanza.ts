// A stanza that arrives as wire text and leaves as wire text: one from another node's bus, written
// to a client here. Its tree is built only if something looks inside (the undelivered path, a
// module acting on its acknowledgement), and at most once; written as it came, it never is.
// Stanzas are immutable once routed (element.ts), so the text always says what the tree would.
import type { Element } from './element.js';
import { buildElement } from './element-builder.js';
import { serialize } from './serialize.js';

export class SerializedStanza {
  private tree: Element | undefined;

  /** `text`: exactly one complete element, as serialize() writes it. */
  constructor(readonly text: string) {}

  /** The element's name, read from its start tag (no parse). */
  get name(): string {
    const text = this.text;
    let end = 1;
    while (end < text.length) {
      const ch = text.charCodeAt(end);
      // white space, '/' or '>' end the name
      if (ch === 0x20 || ch === 0x09 || ch === 0x0a || ch === 0x0d || ch === 0x2f || ch === 0x3e) break;
      end += 1;
    }
    return text.slice(1, end);
  }

  /** The tree, built from the text the first time it is asked for. */
  element(): Element {
    return (this.tree ??= buildElement(this.text));
  }
}

/** What a session writes to its client: a tree built here, or text that came from elsewhere. */
export type OutgoingStanza = Element | SerializedStanza;

export function treeOf(stanza: OutgoingStanza): Element {
  return stanza instanceof SerializedStanza ? stanza.element() : stanza;
}

export function textOf(stanza: OutgoingStanza): string {
  return stanza instanceof SerializedStanza ? stanza.text : serialize(stanza);
}

/**
 * False only when the stanza certainly holds nothing in namespace `ns`: its text never names it
 * (serialize() writes a namespace name as it is, having nothing in it to escape). An element is
 * not searched: the caller looks into it.
 */
export function mayHoldNamespace(stanza: OutgoingStanza, ns: string): boolean {
  return !(stanza instanceof SerializedStanza) || stanza.text.includes(ns);
}
