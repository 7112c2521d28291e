// XMPP over WebSocket (RFC 7395) and its discovery (XEP-0156) against a real Herald process: a
// raw WebSocket client for the framing rules, xmpp.js over wss:// as an independent client, and
// a TCP client on the other end of the conversation.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { client, xml, type XmppClient } from '@xmpp/client';
import type { Element } from 'ltx';
import { ServerProcess } from '../harness/server-process.js';
import { XMPPJS_TIMEOUT_MS } from '../harness/xmppjs.js';
import { login } from '../harness/login.js';
import { nextMessage } from '../harness/im.js';
import { NS_FRAMING, WsXmlClient } from '../harness/ws-client.js';

const SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
const SM = 'urn:xmpp:sm:3';
let server: ServerProcess;
let wsUrl: string;

beforeAll(async () => {
  server = await ServerProcess.start({ extraYaml: 'limits:\n  resumeTimeoutSeconds: 5' });
  for (const user of ['alice', 'bob', 'carol', 'dave']) await server.addUser(`${user}@localhost`, 'pw');
  wsUrl = `wss://127.0.0.1:${server.listenerPort('https')}/xmpp-websocket`;
}, 120_000);

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

/** <open/>, PLAIN over the HTTPS connection, the restart's <open/>, and a bound resource. */
async function wsLogin(user: string, resource: string): Promise<{ ws: WsXmlClient; jid: string }> {
  const ws = await WsXmlClient.connect(wsUrl);
  await ws.open();
  await ws.next('stream:features');
  ws.send(`<auth xmlns='${SASL}' mechanism='PLAIN'>${Buffer.from(`\0${user}\0pw`).toString('base64')}</auth>`);
  expect((await ws.next((e) => e.name === 'success' || e.name === 'failure')).name).toBe('success');
  await ws.open();
  await ws.next('stream:features');
  ws.send(`<iq xmlns='jabber:client' type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${resource}</resource></bind></iq>`);
  const bound = await ws.next((e) => e.name === 'iq' && e.attrs.id === 'b1');
  return { ws, jid: bound.getChild('bind')!.getChildText('jid')! };
}

describe('XEP-0156 host-meta', () => {
  it('XEP-0156 §3: host-meta.json at an IP address names the wss:// endpoint, readable cross-origin', async () => {
    const port = server.listenerPort('https');
    const res = await fetchInsecure(`https://127.0.0.1:${port}/.well-known/host-meta.json`);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(JSON.parse(res.body)).toEqual({ links: [{ rel: 'urn:xmpp:alt-connections:websocket', href: `wss://127.0.0.1:${port}/xmpp-websocket` }] });
  });

  it('XEP-0156 §3: host-meta is an XRD document with the same link', async () => {
    const port = server.listenerPort('https');
    const res = await fetchInsecure(`https://127.0.0.1:${port}/.well-known/host-meta`);
    expect(res.headers['content-type']).toMatch(/^application\/xrd\+xml/);
    expect(res.body).toContain(`<Link rel="urn:xmpp:alt-connections:websocket" href="wss://127.0.0.1:${port}/xmpp-websocket"/>`);
    expect(res.body).toContain('xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0"');
  });
});

