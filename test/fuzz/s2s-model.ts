// A model of Herald's incoming server-to-server stream before authentication (RFC 6120 §4–§5, XEP-0220):
// header → STARTTLS (required) → header → dialback / SASL EXTERNAL. The fuzzing peer never proves a domain
// (its dialback verifications go to a port where nobody listens), so the model stops short of stanzas
// being accepted; test/fuzz/s2s-inbound.fuzz.test.ts checks the real server against it.
import { NS_SASL, NS_TLS } from '../harness/login.js';

export type S2sState = 'plain-noheader' | 'plain' | 'tls-noheader' | 'secured';

export type S2sAction =
  | 'header'
  | 'header-client-namespace'
  | 'header-bad-host'
  | 'starttls'
  | 'db-result'
  | 'db-result-bad-from'
  | 'db-result-bad-to'
  | 'db-verify'
  | 'sasl-external'
  | 'sm-enable'
  | 'message'
  | 'unknown-element'
  | 'not-well-formed';

export const S2S_ACTIONS: readonly S2sAction[] = [
  'header', 'header-client-namespace', 'header-bad-host', 'starttls', 'db-result', 'db-result-bad-from', 'db-result-bad-to',
  'db-verify', 'sasl-external', 'sm-enable', 'message', 'unknown-element', 'not-well-formed',
];

export const PEER = 'fuzz.example';

export type S2sExpect =
  | { kind: 'features'; next: S2sState }
  | { kind: 'proceed' }
  | { kind: 'element'; name: string; type?: string }
  | { kind: 'stream-error'; condition: string };

export function expectedS2s(state: S2sState, action: S2sAction): S2sExpect | undefined {
  const header = action.startsWith('header');
  if (state === 'plain-noheader' || state === 'tls-noheader') {
    if (action === 'header') return { kind: 'features', next: state === 'plain-noheader' ? 'plain' : 'secured' };
    if (action === 'header-client-namespace') return { kind: 'stream-error', condition: 'invalid-namespace' };
    if (action === 'header-bad-host') return { kind: 'stream-error', condition: 'host-unknown' };
    if (action === 'not-well-formed') return { kind: 'stream-error', condition: 'not-well-formed' };
    // RFC 6120 §4.9.3.2: the db: prefix is declared on the stream header, which has not come.
    if (action.startsWith('db-')) return { kind: 'stream-error', condition: 'bad-namespace-prefix' };
    return { kind: 'stream-error', condition: 'invalid-namespace' };
  }
  if (header) return undefined;
  if (action === 'not-well-formed') return { kind: 'stream-error', condition: 'not-well-formed' };
  if (state === 'plain') return action === 'starttls' ? { kind: 'proceed' } : { kind: 'stream-error', condition: 'policy-violation' };
  switch (action) {
    case 'starttls':
      return { kind: 'stream-error', condition: 'policy-violation' };
    case 'db-result':
      // XEP-0220 §2.4: the key cannot be verified (nobody answers for the peer): type 'error' or 'invalid'.
      return { kind: 'element', name: 'db:result' };
    case 'db-result-bad-from':
      return { kind: 'stream-error', condition: 'invalid-from' };
    case 'db-result-bad-to':
      return { kind: 'stream-error', condition: 'host-unknown' };
    case 'db-verify':
      return { kind: 'element', name: 'db:verify', type: 'invalid' };
    case 'sasl-external':
      return { kind: 'element', name: 'failure' }; // XEP-0178: the self-signed peer certificate proves nothing
    case 'sm-enable':
      return { kind: 'element', name: 'failed' }; // XEP-0198 §3: authenticate first
    case 'message':
      return { kind: 'stream-error', condition: 'not-authorized' };
    default:
      return { kind: 'stream-error', condition: 'unsupported-stanza-type' };
  }
}

export function s2sWire(action: S2sAction): string {
  const open = (xmlns: string, to: string) =>
    `<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='${xmlns}' xmlns:db='jabber:server:dialback' from='${PEER}' to='${to}' version='1.0'>`;
  switch (action) {
    case 'header':
      return open('jabber:server', 'localhost');
    case 'header-client-namespace':
      return open('jabber:client', 'localhost');
    case 'header-bad-host':
      return open('jabber:server', 'elsewhere.example');
    case 'starttls':
      return `<starttls xmlns='${NS_TLS}'/>`;
    case 'db-result':
      return `<db:result from='${PEER}' to='localhost'>0123456789abcdef</db:result>`;
    case 'db-result-bad-from':
      return `<db:result from='user@${PEER}/r' to='localhost'>0123456789abcdef</db:result>`;
    case 'db-result-bad-to':
      return `<db:result from='${PEER}' to='elsewhere.example'>0123456789abcdef</db:result>`;
    case 'db-verify':
      return `<db:verify from='${PEER}' to='localhost' id='some-stream'>0123456789abcdef</db:verify>`;
    case 'sasl-external':
      return `<auth xmlns='${NS_SASL}' mechanism='EXTERNAL'>=</auth>`;
    case 'sm-enable':
      return "<enable xmlns='urn:xmpp:sm:3'/>";
    case 'message':
      return `<message from='someone@${PEER}' to='nobody@localhost' type='chat' id='m'><body>fuzz</body></message>`;
    case 'unknown-element':
      return "<frobnicate xmlns='urn:example:fuzz'/>";
    case 'not-well-formed':
      return '<a<b/>';
  }
}
