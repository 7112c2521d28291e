// XEP-0388 Extensible SASL Profile on the wire: the <authentication/> feature, the client's
// <authenticate/>, and the server's challenge/failure/success elements. The exchange itself is
// SaslNegotiation's, shared with RFC 6120 SASL.
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { decodeBase64Text, type SaslProfile } from '../sasl-negotiation.js';

export const SASL2: SaslProfile = {
  challenge: (data) => xml('challenge', { xmlns: NS.sasl2 }, data.toString('base64')),
  // §2.6.2: the condition is one of RFC 6120's, in its namespace.
  failure: (condition, text) =>
    xml('failure', { xmlns: NS.sasl2 }, xml(condition, { xmlns: NS.sasl }), text ? xml('text', { 'xml:lang': 'en' }, text) : null),
  success: () => undefined, // built by the caller, with the inline results
};

/** §2.1: the feature; `inline` lists what may ride along in <authenticate/>. */
export function authenticationFeature(mechanisms: readonly string[], inline: readonly Element[]): Element {
  return xml(
    'authentication',
    { xmlns: NS.sasl2 },
    ...mechanisms.map((name) => xml('mechanism', null, name)),
    inline.length > 0 ? xml('inline', null, ...inline) : null,
  );
}

export interface UserAgent {
  /** Stable per installation (a UUID); never shown to others. */
  id: string;
  software?: string;
  device?: string;
}

export interface AuthenticateRequest {
  mechanism: string | undefined;
  /** undefined: no <initial-response/>; null: not valid base64. No '=' special case (§2.3). */
  initialResponse: Buffer | undefined | null;
  userAgent: UserAgent | undefined;
  /** Inline requests (e.g. Bind 2's <bind/>, XEP-0198's <resume/>), by namespace. */
  inline: Element[];
}

const MAX_USER_AGENT_FIELD = 256;

/** Reads <authenticate/>; user-agent fields are trimmed to a sane length (they end up in logs). */
export function parseAuthenticate(element: Element): AuthenticateRequest {
  const initial = element.getChild('initial-response');
  const agent = element.getChild('user-agent');
  const field = (name: string): string | undefined => agent?.getChildText(name)?.trim().slice(0, MAX_USER_AGENT_FIELD) || undefined;
  const id = agent?.attrs.id?.trim().slice(0, MAX_USER_AGENT_FIELD);
  let userAgent: UserAgent | undefined;
  if (id) {
    userAgent = { id };
    const software = field('software');
    const device = field('device');
    if (software) userAgent.software = software;
    if (device) userAgent.device = device;
  }
  return {
    mechanism: element.attrs.mechanism,
    initialResponse: initial === undefined ? undefined : decodeBase64Text(initial.getText()),
    userAgent,
    inline: element.children.filter((c): c is Element => typeof c !== 'string' && c.attrs.xmlns !== undefined && c.attrs.xmlns !== NS.sasl2),
  };
}

/** §2.6.1: the authorization identifier (a full JID once bound) and the inline results. */
export function successElement(additionalData: Buffer | undefined, authorizationIdentifier: string, results: readonly Element[]): Element {
  return xml(
    'success',
    { xmlns: NS.sasl2 },
    additionalData && additionalData.length > 0 ? xml('additional-data', null, additionalData.toString('base64')) : null,
    xml('authorization-identifier', null, authorizationIdentifier),
    ...results,
  );
}
