// A Herald process set up for PEP protocol tests: accounts, who sees whose presence, the owner
// `alice` logged in, and the requests the tests repeat, bound to that server.
import type { Element } from '../../src/xml/element.js';
import { announceCaps } from './caps.js';
import { letSeePresence, nextPresence } from './im.js';
import { login } from './login.js';
import { form, iq, NS_PUBSUB, NS_PUBSUB_OWNER, publishXml } from './pep.js';
import { ServerProcess } from './server-process.js';
import type { XmlClient } from './xml-client.js';

export const ALICE = 'alice@localhost';
const PASSWORD = 'pw';

export interface Session {
  client: XmlClient;
  jid: string;
}

export interface PepServerOptions {
  /** modules.pep.options. */
  pep: Record<string, number>;
  /** Accounts besides alice. */
  users: string[];
  /** [viewer, alice's roster groups for it]: viewers subscribed to alice's presence. */
  contacts: Array<[string, string[]]>;
}

export interface PepServer {
  server: ServerProcess;
  /** alice, logged in (not available). */
  alice: Session;
  login(user: string, resource: string): Promise<Session>;
  /** Logged in and available, with caps listing these `+notify` nodes (a fresh caps ver each time). */
  online(user: string, resource: string, notify: string[]): Promise<Session>;
  /** Publishes `<entry xmlns='urn:example:pep'>{id}</entry>` as item `id` (alice unless another client). */
  publish(node: string, id: string, options?: Record<string, string | string[]>, client?: XmlClient): Promise<Element>;
  items(client: XmlClient, node: string, to?: string, attrs?: string): Promise<Element>;
  /** alice's node configuration form, as field → values. */
  configOf(node: string): Promise<Record<string, string[]>>;
  configure(node: string, fields: Record<string, string | string[]>): Promise<Element>;
  stop(): Promise<void>;
}

export const entryPayload = (text: string): string => `<entry xmlns='urn:example:pep'>${text}</entry>`;

let clientCount = 0;

export async function startPepServer(options: PepServerOptions): Promise<PepServer> {
  const pepYaml = Object.entries(options.pep).map(([key, value]) => `      ${key}: ${value}`);
  const server = await ServerProcess.start({ extraYaml: ['modules:', '  pep:', '    options:', ...pepYaml].join('\n') });
  for (const user of ['alice', ...options.users]) await server.addUser(`${user}@localhost`, PASSWORD);
  for (const [viewer, groups] of options.contacts) await letSeePresence(server.ports.c2s, 'alice', viewer, PASSWORD, groups);
  const alice = await login(server.ports.c2s, 'alice', PASSWORD, 'desk');

  const items = (client: XmlClient, node: string, to = ALICE, attrs = '') => iq(client, 'get', to, `<pubsub xmlns='${NS_PUBSUB}'><items node='${node}'${attrs}/></pubsub>`);
  return {
    server,
    alice,
    login: (user, resource) => login(server.ports.c2s, user, PASSWORD, resource),
    async online(user, resource, notify) {
      const session = await login(server.ports.c2s, user, PASSWORD, resource);
      const features = ['http://jabber.org/protocol/disco#info', ...notify.map((n) => `${n}+notify`)];
      await announceCaps(session.client, [{ category: 'client', type: 'pc', name: `pep-test-${++clientCount}` }], features);
      await nextPresence(session.client, session.jid);
      return session;
    },
    publish: (node, id, publishOptions, client = alice.client) => iq(client, 'set', undefined, publishXml(node, id, entryPayload(id), publishOptions)),
    items,
    async configOf(node) {
      const answer = await iq(alice.client, 'get', undefined, `<pubsub xmlns='${NS_PUBSUB_OWNER}'><configure node='${node}'/></pubsub>`);
      const fields = answer.getChild('pubsub', NS_PUBSUB_OWNER)?.getChild('configure')?.getChild('x', 'jabber:x:data')?.getChildren('field') ?? [];
      return Object.fromEntries(fields.map((f) => [String(f.attrs.var), f.getChildren('value').map((v) => v.getText())]));
    },
    configure: (node, fields) =>
      iq(alice.client, 'set', undefined, `<pubsub xmlns='${NS_PUBSUB_OWNER}'><configure node='${node}'>${form('http://jabber.org/protocol/pubsub#node_config', fields)}</configure></pubsub>`),
    async stop() {
      alice.client.destroy();
      await server.stop();
      server.cleanup();
    },
  };
}
