// XEP-0363 HTTP File Upload against a real Herald process: slot requests over XMPP (TCP), PUT
// and GET over HTTPS, limits, expiry and account removal.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../harness/server-process.js';
import { login } from '../harness/login.js';
import type { XmlClient } from '../harness/xml-client.js';
import { httpRequest, NS_UPLOAD, requestSlot, slotUrls } from '../harness/upload.js';

const SERVICE = 'upload.localhost';
let server: ServerProcess;
let alice: XmlClient;

beforeAll(async () => {
  server = await ServerProcess.start({
    extraYaml: ['modules:', '  upload:', '    options: { maxFileBytes: 1000000, quotaBytes: 1500000, expireAfterSeconds: 30, sweepIntervalSeconds: 1 }'].join('\n'),
  });
  for (const user of ['alice', 'dave', 'erin']) await server.addUser(`${user}@localhost`, 'pw');
  ({ client: alice } = await login(server.ports.c2s, 'alice', 'pw', 'phone'));
}, 120_000);

afterAll(async () => {
  alice?.destroy();
  await server?.stop();
  server?.cleanup();
});

/** Requests a slot and PUTs `body` into it; resolves with the GET URL. */
async function upload(client: XmlClient, filename: string, body: Buffer, contentType: string): Promise<string> {
  const answer = await requestSlot(client, SERVICE, { filename, size: body.length, contentType });
  const { put, get } = slotUrls(answer);
  const stored = await httpRequest('PUT', put, { headers: { 'Content-Type': contentType, 'Content-Length': body.length }, body });
  expect(stored.status).toBe(201);
  return get;
}

