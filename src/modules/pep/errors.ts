// XEP-0060 namespaces and its errors: an RFC 6120 condition plus a pubsub#errors condition.
import { xml } from '../../xml/element.js';
import { StanzaError, type StanzaErrorCondition, type StanzaErrorType } from '../../protocol/stanza-error.js';

export const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
export const NS_PUBSUB_OWNER = 'http://jabber.org/protocol/pubsub#owner';
export const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event';
export const NS_PUBSUB_ERRORS = 'http://jabber.org/protocol/pubsub#errors';
export const FORM_NODE_CONFIG = 'http://jabber.org/protocol/pubsub#node_config';
export const FORM_PUBLISH_OPTIONS = 'http://jabber.org/protocol/pubsub#publish-options';

/** The pubsub#errors conditions Herald sends (XEP-0060 §7, §8, schema of pubsub#errors). */
export type PubsubErrorCondition =
  | 'closed-node'
  | 'invalid-jid'
  | 'invalid-options'
  | 'invalid-payload'
  | 'item-required'
  | 'max-items-exceeded'
  | 'max-nodes-exceeded'
  | 'nodeid-required'
  | 'not-in-roster-group'
  | 'not-subscribed'
  | 'payload-required'
  | 'payload-too-big'
  | 'precondition-not-met'
  | 'presence-subscription-required'
  | 'unsupported-access-model';

export function pubsubError(condition: StanzaErrorCondition, pubsub: PubsubErrorCondition, text?: string, type?: StanzaErrorType): StanzaError {
  return new StanzaError(condition, text, type, xml(pubsub, { xmlns: NS_PUBSUB_ERRORS }));
}

/** XEP-0060 §4.6 <unsupported feature='…'/> with feature-not-implemented. */
export function unsupported(feature: string, text?: string): StanzaError {
  return new StanzaError('feature-not-implemented', text, 'cancel', xml('unsupported', { xmlns: NS_PUBSUB_ERRORS, feature }));
}
