// A model of Herald's client stream negotiation (RFC 6120 §4–§7: header → STARTTLS → SASL → restart → bind),
// used by test/fuzz/c2s-negotiation.fuzz.test.ts: for each state and each element a client may send, what the
// server must answer. The fuzz test sends random sequences and checks the real server against it.
import { NS_BIND, NS_SASL, NS_TLS } from '../harness/login.js';

export type State =
  | 'plain-noheader' // connected, no stream yet
  | 'plain' // stream open without TLS: only STARTTLS offered
  | 'tls-noheader' // TLS in place, the stream restarts
  | 'secured' // SASL offered
  | 'sasl-pending' // SCRAM started, challenge received
  | 'authed-noheader' // SASL success, the stream restarts
  | 'authed' // bind offered
  | 'bound';

export type Action =
  | 'header'
  | 'header-bad-host'
  | 'header-bad-version'
  | 'header-bad-namespace'
  | 'starttls'
  | 'auth-plain-good'
  | 'auth-plain-bad'
  | 'auth-scram-start'
  | 'response-garbage'
  | 'abort'
  | 'bind'
  | 'ping'
  | 'message'
  | 'presence'
  | 'sm-enable'
  | 'unknown-element'
  | 'not-well-formed';

export const ACTIONS: readonly Action[] = [
  'header', 'header-bad-host', 'header-bad-version', 'header-bad-namespace', 'starttls', 'auth-plain-good', 'auth-plain-bad',
  'auth-scram-start', 'response-garbage', 'abort', 'bind', 'ping', 'message', 'presence', 'sm-enable', 'unknown-element', 'not-well-formed',
];

/** What the server must do in answer to one action. */
export type Expect =
  | { kind: 'features'; next: State } // its stream header and features
  | { kind: 'element'; name: string; next: State; saslFailure?: boolean } // one element (matched by name)
  | { kind: 'proceed' } // <proceed/>, then the client upgrades to TLS
  | { kind: 'stream-error'; condition: string }
  | { kind: 'nothing'; next: State }; // no answer required; the state stays

const noheader = (s: State) => s === 'plain-noheader' || s === 'tls-noheader' || s === 'authed-noheader';

const afterHeader: Record<'plain-noheader' | 'tls-noheader' | 'authed-noheader', State> = {
  'plain-noheader': 'plain',
  'tls-noheader': 'secured',
  'authed-noheader': 'authed',
};

/** The server's answer to `action` in `state`. Header actions in an open stream are skipped (undefined). */
export function expected(state: State, action: Action): Expect | undefined {
  const header = action.startsWith('header');
  if (noheader(state)) {
    if (action === 'header') return { kind: 'features', next: afterHeader[state as keyof typeof afterHeader] };
    if (action === 'header-bad-host') return { kind: 'stream-error', condition: 'host-unknown' };
    if (action === 'header-bad-version') return { kind: 'stream-error', condition: 'unsupported-version' };
    if (action === 'header-bad-namespace') return { kind: 'stream-error', condition: 'invalid-namespace' };
    // RFC 6120 §4.9.3.10: a first element that is not the stream element.
    if (action === 'not-well-formed') return { kind: 'stream-error', condition: 'not-well-formed' };
    return { kind: 'stream-error', condition: 'invalid-namespace' };
  }
  if (header) return undefined;
  if (action === 'not-well-formed') return { kind: 'stream-error', condition: 'not-well-formed' };

  if (state === 'bound') {
    switch (action) {
      case 'ping':
        return { kind: 'element', name: 'iq', next: 'bound' };
      case 'bind':
        return { kind: 'element', name: 'iq', next: 'bound' }; // RFC 6120 §7.7.2: an error, already bound
      case 'message':
      case 'presence':
        return { kind: 'nothing', next: 'bound' };
      case 'sm-enable':
        return { kind: 'element', name: 'enabled|failed', next: 'bound' };
      default:
        // RFC 6120 §4.9.3.24: anything but a stanza or a negotiated nonza.
        return { kind: 'stream-error', condition: 'unsupported-stanza-type' };
    }
  }

  if (state === 'authed') {
    if (action === 'bind') return { kind: 'element', name: 'iq', next: 'bound' };
    if (action === 'sm-enable') return { kind: 'element', name: 'failed', next: 'authed' }; // XEP-0198 §3: bind first
    return { kind: 'stream-error', condition: 'not-authorized' };
  }

  // plain, secured, sasl-pending: before authentication.
  const secure = state !== 'plain';
  switch (action) {
    case 'starttls':
      return secure ? { kind: 'stream-error', condition: 'policy-violation' } : { kind: 'proceed' };
    case 'auth-plain-good':
      return secure ? { kind: 'element', name: 'success', next: 'authed-noheader' } : saslFailure(state);
    case 'auth-scram-start':
      return secure ? { kind: 'element', name: 'challenge', next: 'sasl-pending' } : saslFailure(state);
    case 'auth-plain-bad':
    case 'response-garbage':
      return saslFailure(state === 'sasl-pending' ? 'secured' : state);
    case 'abort':
      return { kind: 'element', name: 'failure', next: state === 'sasl-pending' ? 'secured' : state };
    default:
      // RFC 6120 §4.9.3.12 / §5.3.1: stanzas and other elements before TLS and authentication.
      return { kind: 'stream-error', condition: 'not-authorized' };
  }
}

