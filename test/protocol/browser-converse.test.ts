// A real web client as people use it: Converse.js (from npm, as shipped) in Debian's Chromium,
// driven through its own user interface by playwright-core. It logs in over wss:// (RFC 7395),
// finds a contact in its roster and chats with a TCP client in both directions, and joins a room
// (XEP-0045) where it talks with a TCP client. Screenshots are kept in artifacts/browser-converse*.png
// (.ci/run keeps artifacts/).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../harness/chromium.js';
import { REPO_ROOT, ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import { letSeePresence, nextMessage, nextPresence } from '../harness/im.js';
import { createRoom, groupchat, presenceFrom } from '../harness/muc.js';

const ARTIFACT = path.join(REPO_ROOT, 'artifacts', 'browser-converse.png');
const ROOM_ARTIFACT = path.join(REPO_ROOT, 'artifacts', 'browser-converse-room.png');
const PAGE = path.join(REPO_ROOT, 'test/browser/converse.html');
const DIST = path.join(REPO_ROOT, 'node_modules/converse.js/dist');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.woff2': 'font/woff2', '.png': 'image/png' };

let server: ServerProcess;
let pages: http.Server;
let browser: Browser;

/** Serves the page and Converse's dist folder from their own origin, as a web client's host would. */
function servePages(): http.Server {
  return http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = pathname === '/converse.html' ? PAGE : pathname.startsWith('/dist/') ? path.join(DIST, pathname.slice('/dist/'.length)) : undefined;
    if (!file || !file.startsWith(path.dirname(DIST)) && file !== PAGE || !fs.existsSync(file) || !fs.statSync(file).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
  });
}

beforeAll(async () => {
  server = await ServerProcess.start();
  await server.addUser('alice@localhost', 'pw');
  await server.addUser('bob@localhost', 'pw');
  // Contacts both ways, so Converse shows bob in alice's roster.
  await letSeePresence(server.ports.c2s, 'alice', 'bob', 'pw');
  await letSeePresence(server.ports.c2s, 'bob', 'alice', 'pw');
  pages = servePages();
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  pages?.close();
  await server?.stop();
  server?.cleanup();
});

describe('Converse.js in Chromium', () => {
  it('RFC 7395 with a real web client: Converse.js logs in over wss://, opens a contact from its roster and chats with a TCP client', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1200, height: 700 } });
    // Converse's login screen shows sponsor logos from conversejs.org: tests reach loopback only.
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/]|localhost[:/])/, (route) => route.abort());
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    const service = `wss://localhost:${server.listenerPort('https')}/xmpp-websocket`;
    const query = new URLSearchParams({ service, jid: 'alice@localhost', password: 'pw' });
    await page.goto(`http://127.0.0.1:${(pages.address() as AddressInfo).port}/converse.html?${query}`);

    // Logged in: the roster shows bob; clicking him opens the chat box.
    const bobInRoster = page.getByText('bob@localhost').first();
    await bobInRoster.waitFor({ timeout: 45_000 });
    await bobInRoster.click();
    const textarea = page.locator('textarea.chat-textarea').first();
    await textarea.waitFor({ timeout: 15_000 });

    // bob is available (initial presence; alice's presence coming back shows it was processed), so
    // a message to his bare JID reaches this session rather than his offline store.
    const bob = await login(server.ports.c2s, 'bob', 'pw', 'desk');
    bob.client.send('<presence/>');
    await nextPresence(bob.client, /^alice@localhost\//);
    await textarea.fill('hello bob, from Converse.js');
    await textarea.press('Enter');
    const sent = await nextMessage(bob.client, (el) => el.getChildText('body') !== null);
    expect(sent.attrs.from).toMatch(/^alice@localhost\//);
    expect(sent.getChildText('body')).toBe('hello bob, from Converse.js');

    bob.client.send(`<message to='${sent.attrs.from}' type='chat' id='reply1'><body>hello Converse, from a TCP client</body></message>`);
    await page.getByText('hello Converse, from a TCP client').first().waitFor({ timeout: 15_000 });

    fs.mkdirSync(path.dirname(ARTIFACT), { recursive: true });
    await page.screenshot({ path: ARTIFACT });
    expect(fs.statSync(ARTIFACT).size).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    bob.client.destroy();
    await context.close();
  }, 120_000);

  it('XEP-0045 with a real web client: Converse.js joins a room over wss:// and talks with a TCP client in it', async () => {
    const room = 'webroom@conference.localhost';
    const bob = await login(server.ports.c2s, 'bob', 'pw', 'room-desk');
    await createRoom(bob.client, room, 'Bob');
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1200, height: 700 } });
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/]|localhost[:/])/, (route) => route.abort());
    const page = await context.newPage();
    const service = `wss://localhost:${server.listenerPort('https')}/xmpp-websocket`;
    const query = new URLSearchParams({ service, jid: 'alice@localhost', password: 'pw', room });
    await page.goto(`http://127.0.0.1:${(pages.address() as AddressInfo).port}/converse.html?${query}`);

    // Converse opens the room and asks for a nickname, as it does for a person; bob sees Alice arrive.
    const nickname = page.getByPlaceholder('Nickname');
    await nickname.waitFor({ timeout: 45_000 });
    await nickname.fill('Alice');
    const arrived = presenceFrom(bob.client, room, 'Alice');
    await page.getByRole('button', { name: 'Enter groupchat' }).click();
    await arrived;
    const textarea = page.locator('converse-muc textarea.chat-textarea, textarea.chat-textarea').first();
    await textarea.waitFor({ timeout: 30_000 });
    await textarea.fill('hello room, from Converse.js');
    await textarea.press('Enter');
    await groupchat(bob.client, room, 'hello room, from Converse.js');

    bob.client.send(`<message to='${room}' type='groupchat' id='web-g1'><body>hello Converse, from the room</body></message>`);
    await page.getByText('hello Converse, from the room').first().waitFor({ timeout: 15_000 });
    fs.mkdirSync(path.dirname(ROOM_ARTIFACT), { recursive: true });
    await page.screenshot({ path: ROOM_ARTIFACT });
    expect(fs.statSync(ROOM_ARTIFACT).size).toBeGreaterThan(0);

    // (Converse resumes streams (XEP-0198), so closing the page keeps its session, and Alice in the
    // room, until the resumption timeout: nothing to wait for here.)
    await context.close();
    bob.client.destroy();
  }, 120_000);
});
