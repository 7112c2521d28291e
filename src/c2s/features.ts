// Stream features offered at each stage of a client stream (RFC 6120 §4.3.2). The core's own
// features are built here; modules add theirs through the `c2s/features` event.
import { xml, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';
import type { ChannelBindingType } from './sasl/mechanism.js';

export function startTlsFeature(): Element {
  // Mandatory-to-negotiate: no authentication without TLS (RFC 6120 §5.3.1).
  return xml('starttls', { xmlns: NS.tls }, xml('required'));
}

export function mechanismsFeature(mechanisms: readonly string[]): Element {
  return xml('mechanisms', { xmlns: NS.sasl }, mechanisms.map((name) => xml('mechanism', null, name)));
}

/** XEP-0440: which channel-binding types a -PLUS mechanism can use here. */
export function channelBindingFeature(types: readonly ChannelBindingType[]): Element | undefined {
  if (types.length === 0) return undefined;
  return xml('sasl-channel-binding', { xmlns: NS.saslChannelBinding }, types.map((type) => xml('channel-binding', { type })));
}

export function bindFeatures(): Element[] {
  return [xml('bind', { xmlns: NS.bind }), xml('session', { xmlns: NS.session }, xml('optional'))];
}

export function featuresElement(features: readonly Element[]): Element {
  return xml('stream:features', null, ...features);
}
