#!/usr/bin/env node
// The floor for a Node.js server's message throughput: a bare TLS relay that does only what any
// XMPP server must do for `herald bench`'s message scenarios, and nothing else. Per connection:
// stream header, STARTTLS, in-band registration (the password is remembered, in memory), SASL
// SCRAM-SHA-1, a stream restart, resource binding; then each <message/> is found by the cheapest
// string search (indexOf of its end tag and of `to='`), stamped with the sender's full JID as
// `from` (RFC 6120 §8.1.2.1 requires that of every server) and its bytes written to the
// recipient's TLS socket, writes made during one event-loop turn coalesced into one TLS record as
// Herald does. It is NOT a server:
// - SCRAM's client proof is not checked (it still sends the server signature, which the bench
//   verifies): a floor need not refuse anyone.
// - No XML parsing: bytes stay latin1 strings (byte-exact, no UTF-8 decoding); a stanza ends at
//   the first matching end tag, which holds for the bench's traffic only.
// - No rosters, presence, SM, carbons, archive, blocking, rate limits or stanza-ids; an unknown
//   recipient's message is dropped; other IQs get an empty result.
// Usage: node scripts/bench/tls-relay.mjs CERT KEY → prints {"port":…} once listening.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import tls from 'node:tls';
import { listenStartTls, streamHeader, withFeatures } from './starttls-server.mjs';

const [certFile, keyFile, domain = 'localhost'] = process.argv.slice(2);
const context = tls.createSecureContext({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) });
const header = streamHeader(domain, 'r');
const features = (inner) => withFeatures(header, inner);
const SASL_NS = 'urn:ietf:params:xml:ns:xmpp-sasl';
const SALT = randomBytes(12).toString('base64');
const ITERATIONS = 4096;

/** username → password (XEP-0077 registration); password → SCRAM server key. */
const passwords = new Map();
const serverKeys = new Map();
/** bare and full JID → the bound connection (the last bound resource wins the bare JID). */
const routes = new Map();

// Writes of one event-loop turn leave as one TLS record and one syscall per recipient.
const corked = new Set();
const uncorkAll = () => {
  for (const socket of corked) socket.uncork();
  corked.clear();
};
function send(conn, text) {
  if (corked.size === 0) queueMicrotask(uncorkAll);
  if (!corked.has(conn.socket)) {
    conn.socket.cork();
    corked.add(conn.socket);
  }
  conn.socket.write(text, 'latin1');
}

function serverKey(password) {
  let key = serverKeys.get(password);
  if (!key) {
    const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), Buffer.from(SALT, 'base64'), ITERATIONS, 20, 'sha1');
    key = createHmac('sha1', salted).update('Server Key').digest();
    serverKeys.set(password, key);
  }
  return key;
}

const between = (text, open, close) => {
  const from = text.indexOf(open);
  if (from < 0) return undefined;
  const to = text.indexOf(close, from + open.length);
  return to < 0 ? undefined : text.slice(from + open.length, to);
};
const attr = (tag, name) => between(tag, ` ${name}='`, "'") ?? between(tag, ` ${name}="`, '"');
const b64text = (stanza) => Buffer.from(between(stanza, '>', '<') ?? '', 'base64').toString('latin1');

/** The end (exclusive) of the top-level element starting at `at`, or -1 until it has all arrived. */
function elementEnd(buf, at) {
  const gt = buf.indexOf('>', at);
  if (gt < 0) return -1;
  if (buf.charCodeAt(gt - 1) === 47) return gt + 1; // <x/>
  let nameEnd = at + 1;
  while (nameEnd < gt && !' \t\r\n/'.includes(buf[nameEnd])) nameEnd++;
  const close = buf.indexOf(`</${buf.slice(at + 1, nameEnd)}>`, gt);
  return close < 0 ? -1 : close + nameEnd - at + 2;
}

function relayMessage(conn, stanza) {
  const gt = stanza.indexOf('>');
  const toAt = stanza.indexOf(" to='");
  if (toAt < 0 || toAt > gt) return;
  const to = stanza.slice(toAt + 5, stanza.indexOf("'", toAt + 5));
  const target = routes.get(to);
  if (target) send(target, `<message from='${conn.jid}'${stanza.slice(8)}`);
}

