// XEP-0227 export and import between two Herald servers (`herald export`, `herald import`): the
// accounts' keys, rosters, pending requests, vCards, private XML, PEP, offline and archived
// messages arrive, and the users log in on the new server with their old passwords.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login, connectSecured, scramAuth } from '../harness/login.js';
import { FILLED, fillAccount, readAccount } from '../harness/account-data.js';

const MAM = 'modules:\n  mam: {}';
let source: ServerProcess;
let target: ServerProcess;
let exported: string;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-migration-'));

beforeAll(async () => {
  source = await ServerProcess.start({ extraYaml: MAM });
  for (const user of ['alice', 'bob', 'carol']) await source.addUser(`${user}@localhost`, `${user}-pass`);
  const alice = await login(source.ports.c2s, 'alice', 'alice-pass', 'desk');
  const bob = await login(source.ports.c2s, 'bob', 'bob-pass', 'phone');
  await fillAccount(alice, bob);
  // A request Alice has not answered yet travels too.
  const carol = await login(source.ports.c2s, 'carol', 'carol-pass', 'pc');
  carol.client.send("<presence to='alice@localhost' type='subscribe'/>");
  await alice.client.next((el) => el.name === 'presence' && el.attrs.type === 'subscribe' && el.attrs.from === 'carol@localhost');
  alice.client.destroy();
  carol.client.destroy();

  exported = path.join(work, 'herald-export.xml');
  const result = await source.cli(['export', '--out', exported]);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/exported 3 accounts \(2 archived messages\)/);

  target = await ServerProcess.start({ extraYaml: MAM });
  await target.stop();
  const imported = await target.cli(['import', exported]);
  expect(imported.code, imported.stderr).toBe(0);
  expect(imported.stdout).toMatch(/imported 3 accounts/);
  target = await target.restart();
}, 120_000);

afterAll(async () => {
  await source?.stop();
  source?.cleanup();
  await target?.stop();
  target?.cleanup();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('XEP-0227 export', () => {
  it('§6: the file is readable by its owner only, and holds SCRAM keys, never a password', () => {
    expect(fs.statSync(exported).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(exported, 'utf8');
    expect(text).toMatch(/^<\?xml version='1.0' encoding='UTF-8'\?>\n<server-data xmlns='urn:xmpp:pie:0'>/);
    expect(text).toContain("mechanism=\"SCRAM-SHA-256\"");
    expect(text).not.toContain('alice-pass');
    expect(text).not.toMatch(/password=/);
  });

  it('refuses to overwrite an existing file', async () => {
    const again = await source.cli(['export', '--out', exported]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/exists; choose a new file name/);
  });
});

describe('XEP-0227 import', () => {
  it('users log in with their old passwords, with both SCRAM mechanisms', async () => {
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-1'] as const) {
      const { client } = await connectSecured(target.ports.c2s);
      expect((await scramAuth(client, mechanism, 'alice', 'alice-pass')).ok).toBe(true);
      client.destroy();
    }
  });

  it('§3.4–3.7: roster with names and groups, vCard, private XML and PEP items are as they were', async () => {
    const alice = await login(target.ports.c2s, 'alice', 'alice-pass', 'new');
    const view = await readAccount(alice);
    expect(view.roster).toEqual([expect.objectContaining({ jid: 'bob@localhost', name: FILLED.contactName, subscription: 'both', groups: FILLED.group })]);
    expect(view.fullName).toBe(FILLED.fullName);
    expect(view.privateText).toBe(FILLED.privateText);
    expect(view.nick).toBe(FILLED.nick);
    // RFC 6121 §3.1.3: the request still waiting is shown once she is available.
    alice.client.send('<presence/>');
    await alice.client.next((el) => el.name === 'presence' && el.attrs.type === 'subscribe' && el.attrs.from === 'carol@localhost');
    alice.client.destroy();
  });

  it('§3.5: the offline message reaches its recipient on the new server', async () => {
    const bob = await login(target.ports.c2s, 'bob', 'bob-pass', 'phone');
    bob.client.send('<presence/>');
    const message = await bob.client.next((el) => el.name === 'message' && el.getChildText('body') === FILLED.message);
    expect(message.getChild('delay', 'urn:xmpp:delay')?.attrs.stamp).toBeDefined();
    bob.client.destroy();
  });

  it('XEP-0313 archives come along: the archive holds the conversation', async () => {
    const alice = await login(target.ports.c2s, 'alice', 'alice-pass', 'mam');
    alice.client.send("<iq type='set' id='q1'><query xmlns='urn:xmpp:mam:2' queryid='x'/></iq>");
    const fin = await alice.client.next((el) => el.name === 'iq' && el.attrs.id === 'q1');
    expect(fin.attrs.type).toBe('result');
    const results = alice.client.inbox.filter((el) => el.name === 'message' && el.getChild('result', 'urn:xmpp:mam:2'));
    const bodies = results.map((el) => el.getChild('result', 'urn:xmpp:mam:2')?.getChild('forwarded', 'urn:xmpp:forward:0')?.getChild('message')?.getChildText('body'));
    expect(bodies).toContain(FILLED.message);
    alice.client.destroy();
  });

  it('existing accounts and unserved domains are skipped and reported; nothing is overwritten', async () => {
    const other = path.join(work, 'other.xml');
    fs.writeFileSync(other, "<server-data xmlns='urn:xmpp:pie:0'><host jid='elsewhere.test'><user name='zed' password='zed-pass-1'/></host><host jid='localhost'><user name='alice' password='not-her-password'/></host></server-data>");
    const result = await target.cli(['import', other]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('imported 0 accounts');
    expect(result.stdout).toContain('skipped zed@elsewhere.test: domain elsewhere.test is not served by this configuration');
    expect(result.stdout).toContain('skipped alice@localhost: the account already exists here');
    const { client } = await connectSecured(target.ports.c2s);
    expect((await scramAuth(client, 'SCRAM-SHA-256', 'alice', 'alice-pass')).ok).toBe(true);
    client.destroy();
  });

  it('a file that is not XEP-0227 stops the import with one line naming the file', async () => {
    const bad = path.join(work, 'bad.xml');
    fs.writeFileSync(bad, "<roster xmlns='jabber:iq:roster'><item jid='a@b'/></roster>");
    const result = await target.cli(['import', bad]);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toMatch(new RegExp(`^herald: import stopped: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*`));
  });
});