describe('XEP-0363 HTTP File Upload', () => {
  it('XEP-0363 §3: the service is listed in the server\'s disco#items and announces max-file-size in its disco#info form', async () => {
    alice.send("<iq type='get' id='items' to='localhost'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>");
    const items = await alice.next((e) => e.attrs.id === 'items');
    expect(items.getChild('query')!.getChildren('item').map((i) => i.attrs.jid)).toContain(SERVICE);
    alice.send(`<iq type='get' id='info' to='${SERVICE}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
    const info = (await alice.next((e) => e.attrs.id === 'info')).getChild('query')!;
    expect(info.getChild('identity')!.attrs).toMatchObject({ category: 'store', type: 'file' });
    expect(info.getChildren('feature').map((f) => f.attrs.var)).toContain(NS_UPLOAD);
    const form = info.getChild('x', 'jabber:x:data')!;
    const fields = Object.fromEntries(form.getChildren('field').map((f) => [f.attrs.var, f.getChildText('value')]));
    expect(fields).toEqual({ FORM_TYPE: NS_UPLOAD, 'max-file-size': '1000000' });
  });

  it('XEP-0363 §4/§5: a slot is granted, the PUT stores the file and the GET serves it with its type', async () => {
    const body = Buffer.from('a picture, in a manner of speaking');
    const answer = await requestSlot(alice, SERVICE, { filename: 'holiday photo.jpg', size: body.length, contentType: 'image/jpeg' });
    expect(answer.attrs).toMatchObject({ type: 'result', from: SERVICE });
    const { put, get } = slotUrls(answer);
    expect(get).toMatch(/^https:\/\/localhost:\d+\/upload\/[A-Za-z0-9_-]{24}\/holiday%20photo\.jpg$/);
    expect((await httpRequest('GET', get)).status).toBe(404); // nothing there before the PUT
    expect((await httpRequest('PUT', put, { headers: { 'Content-Type': 'image/jpeg', 'Content-Length': body.length }, body })).status).toBe(201);
    const fetched = await httpRequest('GET', get);
    expect(fetched.status).toBe(200);
    expect(fetched.body.equals(body)).toBe(true);
    expect(fetched.headers['content-type']).toBe('image/jpeg');
    expect(fetched.headers['content-disposition']).toBeUndefined(); // images show inline
    expect(fetched.headers['x-content-type-options']).toBe('nosniff');
    expect(fetched.headers['access-control-allow-origin']).toBe('*');
  });

  it('XEP-0363 §5: a PUT must carry the slot\'s token, size and type, and may fill the slot only once', async () => {
    const body = Buffer.from('0123456789');
    const { put } = slotUrls(await requestSlot(alice, SERVICE, { filename: 'n.txt', size: body.length, contentType: 'text/plain' }));
    const headers = { 'Content-Type': 'text/plain', 'Content-Length': body.length };
    expect((await httpRequest('PUT', put.replace(/token=[^&]+/, 'token=forged'), { headers, body })).status).toBe(403);
    expect((await httpRequest('PUT', put, { headers: { ...headers, 'Content-Length': 5 }, body: body.subarray(0, 5) })).status).toBe(400);
    expect((await httpRequest('PUT', put, { headers: { ...headers, 'Content-Type': 'text/html' }, body })).status).toBe(400);
    expect((await httpRequest('PUT', put, { headers, body })).status).toBe(201);
    expect((await httpRequest('PUT', put, { headers, body })).status).toBe(409);
  });

  it('XEP-0363 §5: a file that is not an image or video is served as an attachment, with byte ranges', async () => {
    const body = Buffer.from('%PDF-1.4 not really a pdf, but bytes all the same');
    const get = await upload(alice, 'report.pdf', body, 'application/pdf');
    const whole = await httpRequest('GET', get);
    expect(whole.headers['content-disposition']).toBe("attachment; filename*=UTF-8''report.pdf");
    expect(whole.headers['accept-ranges']).toBe('bytes');
    const part = await httpRequest('GET', get, { headers: { Range: 'bytes=5-12' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 5-12/${body.length}`);
    expect(part.body.toString()).toBe(body.subarray(5, 13).toString());
    const tail = await httpRequest('GET', get, { headers: { Range: 'bytes=-4' } });
    expect(tail.body.toString()).toBe(body.subarray(-4).toString());
    const beyond = await httpRequest('GET', get, { headers: { Range: `bytes=${body.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${body.length}`);
  });

  it('XEP-0363 §4: a file over the size limit gets not-acceptable with <file-too-large> and the limit', async () => {
    const answer = await requestSlot(alice, SERVICE, { filename: 'big.mp4', size: 1000001, contentType: 'video/mp4' });
    expect(answer.attrs.type).toBe('error');
    const error = answer.getChild('error')!;
    expect(error.getChild('not-acceptable', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toBeDefined();
    expect(error.getChild('file-too-large', NS_UPLOAD)!.getChildText('max-file-size')).toBe('1000000');
  });

  it('XEP-0363 §4: past the account\'s quota a slot request gets resource-constraint, naming the quota', async () => {
    const { client: erin } = await login(server.ports.c2s, 'erin', 'pw', 'quota');
    expect((await requestSlot(erin, SERVICE, { filename: 'a.bin', size: 1000000 })).attrs.type).toBe('result');
    const refused = await requestSlot(erin, SERVICE, { filename: 'b.bin', size: 600000 });
    expect(refused.attrs.type).toBe('error');
    expect(refused.getChild('error')!.getChild('resource-constraint', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toBeDefined();
    expect(refused.getChild('error')!.getChildText('text', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toMatch(/quota of 1500000 bytes/);
    expect((await requestSlot(erin, SERVICE, { filename: 'c.bin', size: 500000 })).attrs.type).toBe('result');
    erin.destroy();
  });

  it('XEP-0363 §4: a request without a size is refused with bad-request', async () => {
    alice.send(`<iq type='get' id='nosize' to='${SERVICE}'><request xmlns='${NS_UPLOAD}' filename='x.txt'/></iq>`);
    expect((await alice.next((e) => e.attrs.id === 'nosize')).getChild('error')!.getChild('bad-request')).toBeDefined();
  });

  it('XEP-0363 with account removal: the files go with the account', async () => {
    const { client: dave } = await login(server.ports.c2s, 'dave', 'pw', 'leaving');
    const get = await upload(dave, 'notes.txt', Buffer.from('soon gone'), 'text/plain');
    const id = new URL(get).pathname.split('/')[2]!;
    expect(fs.existsSync(path.join(server.dir, 'data', 'uploads', id))).toBe(true);
    dave.destroy();
    const seen = server.logs.length;
    const removed = await server.cli(['user', 'del', 'dave@localhost', '--yes']);
    expect(removed.code).toBe(0);
    await server.waitForLog((l) => l.msg === 'expired uploads deleted' && server.logs.indexOf(l) >= seen, 5_000);
    expect((await httpRequest('GET', get)).status).toBe(404);
    expect(fs.existsSync(path.join(server.dir, 'data', 'uploads', id))).toBe(false);
  });
});

describe('XEP-0363 behind a reverse proxy', () => {
  it('XEP-0363 §4 behind a reverse proxy: slot URLs start at http.publicUrl, and the path they name is served', async () => {
    const proxied = await ServerProcess.start({ extraYaml: ['http:', '  publicUrl: https://chat.example.test'].join('\n') });
    try {
      await proxied.addUser('alice@localhost', 'pw');
      const { client } = await login(proxied.ports.c2s, 'alice', 'pw', 'phone');
      const body = Buffer.from('through the proxy');
      const { put, get } = slotUrls(await requestSlot(client, SERVICE, { filename: 'note.txt', size: body.length, contentType: 'text/plain' }));
      expect(put).toMatch(/^https:\/\/chat\.example\.test\/upload\/[A-Za-z0-9_-]{24}\/note\.txt\?/);
      expect(get).toMatch(/^https:\/\/chat\.example\.test\/upload\/[A-Za-z0-9_-]{24}\/note\.txt$/);
      // What the proxy would forward: the same path and query on Herald's own HTTPS listener.
      const direct = (url: string) => `https://localhost:${proxied.listenerPort('https')}${new URL(url).pathname}${new URL(url).search}`;
      expect((await httpRequest('PUT', direct(put), { headers: { 'Content-Type': 'text/plain', 'Content-Length': body.length }, body })).status).toBe(201);
      expect((await httpRequest('GET', direct(get))).body.equals(body)).toBe(true);
      client.destroy();
    } finally {
      await proxied.stop();
      proxied.cleanup();
    }
  });
});

describe('XEP-0363 expiry', () => {
  it('XEP-0363 §7: a file is deleted once its time is up', async () => {
    const short = await ServerProcess.start({
      extraYaml: ['modules:', '  upload:', '    options: { expireAfterSeconds: 2, sweepIntervalSeconds: 1 }'].join('\n'),
    });
    try {
      await short.addUser('alice@localhost', 'pw');
      const { client } = await login(short.ports.c2s, 'alice', 'pw', 'x');
      const get = await upload(client, 'brief.txt', Buffer.from('here for two seconds'), 'text/plain');
      expect((await httpRequest('GET', get)).status).toBe(200);
      await short.waitForLog((l) => l.msg === 'expired uploads deleted', 8_000);
      expect((await httpRequest('GET', get)).status).toBe(404);
      expect(fs.readdirSync(path.join(short.dir, 'data', 'uploads'))).toEqual([]);
      client.destroy();
    } finally {
      await short.stop();
      short.cleanup();
    }
  }, 60_000);
});
