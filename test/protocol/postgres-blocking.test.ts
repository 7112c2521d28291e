// The repositories added after the PostgreSQL backend, used by a real Herald on PostgreSQL:
// XEP-0191 blocklists with XEP-0377 reports (kept across a restart, listed by `herald reports`)
// and XEP-0401 invitations made, listed and revoked by `herald invite`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { block, blocklist, NS_REPORTING } from '../harness/blocking.js';
import { startPostgres, type PostgresCluster } from '../harness/postgres.js';

let cluster: PostgresCluster;
let server: ServerProcess;
const PASSWORD = 'secret-pass';

beforeAll(async () => {
  cluster = await startPostgres();
  const url = await cluster.createDatabase('herald_blocking');
  server = await ServerProcess.start({ extraYaml: `cluster:\n  postgresUrl: ${url}\nmodules:\n  blocking:\n    options:\n      maxItems: 5` });
  await server.addUser('alice@localhost', PASSWORD);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
  await cluster?.stop();
});

describe('Herald on PostgreSQL: blocking, reports and invitations', () => {
  it('XEP-0191 §3.3, XEP-0377: a block with a report is stored in PostgreSQL, survives a restart, and herald reports lists it', async () => {
    const first = await login(server.ports.c2s, 'alice', PASSWORD, 'desk');
    const report =
      `<item jid='spam@evil.example'><report xmlns='${NS_REPORTING}' reason='urn:xmpp:reporting:spam'>` +
      `<stanza-id xmlns='urn:xmpp:sid:0' by='spam@evil.example' id='sid-1'/><text xml:lang='en'>Sells watches</text></report></item>`;
    expect((await block(first.client, report, 'plain@evil.example')).attrs.type).toBe('result');
    first.client.destroy();

    await server.stop();
    server = await server.restart();
    const again = await login(server.ports.c2s, 'alice', PASSWORD, 'again');
    expect(await blocklist(again.client)).toEqual(['plain@evil.example', 'spam@evil.example']);
    again.client.destroy();

    const listed = await server.cli(['reports', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ reporter: 'alice@localhost', reported: 'spam@evil.example', reason: 'urn:xmpp:reporting:spam', text: 'Sells watches', stanzaIds: ['sid-1'] }),
    ]);
  });

  it('XEP-0191 §3.3: the list limit holds on PostgreSQL (policy-violation, nothing added)', async () => {
    const { client } = await login(server.ports.c2s, 'alice', PASSWORD, 'limit');
    const answer = await block(client, 'a@x.example', 'b@x.example', 'c@x.example', 'd@x.example');
    expect(answer.attrs.type).toBe('error');
    expect(answer.getChild('error')?.getChildByAttr('xmlns', 'urn:ietf:params:xml:ns:xmpp-stanzas')?.name).toBe('policy-violation');
    expect(await blocklist(client)).toEqual(['plain@evil.example', 'spam@evil.example']);
    client.destroy();
  });

  it('XEP-0401: herald invite creates, lists and revokes invitations kept in PostgreSQL', async () => {
    const created = await server.cli(['invite', 'create', 'localhost', '--user', 'carol', '--json']);
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };
    const listed = await server.cli(['invite', 'list', '--json']);
    expect(JSON.parse(listed.stdout.trim())).toEqual(expect.objectContaining({ id, domain: 'localhost', username: 'carol', usable: true }));
    expect((await server.cli(['invite', 'revoke', id])).code).toBe(0);
    expect((await server.cli(['invite', 'list'])).stdout).toContain('no invitations');
  });
});
