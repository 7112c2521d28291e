// The stream features an incoming server stream offers (RFC 6120 §4.3.2): STARTTLS (required)
// on a stream in clear text; once secure, SASL EXTERNAL when the peer's certificate is good for
// the domain it claims (XEP-0178), dialback with error support (XEP-0220 §2.4.2), and stream
// management (XEP-0198) — offered before authentication, since dialback has no stream restart.
import type { TLSSocket } from 'node:tls';
import { xml, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import { smFeature } from '../stream/stream-management/nonzas.js';
import { NS_DIALBACK_FEATURE } from './dialback.js';
import type { S2sTls } from './s2s-tls.js';

export function inboundFeatures(tls: S2sTls, secured: TLSSocket | undefined, peer: string | undefined, saslDone: boolean): Element {
  if (secured === undefined) return xml('stream:features', null, xml('starttls', { xmlns: NS.tls }, xml('required')));
  const features: Element[] = [];
  if (!saslDone) {
    if (peer && tls.peerProblem(secured, peer) === undefined) {
      features.push(xml('mechanisms', { xmlns: NS.sasl }, xml('mechanism', null, 'EXTERNAL')));
    }
    features.push(xml('dialback', { xmlns: NS_DIALBACK_FEATURE }, xml('errors')));
  }
  features.push(smFeature());
  return xml('stream:features', null, ...features);
}
