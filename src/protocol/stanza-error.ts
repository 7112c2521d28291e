import { xml, cloneElement, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';

/** RFC 6120 §8.3.3 defined stanza error conditions. */
export type StanzaErrorCondition =
  | 'bad-request'
  | 'conflict'
  | 'feature-not-implemented'
  | 'forbidden'
  | 'gone'
  | 'internal-server-error'
  | 'item-not-found'
  | 'jid-malformed'
  | 'not-acceptable'
  | 'not-allowed'
  | 'not-authorized'
  | 'policy-violation'
  | 'recipient-unavailable'
  | 'redirect'
  | 'registration-required'
  | 'remote-server-not-found'
  | 'remote-server-timeout'
  | 'resource-constraint'
  | 'service-unavailable'
  | 'subscription-required'
  | 'undefined-condition'
  | 'unexpected-request';

export type StanzaErrorType = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait';

/** The error type RFC 6120 §8.3.3 recommends for each condition. */
const DEFAULT_TYPE: Record<StanzaErrorCondition, StanzaErrorType> = {
  'bad-request': 'modify',
  conflict: 'cancel',
  'feature-not-implemented': 'cancel',
  forbidden: 'auth',
  gone: 'cancel',
  'internal-server-error': 'cancel',
  'item-not-found': 'cancel',
  'jid-malformed': 'modify',
  'not-acceptable': 'modify',
  'not-allowed': 'cancel',
  'not-authorized': 'auth',
  'policy-violation': 'modify',
  'recipient-unavailable': 'wait',
  redirect: 'modify',
  'registration-required': 'auth',
  'remote-server-not-found': 'cancel',
  'remote-server-timeout': 'wait',
  'resource-constraint': 'wait',
  'service-unavailable': 'cancel',
  'subscription-required': 'auth',
  'undefined-condition': 'cancel',
  'unexpected-request': 'wait',
};

/** A stanza-level error: answered to the sender, the stream stays open. */
export class StanzaError extends Error {
  readonly type: StanzaErrorType;

  constructor(
    readonly condition: StanzaErrorCondition,
    readonly text?: string,
    type?: StanzaErrorType,
    /** RFC 6120 §8.3.2: an application-specific condition element (e.g. XEP-0060's pubsub#errors). */
    readonly application?: Element,
  ) {
    super(text ? `${condition}: ${text}` : condition);
    this.name = 'StanzaError';
    this.type = type ?? DEFAULT_TYPE[condition];
  }

  /** `<error>` child for an error stanza (RFC 6120 §8.3.2). */
  toElement(by?: string): Element {
    return xml(
      'error',
      { type: this.type, by },
      xml(this.condition, { xmlns: NS.stanzas }),
      this.text ? xml('text', { xmlns: NS.stanzas, 'xml:lang': 'en' }, this.text) : null,
      this.application ? cloneElement(this.application) : null,
    );
  }
}

/** The StanzaError an error stanza carries (undefined-condition when it names none we know), to pass on. */
export function stanzaErrorIn(stanza: Element): StanzaError {
  const error = stanza.getChild('error');
  const children = error?.getChildElements() ?? [];
  const condition = children.find((c) => c.attrs.xmlns === NS.stanzas && c.name !== 'text' && c.name in DEFAULT_TYPE)?.name as StanzaErrorCondition | undefined;
  return new StanzaError(condition ?? 'undefined-condition', error?.getChildText('text', NS.stanzas) ?? undefined);
}

/**
 * The error reply to a stanza (RFC 6120 §8.3.1): addresses swapped, type="error", original
 * payload kept for messages and presence. Returns undefined for stanzas that must never be
 * answered with an error (errors themselves, and IQ results).
 */
export function errorReply(stanza: Element, error: StanzaError): Element | undefined {
  const type = stanza.attrs.type as string | undefined;
  if (type === 'error' || (stanza.name === 'iq' && type === 'result')) return undefined;
  const keepPayload = stanza.name !== 'iq';
  const children = keepPayload ? stanza.children.filter((c) => typeof c !== 'string') : stanza.children.slice(0, 1).filter((c) => typeof c !== 'string');
  return xml(
    stanza.name,
    { to: stanza.attrs.from, from: stanza.attrs.to, id: stanza.attrs.id, type: 'error' },
    ...(children as Element[]).map(cloneElement),
    error.toElement(),
  );
}