describe('RFC 7395 XMPP over WebSocket', () => {
  it('RFC 7395 §3.1: a handshake without the "xmpp" subprotocol is refused', async () => {
    await expect(WsXmlClient.connect(wsUrl, { protocols: ['chat'] })).rejects.toThrow('HTTP 400');
  });

  it('RFC 7395 §3.1: plain ws:// on the HTTP port is refused, since credentials would travel in clear text', async () => {
    await expect(WsXmlClient.connect(`ws://127.0.0.1:${server.listenerPort('http')}/xmpp-websocket`)).rejects.toThrow('HTTP 403');
  });

  it('RFC 7395 §3.4: <open/> is answered with <open/> and features; no STARTTLS, channel binding to the HTTPS connection', async () => {
    const ws = await WsXmlClient.connect(wsUrl);
    const open = await ws.open();
    expect(open.attrs).toMatchObject({ xmlns: NS_FRAMING, from: 'localhost', version: '1.0' });
    expect(open.attrs.id).toBeTruthy();
    const features = await ws.next('stream:features');
    expect(features.attrs['xmlns:stream']).toBe('http://etherx.jabber.org/streams');
    expect(features.getChild('starttls')).toBeUndefined();
    const mechanisms = features.getChild('mechanisms', SASL)!.getChildren('mechanism').map((m) => m.getText());
    expect(mechanisms).toContain('SCRAM-SHA-256-PLUS');
    expect(mechanisms).toContain('PLAIN');
    ws.terminate();
  });

  it('RFC 7395 §3.3.3: a message holding two elements ends the stream with not-well-formed, then <close/>', async () => {
    const ws = await WsXmlClient.connect(wsUrl);
    await ws.open();
    await ws.next('stream:features');
    ws.send("<presence xmlns='jabber:client'/><presence xmlns='jabber:client'/>");
    expect((await ws.streamError()).condition).toBe('not-well-formed');
    await ws.next((e) => e.name === 'close' && e.attrs.xmlns === NS_FRAMING);
    await ws.closed();
  });

  it('RFC 7395 §3.3.3: a message ending inside an element ends the stream with not-well-formed', async () => {
    const ws = await WsXmlClient.connect(wsUrl);
    await ws.open();
    ws.send("<iq xmlns='jabber:client' type='get' id='1'>");
    const error = await ws.streamError();
    expect(error.condition).toBe('not-well-formed');
    expect(error.text).toMatch(/exactly one complete XML element/);
    await ws.closed();
  });

  it('RFC 7395 §3.4: a stanza before <open/> ends the stream', async () => {
    const ws = await WsXmlClient.connect(wsUrl);
    ws.send("<presence xmlns='jabber:client'/>");
    const error = await ws.streamError();
    expect(error.condition).toBe('not-well-formed');
    expect(error.text).toMatch(/before <open\/>/);
  });

  it('RFC 6120 §11.1 over RFC 7395: a comment in a message gets restricted-xml', async () => {
    const ws = await WsXmlClient.connect(wsUrl);
    await ws.open();
    ws.send("<presence xmlns='jabber:client'><!-- hi --></presence>");
    expect((await ws.streamError()).condition).toBe('restricted-xml');
  });

  it('RFC 7395 §3.4: an <open/> for a domain not served gets host-unknown', async () => {
    const ws = await WsXmlClient.connect(wsUrl);
    ws.send(`<open xmlns='${NS_FRAMING}' to='elsewhere.example' version='1.0'/>`);
    expect((await ws.streamError()).condition).toBe('host-unknown');
  });

  it('RFC 7395 §3.6: the client\'s <close/> is answered with <close/> and the WebSocket closes', async () => {
    const { ws } = await wsLogin('alice', 'closing');
    ws.send(`<close xmlns='${NS_FRAMING}'/>`);
    await ws.next((e) => e.name === 'close' && e.attrs.xmlns === NS_FRAMING);
    expect((await ws.closed()).code).toBe(1000);
  });

  it('RFC 7395 §3.3.1: a binary message closes the WebSocket with 1003', async () => {
    const ws = await WsXmlClient.connect(wsUrl);
    ws.ws.send(Buffer.from("<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='localhost' version='1.0'/>"), { binary: true });
    expect((await ws.closed()).code).toBe(1003);
  });

  it('RFC 6120 §7 over RFC 7395: a WebSocket user and a TCP user chat both ways', async () => {
    const { ws, jid: wsJid } = await wsLogin('bob', 'web');
    const { client: tcp, jid: tcpJid } = await login(server.ports.c2s, 'carol', 'pw', 'desk');
    tcp.send(`<message to='${wsJid}' type='chat' id='m1'><body>hello web</body></message>`);
    const received = await ws.next('message');
    expect(received.attrs).toMatchObject({ xmlns: 'jabber:client', from: tcpJid, id: 'm1' });
    expect(received.getChildText('body')).toBe('hello web');
    ws.send(`<message xmlns='jabber:client' to='${tcpJid}' type='chat' id='m2'><body>hello desk</body></message>`);
    const back = await nextMessage(tcp);
    expect(back.attrs.from).toBe(wsJid);
    expect(back.getChildText('body')).toBe('hello desk');
    tcp.destroy();
    ws.terminate();
  });

  it('XEP-0198 §5 over RFC 7395: a dropped WebSocket session is resumed on a new WebSocket, unacknowledged messages resent', async () => {
    const first = await wsLogin('dave', 'phone');
    first.ws.send(`<enable xmlns='${SM}' resume='true'/>`);
    const enabled = await first.ws.next('enabled');
    const { client: tcp } = await login(server.ports.c2s, 'carol', 'pw', 'sender');
    tcp.send(`<message to='${first.jid}' type='chat' id='lost'><body>while you were away</body></message>`);
    await first.ws.next('message');
    first.ws.terminate(); // never acknowledged
    await server.waitForLog((l) => l.msg === 'connection lost; session kept for resumption' && l.jid === first.jid);

    const ws = await WsXmlClient.connect(wsUrl);
    await ws.open();
    await ws.next('stream:features');
    ws.send(`<auth xmlns='${SASL}' mechanism='PLAIN'>${Buffer.from('\0dave\0pw').toString('base64')}</auth>`);
    await ws.next('success');
    await ws.open();
    await ws.next('stream:features');
    ws.send(`<resume xmlns='${SM}' previd='${enabled.attrs.id}' h='0'/>`);
    expect((await ws.next('resumed')).attrs.previd).toBe(enabled.attrs.id);
    const again = await ws.next('message');
    expect(again.attrs.id).toBe('lost');
    expect(again.getChildText('body')).toBe('while you were away');
    tcp.destroy();
    ws.terminate();
  });

  it('RFC 7395 with an independent client: xmpp.js logs in over wss:// and chats with a TCP client', async () => {
    const certPem = fs.readFileSync(path.join(server.dir, 'certs', 'localhost.crt'));
    // xmpp.js uses the global WebSocket (Node 20 has none): `ws`, trusting Herald's self-signed certificate.
    class TrustingWebSocket extends WebSocket {
      constructor(url: string, protocols: string[]) {
        super(url, protocols, { ca: certPem });
      }
    }
    (globalThis as { WebSocket?: unknown }).WebSocket = TrustingWebSocket;
    const xmpp: XmppClient = client({ service: `wss://localhost:${server.listenerPort('https')}/xmpp-websocket`, domain: 'localhost', resource: 'xmppjs', username: 'alice', password: 'pw', timeout: XMPPJS_TIMEOUT_MS });
    xmpp.on('error', () => undefined);
    const online = new Promise<void>((resolve) => xmpp.on('online', () => resolve()));
    void xmpp.start().catch(() => undefined);
    await online;
    const { client: tcp, jid: tcpJid } = await login(server.ports.c2s, 'bob', 'pw', 'tcp');
    const got = new Promise<Element>((resolve) => xmpp.on('stanza', (s) => s.is('message') && resolve(s)));
    tcp.send(`<message to='${xmpp.jid!.toString()}' type='chat'><body>over tcp</body></message>`);
    expect((await got).getChildText('body')).toBe('over tcp');
    await xmpp.send(xml('message', { to: tcpJid, type: 'chat' }, xml('body', {}, 'over websocket')));
    const back = await nextMessage(tcp);
    expect(back.getChildText('body')).toBe('over websocket');
    expect(back.attrs.from).toBe(xmpp.jid!.toString());
    await xmpp.stop();
    tcp.destroy();
  });
});

