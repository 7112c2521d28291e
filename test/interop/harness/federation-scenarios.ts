// Federation checks shared by herald-prosody.test.ts and herald-ejabberd.test.ts: two "sides"
// (Herald and a peer), each able to log a user in; the scenarios only speak XMPP to the clients.
import type { Element } from '@xmpp/xml';
import { expect } from 'vitest';
import type { XmlClient } from '../../harness/xml-client.js';
import { bind, connectSecured, mechanisms, plainAuth, scramAuth } from '../../harness/login.js';
import { getRoster, nextPush } from '../../harness/im.js';

export interface Session {
  client: XmlClient;
  jid: string;
}

export interface Side {
  name: string;
  domain: string;
  c2sPort: number;
  /** Clients opened through this side, destroyed by closeAll(). */
  readonly open: XmlClient[];
}

export function side(name: string, domain: string, c2sPort: number): Side {
  return { name, domain, c2sPort, open: [] };
}

export function closeAll(...sides: Side[]): void {
  for (const s of sides) for (const c of s.open.splice(0)) c.destroy();
}

/**
 * STARTTLS, the best SCRAM the server offers (Prosody 0.12 has SCRAM-SHA-1 only), bind. No
 * presence is sent: the scenarios decide when a session becomes available.
 */
export async function logIn(s: Side, user: string, password: string, resource: string): Promise<Session> {
  const { client, features } = await connectSecured(s.c2sPort, s.domain);
  s.open.push(client);
  const offered = mechanisms(features);
  const mechanism = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN'].find((m) => offered.includes(m));
  if (!mechanism) throw new Error(`no usable SASL mechanism from ${s.name}: ${offered.join(' ')}`);
  const result = mechanism === 'PLAIN' ? await plainAuth(client, user, password) : await scramAuth(client, mechanism, user, password);
  if (!result.ok) throw new Error(`${user}@${s.domain} login with ${mechanism} failed: ${result.condition}`);
  return { client, jid: await bind(client, s.domain, resource) };
}

/** Initial presence, then a roster round trip so the server has handled it before we go on. */
export async function goOnline(session: Session, status?: string): Promise<void> {
  session.client.send(status === undefined ? '<presence/>' : `<presence><status>${status}</status></presence>`);
  await getRoster(session.client);
}

const bare = (jid: string) => jid.split('/')[0]!;
const isPresence = (type: string, from: string) => (el: Element) => el.name === 'presence' && el.attrs.type === type && bare(el.attrs.from ?? '') === from;

/**
 * `h` (Herald user) and `p` (peer user) subscribe to each other, Herald's roster ends in `both`,
 * then available presence with a status is seen in both directions.
 */
