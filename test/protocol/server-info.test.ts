// What clients show on their server-information screens besides features: XEP-0157 contact
// addresses in the server's disco#info (an XEP-0128 form), and XEP-0012 last activity (server
// uptime; when a contact was last online, for those who may see its presence).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { letSeePresence, nextPresence } from '../harness/im.js';
import type { XmlClient } from '../harness/xml-client.js';

const LAST = 'jabber:iq:last';
let server: ServerProcess;
const open: XmlClient[] = [];

beforeAll(async () => {
  server = await ServerProcess.start({
    extraYaml: ['modules:', '  contact-addresses:', '    options:', "      abuse: ['mailto:abuse@localhost', 'xmpp:abuse@localhost']", "      admin: 'xmpp:admin@localhost'"].join('\n'),
  });
  for (const user of ['alice', 'bob', 'carol']) await server.addUser(`${user}@localhost`, 'pw');
  await letSeePresence(server.ports.c2s, 'alice', 'bob', 'pw');
});

afterAll(async () => {
  for (const client of open) client.destroy();
  await server?.stop();
  server?.cleanup();
});

async function online(user: string, resource: string) {
  const session = await login(server.ports.c2s, user, 'pw', resource);
  open.push(session.client);
  session.client.send('<presence/>');
  await nextPresence(session.client, session.jid);
  return session;
}

let ids = 0;
async function ask(client: XmlClient, to: string, payload: string): Promise<Element> {
  const id = `q${++ids}`;
  client.send(`<iq type='get' id='${id}' to='${to}'>${payload}</iq>`);
  return client.next((el) => el.name === 'iq' && el.attrs.id === id);
}

const errorCondition = (iq: Element) => iq.getChild('error')?.children.find((c): c is Element => typeof c !== 'string' && c.name !== 'text')?.name;

describe('XEP-0157 contact addresses', () => {
  it('XEP-0157 §2: the configured addresses are a serverinfo form in the server’s disco#info', async () => {
    const { client } = await online('carol', 'info');
    const info = await ask(client, 'localhost', "<query xmlns='http://jabber.org/protocol/disco#info'/>");
    const form = info.getChild('query')!.getChildren('x').find((x) => x.attrs.xmlns === 'jabber:x:data')!;
    expect(form.attrs.type).toBe('result');
    const values = (name: string) => form.getChildren('field').find((f) => f.attrs.var === name)?.getChildren('value').map((v) => v.getText());
    expect(values('FORM_TYPE')).toEqual(['http://jabber.org/network/serverinfo']);
    expect(values('abuse-addresses')).toEqual(['mailto:abuse@localhost', 'xmpp:abuse@localhost']);
    expect(values('admin-addresses')).toEqual(['xmpp:admin@localhost']);
    expect(values('support-addresses')).toBeUndefined();
  });
});

describe('XEP-0012 last activity', () => {
  it('XEP-0012 §5: the server answers with its uptime', async () => {
    const { client } = await online('carol', 'uptime');
    const result = await ask(client, 'localhost', `<query xmlns='${LAST}'/>`);
    expect(result.attrs.type).toBe('result');
    expect(Number(result.getChild('query', LAST)!.attrs.seconds)).toBeGreaterThanOrEqual(0);
  });

  it('XEP-0012 §4: 0 while the contact is online, then the time since it left and its status; a stranger is refused', async () => {
    const alice = await online('alice', 'desk');
    const bob = await online('bob', 'phone');
    const carol = await online('carol', 'stranger');

    const whileOnline = await ask(bob.client, 'alice@localhost', `<query xmlns='${LAST}'/>`);
    expect(whileOnline.getChild('query', LAST)?.attrs.seconds).toBe('0');
    expect(errorCondition(await ask(carol.client, 'alice@localhost', `<query xmlns='${LAST}'/>`))).toBe('forbidden');

    // Last activity is recorded before the unavailable presence goes out (events.ts
    // SESSION_CLOSED / PRE_PRESENCE_BARE): once the contact has it, the record is there.
    const gone = nextPresence(bob.client, alice.jid, 'unavailable');
    alice.client.send('<presence type="unavailable"><status>gone fishing</status></presence>');
    alice.client.end();
    await gone;
    const afterwards = await ask(bob.client, 'alice@localhost', `<query xmlns='${LAST}'/>`);
    const query = afterwards.getChild('query', LAST)!;
    expect(Number(query.attrs.seconds)).toBeGreaterThanOrEqual(0);
    expect(query.getText()).toBe('gone fishing');
    // The stranger still learns nothing, not even whether the account exists.
    expect(errorCondition(await ask(carol.client, 'alice@localhost', `<query xmlns='${LAST}'/>`))).toBe('forbidden');
    expect(errorCondition(await ask(carol.client, 'nobody@localhost', `<query xmlns='${LAST}'/>`))).toBe('forbidden');
  });

  it('XEP-0012 §4: a session that just ends (no unavailable presence) counts as going offline', async () => {
    const alice = await online('alice', 'laptop');
    const bob = await online('bob', 'tablet');
    const gone = nextPresence(bob.client, alice.jid, 'unavailable');
    alice.client.destroy();
    await gone;
    const result = await ask(bob.client, 'alice@localhost', `<query xmlns='${LAST}'/>`);
    const query = result.getChild('query', LAST)!;
    expect(result.attrs.type).toBe('result');
    expect(query.getText()).toBe('');
  });
});