/** GET over HTTPS without verifying Herald's self-signed certificate. */
async function fetchInsecure(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    https.get(url, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
}

describe('RFC 7395 behind a reverse proxy', () => {
  it('RFC 7395 §3.1 via a trusted proxy: plain ws:// saying X-Forwarded-Proto https is served, without channel binding', async () => {
    const proxied = await ServerProcess.start({ extraYaml: 'http:\n  trustedProxies: [127.0.0.1]' });
    try {
      const url = `ws://127.0.0.1:${proxied.listenerPort('http')}/xmpp-websocket`;
      await expect(WsXmlClient.connect(url)).rejects.toThrow('HTTP 403'); // the proxy must vouch for TLS
      const ws = await WsXmlClient.connect(url, { headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '198.51.100.7' } });
      await ws.open();
      const mechanisms = (await ws.next('stream:features')).getChild('mechanisms', SASL)!.getChildren('mechanism').map((m) => m.getText());
      // The TLS connection is the proxy's, not the client's: nothing to bind to.
      expect(mechanisms).toContain('PLAIN');
      expect(mechanisms.some((m) => m.endsWith('-PLUS'))).toBe(false);
      // The connection is the client's, not the proxy's: its log lines (here a stream error) say so.
      ws.send("<iq xmlns='jabber:client'>");
      await ws.streamError();
      expect((await proxied.waitForLog((l) => l.msg === 'stream error')).remote).toBe('198.51.100.7');
    } finally {
      await proxied.stop();
      proxied.cleanup();
    }
  }, 60_000);
});
