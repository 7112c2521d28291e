// XEP-0049 Private XML Storage over real sockets: store and retrieve per (element, namespace),
// the §2.3 error cases, the per-account byte limit, and deletion with the account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iq, pubsubErrorOf } from '../harness/pep.js';
import { login } from '../harness/login.js';
import { ServerProcess } from '../harness/server-process.js';
import type { XmlClient } from '../harness/xml-client.js';

const NS_PRIVATE = 'jabber:iq:private';
const MAX_BYTES = 2000;
let server: ServerProcess;
let alice: XmlClient;

const query = (inner: string) => `<query xmlns='${NS_PRIVATE}'>${inner}</query>`;
const fetchStored = async (client: XmlClient, inner: string) => (await iq(client, 'get', undefined, query(inner))).getChild('query', NS_PRIVATE)!.getChildElements();

beforeAll(async () => {
  server = await ServerProcess.start({ extraYaml: ['modules:', '  private:', '    options:', `      maxBytesPerAccount: ${MAX_BYTES}`].join('\n') });
  for (const user of ['alice', 'bob', 'full', 'gone']) await server.addUser(`${user}@localhost`, 'pw');
  alice = (await login(server.ports.c2s, 'alice', 'pw', 'desk')).client;
});

afterAll(async () => {
  alice?.destroy();
  await server?.stop();
  server?.cleanup();
});

describe('XEP-0049 §2.3 storing and retrieving', () => {
  it('XEP-0049 §2.3: a stored fragment comes back whole, from another resource too', async () => {
    const stored = await iq(alice, 'set', undefined, query("<exodus xmlns='exodus:prefs'><defaultnick>Hamlet</defaultnick><x a='1'>é</x></exodus>"));
    expect(stored.attrs.type).toBe('result');
    const phone = (await login(server.ports.c2s, 'alice', 'pw', 'phone')).client;
    const [fragment] = await fetchStored(phone, "<exodus xmlns='exodus:prefs'/>");
    expect(fragment?.toString()).toBe("<exodus xmlns=\"exodus:prefs\"><defaultnick>Hamlet</defaultnick><x a=\"1\">é</x></exodus>");
    phone.destroy();
  });

  it('XEP-0049 §2.3: a set replaces the earlier fragment; name and namespace both select it', async () => {
    await iq(alice, 'set', undefined, query("<prefs xmlns='urn:example:a'>old</prefs>"));
    await iq(alice, 'set', undefined, query("<prefs xmlns='urn:example:a'>new</prefs><other xmlns='urn:example:a'>o</other>"));
    expect((await fetchStored(alice, "<prefs xmlns='urn:example:a'/>"))[0]?.getText()).toBe('new');
    expect((await fetchStored(alice, "<other xmlns='urn:example:a'/>"))[0]?.getText()).toBe('o');
    expect((await fetchStored(alice, "<prefs xmlns='urn:example:b'/>"))[0]?.toString()).toBe('<prefs xmlns="urn:example:b"/>');
  });

  it('XEP-0049 §2.3: nothing stored answers the empty element asked for', async () => {
    const [fragment] = await fetchStored(alice, "<storage xmlns='storage:rosternotes'/>");
    expect(fragment?.toString()).toBe('<storage xmlns="storage:rosternotes"/>');
  });

  it('XEP-0049 §2.3: another user gets forbidden, reading or writing', async () => {
    const bob = (await login(server.ports.c2s, 'bob', 'pw', 'x')).client;
    const read = pubsubErrorOf(await iq(bob, 'get', 'alice@localhost', query("<exodus xmlns='exodus:prefs'/>")));
    const write = pubsubErrorOf(await iq(bob, 'set', 'alice@localhost', query("<exodus xmlns='exodus:prefs'>mine</exodus>")));
    expect([read.condition, write.condition]).toEqual(['forbidden', 'forbidden']);
    expect(read.text).toContain('alice@localhost');
    bob.destroy();
    expect((await fetchStored(alice, "<exodus xmlns='exodus:prefs'/>"))[0]?.getChildText('defaultnick')).toBe('Hamlet');
  });

  it('XEP-0049 §2.3: a get without a child is bad-request; a set without one is not-acceptable', async () => {
    expect(pubsubErrorOf(await iq(alice, 'get', undefined, query(''))).condition).toBe('bad-request');
    expect(pubsubErrorOf(await iq(alice, 'set', undefined, query(''))).condition).toBe('not-acceptable');
  });

  it('XEP-0049 §2.3: a child without its own namespace, or a get for two, is not-acceptable', async () => {
    const unqualified = pubsubErrorOf(await iq(alice, 'set', undefined, query('<prefs>x</prefs>')));
    expect(unqualified.condition).toBe('not-acceptable');
    expect(unqualified.text).toContain('namespace');
    expect(pubsubErrorOf(await iq(alice, 'get', undefined, query("<a xmlns='urn:a'/><b xmlns='urn:b'/>"))).condition).toBe('not-acceptable');
  });
});

describe('limits and account deletion', () => {
  it('modules.private.options.maxBytesPerAccount: a set beyond it is refused whole, with policy-violation', async () => {
    const full = (await login(server.ports.c2s, 'full', 'pw', 'x')).client;
    const big = (id: string, size: number) => `<blob xmlns='urn:example:${id}'>${'x'.repeat(size)}</blob>`;
    expect((await iq(full, 'set', undefined, query(big('one', 1500)))).attrs.type).toBe('result');
    const refused = pubsubErrorOf(await iq(full, 'set', undefined, query(big('two', 100) + big('three', 600))));
    expect(refused.condition).toBe('policy-violation');
    expect(refused.text).toContain(String(MAX_BYTES));
    // Nothing of the refused set was kept; replacing the big one with a small one frees room.
    expect((await fetchStored(full, "<blob xmlns='urn:example:two'/>"))[0]?.getText()).toBe('');
    expect((await iq(full, 'set', undefined, query(big('one', 10) + big('three', 600)))).attrs.type).toBe('result');
    full.destroy();
  });

  it('XEP-0049 §5: a new account with a deleted one’s name finds none of its private XML', async () => {
    const gone = (await login(server.ports.c2s, 'gone', 'pw', 'x')).client;
    await iq(gone, 'set', undefined, query("<secret xmlns='urn:example:secret'>kept</secret>"));
    gone.destroy();
    expect((await server.cli(['user', 'del', 'gone@localhost', '--yes'])).code).toBe(0);
    await server.addUser('gone@localhost', 'pw');
    const again = (await login(server.ports.c2s, 'gone', 'pw', 'x')).client;
    expect((await fetchStored(again, "<secret xmlns='urn:example:secret'/>"))[0]?.toString()).toBe('<secret xmlns="urn:example:secret"/>');
    again.destroy();
  });
});
