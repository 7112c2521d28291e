// XEP-0388 SASL2 (with XEP-0386 Bind 2 and XEP-0198 inline) from the client's side, for protocol
// tests: raw XML, SCRAM computed by the independent ScramClient.
import { createHmac } from 'node:crypto';
import type { Element } from '@xmpp/xml';
import type { XmlClient } from './xml-client.js';
import { ScramClient, type ScramClientOptions } from './scram-client.js';

export const NS_SASL2 = 'urn:xmpp:sasl:2';
export const NS_BIND2 = 'urn:xmpp:bind:0';
export const NS_SASL_CB = 'urn:xmpp:sasl-cb:0';

/** The SASL2 mechanisms and XEP-0440 binding types a <stream:features/> advertises. */
export function sasl2Offer(features: Element): { mechanisms: string[]; channelBindingTypes: string[]; authentication: Element | undefined } {
  const authentication = features.getChild('authentication', NS_SASL2);
  return {
    authentication,
    mechanisms: authentication?.getChildren('mechanism').map((m) => m.getText()) ?? [],
    channelBindingTypes: features.getChild('sasl-channel-binding', NS_SASL_CB)?.getChildren('channel-binding').map((c) => String(c.attrs.type)) ?? [],
  };
}

export interface Sasl2Result {
  /** <success/> or <failure/>. */
  outcome: Element;
  /** For SCRAM successes: whether the server signature in <additional-data/> verified. */
  serverVerified?: boolean;
}

const userAgent = (id: string): string => `<user-agent id='${id}'><software>HeraldTest</software><device>Loopback</device></user-agent>`;

/** One SCRAM exchange over SASL2; `inline` is XML placed into <authenticate/> (bind, resume…). */
export async function sasl2Scram(client: XmlClient, scramOptions: ScramClientOptions, options: { userAgentId?: string; inline?: string } = {}): Promise<Sasl2Result> {
  const scram = new ScramClient(scramOptions);
  client.send(
    `<authenticate xmlns='${NS_SASL2}' mechanism='${scramOptions.mechanism}'><initial-response>${scram.first().toString('base64')}</initial-response>` +
      `${options.userAgentId ? userAgent(options.userAgentId) : ''}${options.inline ?? ''}</authenticate>`,
  );
  const challenge = await client.next((el) => el.attrs.xmlns === NS_SASL2 && (el.name === 'challenge' || el.name === 'failure'));
  if (challenge.name === 'failure') return { outcome: challenge };
  const final = scram.final(Buffer.from(challenge.getText(), 'base64'));
  client.send(`<response xmlns='${NS_SASL2}'>${final.toString('base64')}</response>`);
  const outcome = await client.next((el) => el.attrs.xmlns === NS_SASL2 && (el.name === 'success' || el.name === 'failure'));
  if (outcome.name === 'failure') return { outcome };
  const data = outcome.getChildText('additional-data') ?? '';
  return { outcome, serverVerified: scram.verifyServerFinal(Buffer.from(data, 'base64')) };
}

export async function sasl2Plain(client: XmlClient, username: string, password: string, inline = ''): Promise<Element> {
  const payload = Buffer.from(`\0${username}\0${password}`, 'utf8').toString('base64');
  client.send(`<authenticate xmlns='${NS_SASL2}' mechanism='PLAIN'><initial-response>${payload}</initial-response>${inline}</authenticate>`);
  return client.next((el) => el.attrs.xmlns === NS_SASL2 && (el.name === 'success' || el.name === 'failure'));
}

/** The RFC 6120 condition inside a SASL2 <failure/>. */
export function sasl2Condition(failure: Element): string | undefined {
  return failure.children.find((c): c is Element => typeof c !== 'string' && c.name !== 'text')?.name;
}

/** TLS channel-binding data the client side computes for `type`. */
export function clientChannelBinding(client: XmlClient, type: 'tls-exporter' | 'tls-unique'): { type: string; data: Buffer } {
  const socket = client.tlsSocket!;
  const data = type === 'tls-exporter' ? socket.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0)) : socket.getFinished()!;
  return { type, data };
}

export const NS_FAST = 'urn:xmpp:fast:0';

const htHmac = (token: string, label: string, cb: Buffer): Buffer => createHmac('sha256', Buffer.from(token, 'utf8')).update(label).update(cb).digest();

/**
 * One HT-SHA-256-* login over SASL2 (draft-schmaus-kitten-sasl-ht), computed here independently:
 * `authcid NUL HMAC(token, "Initiator" || cb)`; the server must answer HMAC(token, "Responder" || cb).
 */
export async function sasl2Token(
  client: XmlClient,
  options: { mechanism: string; username: string; token: string; channelBinding?: Buffer; userAgentId: string; fast?: string; inline?: string },
): Promise<Sasl2Result> {
  const cb = options.channelBinding ?? Buffer.alloc(0);
  const initial = Buffer.concat([Buffer.from(`${options.username}\0`, 'utf8'), htHmac(options.token, 'Initiator', cb)]);
  client.send(
    `<authenticate xmlns='${NS_SASL2}' mechanism='${options.mechanism}'><initial-response>${initial.toString('base64')}</initial-response>` +
      `${userAgent(options.userAgentId)}${options.fast ?? `<fast xmlns='${NS_FAST}'/>`}${options.inline ?? ''}</authenticate>`,
  );
  const outcome = await client.next((el) => el.attrs.xmlns === NS_SASL2 && (el.name === 'success' || el.name === 'failure'));
  if (outcome.name === 'failure') return { outcome };
  const data = Buffer.from(outcome.getChildText('additional-data') ?? '', 'base64');
  return { outcome, serverVerified: data.equals(htHmac(options.token, 'Responder', cb)) };
}

/** The FAST <token/> in a <success/>, if any. */
export function issuedToken(success: Element): { token: string; expiry: string } | undefined {
  const el = success.getChild('token', NS_FAST);
  return el ? { token: String(el.attrs.token), expiry: String(el.attrs.expiry) } : undefined;
}
