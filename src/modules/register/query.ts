// The jabber:iq:register payloads shared by registration before login and account management after.
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { AccountError } from '../../auth/accounts.js';
import { SaslprepError } from '../../auth/saslprep.js';

export interface Fields {
  /** Null when the element is absent; '' when it is present but empty. */
  username: string | null;
  password: string | null;
  remove: boolean;
  /** Child elements of the query (XEP-0077 §3.2: <remove/> must be the only one). */
  count: number;
}

export function readFields(query: Element): Fields {
  return {
    username: query.getChildText('username'),
    password: query.getChildText('password'),
    remove: query.getChild('remove') !== undefined,
    count: query.getChildElements().length,
  };
}

/** XEP-0077 §3.1: the fields an unregistered entity must fill in. */
export function registrationForm(): Element {
  return xml(
    'query',
    { xmlns: NS.register },
    xml('instructions', null, 'Choose a username and password to register with this server.'),
    xml('username'),
    xml('password'),
  );
}

/** XEP-0077 §3.1: what an already registered entity sees (the password is never sent back). */
export function registeredForm(username: string): Element {
  return xml(
    'query',
    { xmlns: NS.register },
    xml('registered'),
    xml('instructions', null, 'Send a new password to change it, or <remove/> to delete this account.'),
    xml('username', null, username),
    xml('password'),
  );
}

/**
 * The stanza error for a failure, or undefined for an unexpected one. The JID is checked before
 * accounts are touched, so AccountError and SaslprepError mean a password the store refuses.
 */
export function stanzaErrorOf(error: unknown): StanzaError | undefined {
  if (error instanceof StanzaError) return error;
  if (error instanceof AccountError || error instanceof SaslprepError) return new StanzaError('not-acceptable', 'this password cannot be used');
  return undefined;
}
