// A real browser as the web client: Debian's Chromium, driven by playwright-core, loads a page
// that uses xmpp.js's browser build to log in over wss:// (RFC 7395) and chats with a TCP
// client. The screenshot is kept in artifacts/browser-websocket.png (.ci/run says so).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../harness/chromium.js';
import { REPO_ROOT, ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { nextMessage } from '../harness/im.js';

const ARTIFACT = path.join(REPO_ROOT, 'artifacts', 'browser-websocket.png');
const FILES: Record<string, { file: string; type: string }> = {
  '/chat.html': { file: path.join(REPO_ROOT, 'test/browser/chat.html'), type: 'text/html' },
  '/xmpp.min.js': { file: path.join(REPO_ROOT, 'node_modules/@xmpp/client/dist/xmpp.min.js'), type: 'text/javascript' },
};

let server: ServerProcess;
let pages: http.Server;
let browser: Browser;

beforeAll(async () => {
  server = await ServerProcess.start();
  await server.addUser('alice@localhost', 'pw');
  await server.addUser('bob@localhost', 'pw');
  // The page comes from its own origin, as a web client's would: the WebSocket is cross-origin.
  pages = http.createServer((req, res) => {
    const entry = FILES[new URL(req.url ?? '/', 'http://x').pathname];
    if (!entry) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': entry.type }).end(fs.readFileSync(entry.file));
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  pages?.close();
  await server?.stop();
  server?.cleanup();
});

describe('a web client in Chromium', () => {
  it('RFC 7395 in a browser: xmpp.js logs in over wss:// and exchanges messages with a TCP client', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 900, height: 500 } });
    const page = await context.newPage();
    const service = `wss://localhost:${server.listenerPort('https')}/xmpp-websocket`;
    const query = new URLSearchParams({ service, domain: 'localhost', user: 'alice', password: 'pw' });
    await page.goto(`http://127.0.0.1:${(pages.address() as AddressInfo).port}/chat.html?${query}`);
    const jid = String(await (await page.waitForFunction(() => (globalThis as unknown as { jid?: string }).jid, undefined, { timeout: 30_000 })).jsonValue());
    expect(jid).toMatch(/^alice@localhost\/browser/);

    const bob = await login(server.ports.c2s, 'bob', 'pw', 'desk');
    bob.client.send(`<message to='${jid}' type='chat'><body>hello browser, from a TCP client</body></message>`);
    await page.waitForFunction(() => (globalThis as unknown as { received: unknown[] }).received.length > 0, undefined, { timeout: 15_000 });
    const received = await page.evaluate(() => (globalThis as unknown as { received: Array<{ from: string; body: string }> }).received[0]);
    expect(received).toEqual({ from: bob.jid, body: 'hello browser, from a TCP client' });

    await page.evaluate((to) => (globalThis as unknown as { sendChat: (to: string, body: string) => Promise<void> }).sendChat(to, 'hello TCP, from Chromium'), bob.jid);
    const reply = await nextMessage(bob.client);
    expect(reply.attrs.from).toBe(jid);
    expect(reply.getChildText('body')).toBe('hello TCP, from Chromium');

    fs.mkdirSync(path.dirname(ARTIFACT), { recursive: true });
    await page.screenshot({ path: ARTIFACT });
    expect(fs.statSync(ARTIFACT).size).toBeGreaterThan(0);
    bob.client.destroy();
    await context.close();
  }, 90_000);
});
