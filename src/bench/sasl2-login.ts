// XEP-0388 SASL2 logins for the load generator, as Conversations and Dino log in: SCRAM-SHA-1
// (no channel binding, like the SASL1 `login` scenario) or an XEP-0484 FAST token
// (HT-SHA-256-NONE), with an XEP-0386 Bind 2 request inline, so no stream restart and no bind IQ.
import { createHmac } from 'node:crypto';
import { b64, unb64, type BenchClient } from './bench-client.js';
import { ScramSha1Client } from './scram-client.js';
import { childText, stanzaName, topAttr } from './tokenizer.js';

const NS_SASL2 = 'urn:xmpp:sasl:2';
const NS_BIND2 = 'urn:xmpp:bind:0';
const NS_FAST = 'urn:xmpp:fast:0';
const NS_SM = 'urn:xmpp:sm:3';
export const FAST_MECHANISM = 'HT-SHA-256-NONE';

export interface Sasl2Login {
  /** The FAST token the server issued or rotated in <success/>, if any. */
  token: string | undefined;
  /** The XEP-0198 resumption id from <enabled/> inside <bound/>, when stream management was enabled. */
  smId: string | undefined;
}

/** What a FAST login asks for inline besides the token: a plain bind, a bind enabling resumable XEP-0198, or a resume. */
export type FastInline = { bind: 'plain' | 'sm' } | { resume: { previd: string; h: number } };

/** True when the features after STARTTLS offer SASL2 with `mechanism` (FAST's inside <fast/>). */
export function offersSasl2(client: BenchClient, mechanism: string): boolean {
  const at = client.features.search(/<authentication xmlns=["']urn:xmpp:sasl:2["']/);
  return at >= 0 && client.features.includes(`<mechanism>${mechanism}</mechanism>`, at);
}

const userAgent = (id: string): string => `<user-agent id='${id}'><software>herald bench</software><device>loopback</device></user-agent>`;
const bind = `<bind xmlns='${NS_BIND2}'><tag>bench</tag></bind>`;
const bindWithSm = `<bind xmlns='${NS_BIND2}'><tag>bench</tag><enable xmlns='${NS_SM}' resume='true'/></bind>`;
const inlineOf = (inline: FastInline): string =>
  'resume' in inline ? `<resume xmlns='${NS_SM}' previd='${inline.resume.previd}' h='${inline.resume.h}'/>` : inline.bind === 'sm' ? bindWithSm : bind;

/** SCRAM-SHA-1 over SASL2 with Bind 2; `requestToken` asks for a FAST token as well (§4.2). */
export async function sasl2ScramLogin(client: BenchClient, username: string, password: string, options: { userAgentId: string; requestToken?: boolean }): Promise<Sasl2Login> {
  const scram = new ScramSha1Client(username, password);
  const request = options.requestToken ? `<request-token xmlns='${NS_FAST}' mechanism='${FAST_MECHANISM}'/>` : '';
  client.send(
    `<authenticate xmlns='${NS_SASL2}' mechanism='SCRAM-SHA-1'><initial-response>${b64(scram.first())}</initial-response>${userAgent(options.userAgentId)}${bind}${request}</authenticate>`,
  );
  const challenge = await client.next();
  if (stanzaName(challenge) !== 'challenge') throw new Error(`SASL2 login of ${username} failed: ${challenge}`);
  client.send(`<response xmlns='${NS_SASL2}'>${b64(scram.final(unb64(challenge)))}</response>`);
  const success = await client.next();
  if (stanzaName(success) !== 'success') throw new Error(`SASL2 login of ${username} failed: ${success}`);
  if (!scram.verify(Buffer.from(childText(success, 'additional-data') ?? '', 'base64').toString('utf8'))) throw new Error('server signature mismatch');
  return finish(client, success);
}

/**
 * XEP-0484 §4.4: a FAST token instead of the password, with Bind 2 (by default) or an XEP-0198
 * resume inline (XEP-0388 §2.6, as Conversations reconnects).
 */
export async function sasl2FastLogin(client: BenchClient, username: string, token: string, userAgentId: string, inline: FastInline = { bind: 'plain' }): Promise<Sasl2Login> {
  const initial = Buffer.concat([Buffer.from(`${username}\0`, 'utf8'), htHmac(token, 'Initiator')]);
  client.send(
    `<authenticate xmlns='${NS_SASL2}' mechanism='${FAST_MECHANISM}'><initial-response>${initial.toString('base64')}</initial-response>${userAgent(userAgentId)}<fast xmlns='${NS_FAST}'/>${inlineOf(inline)}</authenticate>`,
  );
  const success = await client.next();
  if (stanzaName(success) !== 'success') throw new Error(`FAST login of ${username} failed: ${success}`);
  if (!Buffer.from(childText(success, 'additional-data') ?? '', 'base64').equals(htHmac(token, 'Responder'))) throw new Error('server token proof mismatch');
  return finish(client, success, 'resume' in inline ? '<resumed' : '<bound');
}

/** After <success/>: the bound (or resumed) JID, the inline features, and any token. */
async function finish(client: BenchClient, success: string, expected = '<bound'): Promise<Sasl2Login> {
  client.jid = childText(success, 'authorization-identifier') ?? '';
  if (!success.includes(expected)) throw new Error(`expected ${expected}> in SASL2 success: ${success}`);
  // XEP-0388 §2.6.1: the post-authentication features follow <success/>.
  const features = await client.next();
  if (stanzaName(features) !== 'stream:features') throw new Error(`expected features after SASL2 success, got ${features.slice(0, 200)}`);
  const tokenAt = success.indexOf('<token');
  const enabledAt = success.indexOf('<enabled');
  return {
    token: tokenAt >= 0 ? topAttr(success.slice(tokenAt), 'token') : undefined,
    smId: enabledAt >= 0 ? topAttr(success.slice(enabledAt), 'id') : undefined,
  };
}

const htHmac = (token: string, label: string): Buffer => createHmac('sha256', Buffer.from(token, 'utf8')).update(label).digest();
