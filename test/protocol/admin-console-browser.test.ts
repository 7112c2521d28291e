// The admin console and the invitation landing page in a real browser (Debian's Chromium via
// playwright-core): an administrator logs in, creates a user, sees the user come online when an
// XMPP client logs in, and kicks the session; an invitee registers on the landing page.
// Screenshots are kept in artifacts/ (admin-console.png, invite-landing.png), as .ci/run says.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../harness/chromium.js';
import { REPO_ROOT, ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';

const ARTIFACTS = path.join(REPO_ROOT, 'artifacts');

let server: ServerProcess;
let browser: Browser;

beforeAll(async () => {
  server = await ServerProcess.start();
  await server.addUser('root@localhost', 'admin-pw');
  expect((await server.cli(['user', 'role', 'root@localhost', 'admin'])).code).toBe(0);
  browser = await launchChromium();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  server?.cleanup();
});

describe('admin console in Chromium', () => {
  it('log in as admin, create a user, see them come online, kick them', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    // Through the loopback listener, as through an SSH tunnel: http://localhost is a secure context, so the Secure cookie is kept.
    await page.goto(`http://localhost:${server.listenerPort('http')}/admin/`);
    await page.fill('#jid', 'root@localhost');
    await page.fill('#password', 'admin-pw');
    await page.click('#login button[type=submit]');
    await page.waitForSelector('text=Logged in as');

    await page.fill('#add-user input[name=jid]', 'eve@localhost');
    await page.fill('#add-user input[name=password]', 'eve-pw');
    await page.click('#add-user button[type=submit]');
    await page.waitForSelector('#users td:text-is("eve@localhost")');

    const eve = await login(server.ports.c2s, 'eve', 'eve-pw', 'phone');
    const row = page.locator('#sessions tr', { hasText: 'eve@localhost/phone' });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain('127.0.0.1');
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-console.png'), fullPage: true });

    await row.locator('button', { hasText: 'Kick' }).click();
    const error = await eve.client.next('stream:error');
    expect(error.getChild('policy-violation')).toBeDefined();
    await row.waitFor({ state: 'detached', timeout: 15_000 });
    expect(fs.statSync(path.join(ARTIFACTS, 'admin-console.png')).size).toBeGreaterThan(0);
    await context.close();
  }, 90_000);

  it('an invitee registers on the landing page', async () => {
    const made = await server.cli(['invite', 'create', '--contact', 'root@localhost', '--json']);
    const { landingUrl } = JSON.parse(made.stdout) as { landingUrl: string };
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 900, height: 900 } });
    const page = await context.newPage();
    await page.goto(landingUrl.replace('//localhost:', '//127.0.0.1:'));
    expect(await page.textContent('h1')).toBe('root@localhost invites you to chat on localhost');
    await page.screenshot({ path: path.join(ARTIFACTS, 'invite-landing.png'), fullPage: true });
    await page.fill('#username', 'ivy');
    await page.fill('#password', 'ivy-pw');
    await page.fill('#password2', 'ivy-pw');
    await page.click('#register button[type=submit]');
    await page.waitForSelector('text=Welcome, ivy@localhost');
    (await login(server.ports.c2s, 'ivy', 'ivy-pw')).client.destroy();
    await context.close();
  }, 60_000);
});