function onStanza(conn, stanza) {
  if (stanza.startsWith('<message')) return relayMessage(conn, stanza);
  if (stanza.startsWith('<presence')) return;
  if (stanza.startsWith('<auth')) {
    const clientFirstBare = b64text(stanza).slice(3); // after the "n,," GS2 header
    conn.user = between(clientFirstBare, 'n=', ',');
    conn.serverFirst = `r=${between(`${clientFirstBare},`, 'r=', ',')}${randomBytes(12).toString('base64')},s=${SALT},i=${ITERATIONS}`;
    conn.clientFirstBare = clientFirstBare;
    return send(conn, `<challenge xmlns='${SASL_NS}'>${Buffer.from(conn.serverFirst, 'latin1').toString('base64')}</challenge>`);
  }
  if (stanza.startsWith('<response')) {
    const clientFinal = b64text(stanza);
    const password = passwords.get(conn.user);
    if (password === undefined) return send(conn, `<failure xmlns='${SASL_NS}'><not-authorized/></failure>`);
    const authMessage = `${conn.clientFirstBare},${conn.serverFirst},${clientFinal.slice(0, clientFinal.indexOf(',p='))}`;
    const signature = createHmac('sha1', serverKey(password)).update(authMessage).digest('base64');
    conn.authenticated = true;
    return send(conn, `<success xmlns='${SASL_NS}'>${Buffer.from(`v=${signature}`).toString('base64')}</success>`);
  }
  if (!stanza.startsWith('<iq')) return;
  const id = attr(stanza.slice(0, stanza.indexOf('>')), 'id') ?? '';
  if (stanza.includes('jabber:iq:register')) {
    passwords.set(between(stanza, '<username>', '</username>'), between(stanza, '<password>', '</password>'));
  } else if (stanza.includes('urn:ietf:params:xml:ns:xmpp-bind') && conn.authenticated) {
    const bare = `${conn.user}@${domain}`;
    conn.jid = `${bare}/${between(stanza, '<resource>', '</resource>') ?? 'relay'}`;
    routes.set(bare, conn);
    routes.set(conn.jid, conn);
    return send(conn, `<iq type='result' id='${id}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>${conn.jid}</jid></bind></iq>`);
  }
  send(conn, `<iq type='result' id='${id}'/>`);
}

function onData(conn, chunk) {
  let buf = conn.rest + chunk.toString('latin1');
  let at = 0;
  for (;;) {
    at = buf.indexOf('<', at);
    if (at < 0) {
      at = buf.length;
      break;
    }
    const second = buf.charCodeAt(at + 1);
    if (second === 63 /* ? */) {
      const end = buf.indexOf('?>', at);
      if (end < 0) break;
      at = end + 2;
    } else if (second === 47 /* </stream:stream> */) {
      conn.socket.end('</stream:stream>');
      return;
    } else if (buf.startsWith('<stream:stream', at)) {
      const end = buf.indexOf('>', at);
      if (end < 0) break;
      at = end + 1;
      const bind = "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>";
      const login = `<mechanisms xmlns='${SASL_NS}'><mechanism>SCRAM-SHA-1</mechanism></mechanisms><register xmlns='http://jabber.org/features/iq-register'/>`;
      send(conn, features(conn.authenticated ? bind : login));
    } else {
      const end = elementEnd(buf, at);
      if (end < 0) break;
      onStanza(conn, buf.slice(at, end));
      at = end;
    }
  }
  conn.rest = at >= buf.length ? '' : buf.slice(at);
}

listenStartTls(context, header, (secured) => {
  const conn = { socket: secured, rest: '', user: undefined, jid: undefined, authenticated: false, clientFirstBare: '', serverFirst: '' };
  secured.on('data', (chunk) => onData(conn, chunk));
  secured.on('close', () => {
    for (const key of [conn.jid, conn.jid?.slice(0, conn.jid.indexOf('/'))]) if (key && routes.get(key) === conn) routes.delete(key);
  });
});
