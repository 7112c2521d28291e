import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'vitest';
import { registerProsodyUser, startProsody } from './harness/prosody.js';
import { registerEjabberdUser, startEjabberd } from './harness/ejabberd.js';
import { freePort, run, serviceUser, chownTree } from './harness/process.js';
import { logIn, side } from './harness/federation-scenarios.js';
import { fillAccount } from '../harness/account-data.js';

it.skip('prosody export', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'px-'));
  const prosody = await startProsody({ domain: 'prosody.test', c2sPort: await freePort(), s2sPort: await freePort(), dir, extraModules: ['vcard', 'private', 'offline', 'pep', 'mam'], logLevel: 'info' });
  await registerProsodyUser(prosody, 'alice', 'alice-pass');
  await registerProsodyUser(prosody, 'bob', 'bob-pass');
  const s = side('prosody', 'prosody.test', prosody.c2sPort);
  const a = await logIn(s, 'alice', 'alice-pass', 'r');
  const b = await logIn(s, 'bob', 'bob-pass', 'r');
  await fillAccount(a, b);
  a.client.destroy();
  await prosody.stop();
  const out = path.join(dir, 'export');
  fs.mkdirSync(out);
  const cfg = path.join(dir, 'migrator.cfg.lua');
  fs.writeFileSync(cfg, `input { hosts = { ["prosody.test"] = { "accounts", "roster", "vcard", "private", "pep-pubsub", "archive-archive" } }; type = "internal"; path = ${JSON.stringify(path.join(dir, 'data'))}; }\noutput { type = "xep0227"; path = ${JSON.stringify(out)}; }\n`);
  chownTree(dir, serviceUser('prosody'));
  const su = serviceUser('prosody');
  const r = await run('prosody-migrator', ['--config', cfg, 'input', 'output'], { cwd: dir, ...(su ? { uid: su.uid, gid: su.gid } : {}) });
  console.log(r.stdout, r.stderr);
  console.log((await run('find', [dir, '-name', '*.xml'])).stdout);
  for (const f of fs.readdirSync(out)) console.log(f, fs.readFileSync(path.join(out, f), 'utf8'));
  fs.cpSync(out, '/tmp/exports/prosody', { recursive: true });
}, 120_000);

it('ejabberd export', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ex-'));
  const ej = await startEjabberd({ domain: 'ejabberd.test', c2sPort: await freePort(), s2sPort: await freePort(), dir, loglevel: 'warning',
    extraConfig: '  mod_vcard: {}\n  mod_private: {}\n  mod_offline: {}\n  mod_caps: {}\n  mod_pubsub:\n    plugins: ["flat", "pep"]\n  mod_mam: {}\nauth_password_format: scram\nauth_scram_hash: sha256\n' });
  await registerEjabberdUser(ej, 'alice', 'alice-pass');
  await registerEjabberdUser(ej, 'bob', 'bob-pass');
  const s = side('ejabberd', 'ejabberd.test', ej.c2sPort);
  const a = await logIn(s, 'alice', 'alice-pass', 'r');
  const b = await logIn(s, 'bob', 'bob-pass', 'r');
  await fillAccount(a, b);
  a.client.destroy();
  const out = path.join(dir, 'export');
  fs.mkdirSync(out);
  chownTree(dir, serviceUser('ejabberd'));
  console.log(await ej.ctl(['export_piefxis', out]));
  await ej.stop();
  const walk = (d: string): void => { for (const f of fs.readdirSync(d)) { const p = path.join(d, f); if (fs.statSync(p).isDirectory()) walk(p); else console.log(p, fs.readFileSync(p, 'utf8')); } };
  walk(out);
  fs.cpSync(out, '/tmp/exports/ejabberd', { recursive: true });
}, 180_000);