export async function subscribeBothWays(h: Session, p: Session, timeoutMs: number): Promise<void> {
  const hBare = bare(h.jid);
  const pBare = bare(p.jid);
  await getRoster(h.client);
  await getRoster(p.client);
  await goOnline(h);
  await goOnline(p);

  h.client.send(`<presence to='${pBare}' type='subscribe'/>`);
  await p.client.next(isPresence('subscribe', hBare), timeoutMs);
  p.client.send(`<presence to='${hBare}' type='subscribed'/>`);
  p.client.send(`<presence to='${hBare}' type='subscribe'/>`);
  await h.client.next(isPresence('subscribe', pBare), timeoutMs);
  h.client.send(`<presence to='${pBare}' type='subscribed'/>`);

  let item = await nextPush(h.client, pBare);
  while (item.subscription !== 'both') item = await nextPush(h.client, pBare);
  expect(item.subscription).toBe('both');
  // The peer's own roster must agree (pushes there may come in a different order).
  const peerItem = async () => (await getRoster(p.client)).getChild('query')?.getChildren('item').find((i) => i.attrs.jid === hBare)?.attrs.subscription;
  const deadline = Date.now() + timeoutMs;
  while ((await peerItem()) !== 'both' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(await peerItem()).toBe('both');

  const withStatus = (from: string, status: string) => (el: Element) =>
    el.name === 'presence' && el.attrs.type === undefined && el.attrs.from === from && el.getChildText('status') === status;
  h.client.send('<presence><status>hello from herald</status></presence>');
  await p.client.next(withStatus(h.jid, 'hello from herald'), timeoutMs);
  p.client.send('<presence><status>hello from the peer</status></presence>');
  await h.client.next(withStatus(p.jid, 'hello from the peer'), timeoutMs);
}

/** `count` chat messages each way, sent back to back; each side must see them in order. */
export async function messagesInOrder(h: Session, p: Session, count: number, timeoutMs: number): Promise<void> {
  let toPeer = '';
  let toHerald = '';
  for (let i = 0; i < count; i++) {
    toPeer += `<message to='${p.jid}' id='hp-${i}' type='chat'><body>herald to peer ${i}</body></message>`;
    toHerald += `<message to='${h.jid}' id='ph-${i}' type='chat'><body>peer to herald ${i}</body></message>`;
  }
  h.client.send(toPeer);
  p.client.send(toHerald);
  const receive = async (client: XmlClient, prefix: string, from: string, text: string) => {
    for (let i = 0; i < count; i++) {
      const m = await client.next((el) => el.name === 'message' && el.attrs.id?.startsWith(prefix) === true, timeoutMs);
      expect(m.attrs.id).toBe(`${prefix}${i}`);
      expect(m.attrs.from).toBe(from);
      expect(m.getChildText('body')).toBe(`${text} ${i}`);
    }
  };
  await Promise.all([receive(p.client, 'hp-', h.jid, 'herald to peer'), receive(h.client, 'ph-', p.jid, 'peer to herald')]);
}

/**
 * `sender` writes to `offlineBare` (an account with no session) and then a barrier message to
 * `witness` on the same server; stanzas on one s2s link are handled in order, so once the barrier
 * arrives the first message has been stored. `loginOffline` then brings the user online, and the
 * stored message must arrive with a XEP-0203 delay stamp.
 */
export async function offlineDelivery(
  sender: Session,
  witness: Session,
  offlineBare: string,
  loginOffline: () => Promise<Session>,
  tag: string,
  timeoutMs: number,
): Promise<void> {
  sender.client.send(`<message to='${offlineBare}' id='offline-${tag}' type='chat'><body>while you were away (${tag})</body></message>`);
  sender.client.send(`<message to='${witness.jid}' id='barrier-${tag}' type='chat'><body>barrier</body></message>`);
  await witness.client.next((el) => el.name === 'message' && el.attrs.id === `barrier-${tag}`, timeoutMs);
  const later = await loginOffline();
  later.client.send('<presence/>');
  const m = await later.client.next((el) => el.name === 'message' && el.attrs.id === `offline-${tag}`, timeoutMs);
  expect(m.getChildText('body')).toBe(`while you were away (${tag})`);
  expect(bare(m.attrs.from ?? '')).toBe(bare(sender.jid));
  expect(m.getChild('delay', 'urn:xmpp:delay')).toBeDefined();
}

/** XEP-0199 pings across the link: each user pings the other server and the other user. */
export async function pingsBothWays(h: Session, p: Session, peerDomain: string, heraldDomain: string, timeoutMs: number): Promise<void> {
  const ping = async (from: Session, to: string, id: string) => {
    from.client.send(`<iq type='get' to='${to}' id='${id}'><ping xmlns='urn:xmpp:ping'/></iq>`);
    const answer = await from.client.next((el) => el.name === 'iq' && el.attrs.id === id, timeoutMs);
    expect(`${answer.attrs.type} from ${answer.attrs.from}`).toBe(`result from ${to}`);
  };
  // A user answers a ping itself (here: the test client acting for it).
  const answerPings = (s: Session) => {
    const loop = async () => {
      for (;;) {
        const iq = await s.client.next((el) => el.name === 'iq' && el.attrs.type === 'get' && el.getChild('ping', 'urn:xmpp:ping') !== undefined, timeoutMs).catch(() => undefined);
        if (!iq) return;
        s.client.send(`<iq type='result' to='${iq.attrs.from}' id='${iq.attrs.id}'/>`);
      }
    };
    void loop();
  };
  answerPings(h);
  answerPings(p);
  await ping(h, peerDomain, 'ping-h-server');
  await ping(p, heraldDomain, 'ping-p-server');
  await ping(h, p.jid, 'ping-h-user');
  await ping(p, h.jid, 'ping-p-user');
}
