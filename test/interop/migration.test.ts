// XEP-0227 migration from real Prosody 0.12 and ejabberd (Debian packages): each server gets
// accounts with data over XMPP, its own tool exports them (prosody-migrator to the xep0227
// store; `ejabberdctl export_piefxis`), `herald import` reads the export, and the users log in
// to Herald with their old passwords and find their data.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { connectSecured, login, plainAuth, scramAuth } from '../harness/login.js';
import { FILLED, fillAccount, readAccount } from '../harness/account-data.js';
import { registerProsodyUser, startProsody } from './harness/prosody.js';
import { registerEjabberdUser, startEjabberd } from './harness/ejabberd.js';
import { chownTree, freePort, run, serviceUser } from './harness/process.js';
import { logIn, side } from './harness/federation-scenarios.js';

const dirs: string[] = [];
const tempDir = (name: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `herald-${name}-`));
  dirs.push(dir);
  return dir;
};
const servers: ServerProcess[] = [];

afterAll(async () => {
  for (const s of servers) {
    await s.stop();
    s.cleanup();
  }
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A Herald for `domain` with the export imported before it starts (as docs/migration.md says). */
async function heraldWithImport(domain: string, exportPath: string): Promise<{ server: ServerProcess; stdout: string }> {
  let server = await ServerProcess.start({ domains: [{ name: domain }], extraYaml: 'modules:\n  mam: {}' });
  servers.push(server);
  await server.stop();
  const result = await server.cli(['import', exportPath]);
  expect(result.code, result.stderr).toBe(0);
  server = await server.restart();
  servers.push(server);
  return { server, stdout: result.stdout };
}

/**
 * prosody-migrator writes the xep0227 store into Prosody's compiled-in data folder
 * (/var/lib/prosody) whatever the config says; a private mount namespace points that folder at
 * the test's own, so the system's Prosody data is never touched.
 */
async function prosodyMigrate(dataDir: string, host: string, out: string): Promise<void> {
  const config = path.join(path.dirname(out), 'migrator.cfg.lua');
  const stores = ['accounts', 'roster', 'vcard', 'private', 'pep-pubsub', 'archive-archive'].map((s) => JSON.stringify(s)).join(', ');
  fs.writeFileSync(config, `input { hosts = { [${JSON.stringify(host)}] = { ${stores} } }; type = "internal"; path = ${JSON.stringify(dataDir)}; }\noutput { type = "xep0227"; }\n`);
  fs.mkdirSync(out, { recursive: true });
  const su = serviceUser('prosody');
  chownTree(path.dirname(out), su);
  const runAs = su ? `setpriv --reuid=${su.uid} --regid=${su.gid} --clear-groups ` : '';
  await run('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mount --bind "$1" /var/lib/prosody && ${runAs}prosody-migrator --config "$2" input output`, 'sh', out, config]);
}

describe('import from Prosody 0.12 (prosody-migrator, xep0227 store)', () => {
  it('accounts, roster, vCard, private XML, PEP and archive arrive; SCRAM-SHA-1 keys log in, PLAIN adds SHA-256', async () => {
    const dir = tempDir('prosody');
    const prosody = await startProsody({ domain: 'prosody.test', c2sPort: await freePort(), s2sPort: await freePort(), dir, extraModules: ['vcard', 'private', 'pep', 'mam'], logLevel: 'info' });
    try {
      await registerProsodyUser(prosody, 'alice', 'alice-pass');
      await registerProsodyUser(prosody, 'bob', 'bob-pass');
      const s = side('prosody', 'prosody.test', prosody.c2sPort);
      const alice = await logIn(s, 'alice', 'alice-pass', 'r');
      await fillAccount(alice, await logIn(s, 'bob', 'bob-pass', 'r'));
      alice.client.destroy();
    } finally {
      await prosody.stop();
    }
    const out = path.join(tempDir('prosody-export'), 'export');
    await prosodyMigrate(path.join(dir, 'data'), 'prosody.test', out);
    expect(fs.readdirSync(out).sort()).toEqual(['alice@prosody.test.xml', 'bob@prosody.test.xml']);

    const { server, stdout } = await heraldWithImport('prosody.test', out);
    expect(stdout).toMatch(/imported 2 accounts/);
    expect(stdout).toMatch(/SCRAM-SHA-1 keys only/);

    // Prosody keeps SCRAM-SHA-1 keys only: SCRAM-SHA-1 works at once, SCRAM-SHA-256 after one PLAIN login.
    const sha1 = await connectSecured(server.ports.c2s, 'prosody.test');
    expect((await scramAuth(sha1.client, 'SCRAM-SHA-1', 'alice', 'alice-pass')).ok).toBe(true);
    sha1.client.destroy();
    const plain = await connectSecured(server.ports.c2s, 'prosody.test');
    expect((await plainAuth(plain.client, 'alice', 'alice-pass')).ok).toBe(true);
    plain.client.destroy();
    const sha256 = await connectSecured(server.ports.c2s, 'prosody.test');
    expect((await scramAuth(sha256.client, 'SCRAM-SHA-256', 'alice', 'alice-pass')).ok).toBe(true);
    sha256.client.destroy();

    const alice = await login(server.ports.c2s, 'alice', 'alice-pass', 'herald', 'prosody.test');
    const view = await readAccount(alice);
    expect(view.roster).toEqual([expect.objectContaining({ jid: 'bob@prosody.test', name: FILLED.contactName, subscription: 'both', groups: FILLED.group })]);
    expect(view.fullName).toBe(FILLED.fullName);
    expect(view.privateText).toBe(FILLED.privateText);
    expect(view.nick).toBe(FILLED.nick);
    alice.client.send("<iq type='set' id='mam'><query xmlns='urn:xmpp:mam:2'/></iq>");
    await alice.client.next((el) => el.name === 'iq' && el.attrs.id === 'mam');
    const archived = alice.client.inbox.map((el) => el.getChild('result', 'urn:xmpp:mam:2')?.getChild('forwarded')?.getChild('message')?.getChildText('body'));
    expect(archived).toContain(FILLED.message);
    alice.client.destroy();
  }, 180_000);
});

describe('import from ejabberd (ejabberdctl export_piefxis)', () => {
  it('SCRAM-SHA-256 keys (base64 twice, as ejabberd writes them), roster, vCard, private XML and offline messages arrive', async () => {
    const dir = tempDir('ejabberd');
    const ejabberd = await startEjabberd({
      domain: 'ejabberd.test',
      c2sPort: await freePort(),
      s2sPort: await freePort(),
      dir,
      loglevel: 'warning',
      extraConfig: '  mod_vcard: {}\n  mod_private: {}\n  mod_offline: {}\n  mod_caps: {}\n  mod_pubsub:\n    plugins: ["flat", "pep"]\nauth_password_format: scram\nauth_scram_hash: sha256\n',
    });
    const out = path.join(dir, 'export');
    try {
      await registerEjabberdUser(ejabberd, 'alice', 'alice-pass');
      await registerEjabberdUser(ejabberd, 'bob', 'bob-pass');
      const s = side('ejabberd', 'ejabberd.test', ejabberd.c2sPort);
      const alice = await logIn(s, 'alice', 'alice-pass', 'r');
      await fillAccount(alice, await logIn(s, 'bob', 'bob-pass', 'r'));
      alice.client.destroy();
      fs.mkdirSync(out);
      chownTree(out, serviceUser('ejabberd'));
      await ejabberd.ctl(['export_piefxis', out]);
    } finally {
      await ejabberd.stop();
    }
    expect(fs.readdirSync(out)).toHaveLength(2); // the main file and the host file it includes

    const { server, stdout } = await heraldWithImport('ejabberd.test', out);
    expect(stdout).toMatch(/imported 2 accounts/);
    const { client } = await connectSecured(server.ports.c2s, 'ejabberd.test');
    expect((await scramAuth(client, 'SCRAM-SHA-256', 'alice', 'alice-pass')).ok).toBe(true);
    client.destroy();

    const alice = await login(server.ports.c2s, 'alice', 'alice-pass', 'herald', 'ejabberd.test');
    const view = await readAccount(alice);
    expect(view.roster).toEqual([expect.objectContaining({ jid: 'bob@ejabberd.test', name: FILLED.contactName, subscription: 'both', groups: FILLED.group })]);
    expect(view.fullName).toBe(FILLED.fullName);
    expect(view.privateText).toBe(FILLED.privateText);
    alice.client.destroy();

    const bob = await login(server.ports.c2s, 'bob', 'bob-pass', 'herald', 'ejabberd.test');
    bob.client.send('<presence/>');
    await bob.client.next((el) => el.name === 'message' && el.getChildText('body') === FILLED.message);
    bob.client.destroy();
  }, 180_000);
});