function saslFailure(next: State): Expect {
  return { kind: 'element', name: 'failure', next, saslFailure: true };
}

export const PASSWORD = 'fuzz-secret';

/** The bytes a client sends for an action. */
export function wire(action: Action, user: string, resource: string): string {
  const open = (attrs: string) => `<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' ${attrs}>`;
  const plain = (password: string) => Buffer.from(`\0${user}\0${password}`).toString('base64');
  switch (action) {
    case 'header':
      return open("xmlns='jabber:client' to='localhost' version='1.0'");
    case 'header-bad-host':
      return open("xmlns='jabber:client' to='elsewhere.example' version='1.0'");
    case 'header-bad-version':
      return open("xmlns='jabber:client' to='localhost' version='2.0'");
    case 'header-bad-namespace':
      return open("xmlns='jabber:server' to='localhost' version='1.0'");
    case 'starttls':
      return `<starttls xmlns='${NS_TLS}'/>`;
    case 'auth-plain-good':
      return `<auth xmlns='${NS_SASL}' mechanism='PLAIN'>${plain(PASSWORD)}</auth>`;
    case 'auth-plain-bad':
      return `<auth xmlns='${NS_SASL}' mechanism='PLAIN'>${plain('wrong')}</auth>`;
    case 'auth-scram-start':
      return `<auth xmlns='${NS_SASL}' mechanism='SCRAM-SHA-1'>${Buffer.from(`n,,n=${user},r=fuzznonce`).toString('base64')}</auth>`;
    case 'response-garbage':
      return `<response xmlns='${NS_SASL}'>${Buffer.from('c=biws,r=wrong,p=AAAA').toString('base64')}</response>`;
    case 'abort':
      return `<abort xmlns='${NS_SASL}'/>`;
    case 'bind':
      return `<iq type='set' id='bind'><bind xmlns='${NS_BIND}'><resource>${resource}</resource></bind></iq>`;
    case 'ping':
      return "<iq type='get' id='ping' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>";
    case 'message':
      return "<message to='nobody@localhost' type='chat' id='m'><body>fuzz</body></message>";
    case 'presence':
      return '<presence/>';
    case 'sm-enable':
      return "<enable xmlns='urn:xmpp:sm:3' resume='true'/>";
    case 'unknown-element':
      return "<frobnicate xmlns='urn:example:fuzz'/>";
    case 'not-well-formed':
      return '<a<b/>';
  }
}
