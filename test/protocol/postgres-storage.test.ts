// A real Herald on PostgreSQL (issue 17): accounts made by `herald user …` against PostgreSQL log
// in, and the main flows (roster, offline delivery, PEP, MAM) keep their data there, across a
// restart, with no SQLite file at all. A URL Herald cannot use stops start-up with one line.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess, runCli } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { getRoster, nextMessage, nextPush, rosterItems } from '../harness/im.js';
import { iq, itemIds, publishXml, NS_PUBSUB } from '../harness/pep.js';
import { queryArchive, settled } from '../harness/mam.js';
import { startPostgres, PG_PASSWORD, type PostgresCluster } from '../harness/postgres.js';

let cluster: PostgresCluster;
let url: string;
let server: ServerProcess;
const PASSWORD = 'secret-pass';
/** Each test runs several CLI processes, each opening a pool: generous for a loaded CI machine. */
const SLOW = { timeout: 120_000 };

beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase('herald_flows');
  server = await ServerProcess.start({ extraYaml: `cluster:\n  postgresUrl: ${url}\nmodules:\n  mam: {}` });
  for (const user of ['alice', 'bob']) await server.addUser(`${user}@localhost`, PASSWORD);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
  await cluster?.stop();
});

describe('Herald on PostgreSQL (cluster.postgresUrl)', SLOW, () => {
  it('RFC 6120 §6: an account made by `herald user add` on PostgreSQL logs in, and the CLI lists, changes and deletes it there', async () => {
    const { client } = await login(server.ports.c2s, 'alice', PASSWORD, 'cli-check');
    client.destroy();
    expect((await server.cli(['user', 'list'])).stdout).toMatch(/alice@localhost[\s\S]*bob@localhost/);
    expect((await server.cli(['user', 'add', 'temp@localhost', '--password-stdin'], 'first-pass')).code).toBe(0);
    expect((await server.cli(['user', 'passwd', 'temp@localhost', '--password-stdin'], 'second-pass')).code).toBe(0);
    (await login(server.ports.c2s, 'temp', 'second-pass', 'x')).client.destroy();
    expect((await server.cli(['user', 'del', 'temp@localhost', '--yes'])).code).toBe(0);
    expect((await server.cli(['user', 'list'])).stdout).not.toContain('temp@localhost');
    // Everything is in PostgreSQL: the server never made its SQLite file.
    expect(fs.existsSync(path.join(server.dir, 'data', 'herald.sqlite'))).toBe(false);
  });

  it('RFC 6121 §2, XEP-0160, XEP-0163, XEP-0313: roster, offline delivery, PEP and the archive all work on PostgreSQL', async () => {
    const alice = await login(server.ports.c2s, 'alice', PASSWORD, 'desk');
    alice.client.send('<presence/>');
    await getRoster(alice.client);
    alice.client.send("<iq type='set' id='add-bob'><query xmlns='jabber:iq:roster'><item jid='bob@localhost' name='Bob'><group>Friends</group></item></query></iq>");
    expect((await nextPush(alice.client, 'bob@localhost')).name).toBe('Bob');
    expect(rosterItems(await getRoster(alice.client))).toEqual([expect.objectContaining({ jid: 'bob@localhost', name: 'Bob', subscription: 'none' })]);

    // Bob is offline: the message waits in PostgreSQL and arrives, delayed, at his next login.
    alice.client.send("<message to='bob@localhost' type='chat' id='pg-offline-1'><body>kept in postgres</body></message>");
    await settled(alice.client);
    const bob = await login(server.ports.c2s, 'bob', PASSWORD, 'phone');
    bob.client.send('<presence/>');
    const delivered = await nextMessage(bob.client, (el) => el.attrs.id === 'pg-offline-1');
    expect(delivered.getChildText('body')).toBe('kept in postgres');
    expect(delivered.getChild('delay', 'urn:xmpp:delay')).toBeDefined();

    const published = await iq(alice.client, 'set', undefined, publishXml('urn:example:pg', 'item-1', "<note xmlns='urn:example:pg'>hello</note>"));
    expect(published.attrs.type).toBe('result');
    const items = await iq(alice.client, 'get', 'alice@localhost', `<pubsub xmlns='${NS_PUBSUB}'><items node='urn:example:pg'/></pubsub>`);
    expect(itemIds(items)).toEqual(['item-1']);

    await settled(bob.client);
    expect((await queryArchive(bob.client)).bodies).toContain('kept in postgres');
    expect((await queryArchive(alice.client)).bodies).toContain('kept in postgres');
    alice.client.destroy();
    bob.client.destroy();
  });

  it('keeps the roster and PEP items across a restart of the server', async () => {
    await server.stop();
    server = await server.restart();
    const alice = await login(server.ports.c2s, 'alice', PASSWORD, 'again');
    expect(rosterItems(await getRoster(alice.client)).map((i) => i.jid)).toEqual(['bob@localhost']);
    const items = await iq(alice.client, 'get', 'alice@localhost', `<pubsub xmlns='${NS_PUBSUB}'><items node='urn:example:pg'/></pubsub>`);
    expect(itemIds(items)).toEqual(['item-1']);
    alice.client.destroy();
  });
});

describe('HERALD_POSTGRES_URL', SLOW, () => {
  it('switches the server and `herald user add` to PostgreSQL without a config key', async () => {
    const envUrl = await cluster.createDatabase('herald_env');
    const env = { HERALD_POSTGRES_URL: envUrl };
    const node = await ServerProcess.start({ env });
    try {
      const added = await runCli(['--config', node.configFile, 'user', 'add', 'carol@localhost', '--password-stdin'], 'carol-pass', node.dir, env);
      expect(added.code).toBe(0);
      (await login(node.ports.c2s, 'carol', 'carol-pass', 'env')).client.destroy();
      // Nothing went to the server's SQLite folder; the CLI without the variable opens SQLite, where carol is not.
      expect(fs.existsSync(path.join(node.dir, 'data', 'herald.sqlite'))).toBe(false);
      const plain = await runCli(['--config', node.configFile, 'user', 'list'], undefined, node.dir);
      expect(plain.stdout).not.toContain('carol@localhost');
    } finally {
      await node.stop();
      node.cleanup();
    }
  });

  it('a URL Herald cannot use stops start-up with one line naming it, password masked, and the cause', async () => {
    const wrong = cluster.url('herald_flows').replace(PG_PASSWORD, 'not-the-password');
    const probe = await ServerProcess.start();
    await probe.stop();
    try {
      const started = await runCli(['--config', probe.configFile, 'start'], undefined, probe.dir, { HERALD_POSTGRES_URL: wrong });
      expect(started.code).toBe(1);
      const lines = started.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toBe(
        `herald: PostgreSQL at postgres://herald:***@127.0.0.1:${cluster.port}/herald_flows cannot be used: the password was refused (password authentication failed for user "herald")`,
      );
      const missing = await runCli(['--config', probe.configFile, 'user', 'list'], undefined, probe.dir, { HERALD_POSTGRES_URL: cluster.url('nowhere') });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('/nowhere cannot be used: the database does not exist');
    } finally {
      probe.cleanup();
    }
  });
});
