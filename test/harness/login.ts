// Raw-XML negotiation steps for protocol tests: STARTTLS, SASL (SCRAM via the independent test
// client, or PLAIN), bind. Each step checks what the server answers, so a test can stop at any.
import type { Element } from '@xmpp/xml';
import { XmlClient } from './xml-client.js';
import { ScramClient } from './scram-client.js';

export const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';
export const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
export const NS_BIND = 'urn:ietf:params:xml:ns:xmpp-bind';

export function features(client: XmlClient): Promise<Element> {
  return client.next('stream:features');
}

export function mechanisms(featuresElement: Element): string[] {
  return featuresElement.getChild('mechanisms', NS_SASL)?.getChildren('mechanism').map((m) => m.getText()) ?? [];
}

/** Connects on the STARTTLS port and returns the client with TLS in place and the new features. */
export async function connectSecured(port: number, domain = 'localhost', localAddress?: string): Promise<{ client: XmlClient; features: Element }> {
  const client = await XmlClient.connect(port, localAddress === undefined ? {} : { localAddress });
  await client.open(domain);
  const first = await features(client);
  if (!first.getChild('starttls', NS_TLS)) throw new Error(`no starttls offered: ${first}`);
  client.send(`<starttls xmlns='${NS_TLS}'/>`);
  await client.next('proceed');
  await client.upgradeTls(domain);
  await client.open(domain);
  return { client, features: await features(client) };
}

/** A direct-TLS connection (TLS 1.3 unless capped), stream open, first features read. */
export async function connectDirectTls(port: number, options: { maxVersion?: 'TLSv1.2'; localAddress?: string } = {}): Promise<{ client: XmlClient; features: Element }> {
  const client = await XmlClient.connect(port, { tls: true, ...options });
  await client.open();
  return { client, features: await features(client) };
}

export type SaslResult = { ok: true } | { ok: false; condition: string };

/** Runs a SCRAM exchange; channel binding data is given for -PLUS mechanisms. */
export async function scramAuth(
  client: XmlClient,
  mechanism: string,
  username: string,
  password: string,
  channelBinding?: { type: string; data: Buffer },
): Promise<SaslResult> {
  const scram = new ScramClient({ mechanism, username, password, ...(channelBinding ? { channelBinding } : {}) });
  client.send(`<auth xmlns='${NS_SASL}' mechanism='${mechanism}'>${scram.first().toString('base64')}</auth>`);
  const challenge = await client.next((el) => el.name === 'challenge' || el.name === 'failure');
  if (challenge.name === 'failure') return failure(challenge);
  client.send(`<response xmlns='${NS_SASL}'>${scram.final(Buffer.from(challenge.getText(), 'base64')).toString('base64')}</response>`);
  const outcome = await client.next((el) => el.name === 'success' || el.name === 'failure');
  if (outcome.name === 'failure') return failure(outcome);
  if (!scram.verifyServerFinal(Buffer.from(outcome.getText(), 'base64'))) throw new Error('server signature did not verify');
  return { ok: true };
}

export async function plainAuth(client: XmlClient, username: string, password: string): Promise<SaslResult> {
  const payload = Buffer.from(`\0${username}\0${password}`, 'utf8').toString('base64');
  client.send(`<auth xmlns='${NS_SASL}' mechanism='PLAIN'>${payload}</auth>`);
  const outcome = await client.next((el) => el.name === 'success' || el.name === 'failure');
  return outcome.name === 'success' ? { ok: true } : failure(outcome);
}

/** The `<text/>` of the last SASL failure the client received. */
export function lastFailureText(client: XmlClient): string | undefined {
  return client.received.filter((el) => el.name === 'failure' && el.attrs.xmlns === NS_SASL).at(-1)?.getChildText('text') ?? undefined;
}

function failure(el: Element): SaslResult {
  const condition = el.children.find((c): c is Element => typeof c !== 'string' && c.name !== 'text');
  return { ok: false, condition: condition?.name ?? '(none)' };
}

/** After SASL success: restart the stream, bind (a resource, or let the server choose). */
export async function bind(client: XmlClient, domain = 'localhost', resource?: string): Promise<string> {
  await client.open(domain);
  const feats = await features(client);
  if (!feats.getChild('bind', NS_BIND)) throw new Error(`no bind feature: ${feats}`);
  const id = `bind-${Math.random().toString(36).slice(2)}`;
  client.send(`<iq type='set' id='${id}'><bind xmlns='${NS_BIND}'>${resource === undefined ? '' : `<resource>${resource}</resource>`}</bind></iq>`);
  const result = await client.next((el) => el.name === 'iq' && el.attrs.id === id);
  const jid = result.getChild('bind', NS_BIND)?.getChildText('jid');
  if (result.attrs.type !== 'result' || !jid) throw new Error(`bind failed: ${result}`);
  return jid;
}

/** The whole way: TLS, SCRAM-SHA-256, bind. */
export async function login(port: number, username: string, password: string, resource?: string, domain = 'localhost'): Promise<{ client: XmlClient; jid: string }> {
  const { client } = await connectSecured(port, domain);
  const auth = await scramAuth(client, 'SCRAM-SHA-256', username, password);
  if (!auth.ok) throw new Error(`login of ${username} failed: ${auth.condition}`);
  return { client, jid: await bind(client, domain, resource) };
}
