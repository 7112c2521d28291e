// XEP-0045 helpers for protocol tests: joining, reading status codes and items, creating and
// configuring rooms, as a client would.
import type { Element } from '../../src/xml/element.js';
import type { XmlClient } from './xml-client.js';
import { ServerProcess } from './server-process.js';
import { login } from './login.js';

export const SERVICE = 'conference.localhost';
export const NS_MUC = 'http://jabber.org/protocol/muc';
export const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
export const NS_MUC_ADMIN = 'http://jabber.org/protocol/muc#admin';
export const NS_MUC_OWNER = 'http://jabber.org/protocol/muc#owner';

let counter = 0;
/** A room JID no other test uses. */
export function freshRoom(prefix = 'room'): string {
  counter += 1;
  return `${prefix}${counter}-${process.pid}@${SERVICE}`;
}

export function statusCodes(stanza: Element): string[] {
  return (stanza.getChild('x', NS_MUC_USER)?.getChildren('status') ?? []).map((s) => String(s.attrs.code)).sort();
}

export function mucItem(stanza: Element): Record<string, string> {
  return (stanza.getChild('x', NS_MUC_USER)?.getChild('item')?.attrs ?? {}) as Record<string, string>;
}

export function errorCondition(stanza: Element): string | undefined {
  const error = stanza.getChild('error');
  return error?.getChildElements().find((c) => c.attrs.xmlns === 'urn:ietf:params:xml:ns:xmpp-stanzas' && c.name !== 'text')?.name;
}

export interface JoinOptions {
  password?: string;
  /** Attributes of <history/>, e.g. "maxstanzas='2'". */
  history?: string;
}

/** Sends the join presence; resolves with the self-presence (status 110) or the error presence. */
export async function join(client: XmlClient, room: string, nick: string, options: JoinOptions = {}): Promise<Element> {
  const password = options.password === undefined ? '' : `<password>${options.password}</password>`;
  const history = options.history === undefined ? '' : `<history ${options.history}/>`;
  client.send(`<presence to='${room}/${nick}'><x xmlns='${NS_MUC}'>${password}${history}</x></presence>`);
  return client.next(
    (e) => e.name === 'presence' && e.attrs.from === `${room}/${nick}` && (e.attrs.type === 'error' || statusCodes(e).includes('110')),
  );
}

/** Sends an IQ and resolves with its answer. */
export async function iq(client: XmlClient, type: 'get' | 'set', to: string, payload: string): Promise<Element> {
  counter += 1;
  const id = `muc-iq-${counter}`;
  client.send(`<iq type='${type}' id='${id}' to='${to}'>${payload}</iq>`);
  return client.next((e) => e.name === 'iq' && e.attrs.id === id);
}

function formFields(fields: Record<string, string | string[]>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<field var='${name}'>${(Array.isArray(value) ? value : [value]).map((v) => `<value>${v}</value>`).join('')}</field>`)
    .join('');
}

/** Submits the room configuration form (an empty one accepts the instant room, §10.1.2). */
export function configure(client: XmlClient, room: string, fields: Record<string, string | string[]> = {}): Promise<Element> {
  const formType = Object.keys(fields).length ? `<field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>` : '';
  return iq(client, 'set', room, `<query xmlns='${NS_MUC_OWNER}'><x xmlns='jabber:x:data' type='submit'>${formType}${formFields(fields)}</x></query>`);
}

/** Joins (creating the room) and configures it; resolves once the owner's client has the subject. */
export async function createRoom(client: XmlClient, room: string, nick: string, fields: Record<string, string | string[]> = {}): Promise<void> {
  const self = await join(client, room, nick);
  if (!statusCodes(self).includes('201')) throw new Error(`room ${room} existed already: ${self.toString()}`);
  await client.next((e) => e.name === 'message' && e.attrs.from === room && e.getChild('subject') !== undefined);
  const answer = await configure(client, room, fields);
  if (answer.attrs.type !== 'result') throw new Error(`configuring ${room} failed: ${answer.toString()}`);
}

/** The next groupchat message from the room to this client whose body is `body`. */
export function groupchat(client: XmlClient, room: string, body: string): Promise<Element> {
  return client.next((e) => e.name === 'message' && e.attrs.type === 'groupchat' && String(e.attrs.from).startsWith(`${room}/`) && e.getChildText('body') === body);
}

/** The next presence from the occupant JID room/nick. */
export function presenceFrom(client: XmlClient, room: string, nick: string, type?: string): Promise<Element> {
  return client.next((e) => e.name === 'presence' && e.attrs.from === `${room}/${nick}` && e.attrs.type === type);
}

/** A server (with `extraYaml`) and one logged-in client per user (resource 'desk', password 'pw'). */
export async function serverWithUsers(users: readonly string[], extraYaml?: string): Promise<{ server: ServerProcess; clients: XmlClient[] }> {
  const server = await ServerProcess.start(extraYaml === undefined ? {} : { extraYaml });
  const clients: XmlClient[] = [];
  for (const user of users) {
    await server.addUser(`${user}@localhost`, 'pw');
    clients.push((await login(server.ports.c2s, user, 'pw', 'desk')).client);
  }
  return { server, clients };
}

/** Ends the clients and the server that serverWithUsers started. */
export async function stopAll(server: ServerProcess | undefined, clients: readonly (XmlClient | undefined)[]): Promise<void> {
  for (const client of clients) client?.destroy();
  await server?.stop();
  server?.cleanup();
}
